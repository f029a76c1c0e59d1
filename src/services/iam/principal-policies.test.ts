import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { openStore } from '../../storage/database.ts';
import { loadPrincipalPolicies, roleNameOfSession } from './principal-policies.ts';
import type { Principal } from '../../auth/principal.ts';

const ACCT = '111122223333';
const store = await openStore('sqlite::memory:');
const db = store.db;
after(() => store.close());

const doc = (action: string) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }] });
const user = (name: string): Principal => ({ type: 'IAMUser', arn: `arn:aws:iam::${ACCT}:user/team/${name}`, accountId: ACCT, userId: 'AIDAX', userName: name, accessKeyId: 'AKIAX' });

async function seed() {
  const base = { account_id: ACCT, tags: '[]', created_at: 1 };
  await db.insertInto('iam_users').values({ ...base, user_key: 'alice', user_name: 'Alice', user_id: 'AIDA1', path: '/team/', arn: `arn:aws:iam::${ACCT}:user/team/Alice`, permissions_boundary: `arn:aws:iam::${ACCT}:policy/Bound`, password_last_used_at: null }).execute();
  await db.insertInto('iam_users').values({ ...base, user_key: 'bob', user_name: 'Bob', user_id: 'AIDA2', path: '/', arn: `arn:aws:iam::${ACCT}:user/Bob`, permissions_boundary: null, password_last_used_at: null }).execute();
  await db.insertInto('iam_groups').values({ account_id: ACCT, group_key: 'devs', group_name: 'Devs', group_id: 'AGPA1', path: '/', arn: `arn:aws:iam::${ACCT}:group/Devs`, created_at: 1 }).execute();
  await db.insertInto('iam_group_members').values({ account_id: ACCT, group_key: 'devs', user_key: 'alice' }).execute();
  for (const [name, action] of [['Bound', 'secretsmanager:*'], ['Shared', 's3:*']] as const) {
    const arn = `arn:aws:iam::${ACCT}:policy/${name}`;
    await db.insertInto('iam_managed_policies').values({ ...base, policy_key: name.toLowerCase(), policy_name: name, policy_id: `ANPA${name}`, path: '/', arn, description: null, default_version: 'v2', last_version: 2, updated_at: 1 }).execute();
    await db.insertInto('iam_policy_versions').values([
      { policy_arn: arn, version_id: 'v1', document: doc('old:Old'), created_at: 1 },
      { policy_arn: arn, version_id: 'v2', document: doc(action), created_at: 2 },
    ]).execute();
  }
  await db.insertInto('iam_inline_policies').values([
    { account_id: ACCT, owner_type: 'user', owner_key: 'alice', policy_name: 'Mine', document: doc('sqs:*') },
    { account_id: ACCT, owner_type: 'group', owner_key: 'devs', policy_name: 'Team', document: doc('sns:*') },
    { account_id: ACCT, owner_type: 'role', owner_key: 'deployer', policy_name: 'RoleInline', document: doc('ec2:*') },
  ]).execute();
  await db.insertInto('iam_attachments').values([
    { account_id: ACCT, owner_type: 'user', owner_key: 'alice', policy_arn: `arn:aws:iam::${ACCT}:policy/Shared` },
    { account_id: ACCT, owner_type: 'group', owner_key: 'devs', policy_arn: `arn:aws:iam::${ACCT}:policy/Shared` },
    { account_id: ACCT, owner_type: 'group', owner_key: 'devs', policy_arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' },
    { account_id: ACCT, owner_type: 'role', owner_key: 'deployer', policy_arn: 'arn:aws:iam::aws:policy/AdministratorAccess' },
  ]).execute();
  await db.insertInto('iam_roles').values({ ...base, role_key: 'deployer', role_name: 'Deployer', role_id: 'AROA1', path: '/', arn: `arn:aws:iam::${ACCT}:role/Deployer`, trust_policy: '{}', description: null, max_session_duration: 3600, permissions_boundary: 'arn:aws:iam::aws:policy/PowerUserAccess', last_used_at: null, last_used_region: null }).execute();
}
await seed();

test('a user gets its inline, its groups\' inline, and attached default versions once each, plus its boundary', async () => {
  const p = await loadPrincipalPolicies(db, user('alice'));
  assert.deepEqual(p.identityPolicies.map((x) => x.id), [
    'inline:user/Alice/Mine',
    'inline:group/Devs/Team',
    `arn:aws:iam::${ACCT}:policy/Shared`,
    'arn:aws:iam::aws:policy/ReadOnlyAccess',
  ]);
  const shared = p.identityPolicies.find((x) => x.id.endsWith('/Shared'))!;
  assert.match(shared.document, /s3:\*/, 'the default version, not v1');
  assert.match(p.identityPolicies[3]!.document, /"Effect"/);
  assert.equal(p.permissionsBoundary?.id, `arn:aws:iam::${ACCT}:policy/Bound`);
  assert.match(p.permissionsBoundary!.document, /secretsmanager:\*/);
});

test('a user without groups or boundary; an unknown user has nothing', async () => {
  assert.deepEqual(await loadPrincipalPolicies(db, user('Bob')), { identityPolicies: [] });
  assert.deepEqual(await loadPrincipalPolicies(db, user('nobody')), { identityPolicies: [] });
});

test('a role session gets the role\'s inline and attached policies and an AWS managed boundary', async () => {
  const session: Principal = { type: 'AssumedRole', arn: `arn:aws:sts::${ACCT}:assumed-role/Deployer/s1`, accountId: ACCT, userId: 'AROA1:s1', accessKeyId: 'ASIAX' };
  const p = await loadPrincipalPolicies(db, session);
  assert.deepEqual(p.identityPolicies.map((x) => x.id), ['inline:role/Deployer/RoleInline', 'arn:aws:iam::aws:policy/AdministratorAccess']);
  assert.equal(p.permissionsBoundary?.id, 'arn:aws:iam::aws:policy/PowerUserAccess');
  assert.match(p.permissionsBoundary!.document, /NotAction/);
});

test('root has no identity policies; session ARNs name their role', async () => {
  const root: Principal = { type: 'Root', arn: `arn:aws:iam::${ACCT}:root`, accountId: ACCT, userId: ACCT, accessKeyId: 'AKIAR' };
  assert.deepEqual(await loadPrincipalPolicies(db, root), { identityPolicies: [] });
  assert.equal(roleNameOfSession('arn:aws:sts::1:assumed-role/R/s'), 'R');
  assert.equal(roleNameOfSession('arn:aws:iam::1:user/R'), undefined);
});
