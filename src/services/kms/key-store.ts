/**
 * KMS key material: created random, sealed under the root key (bound to the key ARN and
 * material version), and kept unsealed in memory once used, so the hot path decrypts a
 * data key with one AES-GCM operation and no database round trip.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../storage/schema.ts';
import { newKey, open, seal } from '../../crypto/aead.ts';
import { AwsError } from '../../errors.ts';

export interface KmsKey {
  keyId: string;
  arn: string;
  accountId: string;
  region: string;
  keyManager: 'AWS' | 'CUSTOMER';
  keyState: string;
  currentMaterial: number;
}

/**
 * Where a read runs. Inside a writer's transaction, reads must go through that transaction:
 * on SQLite, Kysely has one connection, and a read on another would wait for the
 * transaction that is waiting for it.
 */
type Db = Kysely<Database> | Transaction<Database>;

export const SECRETS_MANAGER_ALIAS = 'alias/aws/secretsmanager';

function materialAad(arn: string, version: number): string {
  return `kms-material:${arn}:${version}`;
}

export class KeyStore {
  private readonly materials = new Map<string, Buffer>();
  private readonly keys = new Map<string, KmsKey>();
  private readonly managedKeyIds = new Map<string, string>();

  constructor(private readonly db: Kysely<Database>, private readonly rootKey: Buffer) {}

  async getKey(keyId: string, db: Db = this.db): Promise<KmsKey | undefined> {
    const cached = this.keys.get(keyId);
    if (cached) return cached;
    const row = await db.selectFrom('kms_keys').selectAll().where('key_id', '=', keyId).executeTakeFirst();
    if (!row) return undefined;
    const key: KmsKey = {
      keyId: row.key_id, arn: row.arn, accountId: row.account_id, region: row.region,
      keyManager: row.key_manager as KmsKey['keyManager'], keyState: row.key_state, currentMaterial: row.current_material,
    };
    this.keys.set(keyId, key);
    return key;
  }

  /**
   * A key named by id, key ARN, alias name or alias ARN, as KMS accepts them. Undefined when
   * no such key exists in that account and region.
   */
  async resolve(accountId: string, region: string, ref: string): Promise<KmsKey | undefined> {
    let alias: string | undefined;
    let keyId: string | undefined;
    const arn = /^arn:aws:kms:([^:]+):(\d{12}):(key|alias)\/(.+)$/.exec(ref);
    if (arn) {
      if (arn[1] !== region) return undefined;
      accountId = arn[2]!;
      if (arn[3] === 'key') keyId = arn[4];
      else alias = `alias/${arn[4]}`;
    } else if (ref.startsWith('alias/')) {
      alias = ref;
    } else {
      keyId = ref;
    }
    if (alias === SECRETS_MANAGER_ALIAS) return this.secretsManagerKey(accountId, region);
    if (alias) {
      const row = await this.db.selectFrom('kms_aliases').select('key_id')
        .where('account_id', '=', accountId).where('region', '=', region).where('alias_name', '=', alias).executeTakeFirst();
      keyId = row?.key_id;
    }
    if (!keyId) return undefined;
    const key = await this.getKey(keyId);
    return key && key.accountId === accountId && key.region === region ? key : undefined;
  }

  async material(key: KmsKey, version: number, db: Db = this.db): Promise<Buffer> {
    const cacheKey = `${key.keyId}:${version}`;
    const cached = this.materials.get(cacheKey);
    if (cached) return cached;
    const row = await db.selectFrom('kms_key_materials').select('material_sealed')
      .where('key_id', '=', key.keyId).where('material_version', '=', version).executeTakeFirst();
    if (!row) throw new AwsError('InvalidCiphertextException', 'The ciphertext refers to key material that does not exist.');
    const material = open(this.rootKey, Buffer.from(row.material_sealed), materialAad(key.arn, version));
    this.materials.set(cacheKey, material);
    return material;
  }

  /**
   * The AWS managed key `aws/secretsmanager` of an account and region, created on first use
   * as AWS does. Concurrent first uses (several nodes) converge on one key via the alias's
   * primary key.
   */
  async secretsManagerKey(accountId: string, region: string): Promise<KmsKey> {
    const scope = `${accountId}:${region}`;
    const known = this.managedKeyIds.get(scope);
    if (known) return (await this.getKey(known))!;
    const alias = await this.db.selectFrom('kms_aliases').select('key_id')
      .where('account_id', '=', accountId).where('region', '=', region).where('alias_name', '=', SECRETS_MANAGER_ALIAS)
      .executeTakeFirst();
    let keyId = alias?.key_id;
    if (!keyId) keyId = await this.createManagedKey(accountId, region);
    this.managedKeyIds.set(scope, keyId);
    return (await this.getKey(keyId))!;
  }

  private async createManagedKey(accountId: string, region: string): Promise<string> {
    const keyId = randomUUID();
    const arn = `arn:aws:kms:${region}:${accountId}:key/${keyId}`;
    const now = Date.now();
    const sealed = seal(this.rootKey, newKey(), materialAad(arn, 1));
    try {
      await this.db.transaction().execute(async (trx) => {
        await trx.insertInto('kms_keys').values({
          key_id: keyId, account_id: accountId, region, arn,
          description: 'Default key that protects my Secrets Manager data when no other key is defined',
          key_manager: 'AWS', key_state: 'Enabled', current_material: 1, created_at: now,
        }).execute();
        await trx.insertInto('kms_key_materials').values({ key_id: keyId, material_version: 1, material_sealed: sealed, created_at: now }).execute();
        await trx.insertInto('kms_aliases').values({ account_id: accountId, region, alias_name: SECRETS_MANAGER_ALIAS, key_id: keyId, created_at: now }).execute();
      });
      return keyId;
    } catch (err) {
      // Another writer created the alias first: use theirs.
      const alias = await this.db.selectFrom('kms_aliases').select('key_id')
        .where('account_id', '=', accountId).where('region', '=', region).where('alias_name', '=', SECRETS_MANAGER_ALIAS)
        .executeTakeFirst();
      if (alias) return alias.key_id;
      throw err;
    }
  }
}
