/** CreateUser, GetUser, ListUsers, UpdateUser, DeleteUser. */
import { operation } from '../../protocol/operation.ts';
import { transaction } from '../../storage/transaction.ts';
import type { IamDeps } from './deps.ts';
import {
  checkTagKeysUnique, deleteConflict, entityAlreadyExists, iamArn, nameKey, newUniqueId, pageOf,
  requestTagConditions, type Tag,
} from './entities.ts';
import { callerUser, findUser, noSuchUser, requireUser, userOutput, type UserOutput, type UserRow } from './identity-store.ts';
import { onUser } from './user-auth.ts';
import { requirePolicyForBoundary } from './policy-store.ts';
import { userHasEnabledDevice } from './mfa-store.ts';

export const userExists = (userName: string) => entityAlreadyExists(`User with name ${userName} already exists.`);

interface CreateUserInput { UserName: string; Path?: string; PermissionsBoundary?: string; Tags?: Tag[] }

export function createUser(deps: IamDeps) {
  return operation<CreateUserInput, { User: ReturnType<typeof userOutput> }, undefined>({
    async plan(ctx, input) {
      const accountId = ctx.principal.accountId;
      const path = input.Path ?? '/';
      const conditions: Record<string, string | string[]> = requestTagConditions(input.Tags);
      if (input.PermissionsBoundary !== undefined) conditions['iam:PermissionsBoundary'] = input.PermissionsBoundary;
      return { authorization: { action: 'iam:CreateUser', resource: iamArn(accountId, 'user', path, input.UserName), conditions }, state: undefined };
    },
    async run(ctx, input) {
      const accountId = ctx.principal.accountId;
      const path = input.Path ?? '/';
      const tags = input.Tags ?? [];
      checkTagKeysUnique(tags);
      // A boundary must name an existing managed policy (AWS or the account's own).
      if (input.PermissionsBoundary !== undefined) await requirePolicyForBoundary(deps.db, accountId, input.PermissionsBoundary);
      const row: UserRow = {
        account_id: accountId, user_key: nameKey(input.UserName), user_name: input.UserName,
        user_id: newUniqueId('AIDA'), path, arn: iamArn(accountId, 'user', path, input.UserName),
        permissions_boundary: input.PermissionsBoundary ?? null,
        tags: JSON.stringify(tags.map((t) => ({ Key: t.Key, Value: t.Value ?? '' }))),
        created_at: deps.now(), password_last_used_at: null,
      };
      const existing = await findUser(deps.db, accountId, input.UserName);
      if (existing) throw userExists(existing.user_name);
      try {
        await deps.db.insertInto('iam_users').values(row).execute();
      } catch (err) {
        // A concurrent CreateUser of the same name (in any case) won the primary key.
        const winner = await findUser(deps.db, accountId, input.UserName);
        if (winner) throw userExists(winner.user_name);
        throw err;
      }
      deps.changed();
      return { User: userOutput(row, true) };
    },
  });
}

interface GetUserInput { UserName?: string }

export function getUser(deps: IamDeps) {
  return operation<GetUserInput, { User: Partial<UserOutput> }, UserRow | undefined>({
    async plan(ctx, input) {
      const accountId = ctx.principal.accountId;
      if (input.UserName === undefined) {
        // Without UserName, GetUser describes the caller: the root user has no IAM user row.
        if (ctx.principal.type === 'Root') return { authorization: { action: 'iam:GetUser', resource: ctx.principal.arn }, state: undefined };
        const row = await callerUser(deps.db, ctx);
        return { authorization: onUser('iam:GetUser', accountId, row.user_name, row), state: row };
      }
      const row = await findUser(deps.db, accountId, input.UserName);
      return { authorization: onUser('iam:GetUser', accountId, input.UserName, row), state: row };
    },
    async run(ctx, input, row) {
      if (!row) {
        if (input.UserName !== undefined) throw noSuchUser(input.UserName);
        const account = await deps.db.selectFrom('accounts').select('created_at').where('account_id', '=', ctx.principal.accountId).executeTakeFirst();
        return { User: { UserId: ctx.principal.accountId, Arn: ctx.principal.arn, CreateDate: new Date(Number(account?.created_at ?? 0)) } };
      }
      return { User: userOutput(row, true) };
    },
  });
}

interface ListUsersInput { PathPrefix?: string; Marker?: string; MaxItems?: number }

export function listUsers(deps: IamDeps) {
  return operation<ListUsersInput, Record<string, unknown>, undefined>({
    plan: async (ctx) => ({ authorization: { action: 'iam:ListUsers', resource: iamArn(ctx.principal.accountId, 'user', '/', '*') }, state: undefined }),
    async run(ctx, input) {
      const prefix = input.PathPrefix ?? '/';
      const rows = await deps.db.selectFrom('iam_users').selectAll()
        .where('account_id', '=', ctx.principal.accountId).orderBy('user_key').execute();
      const matching = rows.filter((r) => r.path.startsWith(prefix));
      const { page, ...paging } = pageOf(matching, (r) => r.user_key, input.Marker, input.MaxItems);
      return { Users: page.map((r) => userOutput(r)), ...paging };
    },
  });
}

interface UpdateUserInput { UserName: string; NewUserName?: string; NewPath?: string }

