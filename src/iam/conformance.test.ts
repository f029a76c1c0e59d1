/**
 * Conformance table: each case cites the AWS documentation sentence (or seed document) it comes
 * from, using the page keys of shared/reference/iam-policy.md (EVAL, PB, PRIN, OPS, MULTI, VARS,
 * SMID = seed 003, SMROT = seeds 000-002, ...). Seed policies are quoted verbatim; where the seed
 * has a placeholder (`<lambda_arn>`, `SecretARN`) the case says what it was replaced with, and a
 * separate case evaluates or validates the literal text as AWS would.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluate, evaluateTrust, type PolicyRef } from './evaluate.ts';
import { parsePolicy, validatePolicy } from './parse-policy.ts';
import { PolicyValidationError } from './findings.ts';
import type { ContextValues, Decision, PolicyKind, PolicyType, RequestPrincipal } from './policy-types.ts';
import {
  S000_FUNCTION_POLICY as SEED_FUNCTION_POLICY,
  S001_FUNCTION_POLICY as SEED_FUNCTION_POLICY_SOURCE_ACCOUNT,
  S000_SINGLE_USER as SEED000_SINGLE_USER,
  S002_MASTER_USER as SEED002_MASTER_USER,
  S001_SINGLE_USER as SEED001_SINGLE_USER,
  S001_ALTERNATING as SEED001_ALTERNATING,
  S001_KMS_STATEMENT as SEED001_KMS_STATEMENT,
  S003_ONE_SECRET as SEED003_ONE_SECRET,
  S003_READ_ONLY as SEED003_READ_ONLY,
  S003_BY_NAME as SEED003_BY_NAME,
  S003_TAG as SEED003_TAG,
  S003_STAGE as SEED003_STAGE,
  S003_MASTER_STATEMENT as SEED003_MASTER_STATEMENT,
} from './seed-examples.ts';

const A = '111122223333';
const B = '444455556666';
const REGION = 'us-east-1';
const secret = (name: string, account = A, region = REGION) => `arn:aws:secretsmanager:${region}:${account}:secret:${name}`;
const LAMBDA = `arn:aws:lambda:${REGION}:${A}:function:SecretsManagerRotation`;
const OTHER_LAMBDA = `arn:aws:lambda:${REGION}:${A}:function:SomethingElse`;

const alice: RequestPrincipal = { type: 'IAMUser', arn: `arn:aws:iam::${A}:user/alice`, accountId: A, username: 'alice', userId: 'AIDAALICE' };
const carol: RequestPrincipal = { type: 'IAMUser', arn: `arn:aws:iam::${A}:user/carol`, accountId: A, username: 'carol', userId: 'AIDACAROL' };
const bob: RequestPrincipal = { type: 'IAMUser', arn: `arn:aws:iam::${B}:user/bob`, accountId: B, username: 'bob', userId: 'AIDABOB' };
const appSession: RequestPrincipal = {
  type: 'AssumedRole',
  arn: `arn:aws:sts::${A}:assumed-role/app/s1`,
  roleArn: `arn:aws:iam::${A}:role/app`,
  accountId: A,
  userId: 'AROAAPP:s1',
  tags: { team: 'payments', AccessProject: 'p1' },
};
const rotationSession: RequestPrincipal = {
  type: 'AssumedRole',
  arn: `arn:aws:sts::${A}:assumed-role/SecretsManagerRotationRole/SecretsManagerRotation`,
  roleArn: `arn:aws:iam::${A}:role/SecretsManagerRotationRole`,
  accountId: A,
};
const root: RequestPrincipal = { type: 'Root', arn: `arn:aws:iam::${A}:root`, accountId: A };
const rootB: RequestPrincipal = { type: 'Root', arn: `arn:aws:iam::${B}:root`, accountId: B };
const fed: RequestPrincipal = { type: 'FederatedUser', arn: `arn:aws:sts::${A}:federated-user/fed`, federatingUserArn: alice.arn, accountId: A };
const smService: RequestPrincipal = { type: 'Service', arn: 'secretsmanager.amazonaws.com', accountId: '' };
const lambdaService: RequestPrincipal = { type: 'Service', arn: 'lambda.amazonaws.com', accountId: '' };
const anonymous: RequestPrincipal = { type: 'Anonymous', arn: 'anonymous', accountId: '' };

type Doc = object | string;

interface EvalCase {
  readonly name: string;
  /** The documentation sentence or seed snippet the case is taken from. */
  readonly source: string;
  readonly principal?: RequestPrincipal;
  readonly action: string;
  readonly resource: string;
  readonly context?: ContextValues;
  readonly identity?: readonly Doc[];
  readonly resourcePolicy?: Doc;
  readonly boundary?: Doc;
  readonly session?: readonly Doc[];
  readonly scp?: readonly (readonly Doc[])[];
  readonly rcp?: readonly (readonly Doc[])[];
  /** Evaluate as a role assumption against this trust policy (resource = role ARN). */
  readonly trust?: Doc;
  /** Compile non-strictly: the text is evaluated as AWS would treat a stored document. */
  readonly lenient?: boolean;
  readonly expect: Decision;
  readonly deniedBy?: PolicyType;
}

const text = (d: Doc) => (typeof d === 'string' ? d : JSON.stringify(d));
function ref(id: string, d: Doc, kind: PolicyKind, lenient = false): PolicyRef {
  return { id, policy: parsePolicy(text(d), { kind, strict: !lenient }) };
}
const v12 = (...Statement: object[]) => ({ Version: '2012-10-17', Statement });
const allowAll = v12({ Effect: 'Allow', Action: '*', Resource: '*' });
const allowSM = (Resource: string | string[] = '*', extra: object = {}) => v12({ Effect: 'Allow', Action: 'secretsmanager:*', Resource, ...extra });
const denySM = (Resource: string | string[] = '*', extra: object = {}) => v12({ Effect: 'Deny', Action: 'secretsmanager:*', Resource, ...extra });
const withCondition = (Condition: object, Resource = '*') => v12({ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource, Condition });
const rp = (Principal: object | string, extra: object = {}, Effect = 'Allow') => v12({ Effect, Principal, Action: 'secretsmanager:GetSecretValue', Resource: '*', ...extra });

// ------------------------------------------------------------------------------------------
// Seed documents, verbatim.

// The seed examples themselves live in seed-examples.ts (quoted verbatim, checked by seeds.test.ts).
const SEED003_STAGE_UNWRAPPED = SEED003_STAGE.slice('{ "Policy": '.length, -' }'.length);
const SEED003_STAGE_FIXED = SEED003_STAGE_UNWRAPPED.replace('secretsmanager:GetSecret"', 'secretsmanager:GetSecretValue"');

const fill = (t: string, values: Record<string, string>) => Object.entries(values).reduce((acc, [k, v]) => acc.split(k).join(v), t);
const wrapStatement = (statement: string) => `{ "Version": "2012-10-17", "Statement": [ ${statement} ] }`;

