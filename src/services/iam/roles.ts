/** CreateRole, GetRole, ListRoles, UpdateRole, UpdateRoleDescription, UpdateAssumeRolePolicy, DeleteRole. */
import { operation } from '../../protocol/operation.ts';
import { transaction } from '../../storage/transaction.ts';
import type { IamDeps } from './deps.ts';
import {
  checkTagKeysUnique, deleteConflict, entityAlreadyExists, iamArn, limitExceeded, MAX_TAGS, nameKey, newUniqueId, pageOf,
  requestTagConditions, type Tag,
} from './entities.ts';
import { checkPolicyDocument, POLICY_SIZE } from './policy-documents.ts';
import { findRole, noSuchRole, onRole, requireRole, roleOutput, type RoleOutput, type RoleRow } from './role-store.ts';
import { requirePolicyForBoundary } from './policy-store.ts';

export const roleExists = (roleName: string) => entityAlreadyExists(`Role with name ${roleName} already exists.`);

// Names, paths, lengths and MaxSessionDuration's 3600–43200 are the model's constraints, checked
// (ValidationError) by the protocol layer before an operation runs.

interface CreateRoleInput {
  RoleName: string; Path?: string; AssumeRolePolicyDocument: string; Description?: string;
  MaxSessionDuration?: number; PermissionsBoundary?: string; Tags?: Tag[];
}

export function createRole(deps: IamDeps) {
  return operation<CreateRoleInput, { Role: RoleOutput }, undefined>({
    async plan(ctx, input) {
      const conditions: Record<string, string | string[]> = requestTagConditions(input.Tags);
      if (input.PermissionsBoundary !== undefined) conditions['iam:PermissionsBoundary'] = input.PermissionsBoundary;
      return { authorization: { action: 'iam:CreateRole', resource: iamArn(ctx.principal.accountId, 'role', input.Path ?? '/', input.RoleName), conditions }, state: undefined };
    },
    async run(ctx, input) {
      const accountId = ctx.principal.accountId;
      const tags = input.Tags ?? [];
      if (tags.length > MAX_TAGS) throw limitExceeded(`Cannot exceed quota for TagsPerRole: ${MAX_TAGS}`);
      checkTagKeysUnique(tags);
      checkPolicyDocument(input.AssumeRolePolicyDocument, 'trust', POLICY_SIZE.trust);
      if (input.PermissionsBoundary !== undefined) await requirePolicyForBoundary(deps.db, accountId, input.PermissionsBoundary);
      const path = input.Path ?? '/';
      const row: RoleRow = {
        account_id: accountId, role_key: nameKey(input.RoleName), role_name: input.RoleName, role_id: newUniqueId('AROA'),
        path, arn: iamArn(accountId, 'role', path, input.RoleName), trust_policy: input.AssumeRolePolicyDocument,
        description: input.Description ?? null, max_session_duration: input.MaxSessionDuration ?? 3600,
        permissions_boundary: input.PermissionsBoundary ?? null,
        tags: JSON.stringify(tags.map((t) => ({ Key: t.Key, Value: t.Value ?? '' }))),
        created_at: deps.now(), last_used_at: null, last_used_region: null,
      };
      const existing = await findRole(deps.db, accountId, input.RoleName);
      if (existing) throw roleExists(existing.role_name);
      try {
        await deps.db.insertInto('iam_roles').values(row).execute();
      } catch (err) {
        // A concurrent CreateRole of the same name (in any case) won the primary key.
        const winner = await findRole(deps.db, accountId, input.RoleName);
        if (winner) throw roleExists(winner.role_name);
        throw err;
      }
      deps.changed();
      // CreateRole's answer has no RoleLastUsed, as AWS's.
      const { RoleLastUsed: _unused, ...out } = roleOutput(row, true);
      return { Role: out };
    },
  });
}

interface RoleNameInput { RoleName: string }

export function getRole(deps: IamDeps) {
  return operation<RoleNameInput, { Role: RoleOutput }, RoleRow | undefined>({
    async plan(ctx, input) {
      const row = await findRole(deps.db, ctx.principal.accountId, input.RoleName);
      return { authorization: onRole('iam:GetRole', ctx.principal.accountId, input.RoleName, row), state: row };
    },
    async run(_ctx, input, row) {
      if (!row) throw noSuchRole(input.RoleName);
      return { Role: roleOutput(row, true) };
    },
  });
}

interface ListRolesInput { PathPrefix?: string; Marker?: string; MaxItems?: number }

