/**
 * The "Why?" page's one question — can PRINCIPAL do ACTION on RESOURCE? — asked through IAM's
 * SimulatePrincipalPolicy with the signed-in user's own SDK client (so the page is governed by
 * iam:SimulatePrincipalPolicy like any caller), plus the resource's policy when the caller
 * may read it.
 *
 * coffer answers each matched statement with one element more than AWS, StatementText (the
 * statement exactly as its document has it). The SDK's deserializer skips unknown elements,
 * so a middleware on this one command keeps a copy of the raw XML and the page reads the
 * texts from it; everything else comes from the SDK's typed output.
 */
import { SimulatePrincipalPolicyCommand, type ContextEntry, type IAMClient, type EvaluationResult, type Statement } from '@aws-sdk/client-iam';
import { GetResourcePolicyCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetKeyPolicyCommand, type KMSClient } from '@aws-sdk/client-kms';

export interface WhyQuestion {
  principal: string;
  action: string;
  resource: string;
  /** Condition values the request would carry, one `key=value[,value…]` a line (optional). */
  context?: string;
}

export interface MatchedStatement extends Statement {
  /** The statement's exact text, when the server sent it. */
  text?: string;
}

export interface WhyAnswer {
  result: EvaluationResult;
  matched: MatchedStatement[];
  /** Where the resource policy came from, or why it was left out. */
  resourcePolicyNote?: string;
}

/** `#/why?action=…&resource=…&principal=…` → the question (missing parts empty). */
export function questionFromQuery(query: string): WhyQuestion {
  const params = new URLSearchParams(query.startsWith('?') ? query.slice(1) : query);
  const q: WhyQuestion = { principal: params.get('principal') ?? '', action: params.get('action') ?? '', resource: params.get('resource') ?? '' };
  const context = params.get('context');
  return context ? { ...q, context } : q;
}

export function queryFromQuestion(q: WhyQuestion): string {
  const params = new URLSearchParams({ action: q.action, resource: q.resource, principal: q.principal });
  if (q.context) params.set('context', q.context);
  return params.toString();
}

/**
 * `aws:MultiFactorAuthPresent=true` / `aws:TagKeys=a,b` lines → the simulator's ContextEntries.
 * The simulator knows nothing of the request that was denied (its source IP, MFA, time), so
 * conditions on such keys only apply when their values are given here. Several values make a
 * list (the `…List` types are the simulator's multivalued keys).
 */
export function contextEntries(text: string | undefined): ContextEntry[] {
  const out: ContextEntry[] = [];
  for (const line of (text ?? '').split('\n').map((l) => l.trim()).filter((l) => l !== '')) {
    const eq = line.indexOf('=');
    if (eq <= 0) throw new Error(`Context line "${line}" is not key=value.`);
    const values = line.slice(eq + 1).split(',').map((v) => v.trim());
    out.push({ ContextKeyName: line.slice(0, eq).trim(), ContextKeyValues: values, ContextKeyType: values.length > 1 ? 'stringList' : 'string' });
  }
  return out;
}

/**
 * The ARN the simulator takes as PolicySourceArn. A role session is simulated as its role
 * (`arn:aws:sts::1:assumed-role/R/s` → `arn:aws:iam::1:role/R`): the session's own policies
 * are not stored, and that is what AWS's simulator accepts.
 */
export function policySourceArn(principal: string): string {
  const m = /^arn:([^:]+):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(principal);
  return m ? `arn:${m[1]}:iam::${m[2]}:role/${m[3]}` : principal;
}

/** `{SourcePolicyId}@{line}:{column}` identifies a matched statement in both XML and SDK output. */
function statementKey(id: string | undefined, line: number | undefined, column: number | undefined): string {
  return `${id ?? ''}@${line ?? ''}:${column ?? ''}`;
}

