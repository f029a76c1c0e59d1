/** A role's inline policies: PutRolePolicy, GetRolePolicy, DeleteRolePolicy, ListRolePolicies. */
import { operation } from '../../protocol/operation.ts';
import type { IamDeps } from './deps.ts';
import { encodePolicyDocument, noSuchEntity, pageOf } from './entities.ts';
import { checkPolicyDocument, POLICY_SIZE } from './policy-documents.ts';
import { findRole, noSuchRole, onRole, type RoleRow } from './role-store.ts';

const noSuchRolePolicy = (_roleName: string, policyName: string) =>
  noSuchEntity(`The role policy with name ${policyName} cannot be found.`);

interface RolePolicyInput { RoleName: string; PolicyName: string }

function planOnRole(deps: IamDeps, action: string) {
  return async (ctx: { principal: { accountId: string } }, input: { RoleName: string }) => {
    const row = await findRole(deps.db, ctx.principal.accountId, input.RoleName);
    return { authorization: onRole(action, ctx.principal.accountId, input.RoleName, row), state: row };
  };
}

export function putRolePolicy(deps: IamDeps) {
  return operation<RolePolicyInput & { PolicyDocument: string }, Record<string, never>, RoleRow | undefined>({
    plan: planOnRole(deps, 'iam:PutRolePolicy'),
    async run(ctx, input, role) {
      if (!role) throw noSuchRole(input.RoleName);
      checkPolicyDocument(input.PolicyDocument, 'identity', POLICY_SIZE.roleInline);
      const values = { account_id: ctx.principal.accountId, owner_type: 'role', owner_key: role.role_key, policy_name: input.PolicyName, document: input.PolicyDocument };
      // Inline policy names are case-sensitive within their owner: a put replaces the same name.
      await deps.db.insertInto('iam_inline_policies').values(values)
        .onConflict((oc) => oc.columns(['account_id', 'owner_type', 'owner_key', 'policy_name']).doUpdateSet({ document: input.PolicyDocument }))
        .execute();
      deps.changed();
      return {};
    },
  });
}

export function getRolePolicy(deps: IamDeps) {
  return operation<RolePolicyInput, { RoleName: string; PolicyName: string; PolicyDocument: string }, RoleRow | undefined>({
    plan: planOnRole(deps, 'iam:GetRolePolicy'),
    async run(ctx, input, role) {
      if (!role) throw noSuchRole(input.RoleName);
      const row = await deps.db.selectFrom('iam_inline_policies').select(['policy_name', 'document'])
        .where('account_id', '=', ctx.principal.accountId).where('owner_type', '=', 'role')
        .where('owner_key', '=', role.role_key).where('policy_name', '=', input.PolicyName).executeTakeFirst();
      if (!row) throw noSuchRolePolicy(input.RoleName, input.PolicyName);
      return { RoleName: role.role_name, PolicyName: row.policy_name, PolicyDocument: encodePolicyDocument(row.document) };
    },
  });
}

export function deleteRolePolicy(deps: IamDeps) {
  return operation<RolePolicyInput, Record<string, never>, RoleRow | undefined>({
    plan: planOnRole(deps, 'iam:DeleteRolePolicy'),
    async run(ctx, input, role) {
      if (!role) throw noSuchRole(input.RoleName);
      const result = await deps.db.deleteFrom('iam_inline_policies')
        .where('account_id', '=', ctx.principal.accountId).where('owner_type', '=', 'role')
        .where('owner_key', '=', role.role_key).where('policy_name', '=', input.PolicyName).executeTakeFirst();
      if (Number(result.numDeletedRows) === 0) throw noSuchRolePolicy(input.RoleName, input.PolicyName);
      deps.changed();
      return {};
    },
  });
}

export function listRolePolicies(deps: IamDeps) {
  return operation<{ RoleName: string; Marker?: string; MaxItems?: number }, Record<string, unknown>, RoleRow | undefined>({
    plan: planOnRole(deps, 'iam:ListRolePolicies'),
    async run(ctx, input, role) {
      if (!role) throw noSuchRole(input.RoleName);
      const rows = await deps.db.selectFrom('iam_inline_policies').select('policy_name')
        .where('account_id', '=', ctx.principal.accountId).where('owner_type', '=', 'role').where('owner_key', '=', role.role_key)
        .execute();
      const names = rows.map((r) => r.policy_name).sort();
      const { page, ...paging } = pageOf(names, (n) => n, input.Marker, input.MaxItems);
      return { PolicyNames: page, ...paging };
    },
  });
}