/** Reference §4: SecretsManagerReadWrite v6 (abridged to the statements exercised) and IAMFullAccess. */
const SECRETS_MANAGER_READ_WRITE = v12(
  { Sid: 'BasePermissions', Effect: 'Allow', Action: ['secretsmanager:*', 'kms:DescribeKey', 'kms:ListAliases', 'kms:ListKeys', 'lambda:ListFunctions', 'tag:GetResources'], Resource: '*' },
  { Sid: 'LambdaPermissions', Effect: 'Allow', Action: ['lambda:AddPermission', 'lambda:CreateFunction', 'lambda:GetFunction', 'lambda:InvokeFunction', 'lambda:UpdateFunctionConfiguration'], Resource: 'arn:aws:lambda:*:*:function:SecretsManager*' },
  { Sid: 'SARPermissions', Effect: 'Allow', Action: ['serverlessrepo:CreateCloudFormationChangeSet', 'serverlessrepo:GetApplication'], Resource: 'arn:aws:serverlessrepo:*:*:applications/SecretsManager*' },
  { Sid: 'S3Permissions', Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::awsserverlessrepo-changesets*', 'arn:aws:s3:::secrets-manager-rotation-apps-*/*'] },
);
const IAM_FULL_ACCESS = v12({ Effect: 'Allow', Action: ['iam:*', 'organizations:DescribeAccount', 'organizations:ListRoots'], Resource: '*' });

// ------------------------------------------------------------------------------------------

const S = secret('prod/db-a1b2c3');
const cases: EvalCase[] = [
  // --- Seeds 000/002: the Lambda function policy
  ...[SEED_FUNCTION_POLICY].flatMap((raw): EvalCase[] => {
    const filled = fill(raw, { '<arn of the Lambda function that this trust policy is attached to - must match exactly>': LAMBDA });
    const src = 'seeds 000/002: function policy, Principal {"Service": "secretsmanager.amazonaws.com"}, Action "lambda:InvokeFunction" (Resource placeholder := the function ARN)';
    return [
      { name: 'secretsmanager may invoke the rotation function', source: src, principal: smService, action: 'lambda:InvokeFunction', resource: LAMBDA, resourcePolicy: filled, expect: 'Allow' },
      { name: 'another service principal may not', source: src, principal: lambdaService, action: 'lambda:InvokeFunction', resource: LAMBDA, resourcePolicy: filled, expect: 'ImplicitDeny', deniedBy: 'resource-based' },
      { name: 'only the function in Resource ("must match exactly")', source: src, principal: smService, action: 'lambda:InvokeFunction', resource: OTHER_LAMBDA, resourcePolicy: filled, expect: 'ImplicitDeny' },
      { name: 'only InvokeFunction', source: src, principal: smService, action: 'lambda:GetFunction', resource: LAMBDA, resourcePolicy: filled, expect: 'ImplicitDeny' },
      { name: 'a user of the account is not named by the service principal', source: src, principal: alice, action: 'lambda:InvokeFunction', resource: LAMBDA, resourcePolicy: filled, expect: 'ImplicitDeny', deniedBy: 'identity-based' },
      { name: 'literal placeholder Resource matches no function', source: `${src}; literal text`, principal: smService, action: 'lambda:InvokeFunction', resource: LAMBDA, resourcePolicy: raw, lenient: true, expect: 'ImplicitDeny' },
    ];
  }),
  // --- Seed 001: the function policy with aws:SourceAccount
  ...(() => {
    const filled = fill(SEED_FUNCTION_POLICY_SOURCE_ACCOUNT, { LambdaRotationFunctionARN: LAMBDA });
    const src = 'seed 001: "we recommend that you include the context key aws:SourceAccount" — StringEquals aws:SourceAccount 111122223333';
    return [
      { name: 'invocation on behalf of a secret of the account', source: src, principal: smService, action: 'lambda:InvokeFunction', resource: LAMBDA, context: { 'aws:SourceAccount': A, 'aws:SourceArn': S }, resourcePolicy: filled, expect: 'Allow' },
      { name: 'invocation on behalf of another account (confused deputy)', source: src, principal: smService, action: 'lambda:InvokeFunction', resource: LAMBDA, context: { 'aws:SourceAccount': B }, resourcePolicy: filled, expect: 'ImplicitDeny' },
      { name: 'invocation without aws:SourceAccount', source: src, principal: smService, action: 'lambda:InvokeFunction', resource: LAMBDA, resourcePolicy: filled, expect: 'ImplicitDeny' },
      { name: 'one function for several secrets (no SourceArn in the policy)', source: `${src}; "so that you can use the rotation function for multiple secrets"`, principal: smService, action: 'lambda:InvokeFunction', resource: LAMBDA, context: { 'aws:SourceAccount': A, 'aws:SourceArn': secret('other-zzzzzz') }, resourcePolicy: filled, expect: 'Allow' },
    ] satisfies EvalCase[];
  })(),
  // --- Seed 000: single user rotation role policy
  ...(() => {
    const filled = fill(SEED000_SINGLE_USER, { '<lambda_arn>': LAMBDA });
    const src = 'seed 000 single user rotation: "restricts this to only secrets configured with this Lambda function ARN as the secret rotation Lambda function"';
    const ctx = { 'secretsmanager:resource/AllowRotationLambdaArn': LAMBDA };
    const base = { principal: rotationSession, identity: [filled], resource: S, source: src };
    return [
      { ...base, name: 'GetSecretValue on a secret rotated by this function', action: 'secretsmanager:GetSecretValue', context: ctx, expect: 'Allow' },
      { ...base, name: 'PutSecretValue on a secret rotated by this function', action: 'secretsmanager:PutSecretValue', context: ctx, expect: 'Allow' },
      { ...base, name: 'UpdateSecretVersionStage on a secret rotated by this function', action: 'secretsmanager:UpdateSecretVersionStage', context: ctx, expect: 'Allow' },
      { ...base, name: 'DescribeSecret on a secret rotated by this function', action: 'secretsmanager:DescribeSecret', context: ctx, expect: 'Allow' },
      { ...base, name: 'a secret rotated by another function', action: 'secretsmanager:GetSecretValue', context: { 'secretsmanager:resource/AllowRotationLambdaArn': OTHER_LAMBDA }, expect: 'ImplicitDeny', deniedBy: 'identity-based' },
      { ...base, name: 'a secret without rotation (key absent)', action: 'secretsmanager:GetSecretValue', expect: 'ImplicitDeny' },
      { ...base, name: 'DeleteSecret is not granted', action: 'secretsmanager:DeleteSecret', context: ctx, expect: 'ImplicitDeny' },
      { ...base, name: '"one additional Secrets Manager operation that doesn\'t require the condition"', action: 'secretsmanager:GetRandomPassword', resource: '*', expect: 'Allow' },
      { ...base, name: 'the VPC statement: ec2:CreateNetworkInterface', action: 'ec2:CreateNetworkInterface', resource: '*', expect: 'Allow' },
      { ...base, name: 'the VPC statement does not include DetachNetworkInterface in seed 000', action: 'ec2:DetachNetworkInterface', resource: '*', expect: 'ImplicitDeny' },
      { ...base, identity: [SEED000_SINGLE_USER], name: 'literal "<lambda_arn>" is compared as text and matches no real function', action: 'secretsmanager:GetSecretValue', context: ctx, expect: 'ImplicitDeny' },
    ] satisfies EvalCase[];
  })(),
  // --- Seed 002: master user rotation
  ...(() => {
    const MASTER = secret('master-x9y8z7');
    const filled = fill(SEED002_MASTER_USER, { '<lambda_arn>': LAMBDA, '<master_arn>': MASTER });
    const src = 'seed 002 master user rotation: "The fourth statement enables the function to retrieve the credentials in the master secret"';
    const base = { principal: rotationSession, identity: [filled], source: src };
    return [
      { ...base, name: 'GetSecretValue on the master secret without the rotation key', action: 'secretsmanager:GetSecretValue', resource: MASTER, expect: 'Allow' },
      { ...base, name: 'PutSecretValue on the master secret is not granted', action: 'secretsmanager:PutSecretValue', resource: MASTER, expect: 'ImplicitDeny' },
      { ...base, name: 'the rotated secret still needs the rotation key', action: 'secretsmanager:PutSecretValue', resource: S, context: { 'secretsmanager:resource/AllowRotationLambdaArn': LAMBDA }, expect: 'Allow' },
      { ...base, name: 'seed 002: triggering rotation needs only secretsmanager:RotateSecret', source: 'seed 002: "An IAM user only needs the permission, secretsmanager:RotateSecret, to trigger rotation"', principal: alice, identity: [v12({ Effect: 'Allow', Action: 'secretsmanager:RotateSecret', Resource: '*' })], action: 'secretsmanager:RotateSecret', resource: S, expect: 'Allow' },
    ] satisfies EvalCase[];
  })(),
  // --- Seed 001: execution role with SecretARN, AllowRotationLambdaArn and aws:SourceAccount
  ...(() => {
    const filled = fill(SEED001_SINGLE_USER, { SecretARN: S, LambdaRotationFunctionARN: LAMBDA });
    const src = 'seed 001 single user: Resource "SecretARN", StringEquals {AllowRotationLambdaArn, "aws:SourceAccount": "111122223333"} (coffer adds aws:SourceAccount to rotation-function calls, reference §4)';
    const ctx = { 'secretsmanager:resource/AllowRotationLambdaArn': LAMBDA, 'aws:SourceAccount': A };
    const base = { principal: rotationSession, identity: [filled], source: src };
    const SEPARATE = secret('separate-q1w2e3');
    const alternating = fill(SEED001_ALTERNATING, { SeparateSecretARN: SEPARATE, SecretARN: S, LambdaRotationFunctionARN: LAMBDA });
    return [
      { ...base, name: 'rotation function reads its secret', action: 'secretsmanager:GetSecretValue', resource: S, context: ctx, expect: 'Allow' },
      { ...base, name: 'both keys are needed (no aws:SourceAccount)', action: 'secretsmanager:GetSecretValue', resource: S, context: { 'secretsmanager:resource/AllowRotationLambdaArn': LAMBDA }, expect: 'ImplicitDeny' },
      { ...base, name: 'aws:SourceAccount of another account', action: 'secretsmanager:GetSecretValue', resource: S, context: { ...ctx, 'aws:SourceAccount': B }, expect: 'ImplicitDeny' },
      { ...base, name: 'only the secret named in Resource', action: 'secretsmanager:GetSecretValue', resource: secret('other-a1b2c3'), context: ctx, expect: 'ImplicitDeny' },
      { ...base, name: 'seed 001 VPC statement includes ec2:DetachNetworkInterface', action: 'ec2:DetachNetworkInterface', resource: '*', expect: 'Allow' },
      { ...base, identity: [alternating], name: 'alternating users: GetSecretValue on SeparateSecretARN', source: 'seed 001 alternating users: "Retrieve the credentials in the separate secret"', action: 'secretsmanager:GetSecretValue', resource: SEPARATE, expect: 'Allow' },
      { ...base, identity: [alternating], name: 'alternating users: no PutSecretValue on the separate secret', source: 'seed 001 alternating users', action: 'secretsmanager:PutSecretValue', resource: SEPARATE, expect: 'ImplicitDeny' },
      { ...base, identity: [wrapStatement(SEED001_KMS_STATEMENT)], name: 'customer managed key statement: kms:Decrypt', source: 'seed 001: "grant the Lambda execution role permission to use the key" (kms:Decrypt, kms:GenerateDataKey)', action: 'kms:Decrypt', resource: `arn:aws:kms:${REGION}:${A}:key/1234abcd-12ab-34cd-56ef-1234567890ab`, expect: 'Allow' },
      { ...base, identity: [wrapStatement(SEED001_KMS_STATEMENT)], name: 'customer managed key statement: not kms:Encrypt', source: 'seed 001 KMS statement', action: 'kms:Encrypt', resource: '*', expect: 'ImplicitDeny' },
      { ...base, identity: [SEED001_SINGLE_USER], lenient: true, name: 'literal text: Resource "SecretARN" matches no secret', source: `${src}; literal text`, action: 'secretsmanager:GetSecretValue', resource: S, context: ctx, expect: 'ImplicitDeny' },
    ] satisfies EvalCase[];
  })(),
  // --- Seed 003
  ...(() => {
    const filled = fill(SEED003_ONE_SECRET, { '<arn-of-the-secret-the-app-needs-to-access>': S });
    const src = 'seed 003: "The only permission required is typically the action that allows retrieval of the encrypted secret value"';
    return [
      { name: 'the app reads its one secret', source: src, principal: appSession, identity: [filled], action: 'secretsmanager:GetSecretValue', resource: S, expect: 'Allow' },
      { name: 'the app cannot read another secret', source: src, principal: appSession, identity: [filled], action: 'secretsmanager:GetSecretValue', resource: secret('prod/other-a1b2c3'), expect: 'ImplicitDeny' },
      { name: 'the app cannot describe its secret', source: src, principal: appSession, identity: [filled], action: 'secretsmanager:DescribeSecret', resource: S, expect: 'ImplicitDeny' },
    ] satisfies EvalCase[];
  })(),
  ...(() => {
    const src = 'seed 003: "use wildcard (*) characters to grant only the Describe*, Get*, and List* permissions"';
    const base = { principal: alice, identity: [SEED003_READ_ONLY], source: src, resource: S };
    return [
      { ...base, name: 'Get* covers GetSecretValue', action: 'secretsmanager:GetSecretValue', expect: 'Allow' },
      { ...base, name: 'Describe* covers DescribeSecret', action: 'secretsmanager:DescribeSecret', expect: 'Allow' },
      { ...base, name: 'List* covers ListSecretVersionIds', action: 'secretsmanager:ListSecretVersionIds', expect: 'Allow' },
      { ...base, name: 'List* covers ListSecrets on *', action: 'secretsmanager:ListSecrets', resource: '*', expect: 'Allow' },
      { ...base, name: 'Get* also covers GetResourcePolicy', action: 'secretsmanager:GetResourcePolicy', expect: 'Allow' },
      { ...base, name: 'PutSecretValue is not read-only', action: 'secretsmanager:PutSecretValue', expect: 'ImplicitDeny' },
      { ...base, name: 'actions are case-insensitive (ACT)', source: 'ACT: action names are case-insensitive', action: 'SecretsManager:getsecretvalue', expect: 'Allow' },
    ] satisfies EvalCase[];
  })(),
  ...(() => {
    const filled = fill(SEED003_BY_NAME, { '<region>': REGION, '<account-id-number>': A });
    const src = 'seed 003: "any secret that begins with the string another_secret_name- followed by exactly 6 characters" (placeholders := us-east-1, 111122223333)';
    const base = { principal: alice, identity: [filled], source: src };
    const star = filled.replace('another_secret_name-??????', 'another_secret_name-*');
    return [
      { ...base, name: 'any action on the specific secret', action: 'secretsmanager:DeleteSecret', resource: secret('a_specific_secret_name-a1b2c3'), expect: 'Allow' },
      { ...base, name: 'the specific secret after re-creation (new suffix) is a different ARN', action: 'secretsmanager:DeleteSecret', resource: secret('a_specific_secret_name-zzzzzz'), expect: 'ImplicitDeny' },
      { ...base, name: '?????? matches the six random characters', action: 'secretsmanager:PutSecretValue', resource: secret('another_secret_name-x1y2z3'), expect: 'Allow' },
      { ...base, name: '?????? survives re-creation: "the user automatically receives permission to the new secret"', action: 'secretsmanager:PutSecretValue', resource: secret('another_secret_name-Q9w8E7'), expect: 'Allow' },
      { ...base, name: '?????? does not match another_secret_name-<anything-here>a1b2c3', action: 'secretsmanager:PutSecretValue', resource: secret('another_secret_name-extra-a1b2c3'), expect: 'ImplicitDeny' },
      { ...base, name: '?????? needs exactly six characters', action: 'secretsmanager:PutSecretValue', resource: secret('another_secret_name-abc'), expect: 'ImplicitDeny' },
      { ...base, identity: [star], name: '"another_secret_name-*" also matches another_secret_name-<anything-here>a1b2c3', action: 'secretsmanager:PutSecretValue', resource: secret('another_secret_name-extra-a1b2c3'), expect: 'Allow' },
      { ...base, name: 'statement 1: DescribeSecret on every secret', action: 'secretsmanager:DescribeSecret', resource: secret('unrelated-a1b2c3'), expect: 'Allow' },
      { ...base, name: 'statement 1: List* on *', action: 'secretsmanager:ListSecrets', resource: '*', expect: 'Allow' },
      { ...base, name: 'another region is another ARN', action: 'secretsmanager:PutSecretValue', resource: secret('another_secret_name-x1y2z3', A, 'eu-west-1'), expect: 'ImplicitDeny' },
      {
        ...base,
        identity: [allowSM('arn:aws:secretsmanager:::secret:another_secret_name-??????')],
        name: 'empty region/account fields are not wildcards',
        source: 'seed 003: "you must specify a wildcard character * (not an empty field) for the region and account ID number fields"',
        action: 'secretsmanager:PutSecretValue',
        resource: secret('another_secret_name-x1y2z3'),
        expect: 'ImplicitDeny',
      },
      {
        ...base,
        identity: [allowSM('arn:aws:secretsmanager:*:*:secret:another_secret_name-??????')],
        name: '* for region and account',
        source: 'seed 003: "you must specify a wildcard character * ... for the region and account ID number fields"',
        action: 'secretsmanager:PutSecretValue',
        resource: secret('another_secret_name-x1y2z3', A, 'eu-west-1'),
        expect: 'Allow',
      },
      { ...base, identity: [SEED003_BY_NAME], lenient: true, name: 'literal "<region>" / "<account-id-number>" match no real secret', action: 'secretsmanager:PutSecretValue', resource: secret('another_secret_name-x1y2z3'), expect: 'ImplicitDeny' },
    ] satisfies EvalCase[];
  })(),
  ...(() => {
    const src = 'seed 003: "any secret ... whose metadata contains a tag with the key ServerName and the value ServerABC"';
    const base = { principal: alice, identity: [SEED003_TAG], source: src, action: 'secretsmanager:DescribeSecret', resource: S };
    return [
      { ...base, name: 'tagged ServerABC', context: { 'secretsmanager:ResourceTag/ServerName': 'ServerABC' }, expect: 'Allow' },
      { ...base, name: 'tagged ServerXYZ', context: { 'secretsmanager:ResourceTag/ServerName': 'ServerXYZ' }, expect: 'ImplicitDeny' },
      { ...base, name: 'untagged', expect: 'ImplicitDeny' },
      { ...base, name: 'tag key case-insensitive (COND: key names, tag-key part included)', source: 'COND: condition key names are not case-sensitive', context: { 'secretsmanager:resourcetag/servername': 'ServerABC' }, expect: 'Allow' },
      { ...base, name: 'StringEquals value case-sensitive', source: 'OPS: StringEquals is case-sensitive', context: { 'secretsmanager:ResourceTag/ServerName': 'serverabc' }, expect: 'ImplicitDeny' },
      { ...base, name: 'GetSecretValue is not granted by the tag example', action: 'secretsmanager:GetSecretValue', context: { 'secretsmanager:ResourceTag/ServerName': 'ServerABC' }, expect: 'ImplicitDeny' },
    ] satisfies EvalCase[];
  })(),
  ...(() => {
    const src = 'seed 003: "only for the version that has the staging label AWSCURRENT attached" — ForAnyValue:StringEquals secretsmanager:VersionStage';
    const base = { principal: alice, source: src, action: 'secretsmanager:GetSecretValue', resource: secret('Prod/db-a1b2c3') };
    return [
      { ...base, identity: [SEED003_STAGE], lenient: true, name: 'as written ({"Policy": …} wrapper): no statement, nothing allowed', context: { 'secretsmanager:VersionStage': ['AWSCURRENT'] }, expect: 'ImplicitDeny' },
      { ...base, identity: [SEED003_STAGE_UNWRAPPED], name: 'unwrapped: "secretsmanager:GetSecret" is no action, so GetSecretValue is not allowed', context: { 'secretsmanager:VersionStage': ['AWSCURRENT'] }, expect: 'ImplicitDeny' },
      { ...base, identity: [SEED003_STAGE_FIXED], name: 'corrected action: version labelled AWSCURRENT', context: { 'secretsmanager:VersionStage': ['AWSCURRENT'] }, expect: 'Allow' },
      { ...base, identity: [SEED003_STAGE_FIXED], name: '"a version of a secret can have multiple staging labels": AWSPENDING + AWSCURRENT', context: { 'secretsmanager:VersionStage': ['AWSPENDING', 'AWSCURRENT'] }, expect: 'Allow' },
      { ...base, identity: [SEED003_STAGE_FIXED], name: 'version labelled only AWSPREVIOUS', context: { 'secretsmanager:VersionStage': ['AWSPREVIOUS'] }, expect: 'ImplicitDeny' },
      { ...base, identity: [SEED003_STAGE_FIXED], name: 'ForAnyValue on an absent key is false (MULTI)', expect: 'ImplicitDeny' },
      { ...base, identity: [SEED003_STAGE_FIXED], name: 'name not beginning with Prod', resource: secret('Dev/db-a1b2c3'), context: { 'secretsmanager:VersionStage': ['AWSCURRENT'] }, expect: 'ImplicitDeny' },
      {
        ...base,
        identity: [SEED003_STAGE_FIXED.replace('"ForAnyValue:StringEquals"', '"ForAnyValue:StringLike"').replace('"AWSCURRENT"', '"AWSCUR*"')],
        name: 'the text\'s "ForAnyValue:StringLike" variant with a wildcard',
        context: { 'secretsmanager:VersionStage': ['AWSPENDING', 'AWSCURRENT'] },
        expect: 'Allow',
      },
    ] satisfies EvalCase[];
  })(),
  ...(() => {
    const src = 'seed 003 JSON editor: Resource "arn:aws:secretsmanager:region:123456789012:secret:MyDatabaseMasterSecret" (no six-character suffix)';
    const base = { principal: rotationSession, source: src, action: 'secretsmanager:GetSecretValue' };
    const fixed = wrapStatement(SEED003_MASTER_STATEMENT.replace('region:123456789012', `${REGION}:${A}`).replace('MyDatabaseMasterSecret"', 'MyDatabaseMasterSecret-??????"'));
    return [
      { ...base, identity: [wrapStatement(SEED003_MASTER_STATEMENT)], name: 'as written it matches no real secret ARN', resource: secret('MyDatabaseMasterSecret-a1b2c3', '123456789012', 'region'), expect: 'ImplicitDeny' },
      { ...base, identity: [fixed], name: 'with "-??????" and a real region/account it matches', resource: secret('MyDatabaseMasterSecret-a1b2c3'), expect: 'Allow' },
    ] satisfies EvalCase[];
  })(),
  ...(() => {
    const src = 'seeds 003/004: attach SecretsManagerReadWrite and IAMFullAccess to make a full Secrets Manager administrator';
    const base = { principal: alice, source: src };
    return [
      { ...base, identity: [SECRETS_MANAGER_READ_WRITE], name: 'ReadWrite: CreateSecret', action: 'secretsmanager:CreateSecret', resource: S, expect: 'Allow' },
      { ...base, identity: [SECRETS_MANAGER_READ_WRITE], name: 'ReadWrite: lambda:CreateFunction for SecretsManager* functions', action: 'lambda:CreateFunction', resource: LAMBDA, expect: 'Allow' },
      { ...base, identity: [SECRETS_MANAGER_READ_WRITE], name: 'ReadWrite: not for other functions', action: 'lambda:CreateFunction', resource: OTHER_LAMBDA, expect: 'ImplicitDeny' },
      { ...base, identity: [SECRETS_MANAGER_READ_WRITE], name: '"purposefully does not include these IAM permissions"', action: 'iam:CreateRole', resource: `arn:aws:iam::${A}:role/SecretsManagerRotationRole`, expect: 'ImplicitDeny' },
      { ...base, identity: [SECRETS_MANAGER_READ_WRITE, IAM_FULL_ACCESS], name: 'with IAMFullAccess: iam:CreateRole', action: 'iam:CreateRole', resource: `arn:aws:iam::${A}:role/SecretsManagerRotationRole`, expect: 'Allow' },
      { ...base, identity: [SECRETS_MANAGER_READ_WRITE], name: 'ReadWrite: s3:GetObject on rotation apps bucket objects', action: 's3:GetObject', resource: 'arn:aws:s3:::secrets-manager-rotation-apps-123/app.zip', expect: 'Allow' },
    ] satisfies EvalCase[];
  })(),

  // --- Decision logic (EVAL, DENYALLOW)
  { name: 'default deny', source: 'DENYALLOW: "By default, all requests are implicitly denied"', principal: alice, action: 'secretsmanager:GetSecretValue', resource: S, expect: 'ImplicitDeny', deniedBy: 'identity-based' },
  { name: 'an identity allow', source: 'EVAL: an identity-based policy allows', principal: alice, identity: [allowSM()], action: 'secretsmanager:GetSecretValue', resource: S, expect: 'Allow' },
  { name: 'explicit deny overrides allow', source: 'DENYALLOW: "An explicit deny in any policy overrides any allows"', principal: alice, identity: [allowSM(), denySM(S)], action: 'secretsmanager:GetSecretValue', resource: S, expect: 'ExplicitDeny', deniedBy: 'identity-based' },
  { name: 'deny in one policy, allow in another', source: 'DENYALLOW: explicit deny in any applicable policy', principal: alice, identity: [denySM(), allowAll], action: 'secretsmanager:GetSecretValue', resource: S, expect: 'ExplicitDeny' },
  { name: 'root user: full access in its own account', source: 'DENYALLOW: "except the account root user, which has full access"', principal: root, action: 'secretsmanager:DeleteSecret', resource: S, expect: 'Allow' },
  { name: 'root user: explicit deny in a resource policy', source: 'EVAL: an explicit deny in a resource-based policy applies to the root user', principal: root, resourcePolicy: rp({ AWS: A }, { Action: 'secretsmanager:*' }, 'Deny'), action: 'secretsmanager:GetSecretValue', resource: S, expect: 'ExplicitDeny', deniedBy: 'resource-based' },
  { name: 'root user: SCP can deny', source: 'EVAL: SCPs apply to the root user of member accounts', principal: root, scp: [[denySM()]], action: 'secretsmanager:GetSecretValue', resource: S, expect: 'ExplicitDeny', deniedBy: 'service control' },
  { name: 'root user of another account: needs the resource policy', source: 'XACCT: both accounts must allow', principal: rootB, action: 'secretsmanager:GetSecretValue', resource: S, expect: 'ImplicitDeny', deniedBy: 'resource-based' },
  { name: 'root user of another account named by account id', source: 'XACCT + PRIN: an account principal delegates to the account', principal: rootB, resourcePolicy: rp({ AWS: B }), action: 'secretsmanager:GetSecretValue', resource: S, expect: 'Allow' },

  // --- Same-account resource policies (EVAL, PB table)
  { name: 'resource policy naming the user: allowed without identity policy', source: 'EVAL: "a resource-based policy that grants access to a principal in the same account" is enough', principal: alice, resourcePolicy: rp({ AWS: alice.arn }), action: 'secretsmanager:GetSecretValue', resource: S, expect: 'Allow' },
  { name: 'user ARN grant not cut by the boundary', source: 'PB: an implicit deny in a permissions boundary does not limit permissions granted to an IAM user by a resource-based policy', principal: alice, resourcePolicy: rp({ AWS: alice.arn }), boundary: v12({ Effect: 'Allow', Action: 's3:*', Resource: '*' }), action: 'secretsmanager:GetSecretValue', resource: S, expect: 'Allow' },
  { name: 'role ARN grant, no boundary: allowed', source: 'EVAL: resource policy naming the role', principal: appSession, resourcePolicy: rp({ AWS: appSession.roleArn }), action: 'secretsmanager:GetSecretValue', resource: S, expect: 'Allow' },
  { name: 'role ARN grant cut by the boundary', source: 'PB: "if the resource-based policy specifies the role ARN, an implicit deny in the boundary limits"', principal: appSession, resourcePolicy: rp({ AWS: appSession.roleArn }), boundary: v12({ Effect: 'Allow', Action: 's3:*', Resource: '*' }), action: 'secretsmanager:GetSecretValue', resource: S, expect: 'ImplicitDeny', deniedBy: 'permissions boundary' },
  { name: 'role ARN grant cut by the session policy', source: 'EVAL: session policies limit role ARN grants', principal: appSession, resourcePolicy: rp({ AWS: appSession.roleArn }), session: [v12({ Effect: 'Allow', Action: 's3:*', Resource: '*' })], action: 'secretsmanager:GetSecretValue', resource: S, expect: 'ImplicitDeny', deniedBy: 'session' },
  { name: 'role session ARN grant not cut by boundary', source: 'PB: a resource policy naming the role session ARN is not limited', principal: appSession, resourcePolicy: rp({ AWS: appSession.arn }), boundary: v12({ Effect: 'Allow', Action: 's3:*', Resource: '*' }), action: 'secretsmanager:GetSecretValue', resource: S, expect: 'Allow' },
  { name: 'role session ARN grant not cut by session policy', source: 'EVAL: session ARN named directly', principal: appSession, resourcePolicy: rp({ AWS: appSession.arn }), session: [v12({ Effect: 'Allow', Action: 's3:*', Resource: '*' })], action: 'secretsmanager:GetSecretValue', resource: S, expect: 'Allow' },
  { name: 'account principal delegates to identity policies (none)', source: 'PRIN: naming the account delegates authority to the account', principal: alice, resourcePolicy: rp({ AWS: A }), action: 'secretsmanager:GetSecretValue', resource: S, expect: 'ImplicitDeny', deniedBy: 'identity-based' },
  { name: 'account principal + identity allow', source: 'PRIN: the account admin must grant identity permissions', principal: alice, resourcePolicy: rp({ AWS: `arn:aws:iam::${A}:root` }), identity: [allowSM()], action: 'secretsmanager:GetSecretValue', resource: S, expect: 'Allow' },
  { name: '"*" in the own account: nothing else needed', source: 'PRIN: Principal "*" — reference table "own account: nothing else needed"', principal: alice, resourcePolicy: rp('*'), action: 'secretsmanager:GetSecretValue', resource: S, expect: 'Allow' },
  { name: '{"AWS":"*"} is the same as "*"', source: 'PRIN: "Principal": "*" is equivalent to {"AWS": "*"}', principal: alice, resourcePolicy: rp({ AWS: '*' }), action: 'secretsmanager:GetSecretValue', resource: S, expect: 'Allow' },
  { name: 'resource policy naming someone else', source: 'PRIN: the statement applies only to the principals named', principal: carol, resourcePolicy: rp({ AWS: alice.arn }), action: 'secretsmanager:GetSecretValue', resource: S, expect: 'ImplicitDeny' },
  { name: 'explicit deny in a resource policy beats an identity allow', source: 'DENYALLOW', principal: alice, identity: [allowSM()], resourcePolicy: rp({ AWS: alice.arn }, {}, 'Deny'), action: 'secretsmanager:GetSecretValue', resource: S, expect: 'ExplicitDeny', deniedBy: 'resource-based' },
  { name: 'a Deny naming the account applies to its users', source: 'PRIN: an account principal names every identity of the account', principal: alice, identity: [allowSM()], resourcePolicy: rp({ AWS: A }, {}, 'Deny'), action: 'secretsmanager:GetSecretValue', resource: S, expect: 'ExplicitDeny' },
  { name: 'identity allow with an unrelated resource policy', source: 'EVAL: same account: union of identity and resource policies', principal: alice, identity: [allowSM()], resourcePolicy: rp({ AWS: carol.arn }), action: 'secretsmanager:GetSecretValue', resource: S, expect: 'Allow' },

  // --- Boundaries and session policies
  { name: 'boundary allows, identity allows', source: 'PB: effective permissions are the intersection', principal: alice, identity: [allowSM()], boundary: allowSM(), action: 'secretsmanager:GetSecretValue', resource: S, expect: 'Allow' },
  { name: 'boundary does not allow', source: 'PB: the boundary must allow', principal: alice, identity: [allowSM()], boundary: v12({ Effect: 'Allow', Action: 's3:*', Resource: '*' }), action: 'secretsmanager:GetSecretValue', resource: S, expect: 'ImplicitDeny', deniedBy: 'permissions boundary' },
  { name: 'boundary never grants', source: 'PB: "a permissions boundary does not grant permissions on its own"', principal: alice, boundary: allowAll, action: 'secretsmanager:GetSecretValue', resource: S, expect: 'ImplicitDeny', deniedBy: 'identity-based' },
  { name: 'explicit deny in the boundary', source: 'PB + DENYALLOW', principal: alice, identity: [allowAll], boundary: v12({ Effect: 'Allow', Action: '*', Resource: '*' }, { Effect: 'Deny', Action: 'secretsmanager:DeleteSecret', Resource: '*' }), action: 'secretsmanager:DeleteSecret', resource: S, expect: 'ExplicitDeny', deniedBy: 'permissions boundary' },
  { name: 'role session: no session policy keeps role permissions', source: 'EVAL: a role session without session policy', principal: appSession, identity: [allowSM()], action: 'secretsmanager:GetSecretValue', resource: S, expect: 'Allow' },
  { name: 'session policy must allow', source: 'EVAL: "session permissions are the intersection of the identity-based policy and the session policies"', principal: appSession, identity: [allowSM()], session: [v12({ Effect: 'Allow', Action: 'secretsmanager:Describe*', Resource: '*' })], action: 'secretsmanager:GetSecretValue', resource: S, expect: 'ImplicitDeny', deniedBy: 'session' },
  { name: 'session policy never grants', source: 'EVAL: session policies limit, never grant', principal: appSession, session: [allowAll], action: 'secretsmanager:GetSecretValue', resource: S, expect: 'ImplicitDeny', deniedBy: 'identity-based' },
  { name: 'several session policies form one filter (union)', source: 'EVAL: inline and managed session policies', principal: appSession, identity: [allowSM()], session: [v12({ Effect: 'Allow', Action: 's3:*', Resource: '*' }), allowSM()], action: 'secretsmanager:GetSecretValue', resource: S, expect: 'Allow' },
  { name: 'federated user without session policy has no permissions', source: 'EVAL (GetFederationToken): no session policy, no permissions', principal: fed, identity: [allowSM()], action: 'secretsmanager:GetSecretValue', resource: S, expect: 'ImplicitDeny', deniedBy: 'session' },
  { name: 'federated user with session policy', source: 'EVAL: intersection of the IAM user policies and the session policy', principal: fed, identity: [allowSM()], session: [allowSM()], action: 'secretsmanager:GetSecretValue', resource: S, expect: 'Allow' },
  { name: 'federated-user ARN named in the resource policy', source: 'EVAL table: a federated-user ARN grant is not cut', principal: fed, resourcePolicy: rp({ AWS: fed.arn }), action: 'secretsmanager:GetSecretValue', resource: S, expect: 'Allow' },
  { name: 'federating IAM user named: cut by the session policy', source: 'EVAL table: the IAM user who federated — cut by session policy', principal: fed, resourcePolicy: rp({ AWS: alice.arn }), session: [v12({ Effect: 'Allow', Action: 's3:*', Resource: '*' })], action: 'secretsmanager:GetSecretValue', resource: S, expect: 'ImplicitDeny', deniedBy: 'session' },
  { name: 'federating IAM user named, session policy allows', source: 'EVAL table: the IAM user who federated', principal: fed, resourcePolicy: rp({ AWS: alice.arn }), session: [allowSM()], action: 'secretsmanager:GetSecretValue', resource: S, expect: 'Allow' },

  // --- Cross-account (XACCT, SMX)
  { name: 'cross-account: identity allow alone is not enough', source: 'XACCT: the resource policy of the trusting account must allow', principal: bob, identity: [allowSM()], action: 'secretsmanager:GetSecretValue', resource: S, expect: 'ImplicitDeny', deniedBy: 'resource-based' },
  { name: 'cross-account: resource allow alone is not enough', source: 'XACCT: the identity policy of the trusted account must allow', principal: bob, resourcePolicy: rp({ AWS: bob.arn }), action: 'secretsmanager:GetSecretValue', resource: S, expect: 'ImplicitDeny', deniedBy: 'identity-based' },
  { name: 'cross-account: both allow', source: 'SMX: attach a resource policy and an identity policy', principal: bob, identity: [allowSM(S)], resourcePolicy: rp({ AWS: bob.arn }), action: 'secretsmanager:GetSecretValue', resource: S, expect: 'Allow' },
  { name: 'cross-account: account principal + identity allow', source: 'XACCT + PRIN: account delegates', principal: bob, identity: [allowSM()], resourcePolicy: rp({ AWS: B }), action: 'secretsmanager:GetSecretValue', resource: S, expect: 'Allow' },
  { name: 'cross-account: "*" still needs the identity side', source: 'PRIN: "*" — other accounts need an identity allow', principal: bob, resourcePolicy: rp('*'), action: 'secretsmanager:GetSecretValue', resource: S, expect: 'ImplicitDeny', deniedBy: 'identity-based' },
  { name: 'cross-account: "*" + identity allow', source: 'PRIN', principal: bob, identity: [allowSM()], resourcePolicy: rp('*'), action: 'secretsmanager:GetSecretValue', resource: S, expect: 'Allow' },
  { name: 'cross-account: boundary of the caller applies', source: 'XACCT: the trusted account evaluates boundaries', principal: bob, identity: [allowSM()], boundary: v12({ Effect: 'Allow', Action: 's3:*', Resource: '*' }), resourcePolicy: rp({ AWS: bob.arn }), action: 'secretsmanager:GetSecretValue', resource: S, expect: 'ImplicitDeny', deniedBy: 'permissions boundary' },
  { name: 'cross-account: resource policy names another principal of the account', source: 'XACCT', principal: bob, identity: [allowSM()], resourcePolicy: rp({ AWS: `arn:aws:iam::${B}:user/dave` }), action: 'secretsmanager:GetSecretValue', resource: S, expect: 'ImplicitDeny', deniedBy: 'resource-based' },
  { name: 'cross-account: deny in the resource policy', source: 'XACCT + DENYALLOW', principal: bob, identity: [allowSM()], resourcePolicy: v12({ Effect: 'Allow', Principal: { AWS: B }, Action: 'secretsmanager:*', Resource: '*' }, { Effect: 'Deny', Principal: '*', Action: 'secretsmanager:DeleteSecret', Resource: '*' }), action: 'secretsmanager:DeleteSecret', resource: S, expect: 'ExplicitDeny', deniedBy: 'resource-based' },

  // --- SCP / RCP
  { name: 'SCP without an allow', source: 'EVAL: SCPs must allow; "no service control policy allows"', principal: alice, identity: [allowSM()], scp: [[v12({ Effect: 'Allow', Action: 's3:*', Resource: '*' })]], action: 'secretsmanager:GetSecretValue', resource: S, expect: 'ImplicitDeny', deniedBy: 'service control' },
  { name: 'SCP allows at every level', source: 'EVAL: every level must allow', principal: alice, identity: [allowSM()], scp: [[allowAll], [allowSM()]], action: 'secretsmanager:GetSecretValue', resource: S, expect: 'Allow' },
  { name: 'SCP never grants', source: 'EVAL: SCPs never grant', principal: alice, scp: [[allowAll]], action: 'secretsmanager:GetSecretValue', resource: S, expect: 'ImplicitDeny', deniedBy: 'identity-based' },
  { name: 'RCP deny', source: 'EVAL: RCPs restrict resources of the account', principal: bob, identity: [allowSM()], resourcePolicy: rp({ AWS: bob.arn }), rcp: [[v12({ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }), v12({ Effect: 'Deny', Principal: '*', Action: 'secretsmanager:*', Resource: '*', Condition: { StringNotEquals: { 'aws:PrincipalAccount': A } } })]], action: 'secretsmanager:GetSecretValue', resource: S, expect: 'ExplicitDeny', deniedBy: 'resource control' },

  // --- NotPrincipal, NotAction, NotResource
  { name: 'Deny NotPrincipal: exempt when user and account are listed', source: 'NOTPRIN: list the principal and its account', principal: alice, identity: [allowSM()], resourcePolicy: v12({ Effect: 'Deny', NotPrincipal: { AWS: [alice.arn, `arn:aws:iam::${A}:root`] }, Action: 'secretsmanager:*', Resource: '*' }), action: 'secretsmanager:GetSecretValue', resource: S, expect: 'Allow' },
  { name: 'Deny NotPrincipal: listing only the user leaves it denied', source: 'NOTPRIN: "the account itself may be denied" when only the user is listed', principal: alice, identity: [allowSM()], resourcePolicy: v12({ Effect: 'Deny', NotPrincipal: { AWS: alice.arn }, Action: 'secretsmanager:*', Resource: '*' }), action: 'secretsmanager:GetSecretValue', resource: S, expect: 'ExplicitDeny' },
  { name: 'Deny NotPrincipal: other users of the account are denied', source: 'NOTPRIN: other users of that account remain denied', principal: carol, identity: [allowSM()], resourcePolicy: v12({ Effect: 'Deny', NotPrincipal: { AWS: [alice.arn, A] }, Action: 'secretsmanager:*', Resource: '*' }), action: 'secretsmanager:GetSecretValue', resource: S, expect: 'ExplicitDeny' },
  { name: 'Deny NotPrincipal denies a principal with a boundary even if listed', source: 'PB: a Deny with NotPrincipal applies to any principal with a permissions boundary', principal: alice, identity: [allowSM()], boundary: allowAll, resourcePolicy: v12({ Effect: 'Deny', NotPrincipal: { AWS: [alice.arn, A] }, Action: 'secretsmanager:*', Resource: '*' }), action: 'secretsmanager:GetSecretValue', resource: S, expect: 'ExplicitDeny' },
  { name: 'Allow NotAction iam:*: secretsmanager allowed', source: 'ACT/NotAction: matches everything except the listed actions', principal: alice, identity: [v12({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' })], action: 'secretsmanager:GetSecretValue', resource: S, expect: 'Allow' },
  { name: 'Allow NotAction iam:*: iam not allowed', source: 'NotAction', principal: alice, identity: [v12({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' })], action: 'iam:CreateUser', resource: `arn:aws:iam::${A}:user/x`, expect: 'ImplicitDeny' },
  { name: 'Deny NotResource: everything but one secret is denied', source: 'RES/NotResource', principal: alice, identity: [allowSM(), denySM(undefined, {})].map((d, i) => (i === 1 ? v12({ Effect: 'Deny', Action: 'secretsmanager:*', NotResource: S }) : d)), action: 'secretsmanager:GetSecretValue', resource: secret('other-a1b2c3'), expect: 'ExplicitDeny' },
  { name: 'Deny NotResource: the listed secret is not denied', source: 'RES/NotResource', principal: alice, identity: [allowSM(), v12({ Effect: 'Deny', Action: 'secretsmanager:*', NotResource: S })], action: 'secretsmanager:GetSecretValue', resource: S, expect: 'Allow' },

  // --- Every condition operator family (OPS), one sentence each
  { name: 'StringEqualsIgnoreCase ignores case', source: 'OPS: "StringEqualsIgnoreCase — Exact matching, ignoring case"', principal: alice, identity: [withCondition({ StringEqualsIgnoreCase: { 'aws:ResourceTag/env': 'PROD' } })], action: 'secretsmanager:GetSecretValue', resource: S, context: { 'aws:ResourceTag/env': 'prod' }, expect: 'Allow' },
  { name: 'StringNotEqualsIgnoreCase: same text in another case is equal', source: 'OPS: "StringNotEqualsIgnoreCase — Negated matching, ignoring case"', principal: alice, identity: [withCondition({ StringNotEqualsIgnoreCase: { 'aws:ResourceTag/env': 'PROD' } })], action: 'secretsmanager:GetSecretValue', resource: S, context: { 'aws:ResourceTag/env': 'prod' }, expect: 'ImplicitDeny' },
  { name: 'DateEquals on an exact instant', source: 'OPS: "DateEquals — Matching a specific date"', principal: alice, identity: [withCondition({ DateEquals: { 'aws:CurrentTime': '2025-01-01T00:00:00Z' } })], action: 'secretsmanager:GetSecretValue', resource: S, context: { 'aws:CurrentTime': '2025-01-01T00:00:00.000Z' }, expect: 'Allow' },
  { name: 'DateGreaterThan with an epoch value in the policy', source: 'OPS: "you can use epoch (UNIX) time" with date condition operators', principal: alice, identity: [withCondition({ DateGreaterThan: { 'aws:CurrentTime': '1735689600' } })], action: 'secretsmanager:GetSecretValue', resource: S, context: { 'aws:CurrentTime': '2025-06-01T00:00:00Z' }, expect: 'Allow' },
  { name: 'BinaryEquals compares base64 bytes', source: 'OPS: "The BinaryEquals condition operator ... compares the value of the specified key byte for byte against a base-64 encoded representation of the binary value in the policy"', principal: alice, identity: [withCondition({ BinaryEquals: { 's:key': 'QmluYXJ5VmFsdWVJbkJhc2U2NA==' } })], action: 'secretsmanager:GetSecretValue', resource: S, context: { 's:key': 'QmluYXJ5VmFsdWVJbkJhc2U2NA==' }, expect: 'Allow' },
  { name: 'IpAddress with an IPv6 CIDR', source: 'OPS: "The IP address condition operators ... you can use IPv4 and IPv6 addresses"', principal: alice, identity: [withCondition({ IpAddress: { 'aws:SourceIp': '2001:db8::/32' } })], action: 'secretsmanager:GetSecretValue', resource: S, context: { 'aws:SourceIp': '2001:db8:1234::5' }, expect: 'Allow' },
  {
    name: 'differential #1: NotIpAddress with a bare IPv4 address matches an IPv6 caller (iam-simulate says no match)',
    source: 'OPS: "NotIpAddress — All IP addresses except the specified IP address or range"; a bare address is a /32 range, and 2001:db8::1 is not in it',
    principal: alice, identity: [withCondition({ NotIpAddress: { 'aws:SourceIp': '192.168.1.20' } })], action: 'secretsmanager:GetSecretValue', resource: S, context: { 'aws:SourceIp': '2001:db8::1' }, expect: 'Allow',
  },
  { name: 'ArnLike matches per segment', source: 'OPS: "ArnLike — Case-sensitive matching of the ARN. Each of the six colon-delimited components of the ARN is checked separately"', principal: alice, identity: [withCondition({ ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:user/al*' } })], action: 'secretsmanager:GetSecretValue', resource: S, expect: 'Allow' },
  { name: 'ArnNotLike on the caller', source: 'OPS: "ArnNotLike — Negated matching for ARN"', principal: alice, identity: [allowSM(), denySM('*', { Condition: { ArnNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:user/bob' } } })], action: 'secretsmanager:GetSecretValue', resource: S, expect: 'ExplicitDeny' },
  { name: 'BoolIfExists on an absent key', source: 'OPS: "If the policy key is present in the context of the request, process the key as specified in the policy. If the key is not present, evaluate the condition element as true"', principal: alice, identity: [withCondition({ BoolIfExists: { 'aws:MultiFactorAuthPresent': 'true' } })], action: 'secretsmanager:GetSecretValue', resource: S, expect: 'Allow' },
  { name: '${?} is a literal question mark', source: 'VARS: "${?} - represents a question mark (?) character"', principal: alice, identity: [withCondition({ StringEquals: { 'aws:ResourceTag/q': 'why${?}' } })], action: 'secretsmanager:GetSecretValue', resource: S, context: { 'aws:ResourceTag/q': 'why?' }, expect: 'Allow' },
  { name: '${$} is a literal dollar sign', source: 'VARS: "${$} - represents a dollar sign ($) character"', principal: alice, identity: [withCondition({ StringEquals: { 'aws:ResourceTag/price': '${$}5' } })], action: 'secretsmanager:GetSecretValue', resource: S, context: { 'aws:ResourceTag/price': '$5' }, expect: 'Allow' },
  { name: 'kms:ViaService limits a key to calls through Secrets Manager', source: 'KMS docs: "The kms:ViaService condition key limits use of a KMS key to requests from specified AWS services"', principal: alice, identity: [v12({ Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*', Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' } } })], action: 'kms:Decrypt', resource: `arn:aws:kms:${REGION}:${A}:key/k1`, expect: 'ImplicitDeny' },

  // --- Service principals and anonymous callers
  { name: 'service principal ignores identity policies', source: 'EVAL: service principals have no identity policies', principal: smService, identity: [allowAll], action: 'lambda:InvokeFunction', resource: LAMBDA, expect: 'ImplicitDeny', deniedBy: 'resource-based' },
  { name: 'anonymous: allowed only by "*"', source: 'PRIN: "*" includes anonymous users', principal: anonymous, resourcePolicy: rp('*'), action: 'secretsmanager:GetSecretValue', resource: S, expect: 'Allow' },
  { name: 'anonymous: not named by an account', source: 'PRIN', principal: anonymous, resourcePolicy: rp({ AWS: A }), action: 'secretsmanager:GetSecretValue', resource: S, expect: 'ImplicitDeny' },

  // --- Variables (VARS)
  { name: '${aws:username} in Resource', source: 'VARS: "arn:aws:s3:::bucket/${aws:username}/*"', principal: alice, identity: [allowSM('arn:aws:secretsmanager:*:*:secret:user/${aws:username}/*')], action: 'secretsmanager:GetSecretValue', resource: secret('user/alice/db-a1b2c3'), expect: 'Allow' },
  { name: '${aws:username}: other user\'s secret', source: 'VARS', principal: alice, identity: [allowSM('arn:aws:secretsmanager:*:*:secret:user/${aws:username}/*')], action: 'secretsmanager:GetSecretValue', resource: secret('user/bob/db-a1b2c3'), expect: 'ImplicitDeny' },
  { name: 'a role session has no aws:username: the Resource entry matches nothing', source: 'VARS: "If the key is not present, the element does not match"; KEYS: aws:username only for IAM users', principal: appSession, identity: [allowSM('arn:aws:secretsmanager:*:*:secret:user/${aws:username}/*')], action: 'secretsmanager:GetSecretValue', resource: secret('user//db-a1b2c3'), expect: 'ImplicitDeny' },
  { name: 'default value', source: "VARS: ${aws:PrincipalTag/team, 'company-wide'}", principal: alice, identity: [allowSM("arn:aws:secretsmanager:*:*:secret:${aws:PrincipalTag/team, 'company-wide'}/*")], action: 'secretsmanager:GetSecretValue', resource: secret('company-wide/db-a1b2c3'), expect: 'Allow' },
  { name: 'principal tag variable', source: 'VARS: ${aws:PrincipalTag/team}', principal: appSession, identity: [allowSM('arn:aws:secretsmanager:*:*:secret:${aws:PrincipalTag/team}/*')], action: 'secretsmanager:GetSecretValue', resource: secret('payments/db-a1b2c3'), expect: 'Allow' },
  { name: 'variables are literal under 2008-10-17', source: 'VER: "policy variables ... are treated as literal strings" in 2008-10-17', principal: alice, identity: [{ Version: '2008-10-17', Statement: { Effect: 'Allow', Action: 'secretsmanager:*', Resource: 'arn:aws:secretsmanager:*:*:secret:user/${aws:username}/*' } }], action: 'secretsmanager:GetSecretValue', resource: secret('user/alice/db-a1b2c3'), expect: 'ImplicitDeny' },
  { name: 'variables are literal without Version', source: 'VER: without Version the 2008-10-17 rules apply', principal: alice, identity: [{ Statement: { Effect: 'Allow', Action: 'secretsmanager:*', Resource: 'arn:aws:secretsmanager:*:*:secret:user/${aws:username}/*' } }], action: 'secretsmanager:GetSecretValue', resource: secret('user/${aws:username}/db-a1b2c3'), expect: 'Allow' },
  { name: '${*} is a literal asterisk', source: 'VARS: ${*} for a literal *', principal: alice, identity: [allowSM('arn:aws:secretsmanager:*:*:secret:star${*}-??????')], action: 'secretsmanager:GetSecretValue', resource: secret('starX-a1b2c3'), expect: 'ImplicitDeny' },
  { name: 'ABAC with tags (SMEX: "${ aws:PrincipalTag/AccessProject }")', source: 'SMEX ABAC example: StringEquals aws:ResourceTag/AccessProject "${ aws:PrincipalTag/AccessProject }"', principal: appSession, identity: [withCondition({ StringEquals: { 'aws:ResourceTag/AccessProject': '${ aws:PrincipalTag/AccessProject }' } })], action: 'secretsmanager:GetSecretValue', resource: S, context: { 'aws:ResourceTag/AccessProject': 'p1' }, expect: 'Allow' },
  { name: 'ABAC: other project', source: 'SMEX ABAC', principal: appSession, identity: [withCondition({ StringEquals: { 'aws:ResourceTag/AccessProject': '${aws:PrincipalTag/AccessProject}' } })], action: 'secretsmanager:GetSecretValue', resource: S, context: { 'aws:ResourceTag/AccessProject': 'p2' }, expect: 'ImplicitDeny' },

  // --- Condition keys in realistic policies
  { name: 'aws:PrincipalArn of a session is the role ARN', source: 'KEYS: aws:PrincipalArn — for a role session, the role ARN', principal: appSession, identity: [withCondition({ ArnEquals: { 'aws:PrincipalArn': appSession.roleArn } })], action: 'secretsmanager:GetSecretValue', resource: S, expect: 'Allow' },
  { name: 'Principal "*" + ArnNotEquals aws:PrincipalArn (AWS\'s NotPrincipal alternative)', source: 'NOTPRIN: use Principal "*" with ArnNotEquals aws:PrincipalArn', principal: carol, identity: [allowSM()], resourcePolicy: v12({ Effect: 'Deny', Principal: '*', Action: 'secretsmanager:*', Resource: '*', Condition: { ArnNotEquals: { 'aws:PrincipalArn': alice.arn } } }), action: 'secretsmanager:GetSecretValue', resource: S, expect: 'ExplicitDeny' },
  { name: '... and the exempt principal passes', source: 'NOTPRIN alternative', principal: alice, identity: [allowSM()], resourcePolicy: v12({ Effect: 'Deny', Principal: '*', Action: 'secretsmanager:*', Resource: '*', Condition: { ArnNotEquals: { 'aws:PrincipalArn': alice.arn } } }), action: 'secretsmanager:GetSecretValue', resource: S, expect: 'Allow' },
  { name: 'Deny StringNotEqualsIfExists on an untagged resource: absent ⇒ true ⇒ the Deny applies', source: 'OPS: "a Deny with StringNotEqualsIfExists still denies an untagged resource"', principal: alice, identity: [allowSM(), denySM('*', { Condition: { StringNotEqualsIfExists: { 'aws:ResourceTag/env': 'dev' } } })], action: 'secretsmanager:GetSecretValue', resource: S, expect: 'ExplicitDeny' },
  { name: 'aws:SecureTransport false is denied', source: 'KEYS: aws:SecureTransport', principal: alice, identity: [allowSM(), denySM('*', { Condition: { Bool: { 'aws:SecureTransport': 'false' } } })], action: 'secretsmanager:GetSecretValue', resource: S, context: { 'aws:SecureTransport': false }, expect: 'ExplicitDeny' },
  { name: 'source IP outside the allowed range', source: 'OPS: NotIpAddress aws:SourceIp', principal: alice, identity: [allowSM(), denySM('*', { Condition: { NotIpAddress: { 'aws:SourceIp': '203.0.113.0/24' } } })], action: 'secretsmanager:GetSecretValue', resource: S, context: { 'aws:SourceIp': '198.51.100.1' }, expect: 'ExplicitDeny' },
  { name: 'request via VPC endpoint has no aws:SourceIp: NotIpAddress Deny applies (absent ⇒ negated true)', source: 'KEYS: aws:SourceIp absent via VPC endpoint; OPS: negated operators on absent keys', principal: alice, identity: [allowSM(), denySM('*', { Condition: { NotIpAddress: { 'aws:SourceIp': '203.0.113.0/24' } } })], action: 'secretsmanager:GetSecretValue', resource: S, expect: 'ExplicitDeny' },
  { name: 'tag-on-create: ForAllValues aws:TagKeys', source: 'MVEX: ForAllValues:StringEquals aws:TagKeys limits the tag keys', principal: alice, identity: [v12({ Effect: 'Allow', Action: 'secretsmanager:TagResource', Resource: '*', Condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['env', 'team'] } } })], action: 'secretsmanager:TagResource', resource: S, context: { 'aws:TagKeys': ['env', 'owner'] }, expect: 'ImplicitDeny' },
  { name: 'ForAllValues with no tags at all is true', source: 'MULTI: ForAllValues returns true when the key is absent', principal: alice, identity: [v12({ Effect: 'Allow', Action: 'secretsmanager:TagResource', Resource: '*', Condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['env', 'team'] } } })], action: 'secretsmanager:TagResource', resource: S, expect: 'Allow' },
  { name: 'MVEX Deny ForAllValues:StringNotLike aws:TagKeys "key1*" with [key1:legal]: no match', source: 'MVEX table: key1:legal — no match', principal: alice, identity: [allowSM(), denySM('*', { Condition: { 'ForAllValues:StringNotLike': { 'aws:TagKeys': 'key1*' } } })], action: 'secretsmanager:TagResource', resource: S, context: { 'aws:TagKeys': ['key1'] }, expect: 'Allow' },
  { name: 'MVEX Deny ForAllValues:StringNotLike with [key2:audit]: match', source: 'MVEX table: key2:audit — match', principal: alice, identity: [allowSM(), denySM('*', { Condition: { 'ForAllValues:StringNotLike': { 'aws:TagKeys': 'key1*' } } })], action: 'secretsmanager:TagResource', resource: S, context: { 'aws:TagKeys': ['key2'] }, expect: 'ExplicitDeny' },
  { name: 'MVEX Deny ForAllValues:StringNotLike with no TagKeys: match', source: 'MVEX table: no aws:TagKeys — match', principal: alice, identity: [allowSM(), denySM('*', { Condition: { 'ForAllValues:StringNotLike': { 'aws:TagKeys': 'key1*' } } })], action: 'secretsmanager:TagResource', resource: S, expect: 'ExplicitDeny' },
  { name: 'parameter key omitted: StringEquals on secretsmanager:Name denies', source: 'SMREF: a string condition on a request-parameter key denies callers who omit it — use …IfExists', principal: alice, identity: [v12({ Effect: 'Allow', Action: 'secretsmanager:CreateSecret', Resource: '*', Condition: { StringLike: { 'secretsmanager:Name': 'team/*' } } })], action: 'secretsmanager:CreateSecret', resource: S, expect: 'ImplicitDeny' },
  { name: 'parameter key with IfExists', source: 'SMREF: use …IfExists', principal: alice, identity: [v12({ Effect: 'Allow', Action: 'secretsmanager:UpdateSecret', Resource: '*', Condition: { StringEqualsIfExists: { 'secretsmanager:KmsKeyId': 'alias/team' } } })], action: 'secretsmanager:UpdateSecret', resource: S, expect: 'Allow' },
  { name: 'Bool secretsmanager:BlockPublicPolicy', source: 'SMREF: admins can force BlockPublicPolicy via Bool secretsmanager:BlockPublicPolicy true', principal: alice, identity: [v12({ Effect: 'Allow', Action: 'secretsmanager:PutResourcePolicy', Resource: '*', Condition: { Bool: { 'secretsmanager:BlockPublicPolicy': 'true' } } })], action: 'secretsmanager:PutResourcePolicy', resource: S, context: { 'secretsmanager:BlockPublicPolicy': true }, expect: 'Allow' },
  { name: 'NumericLessThanEquals RecoveryWindowInDays', source: 'SAR: RecoveryWindowInDays is Numeric', principal: alice, identity: [v12({ Effect: 'Allow', Action: 'secretsmanager:DeleteSecret', Resource: '*', Condition: { NumericGreaterThanEquals: { 'secretsmanager:RecoveryWindowInDays': '14' } } })], action: 'secretsmanager:DeleteSecret', resource: S, context: { 'secretsmanager:RecoveryWindowInDays': 7 }, expect: 'ImplicitDeny' },
  { name: 'DateLessThan aws:CurrentTime (time-boxed access)', source: 'OPS: Date condition operators', principal: alice, identity: [withCondition({ DateLessThan: { 'aws:CurrentTime': '2030-01-01T00:00:00Z' } })], action: 'secretsmanager:GetSecretValue', resource: S, context: { 'aws:CurrentTime': '2025-01-01T00:00:00Z' }, expect: 'Allow' },
  { name: 'MFA age', source: 'KEYS: aws:MultiFactorAuthAge', principal: alice, identity: [withCondition({ NumericLessThan: { 'aws:MultiFactorAuthAge': '3600' } })], action: 'secretsmanager:GetSecretValue', resource: S, expect: 'ImplicitDeny' },
  { name: 'Null aws:MultiFactorAuthAge true denies long-term keys', source: 'OPS: Null — "true" if the key is absent', principal: alice, identity: [allowSM(), denySM('*', { Condition: { Null: { 'aws:MultiFactorAuthAge': 'true' } } })], action: 'secretsmanager:GetSecretValue', resource: S, expect: 'ExplicitDeny' },
  { name: 'wildcard in the action name', source: 'ACT: "secretsmanager:*Secret*"', principal: alice, identity: [v12({ Effect: 'Allow', Action: 'secretsmanager:*Secret*', Resource: '*' })], action: 'secretsmanager:RestoreSecret', resource: S, expect: 'Allow' },
  { name: '? in the action name', source: 'ACT: ? matches one character', principal: alice, identity: [v12({ Effect: 'Allow', Action: 'secretsmanager:?etSecretValue', Resource: '*' })], action: 'secretsmanager:GetSecretValue', resource: S, expect: 'Allow' },
  { name: 'ARN case matters', source: 'RES: the resource part is case-sensitive', principal: alice, identity: [allowSM(secret('Prod/db-a1b2c3'))], action: 'secretsmanager:GetSecretValue', resource: S, expect: 'ImplicitDeny' },
  { name: '"*" in an identity policy = every resource', source: 'SMEX: "*" in an identity policy means all resources', principal: alice, identity: [allowSM('*')], action: 'secretsmanager:ListSecrets', resource: '*', expect: 'Allow' },
];

// --- Trust policies (EVAL: trust policies must allow explicitly)
interface TrustCase {
  readonly name: string;
  readonly source: string;
  readonly principal: RequestPrincipal;
  readonly trust: Doc;
  readonly identity?: readonly Doc[];
  readonly context?: ContextValues;
  readonly roleArn?: string;
  readonly expect: Decision;
  readonly deniedBy?: PolicyType;
}
const ROLE = `arn:aws:iam::${A}:role/SecretsManagerRotationRole`;
const trust = (Principal: object | string, extra: object = {}) => v12({ Effect: 'Allow', Principal, Action: 'sts:AssumeRole', ...extra });
const assumeAllowed = v12({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' });
const trustCases: TrustCase[] = [
  { name: 'Lambda assumes the execution role', source: 'reference §4 Rotation (2): Lambda assumes the execution role (trust lambda.amazonaws.com)', principal: lambdaService, trust: trust({ Service: 'lambda.amazonaws.com' }), expect: 'Allow' },
  { name: 'another service cannot', source: 'PRIN: Service principals', principal: smService, trust: trust({ Service: 'lambda.amazonaws.com' }), expect: 'ImplicitDeny', deniedBy: 'role trust' },
  { name: 'same account: trust names the user — no identity policy needed', source: 'EVAL: a trust policy naming the user ARN suffices in the same account', principal: alice, trust: trust({ AWS: alice.arn }), expect: 'Allow' },
  { name: 'same account: trust names the account — identity policy needed', source: 'EVAL: naming the account delegates to IAM', principal: alice, trust: trust({ AWS: A }), expect: 'ImplicitDeny', deniedBy: 'identity-based' },
  { name: 'same account: trust names the account + identity allows', source: 'EVAL', principal: alice, trust: trust({ AWS: A }), identity: [assumeAllowed], expect: 'Allow' },
  { name: 'same account: identity allows but trust does not name the caller', source: 'EVAL: "Role trust policies ... must explicitly allow ... even in the same account"', principal: alice, trust: trust({ AWS: carol.arn }), identity: [assumeAllowed], expect: 'ImplicitDeny', deniedBy: 'role trust' },
  { name: 'cross-account: trust names the account + identity allows', source: 'XACCT', principal: bob, trust: trust({ AWS: B }), identity: [assumeAllowed], expect: 'Allow' },
  { name: 'cross-account: trust names the user but identity does not allow', source: 'XACCT: both sides', principal: bob, trust: trust({ AWS: bob.arn }), expect: 'ImplicitDeny', deniedBy: 'identity-based' },
  { name: 'third party with sts:ExternalId', source: 'DEPUTY: sts:ExternalId condition', principal: bob, trust: trust({ AWS: B }, { Condition: { StringEquals: { 'sts:ExternalId': 'Unique-1' } } }), identity: [assumeAllowed], context: { 'sts:ExternalId': 'Unique-1' }, expect: 'Allow' },
  { name: 'third party with the wrong external id', source: 'DEPUTY', principal: bob, trust: trust({ AWS: B }, { Condition: { StringEquals: { 'sts:ExternalId': 'Unique-1' } } }), identity: [assumeAllowed], context: { 'sts:ExternalId': 'guess' }, expect: 'ImplicitDeny', deniedBy: 'role trust' },
  { name: 'service assumes role with aws:SourceAccount', source: 'DEPUTY: aws:SourceAccount when a service assumes the role', principal: lambdaService, trust: trust({ Service: 'lambda.amazonaws.com' }, { Condition: { StringEquals: { 'aws:SourceAccount': A } } }), context: { 'aws:SourceAccount': B }, expect: 'ImplicitDeny' },
  { name: 'explicit deny in the trust policy', source: 'DENYMSG: "explicit deny in the role trust policy"', principal: alice, trust: v12({ Effect: 'Allow', Principal: { AWS: A }, Action: 'sts:AssumeRole' }, { Effect: 'Deny', Principal: { AWS: alice.arn }, Action: 'sts:AssumeRole' }), identity: [assumeAllowed], expect: 'ExplicitDeny', deniedBy: 'role trust' },
];

// --- Validation (AACHK, IAM errors) for the seed texts and common mistakes
interface ValidationCase {
  readonly name: string;
  readonly source: string;
  readonly kind: PolicyKind;
  readonly doc: Doc;
  /** The first error's check, or undefined when the document must be accepted. */
  readonly error?: string;
  readonly awsMessage?: string;
  /** Checks that must be among the findings. */
  readonly warnings?: readonly string[];
}
const validationCases: ValidationCase[] = [
  { name: 'seed 000/002 function policy as written: placeholder Resource', source: 'seeds 000/002: "Resource": "<arn of the Lambda function ...>"', kind: 'resource', doc: SEED_FUNCTION_POLICY, error: 'RESOURCE_FORMAT', warnings: ['SID_FORMAT', 'SERVICE_PRINCIPAL_WITHOUT_SOURCE'] },
  { name: 'seed 000/002 function policy filled in: hyphenated Lambda Sid accepted with a warning', source: 'seed: "Sid": "EXAMPLE1-90ab-cdef-fedc-ba987EXAMPLE"', kind: 'resource', doc: fill(SEED_FUNCTION_POLICY, { '<arn of the Lambda function that this trust policy is attached to - must match exactly>': LAMBDA }), warnings: ['SID_FORMAT', 'SERVICE_PRINCIPAL_WITHOUT_SOURCE'] },
  { name: 'seed 001 function policy filled in: aws:SourceAccount present, no confused-deputy warning', source: 'seed 001: "include the context key aws:SourceAccount"', kind: 'resource', doc: fill(SEED_FUNCTION_POLICY_SOURCE_ACCOUNT, { LambdaRotationFunctionARN: LAMBDA }) },
  { name: 'seed 001 function policy as written', source: 'seed 001: "Resource": "LambdaRotationFunctionARN"', kind: 'resource', doc: SEED_FUNCTION_POLICY_SOURCE_ACCOUNT, error: 'RESOURCE_FORMAT', awsMessage: 'Resource LambdaRotationFunctionARN must be in ARN format or "*".' },
  { name: 'seed 000 single user policy: no Version', source: 'seed 000 single user rotation policy has no "Version"', kind: 'identity', doc: SEED000_SINGLE_USER, warnings: ['MISSING_VERSION'] },
  { name: 'seed 002 master user policy as written', source: 'seed 002: "Resource": "<master_arn>"', kind: 'identity', doc: SEED002_MASTER_USER, error: 'RESOURCE_FORMAT' },
  { name: 'seed 001 execution role policy as written', source: 'seed 001: "Resource": "SecretARN"', kind: 'identity', doc: SEED001_SINGLE_USER, error: 'RESOURCE_FORMAT', awsMessage: 'Resource SecretARN must be in ARN format or "*".' },
  { name: 'seed 001 execution role policy filled in', source: 'seed 001 single user', kind: 'identity', doc: fill(SEED001_SINGLE_USER, { SecretARN: S, LambdaRotationFunctionARN: LAMBDA }) },
  { name: 'seed 003 consuming-app policy as written', source: 'seed 003: "<arn-of-the-secret-the-app-needs-to-access>"', kind: 'identity', doc: SEED003_ONE_SECRET, error: 'RESOURCE_FORMAT' },
  { name: 'seed 003 read-only policy', source: 'seed 003 Describe*/Get*/List*', kind: 'identity', doc: SEED003_READ_ONLY },
  { name: 'seed 003 by-name policy filled in', source: 'seed 003 by name', kind: 'identity', doc: fill(SEED003_BY_NAME, { '<region>': REGION, '<account-id-number>': A }) },
  { name: 'seed 003 tag policy', source: 'seed 003 ServerName tag', kind: 'identity', doc: SEED003_TAG },
  { name: 'seed 003 staging-label policy: {"Policy": …} wrapper', source: 'seed 003: { "Policy": { "Version": ... } }', kind: 'identity', doc: SEED003_STAGE, error: 'UNKNOWN_ELEMENT', awsMessage: 'Syntax errors in policy.' },
  { name: 'seed 003 staging-label policy unwrapped: GetSecret is no action', source: 'seed 003: "Action": "secretsmanager:GetSecret"', kind: 'identity', doc: SEED003_STAGE_UNWRAPPED, warnings: ['UNDEFINED_ACTION'] },
  { name: 'seed 003 staging-label policy corrected: qualifier on VersionStage is fine', source: 'seed 003: ForAnyValue:StringEquals secretsmanager:VersionStage', kind: 'identity', doc: SEED003_STAGE_FIXED },
  { name: 'seed 003 master secret statement: ARN without six-character suffix', source: 'seed 003: "...:secret:MyDatabaseMasterSecret"', kind: 'identity', doc: wrapStatement(SEED003_MASTER_STATEMENT), warnings: ['SECRET_ARN_WITHOUT_SUFFIX'] },
  { name: 'empty region and account', source: 'seed 003: "not an empty field"', kind: 'identity', doc: allowSM('arn:aws:secretsmanager:::secret:x-??????'), warnings: ['SECRET_ARN_EMPTY_FIELD'] },
  { name: 'Principal in an identity policy', source: 'IAM: "Policy document should not specify a principal."', kind: 'identity', doc: rp('*'), error: 'PRINCIPAL_IN_IDENTITY_POLICY', awsMessage: 'Policy document should not specify a principal.' },
  { name: 'resource policy without Principal', source: 'IAM: "Missing required field Principal"', kind: 'resource', doc: allowSM(), error: 'MISSING_PRINCIPAL', awsMessage: 'Missing required field Principal' },
  { name: 'trust policy with Resource', source: 'IAM: "Has prohibited field Resource"', kind: 'trust', doc: v12({ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole', Resource: '*' }), error: 'TRUST_RESOURCE' },
  { name: 'partial wildcard principal', source: 'PRIN: "You cannot use a wildcard to match part of a principal name or ARN"', kind: 'resource', doc: rp({ AWS: 'arn:aws:iam::111122223333:user/*' }), error: 'INVALID_PRINCIPAL' },
  { name: 'Effect is case-sensitive', source: 'Grammar: Effect exactly Allow/Deny', kind: 'identity', doc: v12({ Effect: 'allow', Action: 'a:b', Resource: '*' }), error: 'INVALID_EFFECT' },
  { name: 'bad Version', source: 'VER: only 2012-10-17 and 2008-10-17', kind: 'identity', doc: { Version: '2012-10-18', Statement: { Effect: 'Allow', Action: 'a:b', Resource: '*' } }, error: 'INVALID_VERSION' },
  { name: 'unknown condition operator', source: 'OPS: operators are a fixed list', kind: 'identity', doc: withCondition({ StringEqualsAny: { 'aws:username': 'a' } }), error: 'UNKNOWN_OPERATOR' },
  { name: 'NullIfExists', source: 'AACHK: Null cannot be used with IfExists', kind: 'identity', doc: withCondition({ NullIfExists: { 'aws:username': 'true' } }), error: 'NULL_IF_EXISTS' },
  { name: 'duplicate Sid', source: 'IAM: Sids must be unique', kind: 'identity', doc: v12({ Sid: 'A', Effect: 'Allow', Action: 'a:b', Resource: '*' }, { Sid: 'A', Effect: 'Allow', Action: 'a:c', Resource: '*' }), error: 'DUPLICATE_SID' },
  { name: 'action without service prefix', source: 'IAM: "Actions/Conditions must be prefaced by a vendor"', kind: 'identity', doc: v12({ Effect: 'Allow', Action: 'GetSecretValue', Resource: '*' }), error: 'ACTION_FORMAT' },
  { name: 'wildcard in the service segment', source: 'RES: no wildcard in the service segment', kind: 'identity', doc: allowSM('arn:aws:*:us-east-1:111122223333:secret:x'), error: 'RESOURCE_VENDOR_WILDCARD' },
  { name: 'multivalued key without qualifier', source: 'AACHK: missing qualifier for multivalued key (accepted by AWS)', kind: 'identity', doc: withCondition({ StringEquals: { 'aws:TagKeys': 'env' } }), warnings: ['MISSING_QUALIFIER'] },
  { name: 'wildcard with StringEquals', source: 'AACHK: "wildcard without like operator"', kind: 'identity', doc: withCondition({ StringEquals: { 'aws:username': 'a*' } }), warnings: ['WILDCARD_WITHOUT_LIKE'] },
  { name: 'ForAllValues on a single-valued key', source: 'AACHK: ForAllValues on single-valued key', kind: 'identity', doc: withCondition({ 'ForAllValues:StringEquals': { 'aws:PrincipalArn': alice.arn } }), warnings: ['FORALLVALUES_SINGLE_VALUED'] },
  { name: 'variable in a 2008 policy', source: 'AACHK: variable in a 2008-10-17 policy', kind: 'identity', doc: { Version: '2008-10-17', Statement: { Effect: 'Allow', Action: 'a:b', Resource: 'arn:aws:s3:::b/${aws:username}' } }, warnings: ['VARIABLE_IN_OLD_VERSION'] },
  { name: 'spaces inside ${ }', source: 'SMEX ABAC "${ aws:PrincipalTag/AccessProject }": trim, accept, warn', kind: 'identity', doc: withCondition({ StringEquals: { 'aws:ResourceTag/p': '${ aws:PrincipalTag/p }' } }), warnings: ['VARIABLE_WITH_SPACES'] },
  { name: 'Allow with NotPrincipal', source: 'NOTPRIN: Allow with NotPrincipal is discouraged', kind: 'resource', doc: v12({ Effect: 'Allow', NotPrincipal: { AWS: alice.arn }, Action: 'a:b', Resource: '*' }), warnings: ['ALLOW_NOTPRINCIPAL'] },
  { name: 'NumericEquals "10abc"', source: 'OPS: numeric values are integers or decimals', kind: 'identity', doc: withCondition({ NumericEquals: { 's:n': '10abc' } }), error: 'CONDITION_VALUE_FORMAT' },
  { name: 'invalid CIDR', source: 'OPS: IpAddress takes CIDR blocks', kind: 'identity', doc: withCondition({ IpAddress: { 'aws:SourceIp': '10.0.0.0/33' } }), error: 'CONDITION_VALUE_FORMAT' },
];

// ------------------------------------------------------------------------------------------

for (const c of cases) {
  test(`eval: ${c.name} [${c.source}]`, () => {
    const lenient = c.lenient ?? false;
    const result = evaluate({
      principal: c.principal ?? alice,
      action: c.action,
      resource: c.resource,
      context: c.context ?? {},
      identityPolicies: (c.identity ?? []).map((d, i) => ref(`identity-${i}`, d, 'identity', lenient)),
      resourcePolicy: c.resourcePolicy === undefined ? undefined : ref('resource', c.resourcePolicy, 'resource', lenient),
      permissionsBoundary: c.boundary === undefined ? undefined : ref('boundary', c.boundary, 'identity', lenient),
      sessionPolicies: c.session?.map((d, i) => ref(`session-${i}`, d, 'identity', lenient)),
      serviceControlPolicies: c.scp?.map((level, l) => level.map((d, i) => ref(`scp-${l}-${i}`, d, 'identity', lenient))),
      resourceControlPolicies: c.rcp?.map((level, l) => level.map((d, i) => ref(`rcp-${l}-${i}`, d, 'resource', lenient))),
    });
    assert.equal(result.decision, c.expect, result.reason);
    if (c.deniedBy !== undefined) assert.equal(result.deniedBy, c.deniedBy);
  });
}

for (const c of trustCases) {
  test(`trust: ${c.name} [${c.source}]`, () => {
    const result = evaluateTrust({
      principal: c.principal,
      roleArn: c.roleArn ?? ROLE,
      trustPolicy: ref('trust', c.trust, 'trust'),
      identityPolicies: (c.identity ?? []).map((d, i) => ref(`identity-${i}`, d, 'identity')),
      context: c.context ?? {},
    });
    assert.equal(result.decision, c.expect, result.reason);
    if (c.deniedBy !== undefined) assert.equal(result.deniedBy, c.deniedBy);
  });
}

for (const c of validationCases) {
  test(`validate: ${c.name} [${c.source}]`, () => {
    const findings = validatePolicy(text(c.doc), c.kind);
    const errors = findings.filter((f) => f.severity === 'error');
    if (c.error === undefined) {
      assert.deepEqual(errors, []);
    } else {
      assert.equal(errors[0]?.check, c.error, JSON.stringify(findings));
      assert.throws(() => parsePolicy(text(c.doc), { kind: c.kind }), (e: unknown) => {
        assert.ok(e instanceof PolicyValidationError);
        if (c.awsMessage !== undefined) assert.equal(e.message, c.awsMessage);
        return true;
      });
    }
    for (const w of c.warnings ?? []) assert.ok(findings.some((f) => f.check === w), `${w} missing from ${JSON.stringify(findings)}`);
  });
}

test('the conformance table has at least 150 cases', () => {
  assert.ok(cases.length + trustCases.length + validationCases.length >= 150, String(cases.length + trustCases.length + validationCases.length));
});
