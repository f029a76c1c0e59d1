/**
 * Policy-evaluation throughput for a realistic caller: a role session with three identity
 * policies (ten statements between them, with wildcards, variables and conditions), a
 * permissions boundary and a secret resource policy. Used by `npm run bench`; not a test.
 *
 * The condition context is prepared once per request in the server (auth builds it), so the
 * loop reuses one ConditionContext per distinct request, as the request path does.
 */
import { evaluate, type EvaluationInput, type PolicyRef } from './evaluate.ts';
import { compilePolicyCached } from './policy-cache.ts';
import { ConditionContext } from './request-context.ts';
import type { RequestPrincipal } from './policy-types.ts';

const ACCOUNT = '111122223333';
const SECRET = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:prod/app/db-a1b2c3`;

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
      Resource: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:user/${aws:userid}/*',
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
      Condition: { NotIpAddress: { 'aws:SourceIp': ['10.0.0.0/8', '192.168.0.0/16', '2001:db8::/32'] }, Bool: { 'aws:ViaAWSService': 'false' } },
    },
    { Sid: 'DenyInsecure', Effect: 'Deny', Action: '*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
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

const boundary = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: ['secretsmanager:*', 'kms:*'], Resource: '*' }],
};

const resourcePolicy = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/app` },
      Action: 'secretsmanager:GetSecretValue',
      Resource: '*',
      Condition: { StringEquals: { 'aws:PrincipalAccount': ACCOUNT } },
    },
  ],
};

const principal: RequestPrincipal = {
  type: 'AssumedRole',
  arn: `arn:aws:sts::${ACCOUNT}:assumed-role/app/i-0123456789`,
  roleArn: `arn:aws:iam::${ACCOUNT}:role/app`,
  accountId: ACCOUNT,
  userId: 'AROAEXAMPLEID:i-0123456789',
  tags: { team: 'payments' },
};

function ref(id: string, doc: unknown, kind: 'identity' | 'resource'): PolicyRef {
  return { id, policy: compilePolicyCached(JSON.stringify(doc), kind) };
}

/** The inputs the loop cycles through: an allow, an implicit deny, an explicit deny. */
export function benchInputs(): EvaluationInput[] {
  const identityPolicies = [ref('read', readPolicy, 'identity'), ref('network', networkPolicy, 'identity'), ref('kms', kmsPolicy, 'identity')];
  const common = {
    principal,
    identityPolicies,
    permissionsBoundary: ref('boundary', boundary, 'identity'),
    resourcePolicy: ref('secret', resourcePolicy, 'resource'),
  };
  const context = ConditionContext.create(principal, {
    'aws:SourceIp': '10.1.2.3',
    'aws:SecureTransport': true,
    'aws:ViaAWSService': false,
    'aws:CurrentTime': '2025-06-01T12:00:00Z',
    'aws:RequestedRegion': 'us-east-1',
    'aws:ResourceTag/team': 'payments',
    'secretsmanager:ResourceTag/team': 'payments',
    'secretsmanager:VersionStage': ['AWSCURRENT'],
    'secretsmanager:SecretId': SECRET,
  });
  return [
    { ...common, action: 'secretsmanager:GetSecretValue', resource: SECRET, context },
    { ...common, action: 'secretsmanager:PutSecretValue', resource: SECRET, context },
    { ...common, action: 'secretsmanager:DeleteSecret', resource: SECRET, context },
  ];
}

/** Run `iterations` evaluations and return evaluations per second. */
export function benchPolicyEvaluation(iterations = 1_000_000): number {
  const inputs = benchInputs();
  // Warm up so the JIT has optimised the hot path before timing.
  for (let i = 0; i < 20_000; i++) evaluate(inputs[i % inputs.length]);
  let allowed = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) {
    if (evaluate(inputs[i % inputs.length]).decision === 'Allow') allowed++;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (allowed === 0) throw new Error('benchmark inputs never allowed; the policies are wrong');
  return iterations / seconds;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rate = benchPolicyEvaluation(Number(process.argv[2] ?? 1_000_000));
  console.log(`policy evaluation: ${Math.round(rate).toLocaleString('en-US')} evals/s`);
}
