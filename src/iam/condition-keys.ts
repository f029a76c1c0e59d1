/**
 * What the engine knows about particular condition keys and actions. The evaluator needs only
 * MULTIVALUED_KEYS; the rest feeds validation warnings (Access Analyzer-style checks), so an
 * incomplete list costs a missing warning, never a wrong decision.
 */

/**
 * Keys typed `ArrayOfString` (KEYS, SAR). A plain (unqualified) operator on one of these has no
 * documented result; like iam-simulate we make it not match, and validation flags it.
 */
export const MULTIVALUED_KEYS: ReadonlySet<string> = new Set([
  'aws:tagkeys',
  'aws:calledvia',
  'aws:principalorgpaths',
  'aws:resourceorgpaths',
  'aws:sourceorgpaths',
  'aws:principalservicenameslist',
  'secretsmanager:addreplicaregions',
  'kms:encryptioncontextkeys',
  'kms:resourcealiases',
]);

/**
 * `secretsmanager:VersionStage` is typed single-valued String, yet a version carries several
 * labels and AWS's own example uses `ForAnyValue:StringEquals` on it. coffer supplies the label
 * set of the version read; a plain operator then matches if any label does (a documented coffer
 * decision, reference §3). Listed so validation does not call a qualifier on it suspicious.
 */
export const LABEL_SET_KEYS: ReadonlySet<string> = new Set(['secretsmanager:versionstage']);

/** Every Secrets Manager action (SAR), lowercased, for the "undefined action" warning. */
export const SECRETSMANAGER_ACTIONS: ReadonlySet<string> = new Set(
  [
    'BatchGetSecretValue',
    'CancelRotateSecret',
    'CreateSecret',
    'DeleteResourcePolicy',
    'DeleteSecret',
    'DescribeSecret',
    'GetRandomPassword',
    'GetResourcePolicy',
    'GetSecretValue',
    'ListSecretVersionIds',
    'ListSecrets',
    'PutResourcePolicy',
    'PutSecretValue',
    'RemoveRegionsFromReplication',
    'ReplicateSecretToRegions',
    'RestoreSecret',
    'RotateSecret',
    'StopReplicationToReplica',
    'TagResource',
    'UntagResource',
    'UpdateSecret',
    'UpdateSecretVersionStage',
    'ValidateResourcePolicy',
  ].map((a) => `secretsmanager:${a.toLowerCase()}`),
);

/** Keys that identify who is calling or on whose behalf, for the service-principal warning. */
export const SOURCE_KEYS: ReadonlySet<string> = new Set(['aws:sourcearn', 'aws:sourceaccount', 'aws:sourceowner', 'aws:sourceorgid', 'aws:sourceorgpaths']);
