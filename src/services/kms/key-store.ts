/**
 * KMS key material: created random, sealed under the root key (bound to the key ARN and
 * material version), and kept unsealed in memory once used, so the hot path decrypts a
 * data key with one AES-GCM operation and no database round trip.
 *
 * Key metadata (state, policy, aliases, tags) is cached until a write drops it; with several
 * nodes the drop is published to the others (`CacheSync`, src/cluster/). Material never
 * changes once written (rotation adds a version), so it stays until the key is deleted.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Database, KmsKeyTable } from '../../storage/schema.ts';
import { newKey } from '../../crypto/aead.ts';
import type { RootKeySealer } from '../../crypto/root-key-ring.ts';
import { AwsError } from '../../errors.ts';
import { defaultKeyPolicy, secretsManagerKeyPolicy } from './key-policy.ts';
import { LOCAL_ONLY, type CacheSync } from '../../cluster/cache-sync.ts';

export type KeyState = 'Enabled' | 'Disabled' | 'PendingDeletion';

export interface KmsKey {
  keyId: string;
  arn: string;
  accountId: string;
  region: string;
  keyManager: 'AWS' | 'CUSTOMER';
  keyState: KeyState;
  currentMaterial: number;
  /** The key policy (JSON): the key's resource policy, required for every use of the key. */
  policy: string;
  description: string;
  keyUsage: 'ENCRYPT_DECRYPT';
  keySpec: 'SYMMETRIC_DEFAULT';
  origin: 'AWS_KMS';
  createdAt: number;
  /** Epoch ms when a key pending deletion is deleted. */
  deletionDate?: number;
  pendingWindowDays?: number;
  rotationEnabled: boolean;
  rotationPeriodDays?: number;
  /** Epoch ms of the next automatic rotation, while rotation is enabled. */
  nextRotationAt?: number;
  /** Alias names (`alias/...`) pointing at the key: `kms:ResourceAliases`. */
  aliases: readonly string[];
  /** Tags, for `aws:ResourceTag/...` and ListResourceTags. */
  tags: Readonly<Record<string, string>>;
}

/**
 * Where a read runs. Inside a writer's transaction, reads must go through that transaction:
 * on SQLite, Kysely has one connection, and a read on another would wait for the
 * transaction that is waiting for it.
 */
type Db = Kysely<Database> | Transaction<Database>;

export const SECRETS_MANAGER_ALIAS = 'alias/aws/secretsmanager';
export const DAY_MS = 86_400_000;

type KeyRow = Selectable<KmsKeyTable>;

/** The cached view of a key row. AWS managed keys' policy follows from their account and region. */
function keyFromRow(row: KeyRow, aliases: string[], tags: Record<string, string>): KmsKey {
  const keyManager = row.key_manager as KmsKey['keyManager'];
  return {
    keyId: row.key_id, arn: row.arn, accountId: row.account_id, region: row.region,
    keyManager, keyState: row.key_state as KeyState, currentMaterial: row.current_material,
    policy: row.policy ?? (keyManager === 'AWS' ? secretsManagerKeyPolicy(row.account_id, row.region) : defaultKeyPolicy(row.account_id)),
    description: row.description,
    keyUsage: row.key_usage as KmsKey['keyUsage'],
    keySpec: row.key_spec as KmsKey['keySpec'],
    origin: row.origin as KmsKey['origin'],
    createdAt: Number(row.created_at),
    deletionDate: row.deletion_date === null ? undefined : Number(row.deletion_date),
    pendingWindowDays: row.pending_window_days ?? undefined,
    rotationEnabled: row.rotation_enabled === 1,
    rotationPeriodDays: row.rotation_period_days ?? undefined,
    nextRotationAt: row.next_rotation_at === null ? undefined : Number(row.next_rotation_at),
    aliases,
    tags,
  };
}

function materialAad(arn: string, version: number): string {
  return `kms-material:${arn}:${version}`;
}

export class KeyStore {
  private readonly materials = new Map<string, Buffer>();
  private readonly keys = new Map<string, KmsKey>();
  private readonly managedKeyIds = new Map<string, string>();
  private generation = 0;

  constructor(private readonly db: Kysely<Database>, private readonly rootKey: RootKeySealer, private readonly sync: CacheSync = LOCAL_ONLY) {}

  /** The database the keys live in (KeyWriter writes through it). */
  get database(): Kysely<Database> {
    return this.db;
  }

