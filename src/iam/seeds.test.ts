/**
 * The seed documents (shared/seeds/000–004: AWS's pages on rotation permissions and on
 * identity-based policies for Secrets Manager) are issue 3's acceptance text. Every policy
 * example in them is quoted here VERBATIM, beside the sentence that says what it does, and the
 * first tests check both quotes against the seed files themselves. Each example is then:
 * - validated as written (`validatePolicy`): faulty text (placeholders, a `{"Policy": …}`
 *   wrapper, an action that does not exist, an ARN without the six-character suffix) must give
 *   findings that point at the fault;
 * - evaluated as written (leniently compiled, as AWS would treat the stored text): placeholders
 *   are compared as literal text and match no real resource;
 * - evaluated with the placeholders filled in, against the requests the sentence says are
 *   allowed or denied.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { evaluate } from './evaluate.ts';
import { parsePolicy, validatePolicy } from './parse-policy.ts';
import type { ContextValues, Decision, PolicyKind, RequestPrincipal } from './policy-types.ts';
import {
  S000_FUNCTION_POLICY,
  S000_SINGLE_USER,
  S000_MASTER_USER,
  S001_FUNCTION_POLICY,
  S001_SINGLE_USER,
  S001_ALTERNATING,
  S001_KMS_STATEMENT,
  S002_FUNCTION_POLICY,
  S002_SINGLE_USER,
  S002_MASTER_USER,
  S003_ONE_SECRET,
  S003_READ_ONLY,
  S003_BY_NAME,
  S003_TAG,
  S003_STAGE,
  S003_MASTER_STATEMENT,
} from './seed-examples.ts';

const SEEDS = new URL('../../../shared/seeds/', import.meta.url);
const SEED_FILES: Readonly<Record<string, string>> = {
  '000': '000_32a6cf6bc2a2570e.txt',
  '001': '001_e47ea70528551451.txt',
  '002': '002_19957e110e6c6dfc.txt',
  '003': '003_f5bcbba36a841a8e.txt',
  '004': '004_5b6738d4103b6d6f.txt',
};

// ------------------------------------------------------------------------------------------
// The examples, verbatim (copied from the seed files; the first tests check that they still are).



// ------------------------------------------------------------------------------------------

const A = '111122223333';
const B = '444455556666';
const REGION = 'us-east-1';
const secret = (name: string, account = A, region = REGION) => `arn:aws:secretsmanager:${region}:${account}:secret:${name}`;
const LAMBDA = `arn:aws:lambda:${REGION}:${A}:function:SecretsManagerRotation`;
const OTHER_LAMBDA = `arn:aws:lambda:${REGION}:${A}:function:SomethingElse`;
const KEY = `arn:aws:kms:${REGION}:${A}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const ROTATED = secret('prod/db-a1b2c3');
const MASTER = secret('prod/master-x9y8z7');
const SEPARATE = secret('prod/separate-q1w2e3');

const smService: RequestPrincipal = { type: 'Service', arn: 'secretsmanager.amazonaws.com', accountId: '' };
const lambdaService: RequestPrincipal = { type: 'Service', arn: 'lambda.amazonaws.com', accountId: '' };
const alice: RequestPrincipal = { type: 'IAMUser', arn: `arn:aws:iam::${A}:user/alice`, accountId: A, username: 'alice', userId: 'AIDAALICE' };
const rotationRole: RequestPrincipal = {
  type: 'AssumedRole',
  arn: `arn:aws:sts::${A}:assumed-role/SecretsManagerRotationRole/SecretsManagerRotation`,
  roleArn: `arn:aws:iam::${A}:role/SecretsManagerRotationRole`,
  accountId: A,
  userId: 'AROAROTATION:SecretsManagerRotation',
};
const app: RequestPrincipal = { type: 'AssumedRole', arn: `arn:aws:sts::${A}:assumed-role/app/s1`, roleArn: `arn:aws:iam::${A}:role/app`, accountId: A, userId: 'AROAAPP:s1' };

/** Context of a call by the rotation function on a secret it rotates (what coffer's service layer supplies). */
const rotating = (lambda = LAMBDA, sourceAccount: string | null = A): ContextValues => ({
  'secretsmanager:resource/AllowRotationLambdaArn': lambda,
  ...(sourceAccount === null ? {} : { 'aws:SourceAccount': sourceAccount }),
  'secretsmanager:SecretId': ROTATED,
  'secretsmanager:VersionStage': ['AWSCURRENT'],
});

interface Request {
  readonly says: string;
  readonly principal: RequestPrincipal;
  readonly action: string;
  readonly resource: string;
  readonly context?: ContextValues;
  readonly expect: Decision;
}

