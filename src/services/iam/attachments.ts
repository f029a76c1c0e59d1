/**
 * Managed policies attached to users, groups and roles: Attach/Detach{User,Group,Role}Policy,
 * ListAttached{User,Group,Role}Policies, ListEntitiesForPolicy. An attachment names the policy
 * by ARN (AWS or customer managed); the policy and the entity must exist.
 */
import { operation } from '../../protocol/operation.ts';
import { transaction } from '../../storage/transaction.ts';
import type { AuthorizationRequest } from '../../auth/request-context.ts';
import type { IamDeps } from './deps.ts';
import { limitExceeded, nameKey, pageOf } from './entities.ts';
import { findGroup, findUser, noSuchGroup, noSuchUser } from './identity-store.ts';
import { onGroup, onUser } from './user-auth.ts';
import { findRole, noSuchRole, onRole } from './role-store.ts';
import { checkPolicyArn, findManagedPolicy, policyNotAttachable, policyNotFound, type ManagedPolicyView } from './policy-store.ts';
import { onPolicy } from './managed-policies.ts';
import { awsManagedPolicy, isAwsManagedArn } from './aws-managed-policies.ts';
import type { Db } from './identity-store.ts';

type OwnerType = 'user' | 'group' | 'role';

/** Managed policies per entity (AWS's default quotas). */
const MAX_ATTACHED = 10;
const QUOTA: Record<OwnerType, string> = { user: 'PoliciesPerUser', group: 'PoliciesPerGroup', role: 'PoliciesPerRole' };
const OP: Record<OwnerType, string> = { user: 'User', group: 'Group', role: 'Role' };

interface Owner { type: OwnerType; key: string; name: string }

/** The entity (its key and display name) an operation names, and how the operation is authorized on it. */
async function findOwner(db: Db, accountId: string, type: OwnerType, name: string, action: string, extra: Record<string, string> = {}): Promise<{ owner?: Owner; authorization: AuthorizationRequest }> {
  if (type === 'user') {
    const row = await findUser(db, accountId, name);
    return { owner: row && { type, key: row.user_key, name: row.user_name }, authorization: onUser(action, accountId, name, row, { boundary: true, extra }) };
  }
  if (type === 'group') {
    const row = await findGroup(db, accountId, name);
    const authorization = onGroup(action, accountId, name, row);
    return { owner: row && { type, key: row.group_key, name: row.group_name }, authorization: { ...authorization, conditions: { ...authorization.conditions, ...extra } } };
  }
  const row = await findRole(db, accountId, name);
  return { owner: row && { type, key: row.role_key, name: row.role_name }, authorization: onRole(action, accountId, name, row, extra) };
}

/**
 * Takes the entity's row lock for the rest of the transaction, with a no-op UPDATE: a row lock
 * on PostgreSQL (a second attacher waits, then counts what the first committed), the write lock
 * on SQLite. False when the entity is gone.
 */
async function lockOwner(trx: Db, accountId: string, owner: Owner): Promise<boolean> {
  let result;
  if (owner.type === 'user') {
    result = await trx.updateTable('iam_users').set({ user_key: owner.key }).where('account_id', '=', accountId).where('user_key', '=', owner.key).executeTakeFirst();
  } else if (owner.type === 'group') {
    result = await trx.updateTable('iam_groups').set({ group_key: owner.key }).where('account_id', '=', accountId).where('group_key', '=', owner.key).executeTakeFirst();
  } else {
    result = await trx.updateTable('iam_roles').set({ role_key: owner.key }).where('account_id', '=', accountId).where('role_key', '=', owner.key).executeTakeFirst();
  }
  return Number(result.numUpdatedRows) === 1;
}

function noSuchOwner(type: OwnerType, name: string) {
  return type === 'user' ? noSuchUser(name) : type === 'group' ? noSuchGroup(name) : noSuchRole(name);
}

type NameInput = { UserName?: string; GroupName?: string; RoleName?: string };
const nameOf = (type: OwnerType, input: NameInput) => (type === 'user' ? input.UserName : type === 'group' ? input.GroupName : input.RoleName) ?? '';

interface AttachState { owner?: Owner; policy?: ManagedPolicyView }