export function updateUser(deps: IamDeps) {
  return operation<UpdateUserInput, Record<string, never>, UserRow | undefined>({
    async plan(ctx, input) {
      const accountId = ctx.principal.accountId;
      const row = await findUser(deps.db, accountId, input.UserName);
      const requests = [onUser('iam:UpdateUser', accountId, input.UserName, row)];
      // A rename is authorized on the new name too, as AWS documents for UpdateUser.
      if (input.NewUserName !== undefined || input.NewPath !== undefined) {
        const name = input.NewUserName ?? row?.user_name ?? input.UserName;
        requests.push({ action: 'iam:UpdateUser', resource: iamArn(accountId, 'user', input.NewPath ?? row?.path ?? '/', name), conditions: {} });
      }
      return { authorization: requests, state: row };
    },
    async run(ctx, input, planned) {
      if (!planned) throw noSuchUser(input.UserName);
      const accountId = ctx.principal.accountId;
      const keyIds = await transaction(deps.db, async (trx) => {
        const row = await requireUser(trx, accountId, input.UserName);
        const name = input.NewUserName ?? row.user_name;
        const path = input.NewPath ?? row.path;
        const key = nameKey(name);
        if (key !== row.user_key) {
          const clash = await findUser(trx, accountId, name);
          if (clash) throw userExists(clash.user_name);
        }
        const arn = iamArn(accountId, 'user', path, name);
        await trx.updateTable('iam_users').set({ user_key: key, user_name: name, path, arn })
          .where('account_id', '=', accountId).where('user_key', '=', row.user_key).execute();
        if (key !== row.user_key) {
          // Everything keyed by the user follows the new name.
          await trx.updateTable('iam_group_members').set({ user_key: key }).where('account_id', '=', accountId).where('user_key', '=', row.user_key).execute();
          await trx.updateTable('iam_inline_policies').set({ owner_key: key }).where('account_id', '=', accountId).where('owner_type', '=', 'user').where('owner_key', '=', row.user_key).execute();
          await trx.updateTable('iam_attachments').set({ owner_key: key }).where('account_id', '=', accountId).where('owner_type', '=', 'user').where('owner_key', '=', row.user_key).execute();
          await trx.updateTable('iam_login_profiles').set({ user_key: key }).where('account_id', '=', accountId).where('user_key', '=', row.user_key).execute();
          await trx.updateTable('iam_mfa_devices').set({ user_key: key }).where('account_id', '=', accountId).where('user_key', '=', row.user_key).execute();
        }
        const keys = await trx.selectFrom('access_keys').select('access_key_id')
          .where('account_id', '=', accountId).where('principal_type', '=', 'IAMUser').where('user_name', '=', row.user_name).execute();
        await trx.updateTable('access_keys').set({ user_name: name, principal_arn: arn })
          .where('account_id', '=', accountId).where('principal_type', '=', 'IAMUser').where('user_name', '=', row.user_name).execute();
        return keys.map((k) => k.access_key_id);
      });
      // The keys now resolve to the renamed principal.
      for (const id of keyIds) deps.credentials.invalidate(id);
      deps.changed();
      return {};
    },
  });
}

interface DeleteUserInput { UserName: string }

export function deleteUser(deps: IamDeps) {
  return operation<DeleteUserInput, Record<string, never>, UserRow | undefined>({
    async plan(ctx, input) {
      const row = await findUser(deps.db, ctx.principal.accountId, input.UserName);
      return { authorization: onUser('iam:DeleteUser', ctx.principal.accountId, input.UserName, row), state: row };
    },
    async run(ctx, input, planned) {
      if (!planned) throw noSuchUser(input.UserName);
      const accountId = ctx.principal.accountId;
      await transaction(deps.db, async (trx) => {
        const row = await requireUser(trx, accountId, input.UserName);
        // AWS refuses to delete a user that still has anything attached, one reason at a time.
        const profile = await trx.selectFrom('iam_login_profiles').select('user_key')
          .where('account_id', '=', accountId).where('user_key', '=', row.user_key).executeTakeFirst();
        if (profile) throw deleteConflict('Cannot delete entity, must delete login profile first.');
        const key = await trx.selectFrom('access_keys').select('access_key_id')
          .where('account_id', '=', accountId).where('principal_type', '=', 'IAMUser').where('user_name', '=', row.user_name).executeTakeFirst();
        if (key) throw deleteConflict('Cannot delete entity, must delete access keys first.');
        const inline = await trx.selectFrom('iam_inline_policies').select('policy_name')
          .where('account_id', '=', accountId).where('owner_type', '=', 'user').where('owner_key', '=', row.user_key).executeTakeFirst();
        if (inline) throw deleteConflict('Cannot delete entity, must delete policies first.');
        const attached = await trx.selectFrom('iam_attachments').select('policy_arn')
          .where('account_id', '=', accountId).where('owner_type', '=', 'user').where('owner_key', '=', row.user_key).executeTakeFirst();
        if (attached) throw deleteConflict('Cannot delete entity, must detach all policies first.');
        const member = await trx.selectFrom('iam_group_members').select('group_key')
          .where('account_id', '=', accountId).where('user_key', '=', row.user_key).executeTakeFirst();
        if (member) throw deleteConflict('Cannot delete entity, must remove users from group first.');
        if (await userHasEnabledDevice(trx, accountId, row.user_key)) throw deleteConflict('Cannot delete entity, must delete MFA device first.');
        await trx.deleteFrom('iam_users').where('account_id', '=', accountId).where('user_key', '=', row.user_key).execute();
      });
      deps.changed();
      return {};
    },
  });
}