/** StatementText of each matched statement in the raw SimulatePrincipalPolicy XML. */
export function statementTexts(xml: string): Map<string, string> {
  const out = new Map<string, string>();
  const doc = new DOMParser().parseFromString(xml, 'application/xml');
  const child = (el: Element, name: string) => Array.from(el.children).find((c) => c.localName === name);
  for (const statement of Array.from(doc.getElementsByTagName('MatchedStatements'))) {
    for (const member of Array.from(statement.children)) {
      const text = child(member, 'StatementText')?.textContent;
      if (text == null) continue;
      const start = child(member, 'StartPosition');
      const line = start && child(start, 'Line')?.textContent;
      const column = start && child(start, 'Column')?.textContent;
      out.set(statementKey(child(member, 'SourcePolicyId')?.textContent ?? undefined, line ? Number(line) : undefined, column ? Number(column) : undefined), text);
    }
  }
  return out;
}

async function resourcePolicy(resource: string, sm: SecretsManagerClient, kms: KMSClient): Promise<{ policy?: string; note?: string }> {
  try {
    if (/^arn:[^:]+:secretsmanager:[^:]*:\d{12}:secret:/.test(resource)) {
      const out = await sm.send(new GetResourcePolicyCommand({ SecretId: resource }));
      return out.ResourcePolicy ? { policy: out.ResourcePolicy, note: 'The secret\'s resource policy was evaluated too.' } : { note: 'The secret has no resource policy.' };
    }
    if (/^arn:[^:]+:kms:[^:]*:\d{12}:key\//.test(resource)) {
      const out = await kms.send(new GetKeyPolicyCommand({ KeyId: resource, PolicyName: 'default' }));
      return out.Policy ? { policy: out.Policy, note: 'The key policy was evaluated too.' } : {};
    }
  } catch (e) {
    const name = (e as Error).name;
    return { note: `The resource's policy could not be read (${name}: ${(e as Error).message}), so only identity-based policies were evaluated.` };
  }
  return {};
}

export async function askWhy(q: WhyQuestion, clients: { iam: IAMClient; secretsManager: SecretsManagerClient; kms: KMSClient }): Promise<WhyAnswer> {
  const ContextEntries = contextEntries(q.context);
  const { policy, note } = await resourcePolicy(q.resource, clients.secretsManager, clients.kms);
  const command = new SimulatePrincipalPolicyCommand({
    PolicySourceArn: policySourceArn(q.principal),
    ActionNames: [q.action],
    ResourceArns: q.resource === '' ? undefined : [q.resource],
    ResourcePolicy: policy,
    ContextEntries: ContextEntries.length > 0 ? ContextEntries : undefined,
  });
  let raw = '';
  command.middlewareStack.add(
    (next) => async (args) => {
      const out = await next(args);
      const response = out.response as { body?: unknown };
      if (response.body instanceof ReadableStream || response.body instanceof Blob) {
        const bytes = new Uint8Array(await new Response(response.body).arrayBuffer());
        raw = new TextDecoder().decode(bytes);
        // Give the SDK's deserializer the same bytes it would have read.
        response.body = bytes;
      }
      return out;
    },
    { step: 'deserialize', priority: 'low', name: 'cofferStatementTextCapture' },
  );
  const output = await clients.iam.send(command);
  const result = output.EvaluationResults?.[0];
  if (result === undefined) throw new Error('The simulator returned no evaluation result.');
  const texts = raw === '' ? new Map<string, string>() : statementTexts(raw);
  const matched = (result.MatchedStatements ?? []).map((s): MatchedStatement => ({
    ...s, text: texts.get(statementKey(s.SourcePolicyId, s.StartPosition?.Line, s.StartPosition?.Column)),
  }));
  return { result, matched, resourcePolicyNote: note };
}

/** A sentence for the decision, as a person would say it. */
export function decisionSentence(q: WhyQuestion, result: EvaluationResult): string {
  const who = q.principal;
  const what = `${q.action} on ${q.resource === '' ? '*' : q.resource}`;
  switch (result.EvalDecision) {
    case 'allowed': return `Allowed: ${who} may perform ${what}.`;
    case 'explicitDeny': return `Denied explicitly: a Deny statement applies to ${who} for ${what}. An explicit deny overrides every allow.`;
    default: return `Denied implicitly: no statement allows ${who} to perform ${what}, and nothing is allowed unless a policy allows it.`;
  }
}
