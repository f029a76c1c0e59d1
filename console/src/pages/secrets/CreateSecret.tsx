// The create-secret wizard: 1. what (database credentials, other key/value pairs, plaintext),
// 2. name, description, KMS key and tags, 3. optional rotation for database credentials
// (the same one-call setup as the secret page), then CreateSecret (and setup) as the user.
import { useState } from 'react';
import { CreateSecretCommand, type Tag } from '@aws-sdk/client-secrets-manager';
import { ListAliasesCommand } from '@aws-sdk/client-kms';
import { setupRotation, RotationSetupError } from '../../../../src/rotation-setup/setup.ts';
import { useSession } from '../../session.tsx';
import { href, navigate } from '../../router.tsx';
import { Button, Checkbox, ErrorBanner, JsonEditor, PageHeader, SelectField, TextAreaField, TextField, jsonError, useAction, useAsync } from '../../components/index.ts';
import { PairsEditor } from './PairsEditor.tsx';
import { duplicateKeys, fromPairs, type Pair } from './secret-json.ts';
import { TagsEditor } from './TagsEditor.tsx';
import { templateName, type Engine, type Strategy } from './RotationTab.tsx';

type Kind = 'database' | 'keyvalue' | 'plaintext';
const STEPS = ['Secret value', 'Name and encryption', 'Rotation', 'Review'];
const DEFAULT_PORT: Record<Engine, string> = { postgres: '5432', mysql: '3306' };

