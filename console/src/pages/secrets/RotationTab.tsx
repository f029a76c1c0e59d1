// Rotation: its state (DescribeSecret), the one-call setup for PostgreSQL and MySQL/MariaDB
// (src/rotation-setup run here in the page with the user's own clients: it creates only what
// the user may create), rotate now, turn off, and recent attempts with step outcomes and log
// tails (POST /console/api/rotation-attempts, authorized as DescribeSecret; logs need
// logs:GetLogEvents on the function's log group).
import { useEffect, useState } from 'react';
import { CancelRotateSecretCommand, ListSecretsCommand, RotateSecretCommand, type DescribeSecretResponse } from '@aws-sdk/client-secrets-manager';
import { GetFunctionCommand } from '@aws-sdk/client-lambda';
import { setupRotation, RotationSetupError, type SetupAction, type SetupResult } from '../../../../src/rotation-setup/setup.ts';
import { templateOf } from '../../../../src/rotation-setup/names.ts';
import { useSession } from '../../session.tsx';
import { useRoute } from '../../router.tsx';
import { Button, Checkbox, ErrorBanner, Notice, SelectField, Table, TextField, formatDate, useAction, useAsync, type Column } from '../../components/index.ts';
import { storeMasterArn } from './master-arn.ts';

interface StepRecord { step: string; outcome: 'succeeded' | 'failed'; startedAt: number; durationMs: number; errorCode?: string }
interface ConsoleAttempt {
  attemptId: string; clientRequestToken: string; kind: string; trigger: string; functionArn: string;
  outcome: 'running' | 'succeeded' | 'failed' | 'interrupted'; startedAt: number; finishedAt?: number; steps: StepRecord[]; error?: string;
  details?: Record<string, { errorType?: string; errorMessage?: string; logTail?: string }>;
}
interface AttemptsAnswer { arn: string; logsReadable: boolean; attempts: ConsoleAttempt[] }

export type Engine = 'postgres' | 'mysql';
export type Strategy = 'single-user' | 'alternating-users';
export const templateName = (engine: Engine, strategy: Strategy) => `${engine === 'postgres' ? 'postgresql' : 'mysql'}-${strategy}`;

export function RotationTab(props: { secret: DescribeSecretResponse; onChanged: () => void }) {
  const session = useSession();
  const { clients } = session;
  const s = props.secret;
  const [watch, setWatch] = useState(0);
  const attempts = useAsync(() => session.consoleApi<AttemptsAnswer>('/rotation-attempts', { SecretId: s.ARN, Limit: 10 }), [s.ARN, watch]);
  // The last answer that came: one failed refresh (a busy server) must neither blank the list
  // nor stop following a running attempt.
  const [lastAnswer, setLastAnswer] = useState<AttemptsAnswer>();
  useEffect(() => { if (attempts.data) setLastAnswer(attempts.data); }, [attempts.data]);
  const shown = attempts.data ?? (lastAnswer?.arn === s.ARN ? lastAnswer : undefined);
  const running = shown?.attempts.some((a) => a.outcome === 'running');
  // While an attempt runs (or one was just asked for), look again every two seconds.
  const [followUntil, setFollowUntil] = useState(0);
  useEffect(() => {
    if (attempts.loading || (!running && Date.now() > followUntil)) return;
    const t = setTimeout(() => { setWatch((w) => w + 1); props.onChanged(); }, 2000);
    return () => clearTimeout(t);
  }, [attempts.data, attempts.error, attempts.loading, running, followUntil]);
  const follow = () => { setFollowUntil(Date.now() + 90_000); setWatch((w) => w + 1); };

  const action = useAction();
  const [done, setDone] = useState<string>();
  // The create wizard's rotation setup failed after the secret was stored: say so here.
  const setupError = useRoute().query.get('setupError');
  const act = (what: string, fn: () => Promise<string>) => {
    setDone(undefined);
    return action.run(what, async () => setDone(await fn()), () => { props.onChanged(); follow(); });
  };
  const rotateNow = () => act('rotate', async () => {
    const out = await clients.secretsManager.send(new RotateSecretCommand({ SecretId: s.ARN, RotateImmediately: true }));
    return `Rotation started: version ${out.VersionId}.`;
  });
  const turnOff = () => act('off', async () => {
    await clients.secretsManager.send(new CancelRotateSecretCommand({ SecretId: s.ARN }));
    return 'Automatic rotation is off.';
  });

  // A function made by the setup records its template: the form starts from it.
  const current = useAsync(async () => {
    if (!s.RotationLambdaARN) return undefined;
    const fn = await clients.lambda.send(new GetFunctionCommand({ FunctionName: s.RotationLambdaARN }));
    return templateOf(fn.Configuration?.Description);
  }, [s.RotationLambdaARN]);
  const made = /^(postgresql|mysql)-(single-user|alternating-users)$/.exec(current.data ?? '');
  // The form is shown once that first answer came (it starts from it), and then stays: a setup's
  // own reload (the secret now names a function) must not reset it and drop its result.
  const [formReady, setFormReady] = useState(false);
  useEffect(() => { if (!current.loading) setFormReady(true); }, [current.loading]);
  const rules = s.RotationRules;
  const schedule = rules?.ScheduleExpression ?? (rules?.AutomaticallyAfterDays ? `every ${rules.AutomaticallyAfterDays} days` : undefined);
  return (
    <div>
      <div className="card">
        <dl className="props" data-testid="rotation-status">
          <dt>Rotation</dt><dd>{s.RotationEnabled ? <span className="badge badge-ok">Enabled</span> : <span className="badge">Disabled</span>}</dd>
          {s.RotationLambdaARN && <><dt>Function</dt><dd><code>{s.RotationLambdaARN}</code></dd></>}
          {schedule && <><dt>Schedule</dt><dd>{schedule}{rules?.Duration ? `, window ${rules.Duration}` : ''}</dd></>}
          <dt>Last rotated</dt><dd>{formatDate(s.LastRotatedDate)}</dd>
          {s.RotationEnabled && <><dt>Next rotation</dt><dd>{formatDate(s.NextRotationDate)}</dd></>}
        </dl>
        <div className="form-actions">
          {s.RotationEnabled && <Button busy={action.busy === 'off'} onClick={() => void turnOff()}>Turn off rotation</Button>}
          {s.RotationLambdaARN && <Button variant="primary" busy={action.busy === 'rotate'} onClick={() => void rotateNow()}>Rotate now</Button>}
        </div>
      </div>
      {setupError && <Notice kind="warning">The secret was stored, but rotation setup failed: {setupError}</Notice>}
      <ErrorBanner error={action.error} action="secretsmanager:RotateSecret" resource={s.ARN} />
      {done && <Notice kind="success">{done}</Notice>}
      {formReady && <RotationSetupForm secret={s} onDone={() => { props.onChanged(); follow(); }}
        initialEngine={made ? (made[1] === 'postgresql' ? 'postgres' : 'mysql') : undefined} initialStrategy={made?.[2] as Strategy | undefined}
        initialSchedule={rules?.ScheduleExpression ?? (rules?.AutomaticallyAfterDays ? String(rules.AutomaticallyAfterDays) : undefined)} initialDuration={rules?.Duration} />}
      <h2>Recent attempts</h2>
      <ErrorBanner error={attempts.error} action="secretsmanager:DescribeSecret" resource={s.ARN} />
      <Attempts answer={shown} />
    </div>
  );
}

