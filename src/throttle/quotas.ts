/**
 * Default request-rate quotas, per account and region, as AWS publishes them (checked against
 * the pages cited in docs/operations.md, "Throttling", 2026-11-24). An operation belongs to one
 * group; the operations a group names share one rate ("combined rate of …", "shared").
 *
 * Secrets Manager: "AWS Secrets Manager quotas" (GetSecretValue 10,000/s and DescribeSecret
 * 40,000/s since March 2025; the control plane at 50/s, some operations combined).
 * KMS: "Request quotas" (the symmetric cryptographic operations, HMAC ones included, share one
 * rate that depends on the region; every other operation has its own rate).
 * STS: "IAM and AWS STS quotas", "STS request quotas" (600/s shared by the signed operations).
 * Lambda: "Lambda quotas", "Lambda API requests" (GetFunction 100/s, GetPolicy 15/s, every other
 * control plane operation together 15/s; invocations 10 × the concurrency quota of 1,000).
 * IAM publishes no request rates; its default is coffer's own.
 */

export interface QuotaGroup {
  /** Signing name of the service: secretsmanager, kms, iam, sts, lambda. */
  service: string;
  /** Operations sharing the rate; `*` is every operation of the service no other group names. */
  operations: string[] | '*';
  /** Requests per second. */
  rate: number;
  /** Regions where AWS's default differs from `rate` (KMS's cryptographic operations). */
  regionRates?: Readonly<Record<string, number>>;
  /**
   * For a `*` group: whether the operations it catches share one bucket (Lambda's "15 requests
   * per second across all APIs (not per API)") instead of one bucket each at the rate.
   */
  shared?: boolean;
  /** `account`: one bucket for all regions (IAM is a global service). Default `region`. */
  scope?: 'region' | 'account';
}

/** KMS "Cryptographic operations (symmetric) request rate": 10,000 by default, more in these regions. */
const KMS_SYMMETRIC_REGION_RATES: Readonly<Record<string, number>> = {
  'us-east-2': 20_000,
  'ap-southeast-1': 20_000,
  'ap-southeast-2': 20_000,
  'ap-northeast-1': 20_000,
  'eu-central-1': 20_000,
  'eu-west-2': 20_000,
  'us-east-1': 100_000,
  'us-west-2': 100_000,
  'eu-west-1': 100_000,
};

/** One group per operation at the same rate: AWS lists these operations' rates separately. */
const each = (service: string, rate: number, operations: string[]): QuotaGroup[] => operations.map((op) => ({ service, operations: [op], rate }));

export const DEFAULT_QUOTAS: readonly QuotaGroup[] = [
  // Secrets Manager
  { service: 'secretsmanager', operations: ['GetSecretValue'], rate: 10_000 },
  { service: 'secretsmanager', operations: ['DescribeSecret'], rate: 40_000 },
  { service: 'secretsmanager', operations: ['BatchGetSecretValue'], rate: 100 },
  { service: 'secretsmanager', operations: ['ListSecrets'], rate: 100 },
  ...each('secretsmanager', 50, ['CreateSecret', 'DeleteSecret', 'GetRandomPassword', 'ListSecretVersionIds', 'RestoreSecret']),
  { service: 'secretsmanager', operations: ['DeleteResourcePolicy', 'GetResourcePolicy', 'PutResourcePolicy', 'ValidateResourcePolicy'], rate: 50 },
  {
    service: 'secretsmanager',
    operations: ['PutSecretValue', 'RemoveRegionsFromReplication', 'ReplicateSecretToRegions', 'StopReplicationToReplica', 'UpdateSecret', 'UpdateSecretVersionStage'],
    rate: 50,
  },
  { service: 'secretsmanager', operations: ['RotateSecret', 'CancelRotateSecret'], rate: 50 },
  { service: 'secretsmanager', operations: ['TagResource', 'UntagResource'], rate: 50 },
  { service: 'secretsmanager', operations: '*', rate: 50 },
  // KMS. coffer's keys are all symmetric (SYMMETRIC_DEFAULT), so the symmetric rate is the one
  // its cryptographic operations meet; AWS counts RSA, ECC and ML-DSA keys' operations against
  // separate 1,000/s rates, and GenerateDataKeyPair against per-key-pair-spec ones (1–100/s).
  {
    service: 'kms',
    operations: ['Decrypt', 'Encrypt', 'GenerateDataKey', 'GenerateDataKeyWithoutPlaintext', 'GenerateMac', 'GenerateRandom', 'ReEncrypt', 'VerifyMac'],
    rate: 10_000,
    regionRates: KMS_SYMMETRIC_REGION_RATES,
  },
  { service: 'kms', operations: ['Sign', 'Verify', 'DeriveSharedSecret'], rate: 1_000 },
  ...each('kms', 2_000, ['DescribeKey', 'GetPublicKey', 'ListResourceTags']),
  ...each('kms', 1_000, ['GetKeyPolicy', 'GetKeyRotationStatus']),
  ...each('kms', 500, ['ListAliases', 'ListKeys']),
  ...each('kms', 100, ['ListGrants', 'ListKeyPolicies', 'ListKeyRotations', 'ListRetirableGrants']),
  ...each('kms', 50, ['CreateGrant', 'RetireGrant', 'RevokeGrant']),
  ...each('kms', 15, ['DeleteAlias', 'DeleteImportedKeyMaterial', 'EnableKeyRotation', 'ImportKeyMaterial', 'PutKeyPolicy', 'ScheduleKeyDeletion']),
  { service: 'kms', operations: ['TagResource'], rate: 10 },
  { service: 'kms', operations: ['GetParametersForImport'], rate: 1 },
  // CancelKeyDeletion, CreateAlias, CreateKey, DisableKey, DisableKeyRotation, EnableKey,
  // RotateKeyOnDemand, UntagResource, UpdateAlias, UpdateKeyDescription, the custom key store
  // and multi-Region operations: 5 each.
  { service: 'kms', operations: '*', rate: 5 },
  // STS: the operations called with AWS credentials share 600/s. The unsigned ones
  // (AssumeRoleWithSAML, AssumeRoleWithWebIdentity) are not in it; the rest have no published rate.
  {
    service: 'sts',
    operations: ['AssumeRole', 'DecodeAuthorizationMessage', 'GetAccessKeyInfo', 'GetCallerIdentity', 'GetFederationToken', 'GetSessionToken'],
    rate: 600,
  },
  { service: 'sts', operations: '*', rate: 600 },
  // Lambda
  { service: 'lambda', operations: ['Invoke', 'InvokeAsync', 'InvokeWithResponseStream'], rate: 10_000 },
  { service: 'lambda', operations: ['GetFunction'], rate: 100 },
  { service: 'lambda', operations: ['GetPolicy'], rate: 15 },
  { service: 'lambda', operations: '*', rate: 15, shared: true },
  // IAM: no published rate; a per-operation, account-wide rate no normal workload reaches.
  { service: 'iam', operations: '*', rate: 100, scope: 'account' },
];