interface SeedExample {
  readonly name: string;
  readonly seed: keyof typeof SEED_FILES;
  /** The sentence of the seed that says what the example does (checked against the file). */
  readonly sentence: string;
  /** The example as printed. */
  readonly text: string;
  /** Statement snippets are wrapped in a 2012-10-17 policy to be evaluated. */
  readonly statement?: boolean;
  readonly kind: PolicyKind;
  /** Placeholder → value, for the filled-in evaluation. */
  readonly fill: Readonly<Record<string, string>>;
  /** Validation of the text as written: the first error (check and path), or none. */
  readonly error?: { readonly check: string; readonly path: string };
  /** Warning checks the text as written must produce (with the path they point at). */
  readonly warnings?: readonly { readonly check: string; readonly path?: string }[];
  /** Requests against the filled-in policy. */
  readonly requests: readonly Request[];
  /** Requests against the literal text (compiled leniently, as stored). */
  readonly literal?: readonly Request[];
}

const ROTATION_ROLE_REQUESTS = (seedNo: string, detach: boolean): Request[] => [
  { says: `${seedNo}: "grants permission for the function to run Secrets Manager operations" on a secret it rotates`, principal: rotationRole, action: 'secretsmanager:GetSecretValue', resource: ROTATED, context: rotating(), expect: 'Allow' },
  { says: 'PutSecretValue on a secret it rotates', principal: rotationRole, action: 'secretsmanager:PutSecretValue', resource: ROTATED, context: rotating(), expect: 'Allow' },
  { says: 'UpdateSecretVersionStage on a secret it rotates', principal: rotationRole, action: 'secretsmanager:UpdateSecretVersionStage', resource: ROTATED, context: rotating(), expect: 'Allow' },
  { says: 'DescribeSecret on a secret it rotates', principal: rotationRole, action: 'secretsmanager:DescribeSecret', resource: ROTATED, context: rotating(), expect: 'Allow' },
  { says: '"the Condition element restricts this to only secrets configured with this Lambda function ARN": another function\'s secret', principal: rotationRole, action: 'secretsmanager:GetSecretValue', resource: ROTATED, context: rotating(OTHER_LAMBDA), expect: 'ImplicitDeny' },
  { says: 'a secret without rotation has no AllowRotationLambdaArn: denied', principal: rotationRole, action: 'secretsmanager:GetSecretValue', resource: ROTATED, context: { 'aws:SourceAccount': A }, expect: 'ImplicitDeny' },
  { says: 'operations outside the four listed are not granted (DeleteSecret)', principal: rotationRole, action: 'secretsmanager:DeleteSecret', resource: ROTATED, context: rotating(), expect: 'ImplicitDeny' },
  { says: '"The second statement allows one additional Secrets Manager operation that doesn\'t require the condition"', principal: rotationRole, action: 'secretsmanager:GetRandomPassword', resource: '*', expect: 'Allow' },
  { says: '"The third statement enables Lambda to set up the required configuration ... in a VPC"', principal: rotationRole, action: 'ec2:CreateNetworkInterface', resource: '*', expect: 'Allow' },
  { says: 'the VPC statement lists DescribeNetworkInterfaces', principal: rotationRole, action: 'ec2:DescribeNetworkInterfaces', resource: '*', expect: 'Allow' },
  { says: detach ? 'this version of the VPC statement lists ec2:DetachNetworkInterface' : 'this version of the VPC statement does not list ec2:DetachNetworkInterface', principal: rotationRole, action: 'ec2:DetachNetworkInterface', resource: '*', expect: detach ? 'Allow' : 'ImplicitDeny' },
];
const MASTER_REQUESTS: Request[] = [
  { says: '"The fourth statement enables the function to retrieve the credentials in the master secret" (no rotation condition)', principal: rotationRole, action: 'secretsmanager:GetSecretValue', resource: MASTER, expect: 'Allow' },
  { says: 'only retrieve: no PutSecretValue on the master secret', principal: rotationRole, action: 'secretsmanager:PutSecretValue', resource: MASTER, expect: 'ImplicitDeny' },
  { says: 'no other secret without the condition', principal: rotationRole, action: 'secretsmanager:GetSecretValue', resource: secret('prod/other-a1b2c3'), expect: 'ImplicitDeny' },
];
const FUNCTION_POLICY_REQUESTS = (withSourceAccount: boolean): Request[] => [
  { says: '"allow Secrets Manager to ... [invoke] ..., as identified by the service principal: secretsmanager.amazonaws.com"', principal: smService, action: 'lambda:InvokeFunction', resource: LAMBDA, context: { 'aws:SourceAccount': A, 'aws:SourceArn': ROTATED }, expect: 'Allow' },
  { says: 'another service principal may not invoke', principal: lambdaService, action: 'lambda:InvokeFunction', resource: LAMBDA, context: { 'aws:SourceAccount': A }, expect: 'ImplicitDeny' },
  { says: '"can invoke only the Lambda function associated with the role": another function', principal: smService, action: 'lambda:InvokeFunction', resource: OTHER_LAMBDA, context: { 'aws:SourceAccount': A }, expect: 'ImplicitDeny' },
  { says: 'only lambda:InvokeFunction', principal: smService, action: 'lambda:UpdateFunctionCode', resource: LAMBDA, context: { 'aws:SourceAccount': A }, expect: 'ImplicitDeny' },
  { says: 'an IAM user is not the service principal', principal: alice, action: 'lambda:InvokeFunction', resource: LAMBDA, expect: 'ImplicitDeny' },
  ...(withSourceAccount
    ? ([
        { says: '"include the context key aws:SourceAccount to help prevent AWS Lambda from being used as a confused deputy": a secret of another account', principal: smService, action: 'lambda:InvokeFunction', resource: LAMBDA, context: { 'aws:SourceAccount': B, 'aws:SourceArn': secret('x-a1b2c3', B) }, expect: 'ImplicitDeny' },
        { says: 'no aws:SourceAccount on the call: denied', principal: smService, action: 'lambda:InvokeFunction', resource: LAMBDA, expect: 'ImplicitDeny' },
        { says: '"include only the context key aws:SourceAccount so that you can use the rotation function for multiple secrets"', principal: smService, action: 'lambda:InvokeFunction', resource: LAMBDA, context: { 'aws:SourceAccount': A, 'aws:SourceArn': secret('another-zzzzzz') }, expect: 'Allow' },
      ] satisfies Request[])
    : ([{ says: 'without a condition, any account\'s secret may use the function (the confused deputy the later page warns about)', principal: smService, action: 'lambda:InvokeFunction', resource: LAMBDA, context: { 'aws:SourceAccount': B }, expect: 'Allow' }] satisfies Request[])),
];
const LAMBDA_PLACEHOLDER = '<arn of the Lambda function that this trust policy is attached to - must match exactly>';
const literalNoMatch = (says: string, r: Omit<Request, 'says' | 'expect'>): Request => ({ says, ...r, expect: 'ImplicitDeny' });

