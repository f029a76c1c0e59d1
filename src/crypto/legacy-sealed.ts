/**
 * Values coffer sealed before root key generations existed (format 1: sealed directly under
 * the root key with the row's additional data, no data key to re-wrap). A rotation opens and
 * re-seals them, so it needs their additional data, which each store derived from its row.
 * This list is frozen at the four columns that existed then: everything sealed since is
 * format 2 and is re-wrapped without it.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../storage/schema.ts';

type Db = Kysely<Database> | Transaction<Database>;
type Key = Record<string, unknown>;

const LEGACY_AAD: Record<string, (db: Db, key: Key) => Promise<string | undefined>> = {
  'access_keys.secret_sealed': async (_db, key) => `access-key:${String(key.access_key_id)}`,
  'sts_sessions.secret_sealed': async (_db, key) => `access-key:${String(key.access_key_id)}`,
  'iam_mfa_devices.seed_sealed': async (db, key) => {
    const row = await sql<{ serial_number: string }>`select serial_number from iam_mfa_devices
      where account_id = ${key.account_id} and device_key = ${key.device_key}`.execute(db);
    return row.rows[0] ? `mfa-seed:${row.rows[0].serial_number}` : undefined;
  },
  'kms_key_materials.material_sealed': async (db, key) => {
    const row = await sql<{ arn: string }>`select arn from kms_keys where key_id = ${key.key_id}`.execute(db);
    return row.rows[0] ? `kms-material:${row.rows[0].arn}:${Number(key.material_version)}` : undefined;
  },
};

/** The additional data a format 1 value in `table.column` was sealed with; undefined if unknown. */
export async function legacyAad(db: Db, column: string, key: Key): Promise<string | undefined> {
  return LEGACY_AAD[column]?.(db, key);
}
