/**
 * Table types for Kysely. Times are epoch milliseconds; booleans are 0/1 integers and JSON
 * is text, so that SQLite and PostgreSQL store the same values. Columns ending in `_sealed`
 * and `ciphertext` hold AES-GCM sealed bytes: storage never sees plaintext secrets or keys.
 * Every `_sealed` column is sealed by the root key ring (src/crypto/root-key-ring.ts), and
 * `coffer root-key rotate` re-wraps every such column it finds: name no other column so.
 */
export interface MetaTable {
  key: string;
  value: string;
}

export interface AccountTable {
  account_id: string;
  created_at: number;
}

export interface AccessKeyTable {
  access_key_id: string;
  account_id: string;
  /** 'Root' for the account root; later issues add IAM users. */
  principal_type: string;
  principal_arn: string;
  user_name: string | null;
  secret_sealed: Buffer;
  status: string;
  created_at: number;
  last_used_at: number | null;
  last_used_service: string | null;
  last_used_region: string | null;
}

export interface KmsKeyTable {
  key_id: string;
  account_id: string;
  region: string;
  arn: string;
  description: string;
  /** 'AWS' for AWS managed keys such as aws/secretsmanager, 'CUSTOMER' otherwise. */
  key_manager: string;
  key_state: string;
  current_material: number;
  created_at: number;
  /** The key policy (JSON); null for AWS managed keys, whose policy follows from account and region. */
  policy: string | null;
  key_usage: string;
  key_spec: string;
  origin: string;
  deletion_date: number | null;
  pending_window_days: number | null;
  rotation_enabled: number;
  rotation_period_days: number | null;
  next_rotation_at: number | null;
}

export interface KmsKeyMaterialTable {
  key_id: string;
  material_version: number;
  material_sealed: Buffer;
  created_at: number;
  /** 'AUTOMATIC' | 'ON_DEMAND'; null for the first material. */
  rotation_type: string | null;
}

export interface KmsAliasTable {
  account_id: string;
  region: string;
  alias_name: string;
  key_id: string;
  created_at: number;
  updated_at: number | null;
}

export interface KmsKeyTagTable {
  key_id: string;
  tag_key: string;
  tag_value: string;
}

export interface SecretTable {
  id: string;
  account_id: string;
  region: string;
  name: string;
  arn: string;
  description: string | null;
  /** As the caller gave it (id, ARN or alias); null means the default aws/secretsmanager key. */
  kms_key_id: string | null;
  created_at: number;
  last_changed_at: number;
  last_accessed_at: number | null;
  last_rotated_at: number | null;
  deletion_date: number | null;
  deleted_at: number | null;
  rotation_enabled: number | null;
  rotation_lambda_arn: string | null;
  rotation_rules: string | null;
  next_rotation_at: number | null;
  /** When the scheduler next starts, resumes or retries the rotation (migration 0010); null: not scheduled. */
  rotation_due_at?: number | null;
  /** JSON array of {Key, Value}; null until the secret was first tagged (AWS omits Tags then). */
  tags: string | null;
  resource_policy: string | null;
  owning_service: string | null;
  primary_region: string | null;
  type: string | null;
}

export interface SecretVersionTable {
  secret_id: string;
  version_id: string;
  created_at: number;
  last_accessed_at: number | null;
  kms_key_id: string | null;
  /** The KMS ciphertext blob of this version's data key; null for a value-less placeholder. */
  encrypted_data_key: Buffer | null;
  ciphertext: Buffer | null;
  /** 'string' | 'binary'; null for the AWSPENDING placeholder RotateSecret creates. */
  value_kind: string | null;
  /** Creation order within the secret, assigned under the secret's lock. */
  seq: number;
}

export interface SecretVersionStageTable {
  secret_id: string;
  stage: string;
  version_id: string;
}

/** IAM (global per account). `*_key` columns are lowercased names: IAM names are unique regardless of case. */
export interface IamUserTable {
  account_id: string;
  user_key: string;
  user_name: string;
  user_id: string;
  path: string;
  arn: string;
  permissions_boundary: string | null;
  tags: string;
  created_at: number;
  password_last_used_at: number | null;
}

export interface IamGroupTable {
  account_id: string;
  group_key: string;
  group_name: string;
  group_id: string;
  path: string;
  arn: string;
  created_at: number;
}

export interface IamGroupMemberTable {
  account_id: string;
  group_key: string;
  user_key: string;
}

