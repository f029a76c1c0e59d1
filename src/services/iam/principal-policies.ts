/**
 * The identity policies and permissions boundary of a principal, as the authorizer needs them:
 * for an IAM user its inline policies, the default versions of its attached managed policies,
 * and the same for each of its groups; for a role session the role's inline and attached
 * policies. Documents come back as text (the authorizer compiles them through its cache).
 * Few queries by design: one for the owner row, one for inline policies, one for attachments
 * (customer managed documents joined in), one for a customer managed boundary.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../storage/schema.ts';
import type { Principal } from '../../auth/principal.ts';
import { awsManagedPolicy, isAwsManagedArn } from './aws-managed-policies.ts';
import { nameKey } from './entities.ts';

type Db = Kysely<Database> | Transaction<Database>;

export interface PrincipalPolicyDocument {
  /** How the policy is reported: the managed policy's ARN, or `inline:<owner type>/<owner name>/<policy name>`. */
  id: string;
  document: string;
}

export interface PrincipalPolicies {
  identityPolicies: PrincipalPolicyDocument[];
  permissionsBoundary?: PrincipalPolicyDocument;
}

/** The role name of an assumed-role ARN `arn:aws:sts::<acct>:assumed-role/<role>/<session>`. */
export function roleNameOfSession(arn: string): string | undefined {
  const resource = arn.split(':').slice(5).join(':');
  const parts = resource.split('/');
  return parts[0] === 'assumed-role' && parts.length >= 3 ? parts[1] : undefined;
}

/** The user name of a user ARN `arn:aws:iam::<acct>:user/<path…>/<name>`. */
function userNameOfArn(arn: string): string | undefined {
  const resource = arn.split(':').slice(5).join(':');
  return resource.startsWith('user/') ? resource.slice(resource.lastIndexOf('/') + 1) : undefined;
}

/** Root and federated users have no IAM policies of their own: both lists come back empty. */
export async function loadPrincipalPolicies(db: Db, principal: Principal): Promise<PrincipalPolicies> {
  if (principal.type === 'IAMUser') {
    const userName = principal.userName ?? userNameOfArn(principal.arn);
    return userName ? loadUserPolicies(db, principal.accountId, userName) : { identityPolicies: [] };
  }
  if (principal.type === 'AssumedRole') {
    const roleName = roleNameOfSession(principal.arn);
    return roleName ? loadRolePolicies(db, principal.accountId, roleName) : { identityPolicies: [] };
  }
  return { identityPolicies: [] };
}

export async function loadUserPolicies(db: Db, accountId: string, userName: string): Promise<PrincipalPolicies> {
  const userKey = nameKey(userName);
  const user = await db.selectFrom('iam_users').select(['user_name', 'permissions_boundary'])
    .where('account_id', '=', accountId).where('user_key', '=', userKey).executeTakeFirst();
  if (!user) return { identityPolicies: [] };
  const groupsOfUser = db.selectFrom('iam_group_members').select('group_key')
    .where('account_id', '=', accountId).where('user_key', '=', userKey);

  const inline = await db.selectFrom('iam_inline_policies')
    .leftJoin('iam_groups', (j) => j.onRef('iam_groups.account_id', '=', 'iam_inline_policies.account_id')
      .onRef('iam_groups.group_key', '=', 'iam_inline_policies.owner_key')
      .on('iam_inline_policies.owner_type', '=', 'group'))
    .select(['iam_inline_policies.owner_type', 'iam_inline_policies.policy_name', 'iam_inline_policies.document', 'iam_groups.group_name'])
    .where('iam_inline_policies.account_id', '=', accountId)
    .where((eb) => eb.or([
      eb.and([eb('iam_inline_policies.owner_type', '=', 'user'), eb('iam_inline_policies.owner_key', '=', userKey)]),
      eb.and([eb('iam_inline_policies.owner_type', '=', 'group'), eb('iam_inline_policies.owner_key', 'in', groupsOfUser)]),
    ]))
    .orderBy('iam_inline_policies.owner_type', 'desc').orderBy('iam_inline_policies.owner_key').orderBy('iam_inline_policies.policy_name')
    .execute();

  const attached = await attachedDocuments(db, accountId, 'user', userKey);

  const identityPolicies: PrincipalPolicyDocument[] = inline.map((p) => ({
    id: p.owner_type === 'user' ? `inline:user/${user.user_name}/${p.policy_name}` : `inline:group/${p.group_name ?? ''}/${p.policy_name}`,
    document: p.document,
  }));
  identityPolicies.push(...attached);
  return withBoundary(db, identityPolicies, user.permissions_boundary);
}

