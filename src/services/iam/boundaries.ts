/**
 * Permissions boundaries: Put/Delete{User,Role}PermissionsBoundary. The boundary is a managed
 * policy (AWS or customer managed) that must exist; it is kept as its ARN on the user or role
 * row. Authorized with `iam:PermissionsBoundary` = the boundary being set (Put) or removed (Delete).
 */
import { operation } from '../../protocol/operation.ts';
import type { IamDeps } from './deps.ts';
import { findUser, noSuchUser, type UserRow } from './identity-store.ts';
import { onUser } from './user-auth.ts';
import { findRole, noSuchRole, onRole, type RoleRow } from './role-store.ts';
import { requirePolicyForBoundary } from './policy-store.ts';

export function putUserPermissionsBoundary(deps: IamDeps) {
  return operation<{ UserName: string; PermissionsBoundary: string }, Record<string, never>, UserRow | undefined>({
    async plan(ctx, input) {
      const row = await findUser(deps.db, ctx.principal.accountId, input.UserName);
      const authorization = onUser('iam:PutUserPermissionsBoundary', ctx.principal.accountId, input.UserName, row, { extra: { 'iam:PermissionsBoundary': input.PermissionsBoundary } });
      return { authorization, state: row };
    },
    async run(ctx, input, row) {
      if (!row) throw noSuchUser(input.UserName);
      const policy = await requirePolicyForBoundary(deps.db, ctx.principal.accountId, input.PermissionsBoundary);
      await deps.db.updateTable('iam_users').set({ permissions_boundary: policy.arn })
        .where('account_id', '=', ctx.principal.accountId).where('user_key', '=', row.user_key).execute();
      deps.changed();
      return {};
    },
  });
}

export function deleteUserPermissionsBoundary(deps: IamDeps) {
  return operation<{ UserName: string }, Record<string, never>, UserRow | undefined>({
    async plan(ctx, input) {
      const row = await findUser(deps.db, ctx.principal.accountId, input.UserName);
      return { authorization: onUser('iam:DeleteUserPermissionsBoundary', ctx.principal.accountId, input.UserName, row, { boundary: true }), state: row };
    },
    async run(ctx, input, row) {
      if (!row) throw noSuchUser(input.UserName);
      await deps.db.updateTable('iam_users').set({ permissions_boundary: null })
        .where('account_id', '=', ctx.principal.accountId).where('user_key', '=', row.user_key).execute();
      deps.changed();
      return {};
    },
  });
}

export function putRolePermissionsBoundary(deps: IamDeps) {
  return operation<{ RoleName: string; PermissionsBoundary: string }, Record<string, never>, RoleRow | undefined>({
    async plan(ctx, input) {
      const row = await findRole(deps.db, ctx.principal.accountId, input.RoleName);
      const authorization = onRole('iam:PutRolePermissionsBoundary', ctx.principal.accountId, input.RoleName, row, { 'iam:PermissionsBoundary': input.PermissionsBoundary });
      return { authorization, state: row };
    },
    async run(ctx, input, row) {
      if (!row) throw noSuchRole(input.RoleName);
      const policy = await requirePolicyForBoundary(deps.db, ctx.principal.accountId, input.PermissionsBoundary);
      await deps.db.updateTable('iam_roles').set({ permissions_boundary: policy.arn })
        .where('account_id', '=', ctx.principal.accountId).where('role_key', '=', row.role_key).execute();
      deps.changed();
      return {};
    },
  });
}

export function deleteRolePermissionsBoundary(deps: IamDeps) {
  return operation<{ RoleName: string }, Record<string, never>, RoleRow | undefined>({
    async plan(ctx, input) {
      const row = await findRole(deps.db, ctx.principal.accountId, input.RoleName);
      return { authorization: onRole('iam:DeleteRolePermissionsBoundary', ctx.principal.accountId, input.RoleName, row), state: row };
    },
    async run(ctx, input, row) {
      if (!row) throw noSuchRole(input.RoleName);
      await deps.db.updateTable('iam_roles').set({ permissions_boundary: null })
        .where('account_id', '=', ctx.principal.accountId).where('role_key', '=', row.role_key).execute();
      deps.changed();
      return {};
    },
  });
}