export interface IamRoleTable {
  account_id: string;
  role_key: string;
  role_name: string;
  role_id: string;
  path: string;
  arn: string;
  trust_policy: string;
  description: string | null;
  max_session_duration: number;
  permissions_boundary: string | null;
  tags: string;
  created_at: number;
  last_used_at: number | null;
  last_used_region: string | null;
}

export interface IamInlinePolicyTable {
  account_id: string;
  /** 'user' | 'group' | 'role' */
  owner_type: string;
  owner_key: string;
  policy_name: string;
  document: string;
}

export interface IamManagedPolicyTable {
  account_id: string;
  policy_key: string;
  policy_name: string;
  policy_id: string;
  path: string;
  arn: string;
  description: string | null;
  default_version: string;
  /** Highest version number ever given (v<n>): AWS never reuses a deleted version's id. */
  last_version: number;
  tags: string;
  created_at: number;
  updated_at: number;
}

export interface IamPolicyVersionTable {
  policy_arn: string;
  version_id: string;
  document: string;
  created_at: number;
}

export interface IamAttachmentTable {
  account_id: string;
  owner_type: string;
  owner_key: string;
  policy_arn: string;
}

/** A user's console password: an argon2id PHC string, never the password. */
export interface IamLoginProfileTable {
  account_id: string;
  user_key: string;
  password_hash: string;
  password_reset_required: number;
  created_at: number;
  /** Earlier argon2id hashes, newest first (JSON array; migration 0007), for PasswordReusePrevention. */
  password_history: string | null;
  /** When the current password was set (ms; migration 0014): MaxPasswordAge counts from it. */
  password_set_at: number | null;
}

/** The account root user's console password (migration 0015): an argon2id PHC string, never the password. */
export interface RootPasswordTable {
  account_id: string;
  password_hash: string;
  created_at: number;
  password_set_at: number;
}

/** IAM CreateAccountAlias (migration 0015): one alias per account, unique on the server. */
export interface IamAccountAliasTable {
  account_id: string;
  alias: string;
  created_at: number;
}

export interface StsSessionTable {
  access_key_id: string;
  account_id: string;
  secret_sealed: Buffer;
  session_token_hash: string;
  principal: string;
  session_policies: string | null;
  expires_at: number;
  created_at: number;
}

export interface Database {
  meta: MetaTable;
  accounts: AccountTable;
  access_keys: AccessKeyTable;
  kms_keys: KmsKeyTable;
  kms_key_materials: KmsKeyMaterialTable;
  kms_aliases: KmsAliasTable;
  kms_key_tags: KmsKeyTagTable;
  secrets: SecretTable;
  secret_versions: SecretVersionTable;
  secret_version_stages: SecretVersionStageTable;
  iam_users: IamUserTable;
  iam_groups: IamGroupTable;
  iam_group_members: IamGroupMemberTable;
  iam_roles: IamRoleTable;
  iam_inline_policies: IamInlinePolicyTable;
  iam_managed_policies: IamManagedPolicyTable;
  iam_policy_versions: IamPolicyVersionTable;
  iam_attachments: IamAttachmentTable;
  iam_login_profiles: IamLoginProfileTable;
  sts_sessions: StsSessionTable;
  root_passwords: RootPasswordTable;
  iam_account_aliases: IamAccountAliasTable;
  iam_mfa_devices: IamMfaDeviceTable;
  root_keys: RootKeyTable;
  iam_password_policies: IamPasswordPolicyTable;
  lambda_functions: LambdaFunctionTable;
  lambda_function_logs: LambdaFunctionLogTable;
  rotation_attempts: RotationAttemptTable;
  secret_replicas: SecretReplicaTable;
  replica_detaches: ReplicaDetachTable;
  replica_applied: ReplicaAppliedTable;
  cluster_nodes: ClusterNodeTable;
  cluster_leases: ClusterLeaseTable;
  audit_events: AuditEventTable;
  audit_digests: AuditDigestTable;
}

/** One CloudTrail event in a node's hash chain (migration 0011; src/audit/audit-store.ts). */
export interface AuditEventTable {
  chain_id: string;
  seq: number;
  event_id: string;
  event_time: number;
  account_id: string;
  region: string;
  event_name: string;
  event_source: string;
  username: string | null;
  access_key_id: string | null;
  read_only: number;
  event: string;
  prev_hash: string;
  hash: string;
  /** The resources it names, `[[type, name, arn|null], …]` as JSON; null for none (migration 0016). */
  resources: string | null;
  /** On the last event of each written batch: `GENERATION:HMAC` over the chain's head (migration 0016). */
  seal: string | null;
}

