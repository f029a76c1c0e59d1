/**
 * The policies the simulator (SimulatePrincipalPolicy, `coffer explain`) evaluates for a user,
 * group, role or role-session ARN. Users and sessions are loaded through `iamPolicySource`, the
 * same source the authorizer uses, so the simulation sees exactly what a request would.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../storage/schema.ts';
import type { Principal } from '../../auth/principal.ts';
import type { PolicyText } from '../../auth/policy-source.ts';
import { compileLenient, requestPrincipal } from '../../auth/principal-policy-cache.ts';
import type { RequestPrincipal } from '../../iam/index.ts';
import { isAwsManagedArn } from './aws-managed-policies.ts';
import { nameKey, noSuchEntity } from './entities.ts';
import { managedPolicyDocument } from './principal-policies.ts';
import { iamPolicySource } from './policy-source.ts';
import type { SimPolicy, SimPolicySourceType } from './simulation.ts';

export interface PrincipalSimulation {
  principal: RequestPrincipal;
  identity: SimPolicy[];
  boundary?: SimPolicy;
}

/**
 * A stored policy as the simulator names it (AWS's SourcePolicyId): an inline policy as
 * `<owner type>_<owner name>_<policy name>` (`user_alice_read`, `role_app_s3`, as AWS's
 * SimulatePrincipalPolicy answers), a managed policy by its name (`AdministratorAccess`).
 */
function fromText(text: PolicyText): SimPolicy {
  const policy = compileLenient(text.document, 'identity');
  if (text.id.startsWith('inline:')) {
    // inline:user/alice/read
    const [owner, ...rest] = text.id.slice('inline:'.length).split('/');
    const name = rest.pop()!;
    return { id: `${owner}_${rest.join('/')}_${name}`, sourceType: owner as SimPolicySourceType, document: text.document, policy };
  }
  const sourceType: SimPolicySourceType = isAwsManagedArn(text.id) ? 'aws-managed' : 'user-managed';
  return { id: lastSegment(text.id), sourceType, arn: text.id, document: text.document, policy };
}

function parts(arn: string): { account: string; resource: string } | undefined {
  const p = arn.split(':');
  if (p.length < 6 || p[0] !== 'arn' || !/^\d{12}$/.test(p[4]!)) return undefined;
  return { account: p[4]!, resource: p.slice(5).join(':') };
}

const lastSegment = (resource: string) => resource.slice(resource.lastIndexOf('/') + 1);

/** Throws NoSuchEntity for an ARN naming nothing that exists, InvalidInput for one that is not an IAM principal. */
export async function loadSimulationPrincipal(db: Kysely<Database>, arn: string, invalid: (message: string) => Error): Promise<PrincipalSimulation> {
  const p = parts(arn);
  if (!p) throw invalid(`Invalid ARN: ${arn}`);
  const { account, resource } = p;
  let principal: Principal;
  if (resource.startsWith('user/')) {
    const user = await db.selectFrom('iam_users').select(['user_name', 'user_id', 'arn'])
      .where('account_id', '=', account).where('user_key', '=', nameKey(lastSegment(resource))).executeTakeFirst();
    if (!user || user.arn !== arn) throw noSuchEntity(`The user with name ${lastSegment(resource)} cannot be found.`);
    principal = { type: 'IAMUser', arn, accountId: account, userId: user.user_id, userName: user.user_name, accessKeyId: 'simulation' };
  } else if (resource.startsWith('role/') || resource.startsWith('assumed-role/')) {
    const roleName = resource.startsWith('role/') ? lastSegment(resource) : resource.split('/')[1]!;
    const role = await db.selectFrom('iam_roles').select(['role_name', 'role_id', 'arn'])
      .where('account_id', '=', account).where('role_key', '=', nameKey(roleName)).executeTakeFirst();
    if (!role || (resource.startsWith('role/') && role.arn !== arn)) throw noSuchEntity(`The role with name ${roleName} cannot be found.`);
    const session = resource.startsWith('assumed-role/') ? resource.split('/').slice(2).join('/') : 'simulation';
    principal = {
      type: 'AssumedRole', arn: `arn:aws:sts::${account}:assumed-role/${role.role_name}/${session}`, accountId: account,
      userId: `${role.role_id}:${session}`, roleArn: role.arn, accessKeyId: 'simulation',
    };
  } else if (resource.startsWith('group/')) {
    return loadGroup(db, account, arn, lastSegment(resource));
  } else {
    throw invalid(`The ARN ${arn} is not the ARN of an IAM user, group or role.`);
  }
  const loaded = await iamPolicySource(db).policiesOf(principal);
  return {
    principal: requestPrincipal(principal, loaded.tags),
    identity: loaded.identityPolicies.map(fromText),
    boundary: loaded.permissionsBoundary && fromText(loaded.permissionsBoundary),
  };
}

/** A group's inline and attached policies; the simulated caller is an anonymous member user. */
async function loadGroup(db: Kysely<Database>, account: string, arn: string, name: string): Promise<PrincipalSimulation> {
  const group = await db.selectFrom('iam_groups').select(['group_name', 'group_key', 'arn'])
    .where('account_id', '=', account).where('group_key', '=', nameKey(name)).executeTakeFirst();
  if (!group || group.arn !== arn) throw noSuchEntity(`The group with name ${name} cannot be found.`);
  const inline = await db.selectFrom('iam_inline_policies').select(['policy_name', 'document'])
    .where('account_id', '=', account).where('owner_type', '=', 'group').where('owner_key', '=', group.group_key)
    .orderBy('policy_name').execute();
  const attached = await db.selectFrom('iam_attachments').select('policy_arn')
    .where('account_id', '=', account).where('owner_type', '=', 'group').where('owner_key', '=', group.group_key)
    .orderBy('policy_arn').execute();
  const identity = inline.map((r) => fromText({ id: `inline:group/${group.group_name}/${r.policy_name}`, document: r.document }));
  for (const a of attached) {
    const document = await managedPolicyDocument(db, a.policy_arn);
    if (document !== undefined) identity.push(fromText({ id: a.policy_arn, document }));
  }
  const principal: RequestPrincipal = { type: 'IAMUser', arn: `arn:aws:iam::${account}:user/simulated-member-of-${group.group_name}`, accountId: account };
  return { principal, identity };
}