const EXAMPLES: SeedExample[] = [
  {
    name: 'seed 000: Lambda function policy (trust for secretsmanager.amazonaws.com)',
    seed: '000',
    sentence: 'Anyone who assumes the role can invoke only the Lambda function associated with the role.',
    text: S000_FUNCTION_POLICY,
    kind: 'resource',
    fill: { [LAMBDA_PLACEHOLDER]: LAMBDA },
    error: { check: 'RESOURCE_FORMAT', path: 'Statement[0].Resource' },
    warnings: [{ check: 'SID_FORMAT', path: 'Statement[0].Sid' }, { check: 'SERVICE_PRINCIPAL_WITHOUT_SOURCE' }],
    requests: FUNCTION_POLICY_REQUESTS(false),
    literal: [literalNoMatch('the placeholder Resource is literal text and matches no function', { principal: smService, action: 'lambda:InvokeFunction', resource: LAMBDA })],
  },
  {
    name: 'seed 000: single user rotation (no Version element)',
    seed: '000',
    sentence: 'However, the `Condition` element restricts this to only secrets configured with this Lambda function ARN as the secret rotation Lambda function\\.',
    text: S000_SINGLE_USER,
    kind: 'identity',
    fill: { '<lambda_arn>': LAMBDA },
    warnings: [{ check: 'MISSING_VERSION' }],
    requests: ROTATION_ROLE_REQUESTS('seed 000', false),
    literal: [literalNoMatch('"<lambda_arn>" is compared as text: no real function matches', { principal: rotationRole, action: 'secretsmanager:GetSecretValue', resource: ROTATED, context: rotating() })],
  },
  {
    name: 'seed 000: master user rotation (no Version element)',
    seed: '000',
    sentence: 'The fourth statement enables the function to retrieve the credentials in the master secret.',
    text: S000_MASTER_USER,
    kind: 'identity',
    fill: { '<lambda_arn>': LAMBDA, '<master_arn>': MASTER },
    error: { check: 'RESOURCE_FORMAT', path: 'Statement[3].Resource' },
    warnings: [{ check: 'MISSING_VERSION' }],
    requests: [...ROTATION_ROLE_REQUESTS('seed 000 master', false), ...MASTER_REQUESTS],
    literal: [literalNoMatch('"<master_arn>" matches no secret', { principal: rotationRole, action: 'secretsmanager:GetSecretValue', resource: MASTER })],
  },
  {
    name: 'seed 001: Lambda function resource policy with aws:SourceAccount',
    seed: '001',
    sentence: 'The following policy allows Secrets Manager to invoke the Lambda function specified in the `Resource`\\.',
    text: S001_FUNCTION_POLICY,
    kind: 'resource',
    fill: { LambdaRotationFunctionARN: LAMBDA },
    error: { check: 'RESOURCE_FORMAT', path: 'Statement[0].Resource' },
    requests: FUNCTION_POLICY_REQUESTS(true),
    literal: [literalNoMatch('Resource "LambdaRotationFunctionARN" matches no function', { principal: smService, action: 'lambda:InvokeFunction', resource: LAMBDA, context: { 'aws:SourceAccount': A } })],
  },
  {
    name: 'seed 001: execution role inline policy, single user strategy',
    seed: '001',
    sentence: 'Run Secrets Manager operations for secrets that are configured to use this rotation function\\.',
    text: S001_SINGLE_USER,
    kind: 'identity',
    fill: { SecretARN: ROTATED, LambdaRotationFunctionARN: LAMBDA },
    error: { check: 'RESOURCE_FORMAT', path: 'Statement[0].Resource' },
    requests: [
      ...ROTATION_ROLE_REQUESTS('seed 001', true),
      { says: 'both keys of the StringEquals block are ANDed: no aws:SourceAccount on the call', principal: rotationRole, action: 'secretsmanager:GetSecretValue', resource: ROTATED, context: rotating(LAMBDA, null), expect: 'ImplicitDeny' },
      { says: 'aws:SourceAccount of another account', principal: rotationRole, action: 'secretsmanager:GetSecretValue', resource: ROTATED, context: rotating(LAMBDA, B), expect: 'ImplicitDeny' },
      { says: 'Resource "SecretARN" names one secret: another secret rotated by the same function is not covered', principal: rotationRole, action: 'secretsmanager:GetSecretValue', resource: secret('prod/other-a1b2c3'), context: rotating(), expect: 'ImplicitDeny' },
      { says: '"Create a new password"', principal: rotationRole, action: 'secretsmanager:GetRandomPassword', resource: '*', expect: 'Allow' },
    ],
    literal: [literalNoMatch('Resource "SecretARN" matches no secret', { principal: rotationRole, action: 'secretsmanager:GetSecretValue', resource: ROTATED, context: rotating() })],
  },
  {
    name: 'seed 001: execution role inline policy, alternating users strategy',
    seed: '001',
    sentence: 'Retrieve the credentials in the separate secret\\.',
    text: S001_ALTERNATING,
    kind: 'identity',
    fill: { SeparateSecretARN: SEPARATE, SecretARN: ROTATED, LambdaRotationFunctionARN: LAMBDA },
    error: { check: 'RESOURCE_FORMAT', path: 'Statement[0].Resource' },
    requests: [
      ...ROTATION_ROLE_REQUESTS('seed 001 alternating', true),
      { says: '"Retrieve the credentials in the separate secret"', principal: rotationRole, action: 'secretsmanager:GetSecretValue', resource: SEPARATE, expect: 'Allow' },
      { says: 'only retrieve: no PutSecretValue on the separate secret', principal: rotationRole, action: 'secretsmanager:PutSecretValue', resource: SEPARATE, expect: 'ImplicitDeny' },
    ],
    literal: [literalNoMatch('Resource "SeparateSecretARN" matches no secret', { principal: rotationRole, action: 'secretsmanager:GetSecretValue', resource: SEPARATE })],
  },
  {
    name: 'seed 001: statement for a customer managed key',
    seed: '001',
    sentence: 'If you use a KMS key other than the AWS managed key `aws/secretsmanager` to encrypt your secret, then you need to grant the Lambda execution role permission to use the key\\.',
    text: S001_KMS_STATEMENT,
    statement: true,
    kind: 'identity',
    fill: {},
    requests: [
      { says: 'kms:Decrypt of the secret\'s key, called through Secrets Manager (kms:ViaService)', principal: rotationRole, action: 'kms:Decrypt', resource: KEY, context: { 'kms:ViaService': `secretsmanager.${REGION}.amazonaws.com`, 'kms:EncryptionContext:SecretARN': ROTATED }, expect: 'Allow' },
      { says: 'kms:GenerateDataKey (PutSecretValue encrypts a new version)', principal: rotationRole, action: 'kms:GenerateDataKey', resource: KEY, context: { 'kms:ViaService': `secretsmanager.${REGION}.amazonaws.com` }, expect: 'Allow' },
      { says: 'the statement has no kms:ViaService condition: a direct call is allowed too', principal: rotationRole, action: 'kms:Decrypt', resource: KEY, expect: 'Allow' },
      { says: 'only Decrypt and GenerateDataKey: not kms:Encrypt', principal: rotationRole, action: 'kms:Encrypt', resource: KEY, expect: 'ImplicitDeny' },
      { says: 'not kms:ScheduleKeyDeletion', principal: rotationRole, action: 'kms:ScheduleKeyDeletion', resource: KEY, expect: 'ImplicitDeny' },
    ],
  },
  {
    name: 'seed 002: Lambda function resource-based policy',
    seed: '002',
    sentence: 'Anyone who assumes the role can invoke *only* the Lambda function associated with the role\\.',
    text: S002_FUNCTION_POLICY,
    kind: 'resource',
    fill: { [LAMBDA_PLACEHOLDER]: LAMBDA },
    error: { check: 'RESOURCE_FORMAT', path: 'Statement[0].Resource' },
    warnings: [{ check: 'SID_FORMAT', path: 'Statement[0].Sid' }],
    requests: FUNCTION_POLICY_REQUESTS(false),
    literal: [literalNoMatch('the placeholder Resource matches no function', { principal: smService, action: 'lambda:InvokeFunction', resource: LAMBDA })],
  },
  {
    name: 'seed 002: single user rotation',
    seed: '002',
    sentence: 'The second statement allows one additional Secrets Manager operation that doesn\'t require the condition\\.',
    text: S002_SINGLE_USER,
    kind: 'identity',
    fill: { '<lambda_arn>': LAMBDA },
    requests: ROTATION_ROLE_REQUESTS('seed 002', false),
    literal: [literalNoMatch('"<lambda_arn>" matches no real function', { principal: rotationRole, action: 'secretsmanager:PutSecretValue', resource: ROTATED, context: rotating() })],
  },
  {
    name: 'seed 002: master user rotation',
    seed: '002',
    sentence: 'The fourth statement enables the function to retrieve the credentials in the master secret\\.',
    text: S002_MASTER_USER,
    kind: 'identity',
    fill: { '<lambda_arn>': LAMBDA, '<master_arn>': MASTER },
    error: { check: 'RESOURCE_FORMAT', path: 'Statement[3].Resource' },
    requests: [...ROTATION_ROLE_REQUESTS('seed 002 master', false), ...MASTER_REQUESTS],
  },
  {
    name: 'seed 003: consuming application, read access to one secret',
    seed: '003',
    sentence: 'You typically would also specify the Amazon Resource Name (ARN) of the secret to restrict access to only that one secret.',
    text: S003_ONE_SECRET,
    kind: 'identity',
    fill: { '<arn-of-the-secret-the-app-needs-to-access>': ROTATED },
    error: { check: 'RESOURCE_FORMAT', path: 'Statement.Resource' },
    requests: [
      { says: '"the action that allows retrieval of the encrypted secret value"', principal: app, action: 'secretsmanager:GetSecretValue', resource: ROTATED, expect: 'Allow' },
      { says: '"restrict access to only that one secret"', principal: app, action: 'secretsmanager:GetSecretValue', resource: secret('prod/other-a1b2c3'), expect: 'ImplicitDeny' },
      { says: '"a very limited set of permissions": not DescribeSecret', principal: app, action: 'secretsmanager:DescribeSecret', resource: ROTATED, expect: 'ImplicitDeny' },
    ],
  },
  {
    name: 'seed 003: read-only with Describe*, Get*, List*',
    seed: '003',
    sentence: 'you can use wildcard (*) characters to grant only the Describe*, Get*, and List* permissions, which essentially provides read-only access to your secrets',
    text: S003_READ_ONLY,
    kind: 'identity',
    fill: {},
    requests: [
      { says: 'Get* → GetSecretValue', principal: alice, action: 'secretsmanager:GetSecretValue', resource: ROTATED, expect: 'Allow' },
      { says: 'Describe* → DescribeSecret', principal: alice, action: 'secretsmanager:DescribeSecret', resource: ROTATED, expect: 'Allow' },
      { says: 'List* → ListSecrets (resource *)', principal: alice, action: 'secretsmanager:ListSecrets', resource: '*', expect: 'Allow' },
      { says: 'List* → ListSecretVersionIds', principal: alice, action: 'secretsmanager:ListSecretVersionIds', resource: ROTATED, expect: 'Allow' },
      { says: 'Get* → GetRandomPassword, GetResourcePolicy', principal: alice, action: 'secretsmanager:GetResourcePolicy', resource: ROTATED, expect: 'Allow' },
      { says: 'read-only: not PutSecretValue', principal: alice, action: 'secretsmanager:PutSecretValue', resource: ROTATED, expect: 'ImplicitDeny' },
      { says: 'read-only: not UpdateSecret', principal: alice, action: 'secretsmanager:UpdateSecret', resource: ROTATED, expect: 'ImplicitDeny' },
      { says: 'read-only: not DeleteSecret', principal: alice, action: 'secretsmanager:DeleteSecret', resource: ROTATED, expect: 'ImplicitDeny' },
      { says: '"your secrets": a secret of another account needs its resource policy too', principal: alice, action: 'secretsmanager:GetSecretValue', resource: secret('theirs-a1b2c3', B), expect: 'ImplicitDeny' },
    ],
  },
  {
    name: 'seed 003: a single secret by name, and "another_secret_name-??????"',
    seed: '003',
    sentence: 'the second statement allows the user to perform any Secrets Manager actions on only a single, specified secret by name—or on any secret that begins with the string "another_secret_name-" followed by exactly 6 characters',
    text: S003_BY_NAME,
    kind: 'identity',
    fill: { '<region>': REGION, '<account-id-number>': A },
    warnings: [{ check: 'ARN_REGION_FORMAT', path: 'Statement[1].Resource' }, { check: 'ARN_ACCOUNT_FORMAT', path: 'Statement[1].Resource' }],
    requests: [
      { says: '"grants the user read access to the metadata about all of the secrets in the account"', principal: alice, action: 'secretsmanager:DescribeSecret', resource: secret('unrelated-zzzzzz'), expect: 'Allow' },
      { says: 'List* on every secret', principal: alice, action: 'secretsmanager:ListSecrets', resource: '*', expect: 'Allow' },
      { says: 'not GetSecretValue on other secrets', principal: alice, action: 'secretsmanager:GetSecretValue', resource: secret('unrelated-zzzzzz'), expect: 'ImplicitDeny' },
      { says: '"any Secrets Manager actions" on a_specific_secret_name-a1b2c3', principal: alice, action: 'secretsmanager:DeleteSecret', resource: secret('a_specific_secret_name-a1b2c3'), expect: 'Allow' },
      { says: 'the full ARN: a re-created a_specific_secret_name has another suffix', principal: alice, action: 'secretsmanager:DeleteSecret', resource: secret('a_specific_secret_name-b2c3d4'), expect: 'ImplicitDeny' },
      { says: '"followed by exactly 6 characters"', principal: alice, action: 'secretsmanager:GetSecretValue', resource: secret('another_secret_name-x1y2z3'), expect: 'Allow' },
      { says: 'five characters do not match "??????"', principal: alice, action: 'secretsmanager:GetSecretValue', resource: secret('another_secret_name-x1y2z'), expect: 'ImplicitDeny' },
      { says: 'seven characters do not match "??????"', principal: alice, action: 'secretsmanager:GetSecretValue', resource: secret('another_secret_name-x1y2z3w'), expect: 'ImplicitDeny' },
      { says: '"it matches not just the intended secret ... but it also matches another_secret_name-<anything-here>a1b2c3" — only with "*", not with "??????"', principal: alice, action: 'secretsmanager:GetSecretValue', resource: secret('another_secret_name-anything-here-a1b2c3'), expect: 'ImplicitDeny' },
      { says: '"if you delete the secret and recreate it with the same name, the user automatically receives permission to the new secret"', principal: alice, action: 'secretsmanager:GetSecretValue', resource: secret('another_secret_name-Zz9Yy8'), expect: 'Allow' },
      { says: 'the region is part of the ARN', principal: alice, action: 'secretsmanager:GetSecretValue', resource: secret('another_secret_name-x1y2z3', A, 'eu-west-1'), expect: 'ImplicitDeny' },
    ],
    literal: [literalNoMatch('"<region>" and "<account-id-number>" are literal text', { principal: alice, action: 'secretsmanager:GetSecretValue', resource: secret('another_secret_name-x1y2z3') })],
  },
  {
    name: 'seed 003: a secret with tag ServerName = ServerABC',
    seed: '003',
    sentence: 'allows the user to run GetSecret on any secret in the current account whose metadata contains a tag with the key "ServerName" and the value "ServerABC".',
    text: S003_TAG,
    kind: 'identity',
    fill: {},
    requests: [
      { says: 'the policy\'s action, DescribeSecret, on a secret tagged ServerName=ServerABC', principal: alice, action: 'secretsmanager:DescribeSecret', resource: ROTATED, context: { 'secretsmanager:ResourceTag/ServerName': 'ServerABC', 'aws:ResourceTag/ServerName': 'ServerABC' }, expect: 'Allow' },
      { says: 'tag value ServerXYZ', principal: alice, action: 'secretsmanager:DescribeSecret', resource: ROTATED, context: { 'secretsmanager:ResourceTag/ServerName': 'ServerXYZ' }, expect: 'ImplicitDeny' },
      { says: 'untagged secret', principal: alice, action: 'secretsmanager:DescribeSecret', resource: ROTATED, expect: 'ImplicitDeny' },
      { says: 'a tag key in another case is the same key (key names are case-insensitive)', principal: alice, action: 'secretsmanager:DescribeSecret', resource: ROTATED, context: { 'secretsmanager:ResourceTag/servername': 'ServerABC' }, expect: 'Allow' },
      { says: 'StringEquals is case-sensitive on the value', principal: alice, action: 'secretsmanager:DescribeSecret', resource: ROTATED, context: { 'secretsmanager:ResourceTag/ServerName': 'serverabc' }, expect: 'ImplicitDeny' },
      { says: '"GetSecret" in the text is not the policy\'s action: GetSecretValue is not allowed', principal: alice, action: 'secretsmanager:GetSecretValue', resource: ROTATED, context: { 'secretsmanager:ResourceTag/ServerName': 'ServerABC' }, expect: 'ImplicitDeny' },
      { says: '"in the current account": a tagged secret of another account needs its resource policy', principal: alice, action: 'secretsmanager:DescribeSecret', resource: secret('theirs-a1b2c3', B), context: { 'secretsmanager:ResourceTag/ServerName': 'ServerABC' }, expect: 'ImplicitDeny' },
    ],
  },
  {
    name: 'seed 003: the version with staging label AWSCURRENT ({"Policy": …} wrapper, action GetSecret)',
    seed: '003',
    sentence: 'ForAnyValue:StringLike says that if any one of the staging labels attached to the version being evaluated matches the string AWSCURRENT, then the statement matches, and the Effect is applied.',
    text: S003_STAGE,
    kind: 'identity',
    fill: {},
    error: { check: 'UNKNOWN_ELEMENT', path: 'Policy' },
    requests: [],
    literal: [
      literalNoMatch('as written the document has no top-level Statement: nothing is allowed', { principal: alice, action: 'secretsmanager:GetSecretValue', resource: secret('Prod/db-a1b2c3'), context: { 'secretsmanager:VersionStage': ['AWSCURRENT'] } }),
      literalNoMatch('not even the misspelt action', { principal: alice, action: 'secretsmanager:GetSecret', resource: secret('Prod/db-a1b2c3'), context: { 'secretsmanager:VersionStage': ['AWSCURRENT'] } }),
    ],
  },
  {
    name: 'seed 003: JSON editor statement for the master secret (no six-character suffix)',
    seed: '003',
    sentence: 'After you finish configuring rotation in the console, you must manually perform the following steps to grant the Lambda function access to the master secret.',
    text: S003_MASTER_STATEMENT,
    statement: true,
    kind: 'identity',
    fill: {},
    warnings: [{ check: 'SECRET_ARN_WITHOUT_SUFFIX', path: 'Statement[0].Resource' }],
    requests: [
      { says: 'as written, the ARN names a secret without its "-xxxxxx" suffix, which no real secret ARN has', principal: rotationRole, action: 'secretsmanager:GetSecretValue', resource: secret('MyDatabaseMasterSecret-a1b2c3', '123456789012', 'region'), expect: 'ImplicitDeny' },
      { says: 'it would only match an ARN equal to the text', principal: { ...rotationRole, accountId: '123456789012' }, action: 'secretsmanager:GetSecretValue', resource: 'arn:aws:secretsmanager:region:123456789012:secret:MyDatabaseMasterSecret', expect: 'Allow' },
    ],
  },
];

