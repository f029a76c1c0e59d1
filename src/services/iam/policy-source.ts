/**
 * The authorizer's view of IAM's tables (`PolicySource`, src/auth/policy-source.ts): a
 * principal's identity policies and boundary (`loadPrincipalPolicies`), its own tags for
 * `aws:PrincipalTag/…`, and the documents of a session's policies. Read only when the
 * authorizer's per-principal cache misses; every IAM write empties that cache.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../storage/schema.ts';
import type { Principal } from '../../auth/principal.ts';
import type { PolicySource, PolicyText, PrincipalPolicies } from '../../auth/policy-source.ts';
import { loadPrincipalPolicies, managedPolicyDocument, roleNameOfSession } from './principal-policies.ts';
import { nameKey, readTags } from './entities.ts';

/** A session policy ARN whose policy no longer exists allows nothing. */
const EMPTY = '{"Version":"2012-10-17","Statement":[]}';

async function ownTags(db: Kysely<Database>, p: Principal): Promise<Record<string, string> | undefined> {
  let column: string | undefined;
  if (p.type === 'IAMUser' && p.userName) {
    column = (await db.selectFrom('iam_users').select('tags')
      .where('account_id', '=', p.accountId).where('user_key', '=', nameKey(p.userName)).executeTakeFirst())?.tags;
  } else if (p.type === 'AssumedRole') {
    const role = roleNameOfSession(p.arn);
    if (role) {
      column = (await db.selectFrom('iam_roles').select('tags')
        .where('account_id', '=', p.accountId).where('role_key', '=', nameKey(role)).executeTakeFirst())?.tags;
    }
  }
  const tags = readTags(column);
  if (tags.length === 0) return undefined;
  return Object.fromEntries(tags.map((t) => [t.Key, t.Value]));
}

async function sessionPolicies(db: Kysely<Database>, p: Principal): Promise<PolicyText[] | undefined> {
  const given = p.sessionPolicies;
  if (!given) return undefined;
  const out: PolicyText[] = [];
  if (given.inline !== undefined) out.push({ id: 'session:inline', document: given.inline });
  for (const arn of given.arns) out.push({ id: arn, document: (await managedPolicyDocument(db, arn)) ?? EMPTY });
  return out;
}

export function iamPolicySource(db: Kysely<Database>): PolicySource {
  return {
    async policiesOf(p: Principal): Promise<PrincipalPolicies> {
      const [loaded, tags, session] = await Promise.all([loadPrincipalPolicies(db, p), ownTags(db, p), sessionPolicies(db, p)]);
      return { identityPolicies: loaded.identityPolicies, permissionsBoundary: loaded.permissionsBoundary, sessionPolicies: session, tags };
    },
  };
}
