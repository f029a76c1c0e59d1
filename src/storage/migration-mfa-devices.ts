/**
 * Virtual MFA devices (migration 0004). A device belongs to the account; it is assigned to at
 * most one user once enabled (`user_key`, `enabled_at`). The TOTP seed is stored only sealed
 * under the root key, bound to the device's serial number.
 */
import { sql, type Kysely, type Migration } from 'kysely';

export function mfaDevicesMigration(bytes: 'bytea' | 'blob'): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.createTable('iam_mfa_devices')
        .addColumn('account_id', 'text', (c) => c.notNull())
        /** Lowercased device name: names are unique per account regardless of case. */
        .addColumn('device_key', 'text', (c) => c.notNull())
        .addColumn('device_name', 'text', (c) => c.notNull())
        .addColumn('path', 'text', (c) => c.notNull())
        /** `arn:aws:iam::<account>:mfa<path><name>`. */
        .addColumn('serial_number', 'text', (c) => c.notNull().unique())
        .addColumn('seed_sealed', sql.raw(bytes), (c) => c.notNull())
        /** JSON array of {Key, Value}. */
        .addColumn('tags', 'text', (c) => c.notNull())
        .addColumn('user_key', 'text')
        .addColumn('enabled_at', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('iam_mfa_devices_pk', ['account_id', 'device_key'])
        .execute();
      await db.schema.createIndex('iam_mfa_devices_user_idx').on('iam_mfa_devices').columns(['account_id', 'user_key']).execute();
    },
  };
}
