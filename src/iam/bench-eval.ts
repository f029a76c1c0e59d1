/**
 * Policy-evaluation throughput for a realistic caller, beside the same evaluation by
 * `@cloud-copilot/iam-simulate`: an IAM user with three attached policies (ten statements
 * between them, with wildcards, a policy variable and conditions). Used by `npm run bench`
 * (which runs this file pinned to one CPU); not a test, and never imported by the server.
 *
 * Ours is measured as the authorizer runs it: each policy compiled once (`compilePolicyCached`),
 * one `ConditionContext` per distinct request prepared before the loop (the server builds one
 * per request), then `evaluate`. The oracle gets the same policies and requests, with every
 * principal-derived key passed explicitly since it does not derive them. Before timing, both
 * engines must agree on every bench request, or the bench stops.
 *
 * Run alone: `node --import tsx src/iam/bench-eval.ts [seconds]`; `--json` prints one JSON line.
 */
import type { Simulation } from '@cloud-copilot/iam-simulate';
import { evaluate, type EvaluationInput, type PolicyRef } from './evaluate.ts';
import { compilePolicyCached } from './policy-cache.ts';
import { ConditionContext } from './request-context.ts';
import type { RequestPrincipal } from './policy-types.ts';

const ACCOUNT = '111122223333';
const SECRET = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:prod/app/db-a1b2c3`;
const OWN_SECRET = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:user/alice/token-Q9w8E7`;

