/**
 * Default request-rate quotas, per account and region, as AWS publishes them. An operation
 * belongs to one group; the operations of a group share one rate ("combined rate of …").
 *
 * Secrets Manager: the "AWS Secrets Manager quotas" page (GetSecretValue 10,000/s and
 * DescribeSecret 40,000/s since March 2025; the control-plane combinations at 50/s).
 * KMS: "Request quotas" (symmetric cryptographic operations share one rate; the key
 * management operations have small per-operation rates). STS: 600/s combined. Lambda: the
 * control plane's 15/s per API, GetFunction 100/s, invocations 10 × the default concurrency.
 * IAM publishes no rates; its default is a per-operation rate that no normal workload reaches.
 */

export interface QuotaGroup {
  /** Signing name of the service: secretsmanager, kms, iam, sts, lambda. */
  service: string;
  /** Operations sharing the rate; `*` is every operation of the service no other group names, each with its own bucket. */
  operations: string[] | '*';
  /** Requests per second. */
  rate: number;
}

export const DEFAULT_QUOTAS: readonly QuotaGroup[] = [
  // Secrets Manager
  { service: 'secretsmanager', operations: ['GetSecretValue'], rate: 10_000 },
  { service: 'secretsmanager', operations: ['DescribeSecret'], rate: 40_000 },
  { service: 'secretsmanager', operations: ['BatchGetSecretValue'], rate: 100 },
  { service: 'secretsmanager', operations: ['ListSecrets'], rate: 100 },
  { service: 'secretsmanager', operations: ['CreateSecret'], rate: 50 },
  { service: 'secretsmanager', operations: ['DeleteSecret'], rate: 50 },
  { service: 'secretsmanager', operations: ['GetRandomPassword'], rate: 50 },
  { service: 'secretsmanager', operations: ['ListSecretVersionIds'], rate: 50 },
  { service: 'secretsmanager', operations: ['RestoreSecret'], rate: 50 },
  { service: 'secretsmanager', operations: ['DeleteResourcePolicy', 'GetResourcePolicy', 'PutResourcePolicy', 'ValidateResourcePolicy'], rate: 50 },
  {
    service: 'secretsmanager',
    operations: ['PutSecretValue', 'RemoveRegionsFromReplication', 'ReplicateSecretToRegions', 'StopReplicationToReplica', 'UpdateSecret', 'UpdateSecretVersionStage'],
    rate: 50,
  },
  { service: 'secretsmanager', operations: ['RotateSecret', 'CancelRotateSecret'], rate: 50 },
  { service: 'secretsmanager', operations: ['TagResource', 'UntagResource'], rate: 50 },
  { service: 'secretsmanager', operations: '*', rate: 50 },
  // KMS
  {
    service: 'kms',
    operations: ['Decrypt', 'Encrypt', 'GenerateDataKey', 'GenerateDataKeyWithoutPlaintext', 'GenerateRandom', 'ReEncrypt', 'GenerateMac', 'VerifyMac'],
    rate: 5_500,
  },
  { service: 'kms', operations: ['DescribeKey'], rate: 2_000 },
  { service: 'kms', operations: ['GetKeyPolicy'], rate: 1_000 },
  { service: 'kms', operations: ['GetKeyRotationStatus'], rate: 1_000 },
  { service: 'kms', operations: ['ListAliases'], rate: 100 },
  { service: 'kms', operations: ['ListKeys'], rate: 100 },
  { service: 'kms', operations: ['ListKeyPolicies'], rate: 100 },
  { service: 'kms', operations: ['ListResourceTags'], rate: 100 },
  { service: 'kms', operations: ['ListGrants'], rate: 100 },
  { service: 'kms', operations: ['ListKeyRotations'], rate: 100 },
  { service: 'kms', operations: ['CreateGrant'], rate: 50 },
  { service: 'kms', operations: ['TagResource'], rate: 10 },
  { service: 'kms', operations: ['UntagResource'], rate: 10 },
  { service: 'kms', operations: '*', rate: 5 },
  // STS
  { service: 'sts', operations: ['AssumeRole', 'AssumeRoleWithSAML', 'AssumeRoleWithWebIdentity', 'GetFederationToken', 'GetSessionToken', 'DecodeAuthorizationMessage', 'GetAccessKeyInfo'], rate: 600 },
  { service: 'sts', operations: '*', rate: 600 },
  // Lambda
  { service: 'lambda', operations: ['Invoke'], rate: 10_000 },
  { service: 'lambda', operations: ['GetFunction'], rate: 100 },
  { service: 'lambda', operations: '*', rate: 15 },
  // IAM
  { service: 'iam', operations: '*', rate: 100 },
];
