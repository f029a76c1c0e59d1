/**
 * Differential testing of the policy engine against `@cloud-copilot/iam-simulate` (reference
 * §6 of shared/reference/iam-policy.md): a seeded generator of random policies and requests,
 * and a comparison of our `evaluate` with the oracle's decision.
 *
 * TEST-ONLY: this file imports iam-simulate, an AGPL devDependency. Only
 * `src/iam/differential.test.ts` and `bench/differential.ts` import it (and `bench-eval.ts`
 * loads iam-simulate itself, for `npm run bench`); the server never does.
 *
 * The generator stays inside the territory where both engines are meant to agree with the AWS
 * documentation. The shapes the reference lists as oracle disagreements are excluded, and each
 * of them is a named case in conformance.test.ts citing the AWS sentence that decides it:
 * - root callers (the oracle has no root-user rule), role and federated sessions, session
 *   policies (applied before the resource policy by the oracle);
 * - Version other than 2012-10-17 (the oracle substitutes variables in 2008-10-17 policies);
 * - `${*}`, `${?}`, `${$}` escapes, and variables whose key may be absent under a negated
 *   operator (only `${aws:username}` is generated, and it is always present);
 * - epoch-seconds dates; NotPrincipal; `secretsmanager:ResourceTag/…` and multi-label
 *   `secretsmanager:VersionStage` (the oracle's SAR coercion);
 * - multivalued keys (`aws:TagKeys`) only under ForAnyValue/ForAllValues.
 * Every principal-derived key (`aws:username`, `aws:PrincipalArn`, …) is passed explicitly to both
 * engines, since the oracle does not derive them from the principal.
 */
import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import { evaluate, type PolicyRef } from './evaluate.ts';
import { compilePolicyDocument } from './parse-policy.ts';
import type { RequestPrincipal } from './policy-types.ts';
import { mulberry32 } from '../seeded-random.ts';

export type OracleDecision = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';

export interface DifferentialCase {
  readonly principal: RequestPrincipal;
  readonly action: string;
  readonly resource: string;
  readonly resourceAccountId: string;
  readonly context: Readonly<Record<string, string | readonly string[]>>;
  readonly identityPolicies: readonly object[];
  readonly resourcePolicy: object | undefined;
}

const A = '111122223333';
const B = '444455556666';
const user = (account: string, name: string): RequestPrincipal => ({
  type: 'IAMUser',
  arn: `arn:aws:iam::${account}:user/${name}`,
  accountId: account,
  username: name,
  userId: `AIDA${name.toUpperCase()}`,
});
const PRINCIPALS: readonly RequestPrincipal[] = [user(A, 'alice'), user(A, 'carol'), user(B, 'bob')];

const ACTIONS = [
  'secretsmanager:GetSecretValue',
  'secretsmanager:DescribeSecret',
  'secretsmanager:PutSecretValue',
  'secretsmanager:DeleteSecret',
  'secretsmanager:TagResource',
  'secretsmanager:ListSecretVersionIds',
];
const SECRET_NAMES = ['prod/db-a1b2c3', 'prod/api-Q9w8E7', 'dev/db-zzzzzz', 'alice/key-abc123', 'prod/db-extra-a1b2c3', 'Prod/db-a1b2c3'];

const ACTION_PATTERNS = [
  'secretsmanager:*',
  'secretsmanager:Get*',
  'secretsmanager:GetSecretValue',
  'secretsmanager:*Secret*',
  'secretsmanager:?etSecretValue',
  'secretsmanager:Describe*',
  '*',
  'SecretsManager:getsecretvalue',
  'secretsmanager:PutSecretValue',
  'secretsmanager:TagResource',
  'secretsmanager:List*',
];
const RESOURCE_PATTERNS = [
  '*',
  'arn:aws:secretsmanager:*:*:secret:prod/*',
  `arn:aws:secretsmanager:us-east-1:${A}:secret:prod/db-??????`,
  `arn:aws:secretsmanager:us-east-1:${A}:secret:prod/db-*`,
  `arn:aws:secretsmanager:*:${A}:secret:*`,
  `arn:aws:secretsmanager:us-east-1:${B}:secret:*`,
  'arn:aws:secretsmanager:*:*:secret:${aws:username}/*',
  `arn:aws:secretsmanager:us-east-1:${A}:secret:Prod/*`,
  `arn:aws:secretsmanager:us-east-1:${A}:secret:dev/db-zzzzzz`,
  'arn:aws:secretsmanager:us-?ast-1:*:secret:*',
];
const RESOURCE_PRINCIPALS: readonly (string | object)[] = [
  '*',
  { AWS: '*' },
  { AWS: A },
  { AWS: `arn:aws:iam::${A}:root` },
  { AWS: `arn:aws:iam::${A}:user/alice` },
  { AWS: [`arn:aws:iam::${A}:user/carol`, `arn:aws:iam::${B}:user/bob`] },
  { AWS: B },
  { AWS: `arn:aws:iam::${B}:user/bob` },
];