export async function loadRolePolicies(db: Db, accountId: string, roleName: string): Promise<PrincipalPolicies> {
  const roleKey = nameKey(roleName);
  const role = await db.selectFrom('iam_roles').select(['role_name', 'permissions_boundary'])
    .where('account_id', '=', accountId).where('role_key', '=', roleKey).executeTakeFirst();
  if (!role) return { identityPolicies: [] };
  const inline = await db.selectFrom('iam_inline_policies').select(['policy_name', 'document'])
    .where('account_id', '=', accountId).where('owner_type', '=', 'role').where('owner_key', '=', roleKey)
    .orderBy('policy_name').execute();
  const attached = await attachedDocuments(db, accountId, 'role', roleKey);
  const identityPolicies: PrincipalPolicyDocument[] = inline.map((p) => ({ id: `inline:role/${role.role_name}/${p.policy_name}`, document: p.document }));
  identityPolicies.push(...attached);
  return withBoundary(db, identityPolicies, role.permissions_boundary);
}

/**
 * Default-version documents of the managed policies attached to a role, or to a user and its
 * groups, each policy once even when attached to the user and to one of its groups.
 */
async function attachedDocuments(db: Db, accountId: string, ownerType: 'user' | 'role', ownerKey: string): Promise<PrincipalPolicyDocument[]> {
  const groupsOfUser = db.selectFrom('iam_group_members').select('group_key')
    .where('account_id', '=', accountId).where('user_key', '=', ownerKey);
  const rows: { policy_arn: string; document: string | null }[] = await db.selectFrom('iam_attachments')
    .leftJoin('iam_managed_policies', (j) => j.onRef('iam_managed_policies.arn', '=', 'iam_attachments.policy_arn'))
    .leftJoin('iam_policy_versions', (j) => j.onRef('iam_policy_versions.policy_arn', '=', 'iam_managed_policies.arn')
      .onRef('iam_policy_versions.version_id', '=', 'iam_managed_policies.default_version'))
    .select(['iam_attachments.policy_arn', 'iam_policy_versions.document'])
    .where('iam_attachments.account_id', '=', accountId)
    .where((eb) => ownerType === 'role'
      ? eb.and([eb('iam_attachments.owner_type', '=', 'role'), eb('iam_attachments.owner_key', '=', ownerKey)])
      : eb.or([
        eb.and([eb('iam_attachments.owner_type', '=', 'user'), eb('iam_attachments.owner_key', '=', ownerKey)]),
        eb.and([eb('iam_attachments.owner_type', '=', 'group'), eb('iam_attachments.owner_key', 'in', groupsOfUser)]),
      ]))
    .orderBy('iam_attachments.policy_arn')
    .execute();
  const out: PrincipalPolicyDocument[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    if (seen.has(row.policy_arn)) continue;
    seen.add(row.policy_arn);
    const document = row.document ?? awsManagedPolicy(row.policy_arn)?.document;
    if (document !== undefined) out.push({ id: row.policy_arn, document });
  }
  return out;
}

async function withBoundary(db: Db, identityPolicies: PrincipalPolicyDocument[], boundaryArn: string | null): Promise<PrincipalPolicies> {
  if (!boundaryArn) return { identityPolicies };
  const document = await managedPolicyDocument(db, boundaryArn);
  // A boundary whose policy is gone cannot allow anything: AWS refuses to delete a policy in
  // use as a boundary, so this only guards against an inconsistent store.
  return { identityPolicies, permissionsBoundary: { id: boundaryArn, document: document ?? '{"Version":"2012-10-17","Statement":[]}' } };
}

/** The default version's document of a managed policy (AWS managed from data, customer managed from the store). */
export async function managedPolicyDocument(db: Db, policyArn: string): Promise<string | undefined> {
  if (isAwsManagedArn(policyArn)) return awsManagedPolicy(policyArn)?.document;
  const row = await db.selectFrom('iam_managed_policies')
    .innerJoin('iam_policy_versions', (j) => j.onRef('iam_policy_versions.policy_arn', '=', 'iam_managed_policies.arn')
      .onRef('iam_policy_versions.version_id', '=', 'iam_managed_policies.default_version'))
    .select('iam_policy_versions.document')
    .where('iam_managed_policies.arn', '=', policyArn).executeTakeFirst();
  return row?.document;
}
