/**
 * CreateGroup, GetGroup (with its users), ListGroups, UpdateGroup, DeleteGroup, and
 * membership: AddUserToGroup, RemoveUserFromGroup, ListGroupsForUser.
 */
import { operation } from '../../protocol/operation.ts';
import { transaction } from '../../storage/transaction.ts';
import type { IamDeps } from './deps.ts';
import { deleteConflict, entityAlreadyExists, iamArn, nameKey, newUniqueId, pageOf } from './entities.ts';
import {
  findGroup, findUser, groupOutput, noSuchGroup, noSuchUser, requireGroup, requireUser, userOutput, type GroupRow, type UserRow,
} from './identity-store.ts';
import { onGroup, onUser } from './user-auth.ts';

const groupExists = (groupName: string) => entityAlreadyExists(`Group with name ${groupName} already exists.`);

export function createGroup(deps: IamDeps) {
  return operation<{ GroupName: string; Path?: string }, Record<string, unknown>, undefined>({
    plan: async (ctx, input) => ({
      authorization: { action: 'iam:CreateGroup', resource: iamArn(ctx.principal.accountId, 'group', input.Path ?? '/', input.GroupName) },
      state: undefined,
    }),
    async run(ctx, input) {
      const accountId = ctx.principal.accountId;
      const path = input.Path ?? '/';
      const row: GroupRow = {
        account_id: accountId, group_key: nameKey(input.GroupName), group_name: input.GroupName, group_id: newUniqueId('AGPA'),
        path, arn: iamArn(accountId, 'group', path, input.GroupName), created_at: deps.now(),
      };
      const existing = await findGroup(deps.db, accountId, input.GroupName);
      if (existing) throw groupExists(existing.group_name);
      try {
        await deps.db.insertInto('iam_groups').values(row).execute();
      } catch (err) {
        const winner = await findGroup(deps.db, accountId, input.GroupName);
        if (winner) throw groupExists(winner.group_name);
        throw err;
      }
      deps.changed();
      return { Group: groupOutput(row) };
    },
  });
}

export function getGroup(deps: IamDeps) {
  return operation<{ GroupName: string; Marker?: string; MaxItems?: number }, Record<string, unknown>, GroupRow | undefined>({
    async plan(ctx, input) {
      const row = await findGroup(deps.db, ctx.principal.accountId, input.GroupName);
      return { authorization: onGroup('iam:GetGroup', ctx.principal.accountId, input.GroupName, row), state: row };
    },
    async run(ctx, input, group) {
      if (!group) throw noSuchGroup(input.GroupName);
      const users = await deps.db.selectFrom('iam_group_members')
        .innerJoin('iam_users', (j) => j.onRef('iam_users.account_id', '=', 'iam_group_members.account_id').onRef('iam_users.user_key', '=', 'iam_group_members.user_key'))
        .selectAll('iam_users')
        .where('iam_group_members.account_id', '=', ctx.principal.accountId).where('iam_group_members.group_key', '=', group.group_key)
        .orderBy('iam_users.user_key').execute();
      const { page, ...paging } = pageOf(users, (u) => u.user_key, input.Marker, input.MaxItems);
      return { Group: groupOutput(group), Users: page.map((u) => userOutput(u)), ...paging };
    },
  });
}

export function listGroups(deps: IamDeps) {
  return operation<{ PathPrefix?: string; Marker?: string; MaxItems?: number }, Record<string, unknown>, undefined>({
    plan: async (ctx) => ({ authorization: { action: 'iam:ListGroups', resource: iamArn(ctx.principal.accountId, 'group', '/', '*') }, state: undefined }),
    async run(ctx, input) {
      const prefix = input.PathPrefix ?? '/';
      const rows = await deps.db.selectFrom('iam_groups').selectAll().where('account_id', '=', ctx.principal.accountId).orderBy('group_key').execute();
      const { page, ...paging } = pageOf(rows.filter((r) => r.path.startsWith(prefix)), (r) => r.group_key, input.Marker, input.MaxItems);
      return { Groups: page.map(groupOutput), ...paging };
    },
  });
}

export function updateGroup(deps: IamDeps) {
  return operation<{ GroupName: string; NewGroupName?: string; NewPath?: string }, Record<string, never>, GroupRow | undefined>({
    async plan(ctx, input) {
      const accountId = ctx.principal.accountId;
      const row = await findGroup(deps.db, accountId, input.GroupName);
      const requests = [onGroup('iam:UpdateGroup', accountId, input.GroupName, row)];
      if (input.NewGroupName !== undefined || input.NewPath !== undefined) {
        requests.push({ action: 'iam:UpdateGroup', resource: iamArn(accountId, 'group', input.NewPath ?? row?.path ?? '/', input.NewGroupName ?? row?.group_name ?? input.GroupName) });
      }
      return { authorization: requests, state: row };
    },
    async run(ctx, input, planned) {
      if (!planned) throw noSuchGroup(input.GroupName);
      const accountId = ctx.principal.accountId;
      await transaction(deps.db, async (trx) => {
        const row = await requireGroup(trx, accountId, input.GroupName);
        const name = input.NewGroupName ?? row.group_name;
        const path = input.NewPath ?? row.path;
        const key = nameKey(name);
        if (key !== row.group_key) {
          const clash = await findGroup(trx, accountId, name);
          if (clash) throw groupExists(clash.group_name);
        }
        await trx.updateTable('iam_groups').set({ group_key: key, group_name: name, path, arn: iamArn(accountId, 'group', path, name) })
          .where('account_id', '=', accountId).where('group_key', '=', row.group_key).execute();
        if (key !== row.group_key) {
          await trx.updateTable('iam_group_members').set({ group_key: key }).where('account_id', '=', accountId).where('group_key', '=', row.group_key).execute();
          await trx.updateTable('iam_inline_policies').set({ owner_key: key }).where('account_id', '=', accountId).where('owner_type', '=', 'group').where('owner_key', '=', row.group_key).execute();
          await trx.updateTable('iam_attachments').set({ owner_key: key }).where('account_id', '=', accountId).where('owner_type', '=', 'group').where('owner_key', '=', row.group_key).execute();
        }
      });
      deps.changed();
      return {};
    },
  });
}