type Pick = <T>(list: readonly T[]) => T;

/** Condition generators: [base operator, key, candidate values]; qualifiers and IfExists added below. */
const SINGLE_VALUED: readonly (readonly [readonly string[], string, readonly string[]])[] = [
  [['StringEquals', 'StringNotEquals', 'StringEqualsIgnoreCase', 'StringNotEqualsIgnoreCase', 'StringLike', 'StringNotLike'], 'aws:ResourceTag/env', ['prod', 'dev', 'PROD', 'pr*', '?ev']],
  [['StringEquals', 'StringNotEquals', 'StringLike', 'StringNotLike'], 'aws:PrincipalTag/team', ['payments', 'ops', 'pay*', '${aws:username}']],
  [['StringEquals', 'StringLike', 'StringNotEquals'], 'aws:username', ['alice', 'bob', 'a*', '${aws:username}']],
  [['NumericEquals', 'NumericNotEquals', 'NumericLessThan', 'NumericLessThanEquals', 'NumericGreaterThan', 'NumericGreaterThanEquals'], 'aws:MultiFactorAuthAge', ['60', '3600', '30.5']],
  [['DateEquals', 'DateNotEquals', 'DateLessThan', 'DateLessThanEquals', 'DateGreaterThan', 'DateGreaterThanEquals'], 'aws:CurrentTime', ['2025-01-01T00:00:00Z', '2026-01-01T12:00:00Z']],
  [['Bool'], 'aws:SecureTransport', ['true', 'false']],
  [['IpAddress', 'NotIpAddress'], 'aws:SourceIp', ['10.0.0.0/8', '203.0.113.0/24', '2001:db8::/32', '192.168.1.20/32']],
  [['ArnEquals', 'ArnLike', 'ArnNotEquals', 'ArnNotLike'], 'aws:PrincipalArn', [`arn:aws:iam::${A}:user/*`, `arn:aws:iam::${B}:user/bob`, 'arn:aws:iam::*:user/alice', 'arn:aws:iam::${aws:PrincipalAccount}:user/*']],
  [['StringEquals', 'StringNotEquals'], 'aws:PrincipalAccount', [A, B]],
];

function randomCondition(pick: Pick, rng: () => number): Record<string, Record<string, string | string[]>> {
  const block: Record<string, Record<string, string | string[]>> = {};
  const count = 1 + Math.floor(rng() * 2);
  for (let i = 0; i < count; i++) {
    const r = rng();
    let operator: string;
    let key: string;
    let values: string[];
    if (r < 0.15) {
      // Multivalued key under a set qualifier (MULTI).
      operator = `${pick(['ForAnyValue:', 'ForAllValues:'])}${pick(['StringEquals', 'StringLike', 'StringNotEquals', 'StringNotLike'])}`;
      key = 'aws:TagKeys';
      values = sample(pick, rng, ['env', 'team', 'own*']);
    } else if (r < 0.25) {
      operator = 'Null';
      key = pick(['aws:ResourceTag/env', 'aws:PrincipalTag/team', 'aws:MultiFactorAuthAge', 'aws:SourceIp', 'aws:TagKeys']);
      values = [pick(['true', 'false'])];
    } else {
      const [ops, k, candidates] = pick(SINGLE_VALUED);
      operator = pick(ops) + (rng() < 0.2 ? 'IfExists' : '');
      key = k;
      values = sample(pick, rng, candidates);
    }
    (block[operator] ??= {})[key] = values.length === 1 && rng() < 0.5 ? values[0] : values;
  }
  return block;
}

function sample(pick: Pick, rng: () => number, list: readonly string[]): string[] {
  const n = 1 + Math.floor(rng() * Math.min(2, list.length));
  const out = new Set<string>();
  while (out.size < n) out.add(pick(list));
  return [...out];
}

function oneOrMany(pick: Pick, rng: () => number, list: readonly string[]): string | string[] {
  const values = sample(pick, rng, list);
  return values.length === 1 && rng() < 0.5 ? values[0] : values;
}

function randomStatement(pick: Pick, rng: () => number, withPrincipal: boolean): Record<string, unknown> {
  const st: Record<string, unknown> = { Effect: rng() < 0.7 ? 'Allow' : 'Deny' };
  if (withPrincipal) st.Principal = pick(RESOURCE_PRINCIPALS);
  st[rng() < 0.15 ? 'NotAction' : 'Action'] = oneOrMany(pick, rng, ACTION_PATTERNS);
  st[rng() < 0.15 ? 'NotResource' : 'Resource'] = oneOrMany(pick, rng, RESOURCE_PATTERNS);
  if (rng() < 0.5) st.Condition = randomCondition(pick, rng);
  return st;
}