function attach(deps: IamDeps, type: OwnerType) {
  return operation<NameInput & { PolicyArn: string }, Record<string, never>, AttachState>({
    async plan(ctx, input) {
      const { owner, authorization } = await findOwner(deps.db, ctx.principal.accountId, type, nameOf(type, input), `iam:Attach${OP[type]}Policy`, { 'iam:PolicyARN': input.PolicyArn });
      const policy = await findManagedPolicy(deps.db, ctx.principal.accountId, input.PolicyArn);
      return { authorization, state: { owner, policy } };
    },
    async run(ctx, input, { owner, policy }) {
      if (!owner) throw noSuchOwner(type, nameOf(type, input));
      checkPolicyArn(input.PolicyArn);
      if (!policy) throw policyNotAttachable(input.PolicyArn);
      const accountId = ctx.principal.accountId;
      // The count and the insert in one transaction, serialized on the entity's row, so two
      // concurrent attaches (on one node or several) cannot take it past the quota.
      const inserted = await transaction(deps.db, async (trx) => {
        if (!await lockOwner(trx, accountId, owner)) throw noSuchOwner(type, owner.name);
        const existing = await trx.selectFrom('iam_attachments').select('policy_arn')
          .where('account_id', '=', accountId).where('owner_type', '=', type).where('owner_key', '=', owner.key).execute();
        // Attaching an attached policy again succeeds and changes nothing, as in AWS.
        if (existing.some((e) => e.policy_arn === policy.arn)) return false;
        if (existing.length >= MAX_ATTACHED) throw limitExceeded(`Cannot exceed quota for ${QUOTA[type]}: ${MAX_ATTACHED}`);
        await trx.insertInto('iam_attachments').values({ account_id: accountId, owner_type: type, owner_key: owner.key, policy_arn: policy.arn }).execute();
        return true;
      });
      if (inserted) deps.changed();
      return {};
    },
  });
}

function detach(deps: IamDeps, type: OwnerType) {
  return operation<NameInput & { PolicyArn: string }, Record<string, never>, Owner | undefined>({
    async plan(ctx, input) {
      const { owner, authorization } = await findOwner(deps.db, ctx.principal.accountId, type, nameOf(type, input), `iam:Detach${OP[type]}Policy`, { 'iam:PolicyARN': input.PolicyArn });
      return { authorization, state: owner };
    },
    async run(ctx, input, owner) {
      if (!owner) throw noSuchOwner(type, nameOf(type, input));
      checkPolicyArn(input.PolicyArn);
      const result = await deps.db.deleteFrom('iam_attachments')
        .where('account_id', '=', ctx.principal.accountId).where('owner_type', '=', type).where('owner_key', '=', owner.key)
        .where('policy_arn', '=', input.PolicyArn).executeTakeFirst();
      if (Number(result.numDeletedRows) === 0) throw policyNotFound(input.PolicyArn);
      deps.changed();
      return {};
    },
  });
}

function listAttached(deps: IamDeps, type: OwnerType) {
  return operation<NameInput & { PathPrefix?: string; Marker?: string; MaxItems?: number }, Record<string, unknown>, Owner | undefined>({
    async plan(ctx, input) {
      const { owner, authorization } = await findOwner(deps.db, ctx.principal.accountId, type, nameOf(type, input), `iam:ListAttached${OP[type]}Policies`);
      return { authorization, state: owner };
    },
    async run(ctx, input, owner) {
      if (!owner) throw noSuchOwner(type, nameOf(type, input));
      const rows = await deps.db.selectFrom('iam_attachments')
        .leftJoin('iam_managed_policies', (j) => j.onRef('iam_managed_policies.arn', '=', 'iam_attachments.policy_arn'))
        .select(['iam_attachments.policy_arn', 'iam_managed_policies.policy_name', 'iam_managed_policies.path'])
        .where('iam_attachments.account_id', '=', ctx.principal.accountId).where('iam_attachments.owner_type', '=', type)
        .where('iam_attachments.owner_key', '=', owner.key).execute();
      const prefix = input.PathPrefix ?? '/';
      const attached = rows.map((r) => {
        const aws = isAwsManagedArn(r.policy_arn) ? awsManagedPolicy(r.policy_arn) : undefined;
        return { PolicyName: r.policy_name ?? aws?.policyName ?? r.policy_arn.slice(r.policy_arn.lastIndexOf('/') + 1), PolicyArn: r.policy_arn, path: r.path ?? aws?.path ?? '/' };
      }).filter((a) => a.path.startsWith(prefix)).sort((a, b) => (a.PolicyArn < b.PolicyArn ? -1 : 1));
      const { page, ...paging } = pageOf(attached, (a) => a.PolicyArn, input.Marker, input.MaxItems);
      return { AttachedPolicies: page.map((a) => ({ PolicyName: a.PolicyName, PolicyArn: a.PolicyArn })), ...paging };
    },
  });
}

export const attachUserPolicy = (deps: IamDeps) => attach(deps, 'user');
export const attachGroupPolicy = (deps: IamDeps) => attach(deps, 'group');
export const attachRolePolicy = (deps: IamDeps) => attach(deps, 'role');
export const detachUserPolicy = (deps: IamDeps) => detach(deps, 'user');
export const detachGroupPolicy = (deps: IamDeps) => detach(deps, 'group');
export const detachRolePolicy = (deps: IamDeps) => detach(deps, 'role');
export const listAttachedUserPolicies = (deps: IamDeps) => listAttached(deps, 'user');
export const listAttachedGroupPolicies = (deps: IamDeps) => listAttached(deps, 'group');
export const listAttachedRolePolicies = (deps: IamDeps) => listAttached(deps, 'role');

