/**
 * Table types for Kysely. Times are epoch milliseconds; booleans are 0/1 integers and JSON
 * is text, so that SQLite and PostgreSQL store the same values. Columns ending in `_sealed`
 * and `ciphertext` hold AES-GCM sealed bytes: storage never sees plaintext secrets or keys.
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
}

export interface KmsKeyMaterialTable {
  key_id: string;
  material_version: number;
  material_sealed: Buffer;
  created_at: number;
}

export interface KmsAliasTable {
  account_id: string;
  region: string;
  alias_name: string;
  key_id: string;
  created_at: number;
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

export interface Database {
  meta: MetaTable;
  accounts: AccountTable;
  access_keys: AccessKeyTable;
  kms_keys: KmsKeyTable;
  kms_key_materials: KmsKeyMaterialTable;
  kms_aliases: KmsAliasTable;
  secrets: SecretTable;
  secret_versions: SecretVersionTable;
  secret_version_stages: SecretVersionStageTable;
}