export function listRoles(deps: IamDeps) {
  return operation<ListRolesInput, Record<string, unknown>, undefined>({
    plan: async (ctx) => ({ authorization: { action: 'iam:ListRoles', resource: iamArn(ctx.principal.accountId, 'role', '/', '*') }, state: undefined }),
    async run(ctx, input) {
      const prefix = input.PathPrefix ?? '/';
      const rows = await deps.db.selectFrom('iam_roles').selectAll()
        .where('account_id', '=', ctx.principal.accountId).orderBy('role_key').execute();
      const matching = rows.filter((r) => r.path.startsWith(prefix));
      const { page, ...paging } = pageOf(matching, (r) => r.role_key, input.Marker, input.MaxItems);
      return { Roles: page.map((r) => roleOutput(r)), ...paging };
    },
  });
}

/** UpdateRole and UpdateRoleDescription share this: both change the role row's plain fields. */
function updateRoleFields(deps: IamDeps, action: string, returnRole: boolean) {
  return operation<{ RoleName: string; Description?: string; MaxSessionDuration?: number }, Record<string, unknown>, RoleRow | undefined>({
    async plan(ctx, input) {
      const row = await findRole(deps.db, ctx.principal.accountId, input.RoleName);
      return { authorization: onRole(action, ctx.principal.accountId, input.RoleName, row), state: row };
    },
    async run(ctx, input, planned) {
      if (!planned) throw noSuchRole(input.RoleName);
      const accountId = ctx.principal.accountId;
      const set: Partial<RoleRow> = {};
      if (input.Description !== undefined) set.description = input.Description;
      if (input.MaxSessionDuration !== undefined) set.max_session_duration = input.MaxSessionDuration;
      if (Object.keys(set).length > 0) {
        await deps.db.updateTable('iam_roles').set(set).where('account_id', '=', accountId).where('role_key', '=', planned.role_key).execute();
        deps.changed();
      }
      if (!returnRole) return {};
      return { Role: roleOutput(await requireRole(deps.db, accountId, input.RoleName), true) };
    },
  });
}

export const updateRole = (deps: IamDeps) => updateRoleFields(deps, 'iam:UpdateRole', false);
export const updateRoleDescription = (deps: IamDeps) => updateRoleFields(deps, 'iam:UpdateRoleDescription', true);

interface UpdateAssumeRolePolicyInput { RoleName: string; PolicyDocument: string }

export function updateAssumeRolePolicy(deps: IamDeps) {
  return operation<UpdateAssumeRolePolicyInput, Record<string, never>, RoleRow | undefined>({
    async plan(ctx, input) {
      const row = await findRole(deps.db, ctx.principal.accountId, input.RoleName);
      return { authorization: onRole('iam:UpdateAssumeRolePolicy', ctx.principal.accountId, input.RoleName, row), state: row };
    },
    async run(ctx, input, planned) {
      if (!planned) throw noSuchRole(input.RoleName);
      checkPolicyDocument(input.PolicyDocument, 'trust', POLICY_SIZE.trust);
      const result = await deps.db.updateTable('iam_roles').set({ trust_policy: input.PolicyDocument })
        .where('account_id', '=', ctx.principal.accountId).where('role_key', '=', planned.role_key).executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) throw noSuchRole(input.RoleName);
      deps.changed();
      return {};
    },
  });
}

export function deleteRole(deps: IamDeps) {
  return operation<RoleNameInput, Record<string, never>, RoleRow | undefined>({
    async plan(ctx, input) {
      const row = await findRole(deps.db, ctx.principal.accountId, input.RoleName);
      return { authorization: onRole('iam:DeleteRole', ctx.principal.accountId, input.RoleName, row), state: row };
    },
    async run(ctx, input, planned) {
      if (!planned) throw noSuchRole(input.RoleName);
      const accountId = ctx.principal.accountId;
      await transaction(deps.db, async (trx) => {
        const row = await requireRole(trx, accountId, input.RoleName);
        // AWS refuses to delete a role that still has policies, one reason at a time.
        const inline = await trx.selectFrom('iam_inline_policies').select('policy_name')
          .where('account_id', '=', accountId).where('owner_type', '=', 'role').where('owner_key', '=', row.role_key).executeTakeFirst();
        if (inline) throw deleteConflict('Cannot delete entity, must delete policies first.');
        const attached = await trx.selectFrom('iam_attachments').select('policy_arn')
          .where('account_id', '=', accountId).where('owner_type', '=', 'role').where('owner_key', '=', row.role_key).executeTakeFirst();
        if (attached) throw deleteConflict('Cannot delete entity, must detach all policies first.');
        await trx.deleteFrom('iam_roles').where('account_id', '=', accountId).where('role_key', '=', row.role_key).execute();
      });
      deps.changed();
      return {};
    },
  });
}
