/**
 * CreateAccessKey, ListAccessKeys, UpdateAccessKey, DeleteAccessKey, GetAccessKeyLastUsed.
 * Without UserName these act on the caller's own keys; for the account root that means the
 * root's keys, as in AWS. A key made Inactive or deleted stops authenticating at once: the
 * credential cache is dropped for it.
 */
import type { Selectable } from 'kysely';
import type { RequestContext } from '../../auth/request-context.ts';
import { newAccessKeyId, newSecretAccessKey } from '../../auth/credentials.ts';
import { operation } from '../../protocol/operation.ts';
import type { AccessKeyTable } from '../../storage/schema.ts';
import { transaction } from '../../storage/transaction.ts';
import type { IamDeps } from './deps.ts';
import { invalidInput, limitExceeded, noSuchEntity, pageOf } from './entities.ts';
import { callerUser, findUser, noSuchUser, type Db, type UserRow } from './identity-store.ts';
import { onUser } from './user-auth.ts';

const MAX_KEYS_PER_USER = 2;

type KeyRow = Selectable<AccessKeyTable>;

/** Whose keys an operation acts on: the root, a user, or a named user that does not exist. */
type Owner = { kind: 'root'; arn: string } | { kind: 'user'; row: UserRow } | { kind: 'missing'; userName: string };

async function ownerOf(deps: IamDeps, ctx: RequestContext, userName: string | undefined): Promise<Owner> {
  if (userName === undefined) {
    if (ctx.principal.type === 'Root') return { kind: 'root', arn: ctx.principal.arn };
    return { kind: 'user', row: await callerUser(deps.db, ctx) };
  }
  const row = await findUser(deps.db, ctx.principal.accountId, userName);
  return row ? { kind: 'user', row } : { kind: 'missing', userName };
}

function authorizeOn(action: string, ctx: RequestContext, owner: Owner) {
  const accountId = ctx.principal.accountId;
  if (owner.kind === 'root') return { action, resource: owner.arn };
  if (owner.kind === 'missing') return onUser(action, accountId, owner.userName, undefined);
  return onUser(action, accountId, owner.row.user_name, owner.row);
}

function existing(owner: Owner): Exclude<Owner, { kind: 'missing' }> {
  if (owner.kind === 'missing') throw noSuchUser(owner.userName);
  return owner;
}

async function keysOf(db: Db, accountId: string, owner: Exclude<Owner, { kind: 'missing' }>): Promise<KeyRow[]> {
  let q = db.selectFrom('access_keys').selectAll().where('account_id', '=', accountId);
  q = owner.kind === 'root'
    ? q.where('principal_type', '=', 'Root')
    : q.where('principal_type', '=', 'IAMUser').where('user_name', '=', owner.row.user_name);
  return q.orderBy('created_at').orderBy('access_key_id').execute();
}

const noSuchKey = (id: string) => noSuchEntity(`The Access Key with id ${id} cannot be found.`);

function keyMetadata(row: KeyRow) {
  return { UserName: row.user_name ?? undefined, AccessKeyId: row.access_key_id, Status: row.status, CreateDate: new Date(Number(row.created_at)) };
}

export function createAccessKey(deps: IamDeps) {
  return operation<{ UserName?: string }, Record<string, unknown>, Owner>({
    async plan(ctx, input) {
      const owner = await ownerOf(deps, ctx, input.UserName);
      return { authorization: authorizeOn('iam:CreateAccessKey', ctx, owner), state: owner };
    },
    async run(ctx, _input, planned) {
      const owner = existing(planned);
      const accountId = ctx.principal.accountId;
      const accessKeyId = newAccessKeyId();
      const secret = newSecretAccessKey();
      const now = deps.now();
      // The count and the insert in one transaction, so two concurrent calls cannot make a third key.
      await transaction(deps.db, async (trx) => {
        const keys = await keysOf(trx, accountId, owner);
        if (keys.length >= MAX_KEYS_PER_USER) throw limitExceeded(`Cannot exceed quota for AccessKeysPerUser: ${MAX_KEYS_PER_USER}`);
        if (owner.kind === 'root') await deps.credentials.createRootKey(accountId, accessKeyId, secret, trx);
        else await deps.credentials.createUserKey(accountId, owner.row.user_name, owner.row.arn, accessKeyId, secret, now, trx);
      });
      deps.changed();
      return {
        AccessKey: {
          UserName: owner.kind === 'user' ? owner.row.user_name : undefined,
          AccessKeyId: accessKeyId, Status: 'Active', SecretAccessKey: secret, CreateDate: new Date(now),
        },
      };
    },
  });
}

