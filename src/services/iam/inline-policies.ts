/**
 * Inline policies of users and groups: Put/Get/Delete/List{User,Group}Policy. Documents are
 * validated with the policy engine on write (MalformedPolicyDocument names the element at
 * fault), stored as sent, and returned URL-encoded as AWS returns them. AWS limits the
 * total size of an entity's inline policies, whitespace not counted.
 */
import { parsePolicy } from '../../iam/index.ts';
import type { AuthorizationRequest } from '../../auth/request-context.ts';
import { operation } from '../../protocol/operation.ts';
import { transaction } from '../../storage/transaction.ts';
import type { IamDeps } from './deps.ts';
import { encodePolicyDocument, limitExceeded, noSuchEntity, pageOf } from './entities.ts';
import { findGroup, findUser, noSuchGroup, noSuchUser, type Db } from './identity-store.ts';
import { onGroup, onUser } from './user-auth.ts';

type Kind = 'User' | 'Group';

/** Aggregate inline policy size per entity (IAM quotas). */
const MAX_INLINE_BYTES: Record<Kind, number> = { User: 2048, Group: 5120 };

interface Owner { key: string; name: string }

interface Target {
  authorization: AuthorizationRequest;
  owner: Owner | undefined;
}

/** The user or group named in the input, and how an action on it is authorized. */
async function target(deps: IamDeps, accountId: string, kind: Kind, name: string, action: string, boundary: boolean): Promise<Target> {
  if (kind === 'User') {
    const row = await findUser(deps.db, accountId, name);
    return { authorization: onUser(action, accountId, name, row, { boundary }), owner: row && { key: row.user_key, name: row.user_name } };
  }
  const row = await findGroup(deps.db, accountId, name);
  return { authorization: onGroup(action, accountId, name, row), owner: row && { key: row.group_key, name: row.group_name } };
}

function missing(kind: Kind, name: string) {
  return kind === 'User' ? noSuchUser(name) : noSuchGroup(name);
}

const noSuchPolicy = (kind: Kind, policyName: string) => noSuchEntity(`The ${kind.toLowerCase()} policy with name ${policyName} cannot be found.`);

/** Characters that count against the quota: AWS does not count whitespace. */
const policySize = (document: string) => document.replace(/\s/g, '').length;

function ownerType(kind: Kind): 'user' | 'group' {
  return kind === 'User' ? 'user' : 'group';
}

function policies(db: Db, accountId: string, kind: Kind, ownerKey: string) {
  return db.selectFrom('iam_inline_policies').selectAll()
    .where('account_id', '=', accountId).where('owner_type', '=', ownerType(kind)).where('owner_key', '=', ownerKey);
}

type NameInput<K extends Kind> = K extends 'User' ? { UserName: string } : { GroupName: string };

function ownerName(kind: Kind, input: { UserName?: string; GroupName?: string }): string {
  return (kind === 'User' ? input.UserName : input.GroupName)!;
}

function putPolicy(deps: IamDeps, kind: Kind) {
  return operation<NameInput<Kind> & { PolicyName: string; PolicyDocument: string }, Record<string, never>, Owner | undefined>({
    async plan(ctx, input) {
      const t = await target(deps, ctx.principal.accountId, kind, ownerName(kind, input), `iam:Put${kind}Policy`, true);
      return { authorization: t.authorization, state: t.owner };
    },
    async run(ctx, input, owner) {
      const name = ownerName(kind, input);
      if (!owner) throw missing(kind, name);
      parsePolicy(input.PolicyDocument, { kind: 'identity' });
      const accountId = ctx.principal.accountId;
      await transaction(deps.db, async (trx) => {
        const others = (await policies(trx, accountId, kind, owner.key).execute()).filter((p) => p.policy_name !== input.PolicyName);
        const total = others.reduce((n, p) => n + policySize(p.document), policySize(input.PolicyDocument));
        if (total > MAX_INLINE_BYTES[kind]) throw limitExceeded(`Maximum policy size of ${MAX_INLINE_BYTES[kind]} bytes exceeded for ${kind.toLowerCase()} ${owner.name}`);
        await trx.deleteFrom('iam_inline_policies').where('account_id', '=', accountId).where('owner_type', '=', ownerType(kind))
          .where('owner_key', '=', owner.key).where('policy_name', '=', input.PolicyName).execute();
        await trx.insertInto('iam_inline_policies').values({
          account_id: accountId, owner_type: ownerType(kind), owner_key: owner.key, policy_name: input.PolicyName, document: input.PolicyDocument,
        }).execute();
      });
      deps.changed();
      return {};
    },
  });
}