interface ListEntitiesInput {
  PolicyArn: string; EntityFilter?: string; PathPrefix?: string;
  PolicyUsageFilter?: 'PermissionsPolicy' | 'PermissionsBoundary'; Marker?: string; MaxItems?: number;
}

interface Entity { type: OwnerType; name: string; id: string; path: string }

export function listEntitiesForPolicy(deps: IamDeps) {
  return operation<ListEntitiesInput, Record<string, unknown>, ManagedPolicyView | undefined>({
    async plan(ctx, input) {
      const policy = await findManagedPolicy(deps.db, ctx.principal.accountId, input.PolicyArn);
      return { authorization: onPolicy('iam:ListEntitiesForPolicy', ctx.principal.accountId, input.PolicyArn, policy), state: policy };
    },
    async run(ctx, input, policy) {
      checkPolicyArn(input.PolicyArn);
      if (!policy) throw policyNotFound(input.PolicyArn);
      const accountId = ctx.principal.accountId;
      const filter = input.EntityFilter;
      if (filter === 'LocalManagedPolicy' && policy.awsManaged) return { PolicyGroups: [], PolicyUsers: [], PolicyRoles: [], IsTruncated: false };
      if (filter === 'AWSManagedPolicy' && !policy.awsManaged) return { PolicyGroups: [], PolicyUsers: [], PolicyRoles: [], IsTruncated: false };
      const wants = (type: OwnerType) => filter === undefined || filter === 'LocalManagedPolicy' || filter === 'AWSManagedPolicy' || filter.toLowerCase() === type;
      const usage = input.PolicyUsageFilter;
      const entities: Entity[] = [];
      if (usage !== 'PermissionsBoundary') {
        const attached = await deps.db.selectFrom('iam_attachments').select(['owner_type', 'owner_key'])
          .where('account_id', '=', accountId).where('policy_arn', '=', policy.arn).execute();
        const keys = (type: OwnerType) => attached.filter((a) => a.owner_type === type).map((a) => a.owner_key);
        if (wants('user') && keys('user').length > 0) {
          const rows = await deps.db.selectFrom('iam_users').select(['user_name', 'user_id', 'path']).where('account_id', '=', accountId).where('user_key', 'in', keys('user')).execute();
          entities.push(...rows.map((r) => ({ type: 'user' as const, name: r.user_name, id: r.user_id, path: r.path })));
        }
        if (wants('group') && keys('group').length > 0) {
          const rows = await deps.db.selectFrom('iam_groups').select(['group_name', 'group_id', 'path']).where('account_id', '=', accountId).where('group_key', 'in', keys('group')).execute();
          entities.push(...rows.map((r) => ({ type: 'group' as const, name: r.group_name, id: r.group_id, path: r.path })));
        }
        if (wants('role') && keys('role').length > 0) {
          const rows = await deps.db.selectFrom('iam_roles').select(['role_name', 'role_id', 'path']).where('account_id', '=', accountId).where('role_key', 'in', keys('role')).execute();
          entities.push(...rows.map((r) => ({ type: 'role' as const, name: r.role_name, id: r.role_id, path: r.path })));
        }
      }
      if (usage !== 'PermissionsPolicy') {
        if (wants('user')) {
          const rows = await deps.db.selectFrom('iam_users').select(['user_name', 'user_id', 'path']).where('account_id', '=', accountId).where('permissions_boundary', '=', policy.arn).execute();
          entities.push(...rows.map((r) => ({ type: 'user' as const, name: r.user_name, id: r.user_id, path: r.path })));
        }
        if (wants('role')) {
          const rows = await deps.db.selectFrom('iam_roles').select(['role_name', 'role_id', 'path']).where('account_id', '=', accountId).where('permissions_boundary', '=', policy.arn).execute();
          entities.push(...rows.map((r) => ({ type: 'role' as const, name: r.role_name, id: r.role_id, path: r.path })));
        }
      }
      const prefix = input.PathPrefix ?? '/';
      const key = (e: Entity) => `${e.type}\u0000${nameKey(e.name)}`;
      const unique = [...new Map(entities.filter((e) => e.path.startsWith(prefix)).map((e) => [key(e), e])).values()]
        .sort((a, b) => (key(a) < key(b) ? -1 : 1));
      const { page, ...paging } = pageOf(unique, key, input.Marker, input.MaxItems);
      return {
        PolicyGroups: page.filter((e) => e.type === 'group').map((e) => ({ GroupName: e.name, GroupId: e.id })),
        PolicyUsers: page.filter((e) => e.type === 'user').map((e) => ({ UserName: e.name, UserId: e.id })),
        PolicyRoles: page.filter((e) => e.type === 'role').map((e) => ({ RoleName: e.name, RoleId: e.id })),
        ...paging,
      };
    },
  });
}
