/**
 * "Why?" — can PRINCIPAL do ACTION on RESOURCE? Asked through SimulatePrincipalPolicy with the
 * signed-in user's own credentials; shows the decision and the statements that decided it.
 * Access-denied errors anywhere in the console link here with the question in the hash
 * (`#/why?action=…&resource=…&principal=…`); a prefilled question runs at once.
 */
import { useEffect, useState, type FormEvent, type ReactElement } from 'react';
import type { EvaluationResult } from '@aws-sdk/client-iam';
import { askWhy, decisionSentence, policySourceArn, queryFromQuestion, questionFromQuery, type MatchedStatement, type WhyAnswer, type WhyQuestion } from './simulate-call.ts';
import { Button, PageHeader, TextAreaField, TextField } from '../../components/index.ts';
import './why.css';

export interface WhyPageProps {
  /** The hash query (`action=…&resource=…&principal=…`), possibly empty. */
  query: string;
  /** Who is signed in: the default principal. */
  principalArn: string;
  clients: Parameters<typeof askWhy>[1];
  /** Puts a new question in the address, so the answer can be linked and the back button works. */
  onAsk?(q: WhyQuestion): void;
}

type State =
  | { kind: 'idle' }
  | { kind: 'running' }
  | { kind: 'answer'; question: WhyQuestion; answer: WhyAnswer }
  | { kind: 'simulatorDenied'; question: WhyQuestion; message: string }
  | { kind: 'error'; name: string; message: string };

const ACCESS_DENIED = new Set(['AccessDenied', 'AccessDeniedException', 'AccessDeniedError']);