function randomPolicy(pick: Pick, rng: () => number, withPrincipal: boolean): object {
  const n = 1 + Math.floor(rng() * 3);
  const Statement = Array.from({ length: n }, () => randomStatement(pick, rng, withPrincipal));
  return { Version: '2012-10-17', Statement: Statement.length === 1 && rng() < 0.3 ? Statement[0] : Statement };
}

/** One random case; deterministic in `rng`. */
export function generateCase(rng: () => number): DifferentialCase {
  const pick: Pick = (list) => list[Math.floor(rng() * list.length)];
  const principal = pick(PRINCIPALS);
  const context: Record<string, string | readonly string[]> = {
    'aws:username': principal.username as string,
    'aws:PrincipalArn': principal.arn,
    'aws:PrincipalAccount': principal.accountId,
    'aws:PrincipalType': 'User',
    'aws:userid': principal.userId as string,
  };
  const maybe = (key: string, values: readonly (string | readonly string[])[]) => {
    if (rng() < 0.6) context[key] = pick(values);
  };
  maybe('aws:ResourceTag/env', ['prod', 'dev', 'Prod']);
  maybe('aws:PrincipalTag/team', ['payments', 'ops', principal.username as string]);
  maybe('aws:SourceIp', ['10.0.0.5', '192.168.1.20', '203.0.113.7', '2001:db8::1']);
  maybe('aws:CurrentTime', ['2024-06-01T00:00:00Z', '2025-01-01T00:00:00Z', '2026-01-01T12:00:00Z']);
  maybe('aws:SecureTransport', ['true', 'false']);
  maybe('aws:MultiFactorAuthAge', ['30', '60', '3600', '86400']);
  maybe('aws:TagKeys', [['env'], ['env', 'team'], ['owner'], ['team', 'owner']]);
  const identityPolicies = Array.from({ length: Math.floor(rng() * 4) }, () => randomPolicy(pick, rng, false));
  const resourcePolicy = rng() < 0.5 ? randomPolicy(pick, rng, true) : undefined;
  const name = pick(SECRET_NAMES);
  return {
    principal,
    action: pick(ACTIONS),
    resource: `arn:aws:secretsmanager:us-east-1:${A}:secret:${name}`,
    resourceAccountId: A,
    context,
    identityPolicies,
    resourcePolicy,
  };
}

const DECISION: Readonly<Record<string, OracleDecision>> = { Allow: 'Allowed', ExplicitDeny: 'ExplicitlyDenied', ImplicitDeny: 'ImplicitlyDenied' };

/** Our engine's decision, in the oracle's words. */
export function ourDecision(c: DifferentialCase): OracleDecision {
  const identityPolicies: PolicyRef[] = c.identityPolicies.map((d, i) => ({ id: `identity-${i}`, policy: compilePolicyDocument(d, { kind: 'identity' }) }));
  const result = evaluate({
    principal: c.principal,
    action: c.action,
    resource: c.resource,
    resourceAccountId: c.resourceAccountId,
    context: c.context,
    identityPolicies,
    resourcePolicy: c.resourcePolicy === undefined ? undefined : { id: 'resource', policy: compilePolicyDocument(c.resourcePolicy, { kind: 'resource' }) },
  });
  return DECISION[result.decision];
}

/** iam-simulate's decision; throws when the oracle reports an error (a generator bug). */
export async function oracleDecision(c: DifferentialCase): Promise<OracleDecision> {
  const simulation: Simulation = {
    request: {
      principal: c.principal.arn,
      action: c.action,
      resource: { resource: c.resource, accountId: c.resourceAccountId },
      contextVariables: c.context as Record<string, string | string[]>,
    },
    identityPolicies: c.identityPolicies.map((policy, i) => ({ name: `identity-${i}`, policy })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    ...(c.resourcePolicy === undefined ? {} : { resourcePolicy: c.resourcePolicy }),
  } as Simulation;
  const result = await runSimulation(simulation, { simulationMode: 'Strict' });
  if (result.resultType === 'error') throw new Error(`iam-simulate rejected the case: ${JSON.stringify(result.errors)}`);
  return result.overallResult as OracleDecision;
}

export interface Disagreement {
  readonly seed: number;
  readonly index: number;
  readonly ours: OracleDecision;
  readonly oracle: OracleDecision;
  readonly testCase: DifferentialCase;
}

/** Run `count` cases from `seed`; returns the disagreements (empty when the engines agree). */
export async function runDifferential(seed: number, count: number, limit = 20): Promise<Disagreement[]> {
  const rng = mulberry32(seed);
  const found: Disagreement[] = [];
  for (let index = 0; index < count; index++) {
    const testCase = generateCase(rng);
    const ours = ourDecision(testCase);
    const oracle = await oracleDecision(testCase);
    if (ours !== oracle) {
      found.push({ seed, index, ours, oracle, testCase });
      if (found.length >= limit) break;
    }
  }
  return found;
}
