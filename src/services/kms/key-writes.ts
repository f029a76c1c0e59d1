/**
 * Every write KMS makes to its tables: keys, their material versions, aliases and tags. Each
 * runs in one transaction with the key's row locked (PostgreSQL: FOR UPDATE; SQLite has one
 * writer), and drops the KeyStore's cached copy of every key it touched once it committed —
 * the only way the cache learns of a change, so no write may bypass this file.
 */
import type { Selectable, Transaction } from 'kysely';
import type { Database, KmsKeyTable } from '../../storage/schema.ts';
import type { Dialect } from '../../storage/database.ts';
import { transaction } from '../../storage/transaction.ts';
import { DAY_MS, type KeyStore } from './key-store.ts';
import { keyArn } from './key-lookup.ts';

export type KeyRow = Selectable<KmsKeyTable>;
export type RotationType = 'AUTOMATIC' | 'ON_DEMAND';

export interface NewKey {
  keyId: string;
  accountId: string;
  region: string;
  policy: string;
  description: string;
  tags: Record<string, string>;
  now: number;
}

export class KeyWriter {
  constructor(private readonly keys: KeyStore, private readonly dialect: Dialect) {}

  private get db() {
    return this.keys.database;
  }

  /** Runs `fn` with the key's row locked; undefined row when the key is gone. Invalidates afterwards. */
  async withKey<T>(keyId: string, fn: (trx: Transaction<Database>, row: KeyRow | undefined) => Promise<T>): Promise<T> {
    const touched = new Set([keyId]);
    try {
      return await transaction(this.db, async (trx) => {
        let query = trx.selectFrom('kms_keys').selectAll().where('key_id', '=', keyId);
        if (this.dialect === 'postgres') query = query.forUpdate();
        return fn(trx, await query.executeTakeFirst());
      });
    } finally {
      for (const id of touched) this.keys.invalidate(id);
    }
  }

  async createKey(spec: NewKey): Promise<string> {
    const keyId = spec.keyId;
    const arn = keyArn(spec.region, spec.accountId, keyId);
    const sealed = this.keys.sealNewMaterial(arn, 1);
    await transaction(this.db, async (trx) => {
      await trx.insertInto('kms_keys').values({
        key_id: keyId, account_id: spec.accountId, region: spec.region, arn, description: spec.description,
        key_manager: 'CUSTOMER', key_state: 'Enabled', current_material: 1, created_at: spec.now,
        policy: spec.policy, key_usage: 'ENCRYPT_DECRYPT', key_spec: 'SYMMETRIC_DEFAULT', origin: 'AWS_KMS',
        rotation_enabled: 0,
      }).execute();
      await trx.insertInto('kms_key_materials').values({ key_id: keyId, material_version: 1, material_sealed: sealed, created_at: spec.now }).execute();
      await insertTags(trx, keyId, spec.tags);
    });
    this.keys.invalidate(keyId);
    return keyId;
  }

  /** Applies `changes` to the key's row when `check` (run on the locked row) passes. */
  async update(keyId: string, check: (row: KeyRow) => Partial<KmsKeyTable>): Promise<KeyRow> {
    return this.withKey(keyId, async (trx, row) => {
      if (!row) throw new Error(`KMS key ${keyId} vanished during an update`);
      const changes = check(row);
      if (Object.keys(changes).length > 0) await trx.updateTable('kms_keys').set(changes).where('key_id', '=', keyId).execute();
      return { ...row, ...changes };
    });
  }

  /**
   * New key material becomes current; older versions stay, so ciphertexts made under them
   * still decrypt. An automatic rotation also moves the next rotation date one period on.
   * `check` runs on the locked row first (state, limits) and may throw.
   */
  async rotate(keyId: string, type: RotationType, now: number, check: (row: KeyRow, trx: Transaction<Database>) => Promise<void>): Promise<number> {
    return this.withKey(keyId, async (trx, row) => {
      if (!row) throw new Error(`KMS key ${keyId} vanished during a rotation`);
      await check(row, trx);
      const version = row.current_material + 1;
      const sealed = this.keys.sealNewMaterial(row.arn, version);
      await trx.insertInto('kms_key_materials').values({ key_id: keyId, material_version: version, material_sealed: sealed, created_at: now, rotation_type: type }).execute();
      const changes: Partial<KmsKeyTable> = { current_material: version };
      if (type === 'AUTOMATIC') changes.next_rotation_at = now + (row.rotation_period_days ?? 365) * DAY_MS;
      await trx.updateTable('kms_keys').set(changes).where('key_id', '=', keyId).execute();
      return version;
    });
  }