export function deleteGroup(deps: IamDeps) {
  return operation<{ GroupName: string }, Record<string, never>, GroupRow | undefined>({
    async plan(ctx, input) {
      const row = await findGroup(deps.db, ctx.principal.accountId, input.GroupName);
      return { authorization: onGroup('iam:DeleteGroup', ctx.principal.accountId, input.GroupName, row), state: row };
    },
    async run(ctx, input, planned) {
      if (!planned) throw noSuchGroup(input.GroupName);
      const accountId = ctx.principal.accountId;
      await transaction(deps.db, async (trx) => {
        const row = await requireGroup(trx, accountId, input.GroupName);
        const member = await trx.selectFrom('iam_group_members').select('user_key')
          .where('account_id', '=', accountId).where('group_key', '=', row.group_key).executeTakeFirst();
        if (member) throw deleteConflict('Cannot delete entity, must remove users from group first.');
        const inline = await trx.selectFrom('iam_inline_policies').select('policy_name')
          .where('account_id', '=', accountId).where('owner_type', '=', 'group').where('owner_key', '=', row.group_key).executeTakeFirst();
        if (inline) throw deleteConflict('Cannot delete entity, must delete policies first.');
        const attached = await trx.selectFrom('iam_attachments').select('policy_arn')
          .where('account_id', '=', accountId).where('owner_type', '=', 'group').where('owner_key', '=', row.group_key).executeTakeFirst();
        if (attached) throw deleteConflict('Cannot delete entity, must detach all policies first.');
        await trx.deleteFrom('iam_groups').where('account_id', '=', accountId).where('group_key', '=', row.group_key).execute();
      });
      deps.changed();
      return {};
    },
  });
}

interface Membership { group?: GroupRow; user?: UserRow }

/** AddUserToGroup / RemoveUserFromGroup: authorized on the group; both are idempotent, as AWS's. */
function membership(deps: IamDeps, action: 'AddUserToGroup' | 'RemoveUserFromGroup') {
  return operation<{ GroupName: string; UserName: string }, Record<string, never>, Membership>({
    async plan(ctx, input) {
      const accountId = ctx.principal.accountId;
      const group = await findGroup(deps.db, accountId, input.GroupName);
      const user = await findUser(deps.db, accountId, input.UserName);
      return { authorization: onGroup(`iam:${action}`, accountId, input.GroupName, group), state: { group, user } };
    },
    async run(ctx, input, planned) {
      if (!planned.group) throw noSuchGroup(input.GroupName);
      if (!planned.user) throw noSuchUser(input.UserName);
      const accountId = ctx.principal.accountId;
      await transaction(deps.db, async (trx) => {
        const group = await requireGroup(trx, accountId, input.GroupName);
        const user = await requireUser(trx, accountId, input.UserName);
        const where = { account_id: accountId, group_key: group.group_key, user_key: user.user_key };
        const present = await trx.selectFrom('iam_group_members').select('user_key')
          .where('account_id', '=', accountId).where('group_key', '=', where.group_key).where('user_key', '=', where.user_key).executeTakeFirst();
        if (action === 'AddUserToGroup' && !present) await trx.insertInto('iam_group_members').values(where).execute();
        if (action === 'RemoveUserFromGroup' && present) {
          await trx.deleteFrom('iam_group_members')
            .where('account_id', '=', accountId).where('group_key', '=', where.group_key).where('user_key', '=', where.user_key).execute();
        }
      });
      deps.changed();
      return {};
    },
  });
}

export const addUserToGroup = (deps: IamDeps) => membership(deps, 'AddUserToGroup');
export const removeUserFromGroup = (deps: IamDeps) => membership(deps, 'RemoveUserFromGroup');

export function listGroupsForUser(deps: IamDeps) {
  return operation<{ UserName: string; Marker?: string; MaxItems?: number }, Record<string, unknown>, UserRow | undefined>({
    async plan(ctx, input) {
      const row = await findUser(deps.db, ctx.principal.accountId, input.UserName);
      return { authorization: onUser('iam:ListGroupsForUser', ctx.principal.accountId, input.UserName, row), state: row };
    },
    async run(ctx, input, user) {
      if (!user) throw noSuchUser(input.UserName);
      const groups = await deps.db.selectFrom('iam_group_members')
        .innerJoin('iam_groups', (j) => j.onRef('iam_groups.account_id', '=', 'iam_group_members.account_id').onRef('iam_groups.group_key', '=', 'iam_group_members.group_key'))
        .selectAll('iam_groups')
        .where('iam_group_members.account_id', '=', ctx.principal.accountId).where('iam_group_members.user_key', '=', user.user_key)
        .orderBy('iam_groups.group_key').execute();
      const { page, ...paging } = pageOf(groups, (g) => g.group_key, input.Marker, input.MaxItems);
      return { Groups: page.map(groupOutput), ...paging };
    },
  });
}