export function listAccessKeys(deps: IamDeps) {
  return operation<{ UserName?: string; Marker?: string; MaxItems?: number }, Record<string, unknown>, Owner>({
    async plan(ctx, input) {
      const owner = await ownerOf(deps, ctx, input.UserName);
      return { authorization: authorizeOn('iam:ListAccessKeys', ctx, owner), state: owner };
    },
    async run(ctx, input, planned) {
      const keys = await keysOf(deps.db, ctx.principal.accountId, existing(planned));
      const { page, ...paging } = pageOf(keys, (k) => `${String(k.created_at).padStart(16, '0')}/${k.access_key_id}`, input.Marker, input.MaxItems);
      return { AccessKeyMetadata: page.map(keyMetadata), ...paging };
    },
  });
}

/** The key `id` among the owner's keys, or NoSuchEntity as AWS words it. */
async function ownedKey(deps: IamDeps, ctx: RequestContext, owner: Owner, id: string): Promise<KeyRow> {
  const key = (await keysOf(deps.db, ctx.principal.accountId, existing(owner))).find((k) => k.access_key_id === id);
  if (!key) throw noSuchKey(id);
  return key;
}

export function updateAccessKey(deps: IamDeps) {
  return operation<{ UserName?: string; AccessKeyId: string; Status: string }, Record<string, never>, Owner>({
    async plan(ctx, input) {
      const owner = await ownerOf(deps, ctx, input.UserName);
      return { authorization: authorizeOn('iam:UpdateAccessKey', ctx, owner), state: owner };
    },
    async run(ctx, input, owner) {
      if (input.Status !== 'Active' && input.Status !== 'Inactive') throw invalidInput(`Invalid status: ${input.Status}. Valid values are Active and Inactive.`);
      const key = await ownedKey(deps, ctx, owner, input.AccessKeyId);
      await deps.db.updateTable('access_keys').set({ status: input.Status }).where('access_key_id', '=', key.access_key_id).execute();
      deps.credentials.invalidate(key.access_key_id);
      deps.changed();
      return {};
    },
  });
}

export function deleteAccessKey(deps: IamDeps) {
  return operation<{ UserName?: string; AccessKeyId: string }, Record<string, never>, Owner>({
    async plan(ctx, input) {
      const owner = await ownerOf(deps, ctx, input.UserName);
      return { authorization: authorizeOn('iam:DeleteAccessKey', ctx, owner), state: owner };
    },
    async run(ctx, input, owner) {
      const key = await ownedKey(deps, ctx, owner, input.AccessKeyId);
      await deps.db.deleteFrom('access_keys').where('access_key_id', '=', key.access_key_id).execute();
      deps.credentials.invalidate(key.access_key_id);
      deps.changed();
      return {};
    },
  });
}

export function getAccessKeyLastUsed(deps: IamDeps) {
  return operation<{ AccessKeyId: string }, Record<string, unknown>, KeyRow | undefined>({
    async plan(ctx, input) {
      const accountId = ctx.principal.accountId;
      const key = await deps.db.selectFrom('access_keys').selectAll()
        .where('access_key_id', '=', input.AccessKeyId).where('account_id', '=', accountId).executeTakeFirst();
      // Authorized on the key's owner: the root, or the user (by its current ARN).
      if (key?.principal_type === 'IAMUser') {
        const user = await findUser(deps.db, accountId, key.user_name ?? '');
        return { authorization: onUser('iam:GetAccessKeyLastUsed', accountId, key.user_name ?? '', user), state: key };
      }
      return { authorization: { action: 'iam:GetAccessKeyLastUsed', resource: key ? key.principal_arn : `arn:aws:iam::${accountId}:user/*` }, state: key };
    },
    async run(_ctx, input, key) {
      if (!key) throw noSuchKey(input.AccessKeyId);
      // A key never used reports "N/A" for service and region, and no date.
      const lastUsed = key.last_used_at === null
        ? { ServiceName: 'N/A', Region: 'N/A' }
        : { LastUsedDate: new Date(Number(key.last_used_at)), ServiceName: key.last_used_service ?? 'N/A', Region: key.last_used_region ?? 'N/A' };
      return { UserName: key.user_name ?? undefined, AccessKeyLastUsed: lastUsed };
    },
  });
}