/** A signed digest fixing one chain's head (migration 0011). */
export interface AuditDigestTable {
  digest_seq: number;
  chain_id: string;
  seq: number;
  head_hash: string;
  created_at: number;
  prev_signature: string;
  key_generation: number;
  signature: string;
}

/** A running node and its heartbeat (migration 0013; src/cluster/membership.ts). */
export interface ClusterNodeTable {
  node_id: string;
  description: string;
  started_at: number;
  heartbeat_at: number;
}

/** A background job's lease (migration 0013; src/cluster/leases.ts). */
export interface ClusterLeaseTable {
  name: string;
  holder: string;
  expires_at: number;
}

/** One run of a secret's rotation function (migration 0010; src/services/secretsmanager/rotation/attempts.ts). */
export interface RotationAttemptTable {
  attempt_id: string;
  secret_id: string;
  token: string;
  kind: string;
  trigger: string;
  function_arn: string;
  outcome: string;
  started_at: number;
  finished_at: number | null;
  steps: string;
  error: string | null;
  detail_sealed: Buffer | null;
  /** The node that ran it (migration 0013). */
  node_id: string | null;
}

/** A virtual MFA device (migration 0004); the seed only sealed. */
export interface IamMfaDeviceTable {
  account_id: string;
  device_key: string;
  device_name: string;
  path: string;
  serial_number: string;
  seed_sealed: Buffer;
  tags: string;
  user_key: string | null;
  enabled_at: number | null;
  created_at: number;
  /** Highest TOTP step (epoch s / 30) accepted; a code is never accepted twice (migration 0007). */
  last_used_step: number | null;
  /** Clock offset in 30-second steps found by ResyncMFADevice; null: none. */
  drift_steps: number | null;
}

/** The account password policy (migration 0007); no row: AWS's default policy applies. */
export interface IamPasswordPolicyTable {
  account_id: string;
  minimum_password_length: number;
  require_symbols: number;
  require_numbers: number;
  require_uppercase: number;
  require_lowercase: number;
  allow_users_to_change_password: number;
  max_password_age: number | null;
  password_reuse_prevention: number | null;
  hard_expiry: number;
  updated_at: number;
}

/** A generation of the root key (migration 0006); never the key itself. See src/crypto/root-key-rows.ts. */
export interface RootKeyTable {
  generation: number;
  state: string;
  provider: string;
  key_check: string;
  wrapped_by_previous: Buffer | null;
  previous_wrapped: Buffer | null;
  progress: string | null;
  created_at: number;
  activated_at: number | null;
  retired_at: number | null;
}

/** A Lambda function (migration 0008, src/storage/migration-lambda.ts); code and environment only sealed. */
export interface LambdaFunctionTable {
  function_id: string;
  account_id: string;
  region: string;
  function_name: string;
  function_arn: string;
  runtime: string;
  handler: string;
  role_arn: string;
  description: string;
  timeout_seconds: number;
  memory_size: number;
  architectures: string;
  code_sealed: Buffer;
  code_size: number;
  code_sha256: string;
  environment_sealed: Buffer | null;
  policy: string | null;
  tags: string;
  revision_id: string;
  last_modified: number;
  created_at: number;
}

/** One invocation's log (migration 0009, src/storage/migration-function-logs.ts); the text only sealed. */
export interface LambdaFunctionLogTable {
  request_id: string;
  function_arn: string;
  started_at: number;
  log_bytes: number;
  log_stream: string;
  log_sealed: Buffer;
}

/** A primary secret's replica in another region, and its replication queue entry (migration 0012). */
export interface SecretReplicaTable {
  secret_id: string;
  region: string;
  kms_key_id: string | null;
  force_overwrite: number;
  status: string;
  status_message: string | null;
  wanted: number;
  synced: number;
  removing: number;
  attempts: number;
  next_attempt_at: number;
  last_accessed_at: number | null;
  created_at: number;
}

/** The primary's change counter (`secret_replicas.wanted`) a replica was last made equal to (migration 0012). */
export interface ReplicaAppliedTable {
  secret_id: string;
  change: number;
}

/** A promoted replica whose primary, in a peer deployment, has yet to hear of it (migration 0012). */
export interface ReplicaDetachTable {
  replica_arn: string;
  primary_region: string;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
}