  async getKey(keyId: string, db: Db = this.db): Promise<KmsKey | undefined> {
    const trusted = this.sync.trusted();
    const cached = trusted ? this.keys.get(keyId) : undefined;
    if (cached) return cached;
    // A write that commits while this read runs invalidates; a read older than it must not be cached.
    const generation = this.generation;
    const row = await db.selectFrom('kms_keys').selectAll().where('key_id', '=', keyId).executeTakeFirst();
    if (!row) return undefined;
    const aliases = await db.selectFrom('kms_aliases').select('alias_name').where('key_id', '=', keyId).orderBy('alias_name').execute();
    const tags = await db.selectFrom('kms_key_tags').select(['tag_key', 'tag_value']).where('key_id', '=', keyId).orderBy('tag_key').execute();
    const key = keyFromRow(row, aliases.map((a) => a.alias_name), Object.fromEntries(tags.map((t) => [t.tag_key, t.tag_value])));
    if (generation === this.generation && trusted) this.keys.set(keyId, key);
    return key;
  }

  /**
   * Drops a key's cached metadata; every write to a key, its aliases or its tags calls this
   * once the write has committed, so the next read sees it.
   */
  invalidate(keyId: string): void {
    this.dropRemote(keyId);
    this.sync.publish('kms-key', keyId);
  }

  /** Another node wrote the key: drop its metadata here, telling no one. */
  dropRemote(keyId: string): void {
    this.generation++;
    this.keys.delete(keyId);
  }

  /** Forgets all key metadata (this node may have missed changes); material stays, it never changes. */
  clear(): void {
    this.generation++;
    this.keys.clear();
  }

  /** A key that was deleted: its metadata and unsealed material leave memory too, on every node. */
  forget(keyId: string): void {
    this.forgetRemote(keyId);
    this.sync.publish('kms-key-deleted', keyId);
  }

  /** Another node deleted the key. */
  forgetRemote(keyId: string): void {
    this.dropRemote(keyId);
    for (const cacheKey of [...this.materials.keys()]) if (cacheKey.startsWith(`${keyId}:`)) this.materials.delete(cacheKey);
    for (const [scope, id] of this.managedKeyIds) if (id === keyId) this.managedKeyIds.delete(scope);
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

  /** The key an alias points at, without creating AWS managed keys (unlike `resolve`). */
  async existingAliasTarget(accountId: string, region: string, aliasName: string): Promise<KmsKey | undefined> {
    const row = await this.db.selectFrom('kms_aliases').select('key_id')
      .where('account_id', '=', accountId).where('region', '=', region).where('alias_name', '=', aliasName).executeTakeFirst();
    return row ? this.getKey(row.key_id) : undefined;
  }

  async material(key: KmsKey, version: number, db: Db = this.db): Promise<Buffer> {
    const cacheKey = `${key.keyId}:${version}`;
    const cached = this.materials.get(cacheKey);
    if (cached) return cached;
    const row = await db.selectFrom('kms_key_materials').select('material_sealed')
      .where('key_id', '=', key.keyId).where('material_version', '=', version).executeTakeFirst();
    if (!row) throw new AwsError('InvalidCiphertextException', 'The ciphertext refers to key material that does not exist.');
    const material = this.rootKey.open(Buffer.from(row.material_sealed), materialAad(key.arn, version));
    this.materials.set(cacheKey, material);
    return material;
  }

  /** New key material for version `version` of the key `arn`, sealed under the root key as `material()` opens it. */
  sealNewMaterial(arn: string, version: number): Buffer {
    return this.rootKey.seal(newKey(), materialAad(arn, version));
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
    const sealed = this.rootKey.seal(newKey(), materialAad(arn, 1));
    try {
      await this.db.transaction().execute(async (trx) => {
        await trx.insertInto('kms_keys').values({
          key_id: keyId, account_id: accountId, region, arn,
          description: 'Default key that protects my Secrets Manager data when no other key is defined',
          key_manager: 'AWS', key_state: 'Enabled', current_material: 1, created_at: now,
          key_usage: 'ENCRYPT_DECRYPT', key_spec: 'SYMMETRIC_DEFAULT', origin: 'AWS_KMS',
          // AWS rotates its managed keys every year.
          rotation_enabled: 1, rotation_period_days: 365, next_rotation_at: now + 365 * DAY_MS,
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