  /** The key, its material, aliases and tags, gone for good (the foreign keys cascade). */
  async deleteKey(keyId: string, stillDue: (row: KeyRow) => boolean): Promise<boolean> {
    const deleted = await this.withKey(keyId, async (trx, row) => {
      if (!row || !stillDue(row)) return false;
      await trx.deleteFrom('kms_key_tags').where('key_id', '=', keyId).execute();
      await trx.deleteFrom('kms_aliases').where('key_id', '=', keyId).execute();
      await trx.deleteFrom('kms_key_materials').where('key_id', '=', keyId).execute();
      await trx.deleteFrom('kms_keys').where('key_id', '=', keyId).execute();
      return true;
    });
    if (deleted) this.keys.forget(keyId);
    return deleted;
  }

  /** Inserts the alias; false when the name is taken in that account and region. */
  async createAlias(accountId: string, region: string, aliasName: string, keyId: string, now: number): Promise<boolean> {
    try {
      await transaction(this.db, async (trx) => {
        const taken = await trx.selectFrom('kms_aliases').select('key_id')
          .where('account_id', '=', accountId).where('region', '=', region).where('alias_name', '=', aliasName).executeTakeFirst();
        if (taken) throw new AliasTaken();
        await trx.insertInto('kms_aliases').values({ account_id: accountId, region, alias_name: aliasName, key_id: keyId, created_at: now, updated_at: now }).execute();
      });
      return true;
    } catch (err) {
      if (err instanceof AliasTaken) return false;
      // Two writers raced for the name: the primary key kept one.
      const taken = await this.db.selectFrom('kms_aliases').select('key_id')
        .where('account_id', '=', accountId).where('region', '=', region).where('alias_name', '=', aliasName).executeTakeFirst();
      if (taken) return false;
      throw err;
    } finally {
      this.keys.invalidate(keyId);
    }
  }

  /** Points the alias at another key; false when the alias is gone. */
  async updateAlias(accountId: string, region: string, aliasName: string, fromKeyId: string, toKeyId: string, now: number): Promise<boolean> {
    try {
      const result = await this.db.updateTable('kms_aliases').set({ key_id: toKeyId, updated_at: now })
        .where('account_id', '=', accountId).where('region', '=', region).where('alias_name', '=', aliasName)
        .where('key_id', '=', fromKeyId).executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    } finally {
      this.keys.invalidate(fromKeyId);
      this.keys.invalidate(toKeyId);
    }
  }

  async deleteAlias(accountId: string, region: string, aliasName: string, keyId: string): Promise<boolean> {
    try {
      const result = await this.db.deleteFrom('kms_aliases')
        .where('account_id', '=', accountId).where('region', '=', region).where('alias_name', '=', aliasName).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    } finally {
      this.keys.invalidate(keyId);
    }
  }

  /** Adds or overwrites tags; `check` runs on the locked row and the key's current tags. */
  async tag(keyId: string, tags: Record<string, string>, check: (row: KeyRow, current: Record<string, string>) => void): Promise<void> {
    await this.withKey(keyId, async (trx, row) => {
      if (!row) throw new Error(`KMS key ${keyId} vanished while tagging`);
      const current = Object.fromEntries((await trx.selectFrom('kms_key_tags').select(['tag_key', 'tag_value']).where('key_id', '=', keyId).execute())
        .map((t) => [t.tag_key, t.tag_value]));
      check(row, current);
      if (Object.keys(tags).length === 0) return;
      await trx.deleteFrom('kms_key_tags').where('key_id', '=', keyId).where('tag_key', 'in', Object.keys(tags)).execute();
      await insertTags(trx, keyId, tags);
    });
  }

  async untag(keyId: string, tagKeys: string[], check: (row: KeyRow) => void): Promise<void> {
    await this.withKey(keyId, async (trx, row) => {
      if (!row) throw new Error(`KMS key ${keyId} vanished while untagging`);
      check(row);
      if (tagKeys.length > 0) await trx.deleteFrom('kms_key_tags').where('key_id', '=', keyId).where('tag_key', 'in', tagKeys).execute();
    });
  }
}

class AliasTaken extends Error {}

async function insertTags(trx: Transaction<Database>, keyId: string, tags: Record<string, string>): Promise<void> {
  const rows = Object.entries(tags).map(([tag_key, tag_value]) => ({ key_id: keyId, tag_key, tag_value }));
  if (rows.length > 0) await trx.insertInto('kms_key_tags').values(rows).execute();
}