const readPolicy = {
  Version: '2012-10-17',
  Statement: [
    { Sid: 'List', Effect: 'Allow', Action: ['secretsmanager:ListSecrets', 'secretsmanager:GetRandomPassword'], Resource: '*' },
    {
      Sid: 'ReadTeamSecrets',
      Effect: 'Allow',
      Action: ['secretsmanager:Describe*', 'secretsmanager:Get*', 'secretsmanager:List*'],
      Resource: 'arn:aws:secretsmanager:*:*:secret:prod/*',
      Condition: {
        StringEquals: { 'aws:ResourceTag/team': '${aws:PrincipalTag/team}' },
        'ForAnyValue:StringEquals': { 'secretsmanager:VersionStage': ['AWSCURRENT', 'AWSPREVIOUS'] },
      },
    },
    {
      Sid: 'OwnSecrets',
      Effect: 'Allow',
      Action: 'secretsmanager:*',
      Resource: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:user/${aws:username}/*',
    },
    { Sid: 'NoDeleteProd', Effect: 'Deny', Action: 'secretsmanager:DeleteSecret', Resource: 'arn:aws:secretsmanager:*:*:secret:prod/*' },
  ],
};

const networkPolicy = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'DenyOutsideNetwork',
      Effect: 'Deny',
      Action: 'secretsmanager:*',
      Resource: '*',
      Condition: { NotIpAddress: { 'aws:SourceIp': ['10.0.0.0/8', '127.0.0.0/8', '192.168.0.0/16', '2001:db8::/32'] }, Bool: { 'aws:ViaAWSService': 'false' } },
    },
    {
      Sid: 'DenyIamWritesUnlessAdmin',
      Effect: 'Deny',
      Action: ['iam:Create*', 'iam:Delete*', 'iam:Put*', 'iam:Attach*'],
      Resource: '*',
      Condition: { StringNotLike: { 'aws:PrincipalTag/role': 'admin*' } },
    },
    {
      Sid: 'RotationWindow',
      Effect: 'Allow',
      Action: ['secretsmanager:RotateSecret', 'secretsmanager:PutSecretValue'],
      Resource: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/??????/*',
      Condition: { DateGreaterThan: { 'aws:CurrentTime': '2020-01-01T00:00:00Z' }, NumericLessThan: { 'aws:MultiFactorAuthAge': '3600' } },
    },
  ],
};

const kmsPolicy = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'Decrypt',
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      Resource: 'arn:aws:kms:us-east-1:111122223333:key/*',
      Condition: { StringLike: { 'kms:ViaService': 'secretsmanager.*.amazonaws.com' } },
    },
    {
      Sid: 'Tagging',
      Effect: 'Allow',
      Action: ['secretsmanager:TagResource', 'secretsmanager:UntagResource'],
      Resource: '*',
      Condition: { 'ForAllValues:StringLike': { 'aws:TagKeys': ['team', 'env', 'app-*'] } },
    },
    {
      Sid: 'DenyOtherRegions',
      Effect: 'Deny',
      NotAction: ['iam:*', 'sts:*'],
      Resource: '*',
      Condition: { StringNotEquals: { 'aws:RequestedRegion': ['us-east-1', 'eu-west-1'] } },
    },
  ],
};

/**
 * The three policies, by name: also what `npm run bench` attaches to its IAM user, so they
 * must allow GetSecretValue of a `prod/…` secret tagged `team=payments` over plain HTTP from
 * 127.0.0.1 in us-east-1 by a user tagged `team=payments`.
 */
export const BENCH_POLICIES: Readonly<Record<string, object>> = { 'bench-read': readPolicy, 'bench-network': networkPolicy, 'bench-kms': kmsPolicy };

const principal: RequestPrincipal = {
  type: 'IAMUser',
  arn: `arn:aws:iam::${ACCOUNT}:user/alice`,
  accountId: ACCOUNT,
  userId: 'AIDAEXAMPLEALICE',
  username: 'alice',
  tags: { team: 'payments' },
};

/** Keys the oracle cannot derive from the principal; ours derives them (and must agree). */
const PRINCIPAL_KEYS = {
  'aws:username': 'alice',
  'aws:userid': 'AIDAEXAMPLEALICE',
  'aws:PrincipalArn': principal.arn,
  'aws:PrincipalAccount': ACCOUNT,
  'aws:PrincipalType': 'User',
  'aws:PrincipalTag/team': 'payments',
};

const REQUEST_KEYS: Record<string, string | string[]> = {
  'aws:SourceIp': '10.1.2.3',
  'aws:SecureTransport': 'true',
  'aws:ViaAWSService': 'false',
  'aws:CurrentTime': '2025-06-01T12:00:00Z',
  'aws:RequestedRegion': 'us-east-1',
  'aws:ResourceTag/team': 'payments',
  'secretsmanager:VersionStage': ['AWSCURRENT'],
};

interface BenchRequest {
  action: string;
  resource: string;
  keys: Record<string, string | string[]>;
}

/** Allows, an implicit deny and explicit denies, cycled through by both loops. */
const REQUESTS: readonly BenchRequest[] = [
  { action: 'secretsmanager:GetSecretValue', resource: SECRET, keys: REQUEST_KEYS },
  { action: 'secretsmanager:PutSecretValue', resource: SECRET, keys: REQUEST_KEYS },
  { action: 'secretsmanager:DeleteSecret', resource: SECRET, keys: REQUEST_KEYS },
  { action: 'secretsmanager:PutSecretValue', resource: OWN_SECRET, keys: REQUEST_KEYS },
  { action: 'secretsmanager:TagResource', resource: SECRET, keys: { ...REQUEST_KEYS, 'aws:TagKeys': ['team', 'app-name'] } },
  { action: 'secretsmanager:GetSecretValue', resource: SECRET, keys: { ...REQUEST_KEYS, 'aws:SourceIp': '203.0.113.7' } },
  { action: 'iam:CreateAccessKey', resource: principal.arn, keys: REQUEST_KEYS },
];

const DECISION: Readonly<Record<string, string>> = { Allow: 'Allowed', ExplicitDeny: 'ExplicitlyDenied', ImplicitDeny: 'ImplicitlyDenied' };

/** Our inputs: policies compiled once, one prepared ConditionContext per request. */
export function benchInputs(): EvaluationInput[] {
  const identityPolicies: PolicyRef[] = Object.entries(BENCH_POLICIES).map(([id, doc]) => ({ id, policy: compilePolicyCached(JSON.stringify(doc), 'identity') }));
  return REQUESTS.map((r) => ({
    principal,
    action: r.action,
    resource: r.resource,
    resourceAccountId: ACCOUNT,
    identityPolicies,
    context: ConditionContext.create(principal, r.keys),
  }));
}

/** The oracle's input for the same requests. */
function simulations(): Simulation[] {
  const identityPolicies = Object.entries(BENCH_POLICIES).map(([name, policy]) => ({ name, policy }));
  return REQUESTS.map((r) => ({
    request: {
      principal: principal.arn,
      action: r.action,
      resource: { resource: r.resource, accountId: ACCOUNT },
      contextVariables: { ...PRINCIPAL_KEYS, ...r.keys },
    },
    identityPolicies,
    serviceControlPolicies: [],
    resourceControlPolicies: [],
  }) as Simulation);
}

// Loaded on first use: the oracle (an AGPL devDependency) is needed only by the comparison.
let runSimulation: typeof import('@cloud-copilot/iam-simulate').runSimulation | undefined;

async function oracle(s: Simulation): Promise<string> {
  runSimulation ??= (await import('@cloud-copilot/iam-simulate')).runSimulation;
  const result = await runSimulation(s, { simulationMode: 'Strict' });
  if (result.resultType === 'error') throw new Error(`iam-simulate rejected the bench request: ${JSON.stringify(result.errors)}`);
  return result.overallResult as string;
}

export interface PolicyBenchResult {
  ours: number;
  oracle: number;
  requests: number;
  decisions: string[];
}

/** Ours alone: `iterations` evaluations after a warm-up; evaluations per second. */
export function benchPolicyEvaluation(iterations = 1_000_000): number {
  const inputs = benchInputs();
  // Warm up so the JIT has optimised the hot path before timing.
  for (let i = 0; i < 50_000; i++) evaluate(inputs[i % inputs.length]);
  let allowed = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) if (evaluate(inputs[i % inputs.length]).decision === 'Allow') allowed++;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (allowed === 0) throw new Error('benchmark inputs never allowed; the policies are wrong');
  return iterations / seconds;
}

/** Both engines for about `seconds` each (ours first), after checking they agree on every request. */
export async function benchAgainstOracle(seconds = 3): Promise<PolicyBenchResult> {
  const inputs = benchInputs();
  const sims = simulations();
  const decisions: string[] = [];
  for (let i = 0; i < inputs.length; i++) {
    const ours = DECISION[evaluate(inputs[i]).decision]!;
    const theirs = await oracle(sims[i]!);
    if (ours !== theirs) throw new Error(`engines disagree on ${REQUESTS[i]!.action} ${REQUESTS[i]!.resource}: ours ${ours}, iam-simulate ${theirs}`);
    decisions.push(ours);
  }
  // Ours: size the run from a short probe so it lasts about `seconds`.
  const probe = benchPolicyEvaluation(200_000);
  const ours = benchPolicyEvaluation(Math.max(200_000, Math.round(probe * seconds)));

  for (let i = 0; i < 500; i++) await oracle(sims[i % sims.length]!);
  const budgetNs = BigInt(Math.round(seconds * 1e9));
  let done = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0n;
  while (elapsed < budgetNs) {
    for (let i = 0; i < 300; i++) await oracle(sims[i % sims.length]!);
    done += 300;
    elapsed = process.hrtime.bigint() - start;
  }
  return { ours, oracle: done / (Number(elapsed) / 1e9), requests: inputs.length, decisions };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const seconds = Number(process.argv.slice(2).find((a) => !a.startsWith('--')) ?? 3);
  const r = await benchAgainstOracle(seconds);
  if (process.argv.includes('--json')) console.log(JSON.stringify(r));
  else {
    console.log(`policy evaluation: ${Math.round(r.ours).toLocaleString('en-US')} evals/s (coffer), ${Math.round(r.oracle).toLocaleString('en-US')} evals/s (iam-simulate), ratio ${(r.ours / r.oracle).toFixed(1)}×`);
  }
}