export function WhyPage({ query, principalArn, clients, onAsk }: WhyPageProps): ReactElement {
  const fromQuery = questionFromQuery(query);
  const [question, setQuestion] = useState<WhyQuestion>({ ...fromQuery, principal: fromQuery.principal || principalArn });
  const [state, setState] = useState<State>({ kind: 'idle' });

  async function run(q: WhyQuestion): Promise<void> {
    setState({ kind: 'running' });
    try {
      setState({ kind: 'answer', question: q, answer: await askWhy(q, clients) });
    } catch (e) {
      const err = e as Error;
      if (ACCESS_DENIED.has(err.name)) setState({ kind: 'simulatorDenied', question: q, message: err.message });
      else setState({ kind: 'error', name: err.name, message: err.message });
    }
  }

  // A question that arrives in the address (from an access-denied link) is asked at once.
  useEffect(() => {
    const q = questionFromQuery(query);
    if (q.action === '') return;
    const full = { ...q, principal: q.principal || principalArn };
    setQuestion(full);
    void run(full);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [query]);

  function submit(e: FormEvent): void {
    e.preventDefault();
    // The same question again does not change the address, so it is asked here directly.
    if (onAsk && queryFromQuestion(question) !== new URLSearchParams(query).toString()) onAsk(question);
    else void run(question);
  }

  const field = (key: 'principal' | 'action' | 'resource', label: string, placeholder: string) => (
    <TextField label={label} name={key} value={question[key]} placeholder={placeholder} required={key !== 'resource'}
      onChange={(e) => setQuestion({ ...question, [key]: e.target.value.trim() })} />
  );

  return (
    <div className="why-page">
      <PageHeader title="Why?" />
      <p>Ask whether a principal may perform an action on a resource. coffer evaluates the same policies a real request
        would meet (identity policies, groups, permissions boundary, and the resource's own policy when you may read it)
        and shows the statements that decided.</p>
      <form className="why-form" onSubmit={submit} aria-label="Question">
        {field('principal', 'Principal (user, role or group ARN)', 'arn:aws:iam::111122223333:user/alice')}
        {field('action', 'Action', 'secretsmanager:GetSecretValue')}
        {field('resource', 'Resource ARN', 'arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db-AbCdEf (empty: *)')}
        <TextAreaField label="Request context (optional)" rows={2} value={question.context ?? ''} placeholder={'aws:MultiFactorAuthPresent=true\naws:SourceIp=203.0.113.7'}
          hint="The simulator does not know the denied request's MFA, source IP or time: give the values conditions depend on, one key=value a line."
          onChange={(e) => setQuestion({ ...question, context: e.target.value })} />
        <Button type="submit" variant="primary" busy={state.kind === 'running'}>Explain</Button>
      </form>

      {state.kind === 'simulatorDenied' && (
        <div className="why-denied-simulator" role="alert" data-testid="why-simulator-denied">
          <h2>You may not run the policy simulator for this principal</h2>
          <p>Explaining a decision calls <code>iam:SimulatePrincipalPolicy</code> on{' '}
            <code>{policySourceArn(state.question.principal)}</code>, and your policies do not allow it. Ask an
            administrator to explain the decision, or to allow you <code>iam:SimulatePrincipalPolicy</code> on your own
            user (resource <code>arn:aws:iam::ACCOUNT:user/${'{aws:username}'}</code>).</p>
          <p className="why-raw">{state.message}</p>
        </div>
      )}
      {state.kind === 'error' && (
        <div className="why-error" role="alert"><strong>{state.name}</strong>: {state.message}</div>
      )}
      {state.kind === 'answer' && <Answer question={state.question} answer={state.answer} />}
    </div>
  );
}

function Answer({ question, answer }: { question: WhyQuestion; answer: WhyAnswer }): ReactElement {
  const { result, matched } = answer;
  const decisive = matched.filter((s) => (result.EvalDecision === 'explicitDeny' ? isDeny(s) : !isDeny(s)));
  const others = matched.filter((s) => !decisive.includes(s));
  return (
    <section className="why-answer" aria-label="Answer" data-testid="why-answer">
      <p className={`why-decision why-decision-${result.EvalDecision}`} data-testid="why-decision" data-decision={result.EvalDecision}>
        {decisionSentence(question, result)}
      </p>
      <BoundaryNote result={result} />
      {answer.resourcePolicyNote && <p className="why-note">{answer.resourcePolicyNote}</p>}
      {decisive.length > 0 ? (
        <>
          <h2>{result.EvalDecision === 'explicitDeny' ? 'The statement that denied it' : 'The statements that allowed it'}</h2>
          {decisive.map((s, i) => <StatementCard key={i} statement={s} decisive />)}
        </>
      ) : (
        <p className="why-note">No statement in any policy of this principal applies to this action and resource.</p>
      )}
      {others.length > 0 && (
        <>
          <h2>Other statements that applied</h2>
          {others.map((s, i) => <StatementCard key={i} statement={s} decisive={false} />)}
        </>
      )}
      {(result.MissingContextValues?.length ?? 0) > 0 && (
        <p className="why-note">Conditions in these policies use keys the simulation had no value for, so statements using them
          did not apply: {result.MissingContextValues!.map((k) => <code key={k}>{k} </code>)}</p>
      )}
    </section>
  );
}

function isDeny(s: MatchedStatement): boolean {
  // The text tells the effect; without it, assume allow (a deny always comes with its text from coffer).
  return s.text !== undefined && /"Effect"\s*:\s*"Deny"/.test(s.text);
}

function BoundaryNote({ result }: { result: EvaluationResult }): ReactElement | null {
  const allowed = result.PermissionsBoundaryDecisionDetail?.AllowedByPermissionsBoundary;
  if (allowed === undefined) return null;
  return <p className="why-note">{allowed ? 'The permissions boundary allows this action.' : 'The permissions boundary does not allow this action, so no identity policy can grant it.'}</p>;
}

/** The statement as its document has it, indented when it was written on one line. */
function readable(text: string): string {
  if (text.includes('\n')) return text;
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

function StatementCard({ statement: s, decisive }: { statement: MatchedStatement; decisive: boolean }): ReactElement {
  const where = s.StartPosition ? `line ${s.StartPosition.Line}, column ${s.StartPosition.Column}` : '';
  return (
    <article className={decisive ? 'why-statement why-statement-decisive' : 'why-statement'} data-testid="why-statement">
      <header>
        <strong data-testid="why-policy">{s.SourcePolicyId}</strong>
        <span> · {s.SourcePolicyType}</span>
        {where && <span> · {where}</span>}
      </header>
      {s.text !== undefined
        ? <pre className="why-statement-text"><mark>{readable(s.text)}</mark></pre>
        : <p className="why-note">The server did not send the statement's text.</p>}
    </article>
  );
}