/** The seed 003 staging-label example, with its two faults removed one at a time. */
const S003_STAGE_UNWRAPPED = S003_STAGE.slice('{ "Policy": '.length, -' }'.length);
const S003_STAGE_CORRECTED = S003_STAGE_UNWRAPPED.replace('"secretsmanager:GetSecret"', '"secretsmanager:GetSecretValue"');

// ------------------------------------------------------------------------------------------

const seedText = new Map<string, string>();
function seedFile(seed: string): string {
  let t = seedText.get(seed);
  if (t === undefined) {
    t = readFileSync(new URL(SEED_FILES[seed], SEEDS), 'utf8');
    seedText.set(seed, t);
  }
  return t;
}
/** Markdown escapes and spacing removed, for comparing prose. */
const prose = (s: string) => s.replace(/\\(.)/g, '$1').replace(/\*\*|`/g, '').replace(/\s+/g, ' ');
const wrap = (statement: string) => `{ "Version": "2012-10-17", "Statement": [ ${statement} ] }`;
const fillIn = (t: string, values: Readonly<Record<string, string>>) => Object.entries(values).reduce((acc, [k, v]) => acc.split(k).join(v), t);

function decide(text: string, kind: PolicyKind, strict: boolean, r: Request) {
  const policy = parsePolicy(text, { kind, strict });
  return evaluate({
    principal: r.principal,
    action: r.action,
    resource: r.resource,
    context: r.context ?? {},
    ...(kind === 'resource' ? { resourcePolicy: { id: 'seed', policy } } : { identityPolicies: [{ id: 'seed', policy }] }),
  });
}

for (const ex of EXAMPLES) {
  const docText = ex.statement === true ? wrap(ex.text) : ex.text;
  test(`${ex.name}: quoted verbatim from seed ${ex.seed}, with its sentence`, () => {
    assert.ok(seedFile(ex.seed).includes(ex.text), 'the policy text is not in the seed file as written');
    assert.ok(prose(seedFile(ex.seed)).includes(prose(ex.sentence)), `sentence not found in seed ${ex.seed}: ${ex.sentence}`);
  });
  test(`${ex.name}: validation findings point at the fault`, () => {
    const findings = validatePolicy(docText, ex.kind);
    const errors = findings.filter((f) => f.severity === 'error');
    if (ex.error === undefined) assert.deepEqual(errors, []);
    else {
      assert.equal(errors[0]?.check, ex.error.check, JSON.stringify(findings));
      assert.equal(errors[0]?.path, ex.error.path, JSON.stringify(findings));
      assert.throws(() => parsePolicy(docText, { kind: ex.kind }));
    }
    for (const w of ex.warnings ?? []) {
      const hit = findings.find((f) => f.check === w.check && (w.path === undefined || f.path === w.path));
      assert.ok(hit, `${w.check} at ${w.path ?? '(any)'} missing from ${JSON.stringify(findings)}`);
    }
  });
  for (const r of ex.literal ?? []) {
    test(`${ex.name}, as written: ${r.says}`, () => {
      const result = decide(docText, ex.kind, false, r);
      assert.equal(result.decision, r.expect, result.reason);
    });
  }
  const filled = fillIn(docText, ex.fill);
  for (const r of ex.requests) {
    test(`${ex.name}: ${r.says}`, () => {
      const result = decide(filled, ex.kind, true, r);
      assert.equal(result.decision, r.expect, result.reason);
    });
  }
}

// The seed 003 staging-label example with its faults removed one at a time.
const stage = (labels: readonly string[] | undefined, action = 'secretsmanager:GetSecretValue', name = 'Prod/db-a1b2c3'): Request => ({
  says: '', principal: alice, action, resource: secret(name), expect: 'Allow', ...(labels === undefined ? {} : { context: { 'secretsmanager:VersionStage': labels } }),
});
test('seed 003 staging label, unwrapped: "secretsmanager:GetSecret" is flagged as an action that does not exist', () => {
  const findings = validatePolicy(S003_STAGE_UNWRAPPED, 'identity');
  assert.deepEqual(findings.filter((f) => f.severity === 'error'), []);
  assert.ok(findings.some((f) => f.check === 'UNDEFINED_ACTION' && f.path === 'Statement[0].Action'), JSON.stringify(findings));
});
test('seed 003 staging label, unwrapped: GetSecret matches no real action, so GetSecretValue stays denied', () => {
  assert.equal(decide(S003_STAGE_UNWRAPPED, 'identity', true, stage(['AWSCURRENT'])).decision, 'ImplicitDeny');
});
test('seed 003 staging label, corrected: no findings at all (ForAnyValue on VersionStage is right)', () => {
  assert.deepEqual(validatePolicy(S003_STAGE_CORRECTED, 'identity').filter((f) => f.severity === 'error'), []);
});
for (const [labels, expect, says] of [
  [['AWSCURRENT'], 'Allow', 'the version labelled AWSCURRENT'],
  [['AWSPENDING', 'AWSCURRENT'], 'Allow', '"a version of a secret can have multiple staging labels attached": AWSPENDING and AWSCURRENT'],
  [['AWSCURRENT', 'MyLabel'], 'Allow', 'AWSCURRENT among custom labels'],
  [['AWSPREVIOUS'], 'ImplicitDeny', 'the previous version'],
  [['AWSPENDING'], 'ImplicitDeny', 'the pending version'],
  [[], 'ImplicitDeny', 'a version with no labels: ForAnyValue over an empty set is false'],
  [undefined, 'ImplicitDeny', 'no VersionStage in the context: ForAnyValue on a missing key is false'],
] as const) {
  test(`seed 003 staging label, corrected: ${says} → ${expect}`, () => {
    const result = decide(S003_STAGE_CORRECTED, 'identity', true, stage(labels as readonly string[] | undefined));
    assert.equal(result.decision, expect, result.reason);
  });
}
test('seed 003 staging label, corrected: "a name that begins with Prod" — Dev/… is not covered', () => {
  assert.equal(decide(S003_STAGE_CORRECTED, 'identity', true, stage(['AWSCURRENT'], undefined, 'Dev/db-a1b2c3')).decision, 'ImplicitDeny');
});
test('seed 003 staging label, corrected: "begins with Prod" is case-sensitive (ARNs are)', () => {
  assert.equal(decide(S003_STAGE_CORRECTED, 'identity', true, stage(['AWSCURRENT'], undefined, 'prod/db-a1b2c3')).decision, 'ImplicitDeny');
});
test('seed 003 staging label: the text\'s ForAnyValue:StringLike reading gives the same answer', () => {
  const like = S003_STAGE_CORRECTED.replace('ForAnyValue:StringEquals', 'ForAnyValue:StringLike');
  assert.equal(decide(like, 'identity', true, stage(['AWSPENDING', 'AWSCURRENT'])).decision, 'Allow');
  assert.equal(decide(like, 'identity', true, stage(['AWSPREVIOUS'])).decision, 'ImplicitDeny');
});

test('seed 004 has no policy example: every example quoted here comes from seeds 000–003', () => {
  assert.ok(!/"Statement"/.test(seedFile('004')));
  assert.equal(new Set(EXAMPLES.map((e) => e.seed)).size, 4);
});