export function CreateSecret() {
  const { clients } = useSession();
  const [step, setStep] = useState(0);
  const [kind, setKind] = useState<Kind>('database');
  const [db, setDb] = useState({ engine: 'postgres' as Engine, host: '', port: '5432', username: '', password: '', dbname: '' });
  const [pairs, setPairs] = useState<Pair[]>([{ key: '', value: '', kind: 'string' }]);
  const [plain, setPlain] = useState('');
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [kmsKey, setKmsKey] = useState('');
  const [tags, setTags] = useState<Tag[]>([]);
  const [rotate, setRotate] = useState(false);
  const [strategy, setStrategy] = useState<Strategy>('single-user');
  const [masterArn, setMasterArn] = useState('');
  const [schedule, setSchedule] = useState('30');
  const action = useAction();

  const aliases = useAsync(async () => (await clients.kms.send(new ListAliasesCommand({ Limit: 100 }))).Aliases ?? [], []);
  const value = kind === 'database'
    ? JSON.stringify({
      engine: db.engine, host: db.host, port: Number(db.port) || db.port, username: db.username, password: db.password,
      ...(db.dbname ? { dbname: db.dbname } : {}), ...(rotate && strategy === 'alternating-users' && masterArn ? { masterarn: masterArn } : {}),
    })
    : kind === 'keyvalue' ? fromPairs(pairs) : plain;

  const problems: string[] = [];
  if (step >= 0) {
    if (kind === 'database' && (!db.host || !db.username || !db.password)) problems.push('Host, user name and password are needed.');
    if (kind === 'keyvalue' && (pairs.every((p) => !p.key) || duplicateKeys(pairs).length)) problems.push('Give at least one key; keys must be unique.');
    if (kind === 'plaintext' && plain === '') problems.push('The value is empty.');
  }
  const nameProblem = step >= 1 && !/^[A-Za-z0-9/_+=.@-]{1,512}$/.test(name) ? 'Names use letters, digits and /_+=.@- (up to 512).' : undefined;
  const canNext = step === 0 ? problems.length === 0 : step === 1 ? !nameProblem : true;

  const create = () => action.run('create', async () => {
    const out = await clients.secretsManager.send(new CreateSecretCommand({
      Name: name, SecretString: value, ...(description ? { Description: description } : {}),
      ...(kmsKey ? { KmsKeyId: kmsKey } : {}), ...(tags.some((t) => t.Key) ? { Tags: tags.filter((t) => t.Key) } : {}),
    }));
    if (kind !== 'database' || !rotate) {
      navigate(href('/secrets/:id', { id: out.ARN! }));
      return;
    }
    try {
      await setupRotation(clients, {
        secretId: out.ARN!, template: templateName(db.engine, strategy),
        ...(strategy === 'alternating-users' && masterArn ? { masterSecretId: masterArn } : {}),
        ...(schedule.trim() ? { schedule: schedule.trim() } : {}), rotateImmediately: true,
      });
    } catch (err) {
      // The secret exists: show it, on its rotation tab, with what went wrong.
      const message = err instanceof RotationSetupError ? err.message : (err as Error).message;
      navigate(href('/secrets/:id', { id: out.ARN! }, { tab: 'rotation', setupError: message }));
      return;
    }
    navigate(href('/secrets/:id', { id: out.ARN! }, { tab: 'rotation' }));
  });

  return (
    <div>
      <PageHeader title="Store a new secret" crumbs={[{ label: 'Secrets', href: '#/secrets' }]} />
      <ol className="steps" aria-label="Steps">
        {STEPS.map((label, i) => <li key={label} className={`badge${i === step ? ' badge-ok' : ''}`} aria-current={i === step ? 'step' : undefined}>{i + 1}. {label}</li>)}
      </ol>
      <ErrorBanner error={action.error} action="secretsmanager:CreateSecret" resource="*" />
      {step === 0 && (
        <section aria-label="Secret value">
          <SelectField label="Secret type" value={kind} onChange={(e) => setKind(e.target.value as Kind)}
            options={[{ value: 'database', label: 'Credentials for a database' }, { value: 'keyvalue', label: 'Other type of secret (key/value)' }, { value: 'plaintext', label: 'Plaintext' }]} />
          {kind === 'database' && (
            <>
              <div className="row">
                <SelectField label="Engine" value={db.engine} onChange={(e) => { const engine = e.target.value as Engine; setDb({ ...db, engine, port: db.port === DEFAULT_PORT[db.engine] ? DEFAULT_PORT[engine] : db.port }); }}
                  options={[{ value: 'postgres', label: 'PostgreSQL' }, { value: 'mysql', label: 'MySQL / MariaDB' }]} />
                <TextField label="Host" value={db.host} onChange={(e) => setDb({ ...db, host: e.target.value })} spellCheck={false} />
                <TextField label="Port" value={db.port} inputMode="numeric" onChange={(e) => setDb({ ...db, port: e.target.value })} />
              </div>
              <div className="row">
                <TextField label="User name" value={db.username} onChange={(e) => setDb({ ...db, username: e.target.value })} autoComplete="off" spellCheck={false} />
                <TextField label="Database password" type="password" value={db.password} onChange={(e) => setDb({ ...db, password: e.target.value })} autoComplete="new-password" />
                <TextField label="Database name" value={db.dbname} onChange={(e) => setDb({ ...db, dbname: e.target.value })} hint="Optional." spellCheck={false} />
              </div>
            </>
          )}
          {kind === 'keyvalue' && <PairsEditor pairs={pairs} onChange={setPairs} />}
          {kind === 'plaintext' && (jsonError(plain) === undefined && plain.trim().startsWith('{')
            ? <JsonEditor label="Secret value" value={plain} onChange={setPlain} />
            : <TextAreaField label="Secret value" value={plain} rows={6} onChange={(e) => setPlain(e.target.value)} spellCheck={false} />)}
        </section>
      )}
      {step === 1 && (
        <section aria-label="Name and encryption">
          <TextField label="Secret name" value={name} onChange={(e) => setName(e.target.value)} error={name ? nameProblem : undefined} hint="e.g. prod/app/db" spellCheck={false} />
          <TextField label="Description" value={description} onChange={(e) => setDescription(e.target.value)} />
          <SelectField label="Encryption key" value={kmsKey} onChange={(e) => setKmsKey(e.target.value)}
            hint={aliases.error ? 'Your KMS aliases could not be listed; the default key is used unless you pick one.' : undefined}
            options={[{ value: '', label: 'aws/secretsmanager (default)' }, ...(aliases.data ?? []).filter((a) => a.TargetKeyId && a.AliasName !== 'alias/aws/secretsmanager').map((a) => ({ value: a.AliasName!, label: a.AliasName! }))]} />
          <TagsEditor tags={tags} onChange={setTags} />
        </section>
      )}
      {step === 2 && (
        <section aria-label="Rotation">
          {kind !== 'database' ? <p>Automatic rotation with coffer's built-in functions is for database credentials. You can set up rotation with your own function later.</p> : (
            <>
              <Checkbox label="Turn on automatic rotation" checked={rotate} onChange={(e) => setRotate(e.target.checked)} />
              {rotate && (
                <>
                  <SelectField label="Rotation strategy" value={strategy} onChange={(e) => setStrategy(e.target.value as Strategy)}
                    options={[{ value: 'single-user', label: 'Single user' }, { value: 'alternating-users', label: 'Alternating users' }]} />
                  {strategy === 'alternating-users' && <TextField label="Master secret ARN" value={masterArn} onChange={(e) => setMasterArn(e.target.value)} hint="Stored as masterarn in the value." />}
                  <TextField label="Schedule" value={schedule} onChange={(e) => setSchedule(e.target.value)} hint="Days, or rate(…) / cron(…)." />
                </>
              )}
            </>
          )}
        </section>
      )}
      {step === 3 && (
        <section aria-label="Review" className="card">
          <dl className="props">
            <dt>Name</dt><dd>{name}</dd>
            <dt>Type</dt><dd>{kind === 'database' ? `Database credentials (${db.engine === 'postgres' ? 'PostgreSQL' : 'MySQL/MariaDB'}, ${db.username}@${db.host}:${db.port})` : kind === 'keyvalue' ? `Key/value: ${pairs.filter((p) => p.key).map((p) => p.key).join(', ')}` : 'Plaintext'}</dd>
            <dt>Encryption key</dt><dd>{kmsKey || 'aws/secretsmanager'}</dd>
            <dt>Tags</dt><dd>{tags.filter((t) => t.Key).map((t) => `${t.Key}=${t.Value ?? ''}`).join(', ') || '—'}</dd>
            <dt>Rotation</dt><dd>{kind === 'database' && rotate ? `${templateName(db.engine, strategy)}, ${schedule || 'on demand'}` : 'Off'}</dd>
          </dl>
        </section>
      )}
      {step === 0 && problems.map((p) => <div key={p} className="hint">{p}</div>)}
      <div className="form-actions">
        {step > 0 && <Button onClick={() => setStep(step - 1)}>Previous</Button>}
        {step < STEPS.length - 1
          ? <Button variant="primary" disabled={!canNext} onClick={() => setStep(step + 1)}>Next</Button>
          : <Button variant="primary" busy={action.busy === 'create'} onClick={() => void create()}>Store secret</Button>}
      </div>
    </div>
  );
}
