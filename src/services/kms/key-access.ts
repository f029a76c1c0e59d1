/**
 * The authorization request for one use of a KMS key, as AWS KMS builds it: the key ARN is
 * the resource, the key policy is the resource policy and it is REQUIRED (IAM policies count
 * only where the key policy delegates to the account), and the kms condition keys describe
 * the request. KMS's own operations and the services that use KMS on a caller's behalf
 * (Secrets Manager, with `viaService`) build their requests here, so both are decided alike.
 */
import type { AuthorizationRequest, ConditionValue } from '../../auth/request-context.ts';
import type { KmsKey } from './key-store.ts';

/** The KMS actions a key use is checked for (SAR "Actions defined by AWS KMS"). */
export type KmsAction =
  | 'kms:Decrypt'
  | 'kms:Encrypt'
  | 'kms:GenerateDataKey'
  | 'kms:GenerateDataKeyWithoutPlaintext'
  | 'kms:ReEncryptFrom'
  | 'kms:ReEncryptTo'
  | 'kms:DescribeKey'
  | `kms:${string}`;

export interface KeyUseOptions {
  /** The caller's account: `kms:CallerAccount`. */
  callerAccount: string;
  /** The service endpoint calling on the caller's behalf, e.g. `secretsmanager.us-east-1.amazonaws.com`: `kms:ViaService`. */
  viaService?: string;
  /** The request's encryption context: `kms:EncryptionContext:<key>` and `kms:EncryptionContextKeys`. */
  encryptionContext?: Record<string, string>;
  /** The alias the request named the key by (`alias/...`): `kms:RequestAlias`. */
  requestAlias?: string;
  /** For cryptographic operations: `kms:EncryptionAlgorithm` (SYMMETRIC_DEFAULT). */
  encryptionAlgorithm?: string;
  /** Further operation-specific keys (`kms:GrantIsForAWSResource`, `kms:BypassPolicyLockoutSafetyCheck`...). */
  extra?: Record<string, ConditionValue>;
}

/** The actions that take an encryption context and an encryption algorithm. */
const CRYPTOGRAPHIC = new Set(['kms:decrypt', 'kms:encrypt', 'kms:generatedatakey', 'kms:generatedatakeywithoutplaintext', 'kms:reencryptfrom', 'kms:reencryptto']);

export function keyUseRequest(key: KmsKey, action: KmsAction, opts: KeyUseOptions): AuthorizationRequest {
  const conditions: Record<string, ConditionValue> = {
    'kms:CallerAccount': opts.callerAccount,
    'kms:KeySpec': key.keySpec,
    'kms:KeyUsage': key.keyUsage,
    'kms:KeyOrigin': key.origin,
    'kms:MultiRegion': false,
  };
  if (key.aliases.length > 0) conditions['kms:ResourceAliases'] = [...key.aliases];
  if (opts.requestAlias !== undefined) conditions['kms:RequestAlias'] = opts.requestAlias;
  if (opts.viaService !== undefined) {
    conditions['kms:ViaService'] = opts.viaService;
    // The service calls with the caller's credentials (a forward access session).
    conditions['aws:ViaAWSService'] = true;
  }
  if (CRYPTOGRAPHIC.has(action.toLowerCase())) {
    conditions['kms:EncryptionAlgorithm'] = opts.encryptionAlgorithm ?? 'SYMMETRIC_DEFAULT';
    const context = opts.encryptionContext;
    if (context !== undefined) {
      const keys = Object.keys(context);
      // Absent (not empty) without a context, so `Null` conditions see it missing, as in AWS.
      if (keys.length > 0) conditions['kms:EncryptionContextKeys'] = keys;
      for (const k of keys) conditions[`kms:EncryptionContext:${k}`] = context[k];
    }
  }
  for (const [k, v] of Object.entries(key.tags)) conditions[`aws:ResourceTag/${k}`] = v;
  if (opts.extra) Object.assign(conditions, opts.extra);
  return {
    action,
    resource: key.arn,
    resourcePolicy: key.policy,
    resourcePolicyRequired: true,
    resourceAccountId: key.accountId,
    conditions,
  };
}
