/**
 * Key policies: the default one CreateKey gives, the AWS managed key's, and the checks
 * CreateKey/PutKeyPolicy run on a policy a caller sends. The grammar is the IAM policy
 * language's (parsed by src/iam exactly as the authorizer evaluates it); KMS words some
 * rejections its own way, and refuses principals that do not exist.
 */
import { AwsError } from '../../errors.ts';
import { parsePolicy, PolicyValidationError, type CompiledPolicy } from '../../iam/index.ts';

/**
 * AWS returns policies it wrote (the default key policy, an AWS managed key's) in Jackson's
 * pretty-printed form: two-space indent, `"key" : value`, arrays inline as `[ a, b ]`.
 * Reproduced so GetKeyPolicy output matches AWS byte for byte.
 */
export function awsPolicyText(value: unknown, indent = ''): string {
  if (Array.isArray(value)) {
    return `[ ${value.map((v) => awsPolicyText(v, indent)).join(', ')} ]`;
  }
  if (typeof value === 'object' && value !== null) {
    const inner = `${indent}  `;
    const members = Object.entries(value).map(([k, v]) => `${inner}${JSON.stringify(k)} : ${awsPolicyText(v, inner)}`);
    return `{\n${members.join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(value);
}

/** AWS's default key policy: the account (its root) may do everything; IAM policies then decide. */
export function defaultKeyPolicy(accountId: string): string {
  return awsPolicyText({
    Version: '2012-10-17',
    Id: 'key-default-1',
    Statement: [{
      Sid: 'Enable IAM User Permissions',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${accountId}:root` },
      Action: 'kms:*',
      Resource: '*',
    }],
  });
}

const VIA_SECRETS_MANAGER_SID = 'Allow access through AWS Secrets Manager for all principals in the account that are authorized to use AWS Secrets Manager';

/**
 * The policy AWS gives the AWS managed key `aws/secretsmanager` ("auto-secretsmanager-2"):
 * every principal of the account may use it, but only through Secrets Manager in this region
 * (`kms:ViaService`); the account may read its metadata directly. So a user's direct
 * kms:Decrypt is denied whatever their IAM policies say.
 */
export function secretsManagerKeyPolicy(accountId: string, region: string): string {
  return awsPolicyText({
    Version: '2012-10-17',
    Id: 'auto-secretsmanager-2',
    Statement: [
      {
        Sid: VIA_SECRETS_MANAGER_SID,
        Effect: 'Allow',
        Principal: { AWS: ['*'] },
        Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:CreateGrant', 'kms:DescribeKey'],
        Resource: '*',
        Condition: { StringEquals: { 'kms:CallerAccount': accountId, 'kms:ViaService': `secretsmanager.${region}.amazonaws.com` } },
      },
      {
        Sid: VIA_SECRETS_MANAGER_SID,
        Effect: 'Allow',
        Principal: { AWS: ['*'] },
        Action: 'kms:GenerateDataKey*',
        Resource: '*',
        Condition: { StringEquals: { 'kms:CallerAccount': accountId }, StringLike: { 'kms:ViaService': `secretsmanager.${region}.amazonaws.com` } },
      },
      {
        Sid: 'Allow direct access to key metadata to the account',
        Effect: 'Allow',
        Principal: { AWS: [`arn:aws:iam::${accountId}:root`] },
        Action: ['kms:Describe*', 'kms:Get*', 'kms:List*', 'kms:RevokeGrant'],
        Resource: '*',
      },
    ],
  });
}

const MALFORMED = 'MalformedPolicyDocumentException';
export const INVALID_PRINCIPALS = 'Policy contains a statement with one or more invalid principals.';
export const NO_PRINCIPAL = 'Policy contains a statement with no principal.';
export const LOCKOUT = 'The new key policy will not allow you to update the key policy in the future.';

/** Whether an IAM user or role ARN names an identity that exists (KMS refuses policies naming ones that do not). */
export type PrincipalExists = (arn: string) => Promise<boolean>;

/**
 * Parses a key policy as KMS accepts it; throws MalformedPolicyDocumentException with KMS's
 * wording for principals, the policy language's for the rest.
 */
export async function checkKeyPolicy(text: string, principalExists: PrincipalExists): Promise<CompiledPolicy> {
  let policy: CompiledPolicy;
  try {
    policy = parsePolicy(text, { kind: 'resource', errorCode: MALFORMED });
  } catch (err) {
    if (!(err instanceof PolicyValidationError)) throw err;
    const check = err.finding.check;
    if (check === 'MISSING_PRINCIPAL') throw new AwsError(MALFORMED, NO_PRINCIPAL);
    if (check === 'INVALID_PRINCIPAL' || check === 'PRINCIPAL_SYNTAX') throw new AwsError(MALFORMED, INVALID_PRINCIPALS);
    throw err;
  }
  for (const st of policy.statements) {
    for (const arn of st.principal?.arns ?? []) {
      // Sessions and federated users are not IAM entities KMS looks up; users and roles are.
      if (/^arn:[a-z-]+:iam::\d{12}:(?:user|role)\//.test(arn) && !(await principalExists(arn))) {
        throw new AwsError(MALFORMED, INVALID_PRINCIPALS);
      }
    }
  }
  return policy;
}
