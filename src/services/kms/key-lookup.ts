/**
 * Finding the key a request names — key id, key ARN, alias name or alias ARN — with the
 * errors AWS KMS gives when it cannot: `Invalid keyId '…'` for something that is not a key
 * id, `Key '<arn>' does not exist`, `Alias <arn> is not found.`, `Invalid arn <region>` for a
 * key ARN of another region. Only the operations AWS allows across accounts accept another
 * account's ARN; the others look in the caller's account only.
 */
import type { RequestContext } from '../../auth/request-context.ts';
import { AwsError } from '../../errors.ts';
import { SECRETS_MANAGER_ALIAS, type KeyStore, type KmsKey } from './key-store.ts';

const KEY_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MULTI_REGION_KEY_ID = /^mrk-[0-9a-f]{32}$/i;
const KEY_ARN = /^arn:aws:kms:([^:]*):([^:]*):key\/(.*)$/;
const ALIAS_ARN = /^arn:aws:kms:([^:]*):([^:]*):(alias\/.*)$/;

export const notFound = (message: string) => new AwsError('NotFoundException', message);

export function keyArn(region: string, accountId: string, keyId: string): string {
  return `arn:aws:kms:${region}:${accountId}:key/${keyId}`;
}

export function aliasArn(region: string, accountId: string, aliasName: string): string {
  return `arn:aws:kms:${region}:${accountId}:${aliasName}`;
}

export interface FoundKey {
  key: KmsKey;
  /** The alias the request named the key by, for `kms:RequestAlias`. */
  requestAlias?: string;
}

export interface LookupOptions {
  /** The operation accepts another account's key (by key ARN or alias ARN), as Encrypt or DescribeKey do. */
  crossAccount?: boolean;
}

export async function findKey(keys: KeyStore, ctx: RequestContext, ref: string, opts: LookupOptions = {}): Promise<FoundKey> {
  const caller = ctx.principal.accountId;
  const region = ctx.region;
  let accountId = caller;
  let aliasName: string | undefined;
  let keyId: string;
  let arnGiven: string | undefined;
  const keyArnMatch = KEY_ARN.exec(ref);
  const aliasArnMatch = keyArnMatch ? null : ALIAS_ARN.exec(ref);
  if (keyArnMatch) {
    if (keyArnMatch[1] !== region) throw notFound(`Invalid arn ${keyArnMatch[1]}`);
    accountId = keyArnMatch[2]!;
    keyId = keyArnMatch[3]!;
    arnGiven = ref;
  } else if (aliasArnMatch) {
    if (aliasArnMatch[1] !== region) throw notFound(`Invalid arn ${aliasArnMatch[1]}`);
    accountId = aliasArnMatch[2]!;
    aliasName = aliasArnMatch[3]!;
    keyId = '';
  } else if (ref.startsWith('alias/')) {
    aliasName = ref;
    keyId = '';
  } else {
    keyId = ref;
  }
  if (accountId !== caller && !opts.crossAccount) {
    // Operations that do not cross accounts see only the caller's keys.
    if (aliasName) throw notFound(`Alias ${aliasArn(region, accountId, aliasName)} is not found.`);
    throw notFound(`Key '${arnGiven ?? keyArn(region, accountId, keyId)}' does not exist`);
  }
  if (aliasName) {
    let key: KmsKey | undefined;
    if (aliasName === SECRETS_MANAGER_ALIAS) {
      // The predefined AWS alias creates its AWS managed key on first use, as in AWS — in the
      // caller's own account only; another account's is found only if it exists already.
      key = accountId === caller ? await keys.secretsManagerKey(accountId, region) : await keys.existingAliasTarget(accountId, region, aliasName);
    } else {
      key = await keys.resolve(accountId, region, aliasArn(region, accountId, aliasName));
    }
    if (!key) throw notFound(`Alias ${aliasArn(region, accountId, aliasName)} is not found.`);
    return { key, requestAlias: aliasName };
  }
  if (!KEY_ID.test(keyId) && !MULTI_REGION_KEY_ID.test(keyId)) throw notFound(`Invalid keyId '${keyId}'`);
  const key = await keys.getKey(keyId.toLowerCase());
  if (!key || key.accountId !== accountId || key.region !== region) {
    throw notFound(`Key '${arnGiven ?? keyArn(region, accountId, keyId)}' does not exist`);
  }
  return { key };
}

/** A key's ARN and state: the cached key, or a row read under the key's lock. */
export interface StateOf {
  arn: string;
  keyState: string;
}

export function stateOf(row: { arn: string; key_state: string }): StateOf {
  return { arn: row.arn, keyState: row.key_state };
}

/** The state errors of AWS's key-state table, worded as KMS words them. */
export function disabled(key: StateOf): AwsError {
  return new AwsError('DisabledException', `${key.arn} is disabled.`);
}

export function pendingDeletion(key: StateOf): AwsError {
  return new AwsError('KMSInvalidStateException', `${key.arn} is pending deletion.`);
}

/** For cryptographic operations (and rotation): the key must be Enabled. */
export function requireUsable(key: StateOf): void {
  if (key.keyState === 'PendingDeletion') throw pendingDeletion(key);
  if (key.keyState !== 'Enabled') throw disabled(key);
}

/** For management operations that refuse keys pending deletion but accept disabled ones. */
export function requireNotPendingDeletion(key: StateOf): void {
  if (key.keyState === 'PendingDeletion') throw pendingDeletion(key);
}