function stepBadge(st: StepRecord) {
  return <span key={st.step} className={`badge ${st.outcome === 'succeeded' ? 'badge-ok' : 'badge-bad'}`} title={st.errorCode}>{st.step} {st.outcome === 'succeeded' ? '✓' : '✗'} {(st.durationMs / 1000).toFixed(1)}s</span>;
}

function Attempts(props: { answer?: AttemptsAnswer }) {
  const rows = props.answer?.attempts ?? [];
  const columns: Column<ConsoleAttempt>[] = [
    { key: 'started', header: 'Started', render: (a) => formatDate(new Date(a.startedAt)) },
    { key: 'outcome', header: 'Outcome', render: (a) => <span className={`badge ${a.outcome === 'succeeded' ? 'badge-ok' : a.outcome === 'running' ? 'badge-warn' : 'badge-bad'}`} data-testid="attempt-outcome">{a.outcome}</span> },
    { key: 'trigger', header: 'Trigger', render: (a) => `${a.trigger}${a.kind === 'test' ? ' (test)' : ''}` },
    { key: 'steps', header: 'Steps', render: (a) => <div className="steps">{a.steps.map(stepBadge)}</div> },
    { key: 'details', header: 'Details', render: (a) => <AttemptDetails a={a} /> },
  ];
  return (
    <>
      {props.answer && !props.answer.logsReadable && rows.length > 0 && <p className="muted small">Log tails need logs:GetLogEvents on the function's log group.</p>}
      <Table caption="Rotation attempts" columns={columns} rows={rows} rowKey={(a) => a.attemptId} empty="No rotation attempts yet." />
    </>
  );
}

function AttemptDetails(props: { a: ConsoleAttempt }) {
  const d = props.a.details ?? {};
  const said = Object.entries(d).filter(([, v]) => v.errorMessage || v.logTail);
  if (!props.a.error && said.length === 0) return null;
  return (
    <details>
      <summary>{props.a.error ?? 'Function output'}</summary>
      {said.map(([step, v]) => (
        <div key={step}>
          <strong>{step}</strong>{v.errorType ? ` — ${v.errorType}` : ''}{v.errorMessage ? `: ${v.errorMessage}` : ''}
          {v.logTail && <pre className="log">{v.logTail}</pre>}
        </div>
      ))}
    </details>
  );
}

/** The one-call setup: role, function from the built-in template, invoke permission, RotateSecret. */
export function RotationSetupForm(props: {
  secret: DescribeSecretResponse; onDone: () => void;
  initialEngine?: Engine; initialStrategy?: Strategy; initialSchedule?: string; initialDuration?: string;
}) {
  const { clients } = useSession();
  const [engine, setEngine] = useState<Engine>(props.initialEngine ?? 'postgres');
  const [strategy, setStrategy] = useState<Strategy>(props.initialStrategy ?? 'single-user');
  const [master, setMaster] = useState('');
  const [schedule, setSchedule] = useState(props.initialSchedule ?? '30');
  const [duration, setDuration] = useState(props.initialDuration ?? '');
  const [immediately, setImmediately] = useState(true);
  const action = useAction();
  const [result, setResult] = useState<SetupResult>();
  const [partial, setPartial] = useState<SetupAction[]>();
  const others = useAsync(async () => {
    if (strategy !== 'alternating-users') return [];
    const out = await clients.secretsManager.send(new ListSecretsCommand({ MaxResults: 100 }));
    return (out.SecretList ?? []).filter((x) => x.ARN !== props.secret.ARN);
  }, [strategy]);

  const submit = () => {
    setResult(undefined);
    setPartial(undefined);
    return action.run('setup', async () => {
      const stored = strategy === 'alternating-users' && master ? await storeMasterArn(clients.secretsManager, props.secret.ARN!, master) : undefined;
      const before = stored ? [stored] : [];
      try {
        const out = await setupRotation(clients, {
          secretId: props.secret.ARN!, template: templateName(engine, strategy),
          ...(strategy === 'alternating-users' && master ? { masterSecretId: master } : {}),
          ...(schedule.trim() ? { schedule: schedule.trim() } : {}),
          ...(duration.trim() ? { duration: duration.trim() } : {}),
          rotateImmediately: immediately,
        });
        setResult({ ...out, actions: [...before, ...out.actions] });
      } catch (err) {
        if (!(err instanceof RotationSetupError)) throw err;
        // The banner shows the failing step's AWS error code (AccessDenied gets its "Why?").
        setPartial([...before, ...err.done]);
        throw Object.assign(new Error(err.message), { name: err.code ?? 'RotationSetupError' });
      }
    }, props.onDone);
  };

  return (
    <fieldset className="card">
      <legend>{props.secret.RotationEnabled ? 'Change the rotation setup' : 'Set up rotation'}</legend>
      <p className="muted small">Creates (or reuses) the execution role, the rotation function from coffer's built-in template and its invoke permission, then turns rotation on — all as you, with your permissions.</p>
      <div className="row">
        <SelectField label="Database engine" value={engine} onChange={(e) => setEngine(e.target.value as Engine)} options={[{ value: 'postgres', label: 'PostgreSQL' }, { value: 'mysql', label: 'MySQL / MariaDB' }]} />
        <SelectField label="Rotation strategy" value={strategy} onChange={(e) => setStrategy(e.target.value as Strategy)}
          options={[{ value: 'single-user', label: 'Single user (the user changes its own password)' }, { value: 'alternating-users', label: 'Alternating users (a master secret changes them)' }]} />
      </div>
      {strategy === 'alternating-users' && (
        <SelectField label="Master secret" value={master} onChange={(e) => setMaster(e.target.value)} hint="The secret whose user may change this secret's users. Choosing one stores its ARN as masterarn in this secret's value (a new version with the same credentials)."
          options={[{ value: '', label: '(the masterarn in the secret value)' }, ...(others.data ?? []).map((x) => ({ value: x.ARN!, label: x.Name! }))]} />
      )}
      <div className="row">
        <TextField label="Schedule" value={schedule} onChange={(e) => setSchedule(e.target.value)} hint="Days between rotations (e.g. 30), or rate(…) / cron(…). Empty: on demand only." />
        <TextField label="Window duration" value={duration} onChange={(e) => setDuration(e.target.value)} placeholder="e.g. 3h" hint="Optional (ScheduleExpression windows)." />
      </div>
      <Checkbox label="Rotate immediately" checked={immediately} onChange={(e) => setImmediately(e.target.checked)} />
      <ErrorBanner error={action.error} />
      {partial && partial.length > 0 && <Notice kind="warning">Done before the failure (kept; running setup again continues): {partial.map((a) => `${a.outcome} ${a.what}`).join(', ')}.</Notice>}
      {result && (
        <Notice kind="success">
          <div data-testid="setup-result">Rotation set up.<ul>{result.actions.map((a, i) => <li key={i}>{a.outcome} {a.what}: <code>{a.name}</code>{a.detail ? ` (${a.detail})` : ''}</li>)}</ul></div>
        </Notice>
      )}
      <div className="form-actions"><Button variant="primary" busy={action.busy === 'setup'} onClick={() => void submit()}>{props.secret.RotationEnabled ? 'Apply' : 'Set up rotation'}</Button></div>
    </fieldset>
  );
}
