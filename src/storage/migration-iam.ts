/**
 * IAM's tables (migration 0002). IAM is global per account, as in AWS: no region column.
 * Names of users, groups, roles and policies are unique per account regardless of case, as
 * AWS has them, through the `*_key` columns (the lowercased name); the name keeps its case.
 * Policy documents are stored as the caller sent them (AWS returns them URL-encoded on the
 * wire, which is the serializer's business, not storage's).
 */
import { sql, type Kysely, type Migration } from 'kysely';

export function iamMigration(bytes: 'bytea' | 'blob'): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.createTable('iam_users')
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('user_key', 'text', (c) => c.notNull())
        .addColumn('user_name', 'text', (c) => c.notNull())
        /** AIDA… unique id, aws:userid for the user. */
        .addColumn('user_id', 'text', (c) => c.notNull().unique())
        .addColumn('path', 'text', (c) => c.notNull())
        .addColumn('arn', 'text', (c) => c.notNull())
        .addColumn('permissions_boundary', 'text')
        /** JSON array of {Key, Value}. */
        .addColumn('tags', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('password_last_used_at', 'bigint')
        .addPrimaryKeyConstraint('iam_users_pk', ['account_id', 'user_key'])
        .execute();
      await db.schema.createTable('iam_groups')
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('group_key', 'text', (c) => c.notNull())
        .addColumn('group_name', 'text', (c) => c.notNull())
        .addColumn('group_id', 'text', (c) => c.notNull().unique())
        .addColumn('path', 'text', (c) => c.notNull())
        .addColumn('arn', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('iam_groups_pk', ['account_id', 'group_key'])
        .execute();
      await db.schema.createTable('iam_group_members')
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('group_key', 'text', (c) => c.notNull())
        .addColumn('user_key', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('iam_group_members_pk', ['account_id', 'group_key', 'user_key'])
        .execute();
      await db.schema.createIndex('iam_group_members_user_idx').on('iam_group_members').columns(['account_id', 'user_key']).execute();
      await db.schema.createTable('iam_roles')
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('role_key', 'text', (c) => c.notNull())
        .addColumn('role_name', 'text', (c) => c.notNull())
        /** AROA… unique id; sessions' aws:userid is `<role_id>:<session name>`. */
        .addColumn('role_id', 'text', (c) => c.notNull().unique())
        .addColumn('path', 'text', (c) => c.notNull())
        .addColumn('arn', 'text', (c) => c.notNull())
        .addColumn('trust_policy', 'text', (c) => c.notNull())
        .addColumn('description', 'text')
        .addColumn('max_session_duration', 'integer', (c) => c.notNull())
        .addColumn('permissions_boundary', 'text')
        .addColumn('tags', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('last_used_at', 'bigint')
        .addColumn('last_used_region', 'text')
        .addPrimaryKeyConstraint('iam_roles_pk', ['account_id', 'role_key'])
        .execute();
      // Inline policies of users, groups and roles: owner_type is 'user' | 'group' | 'role'.
      await db.schema.createTable('iam_inline_policies')
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('owner_type', 'text', (c) => c.notNull())
        .addColumn('owner_key', 'text', (c) => c.notNull())
        .addColumn('policy_name', 'text', (c) => c.notNull())
        .addColumn('document', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('iam_inline_policies_pk', ['account_id', 'owner_type', 'owner_key', 'policy_name'])
        .execute();
      // Customer managed policies (AWS managed ones are data shipped with coffer).
      await db.schema.createTable('iam_managed_policies')
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('policy_key', 'text', (c) => c.notNull())
        .addColumn('policy_name', 'text', (c) => c.notNull())
        .addColumn('policy_id', 'text', (c) => c.notNull().unique())
        .addColumn('path', 'text', (c) => c.notNull())
        .addColumn('arn', 'text', (c) => c.notNull().unique())
        .addColumn('description', 'text')
        .addColumn('default_version', 'text', (c) => c.notNull())
        /** The highest version number ever given: AWS never reuses a deleted version's id. */
        .addColumn('last_version', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('tags', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('iam_managed_policies_pk', ['account_id', 'policy_key'])
        .execute();
      await db.schema.createTable('iam_policy_versions')
        .addColumn('policy_arn', 'text', (c) => c.notNull())
        .addColumn('version_id', 'text', (c) => c.notNull())
        .addColumn('document', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('iam_policy_versions_pk', ['policy_arn', 'version_id'])
        .execute();
      // Managed policies (customer or AWS managed, by ARN) attached to users, groups, roles.
      await db.schema.createTable('iam_attachments')
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('owner_type', 'text', (c) => c.notNull())
        .addColumn('owner_key', 'text', (c) => c.notNull())
        .addColumn('policy_arn', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('iam_attachments_pk', ['account_id', 'owner_type', 'owner_key', 'policy_arn'])
        .execute();
      await db.schema.createIndex('iam_attachments_policy_idx').on('iam_attachments').column('policy_arn').execute();
      // Temporary credentials from STS (AssumeRole, GetSessionToken). The secret is sealed
      // under the root key like long-term secrets; the session token is stored as a hash.
      await db.schema.createTable('sts_sessions')
        .addColumn('access_key_id', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('secret_sealed', sql.raw(bytes), (c) => c.notNull())
        .addColumn('session_token_hash', 'text', (c) => c.notNull())
        /** JSON: the principal (type, ARN, ids, role, source identity) and session facts. */
        .addColumn('principal', 'text', (c) => c.notNull())
        /** JSON array of policy documents that cut the session's permissions (inline + ARNs' documents resolved at use). */
        .addColumn('session_policies', 'text')
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('sts_sessions_expiry_idx').on('sts_sessions').column('expires_at').execute();
    },
  };
}