function getPolicy(deps: IamDeps, kind: Kind) {
  return operation<NameInput<Kind> & { PolicyName: string }, Record<string, string>, Owner | undefined>({
    async plan(ctx, input) {
      const t = await target(deps, ctx.principal.accountId, kind, ownerName(kind, input), `iam:Get${kind}Policy`, false);
      return { authorization: t.authorization, state: t.owner };
    },
    async run(ctx, input, owner) {
      if (!owner) throw missing(kind, ownerName(kind, input));
      const row = await policies(deps.db, ctx.principal.accountId, kind, owner.key).where('policy_name', '=', input.PolicyName).executeTakeFirst();
      if (!row) throw noSuchPolicy(kind, input.PolicyName);
      return { [`${kind}Name`]: owner.name, PolicyName: row.policy_name, PolicyDocument: encodePolicyDocument(row.document) };
    },
  });
}

function deletePolicy(deps: IamDeps, kind: Kind) {
  return operation<NameInput<Kind> & { PolicyName: string }, Record<string, never>, Owner | undefined>({
    async plan(ctx, input) {
      const t = await target(deps, ctx.principal.accountId, kind, ownerName(kind, input), `iam:Delete${kind}Policy`, true);
      return { authorization: t.authorization, state: t.owner };
    },
    async run(ctx, input, owner) {
      if (!owner) throw missing(kind, ownerName(kind, input));
      const result = await deps.db.deleteFrom('iam_inline_policies').where('account_id', '=', ctx.principal.accountId)
        .where('owner_type', '=', ownerType(kind)).where('owner_key', '=', owner.key).where('policy_name', '=', input.PolicyName).executeTakeFirst();
      if (Number(result.numDeletedRows) === 0) throw noSuchPolicy(kind, input.PolicyName);
      deps.changed();
      return {};
    },
  });
}

function listPolicies(deps: IamDeps, kind: Kind) {
  return operation<NameInput<Kind> & { Marker?: string; MaxItems?: number }, Record<string, unknown>, Owner | undefined>({
    async plan(ctx, input) {
      const t = await target(deps, ctx.principal.accountId, kind, ownerName(kind, input), `iam:List${kind}Policies`, false);
      return { authorization: t.authorization, state: t.owner };
    },
    async run(ctx, input, owner) {
      if (!owner) throw missing(kind, ownerName(kind, input));
      const rows = await policies(deps.db, ctx.principal.accountId, kind, owner.key).orderBy('policy_name').execute();
      const { page, ...paging } = pageOf(rows, (r) => r.policy_name, input.Marker, input.MaxItems);
      return { PolicyNames: page.map((r) => r.policy_name), ...paging };
    },
  });
}

export function inlinePolicyOperations(deps: IamDeps) {
  return {
    PutUserPolicy: putPolicy(deps, 'User'),
    GetUserPolicy: getPolicy(deps, 'User'),
    DeleteUserPolicy: deletePolicy(deps, 'User'),
    ListUserPolicies: listPolicies(deps, 'User'),
    PutGroupPolicy: putPolicy(deps, 'Group'),
    GetGroupPolicy: getPolicy(deps, 'Group'),
    DeleteGroupPolicy: deletePolicy(deps, 'Group'),
    ListGroupPolicies: listPolicies(deps, 'Group'),
  };
}
