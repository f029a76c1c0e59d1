/**
 * IAM managed policies through the real JS SDK and the AWS CLI: customer managed policies and
 * their versions (five at most, a default one, ids never reused), AWS managed policies served
 * from data under their real ARNs, attachments to users, groups and roles, ListEntitiesForPolicy,
 * user permissions boundaries, and the DeleteConflict rules, with IAM's codes and messages.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AddUserToGroupCommand, AttachGroupPolicyCommand, AttachRolePolicyCommand, AttachUserPolicyCommand, CreateGroupCommand, CreatePolicyCommand,
  CreatePolicyVersionCommand, CreateRoleCommand, CreateUserCommand, DeletePolicyCommand, DeletePolicyVersionCommand,
  DeleteUserPermissionsBoundaryCommand, DetachGroupPolicyCommand, DetachRolePolicyCommand, DetachUserPolicyCommand,
  GetPolicyCommand, GetPolicyVersionCommand, GetUserCommand, ListAttachedGroupPoliciesCommand, ListAttachedUserPoliciesCommand,
  GetRoleCommand, ListEntitiesForPolicyCommand, ListPoliciesCommand, ListPolicyVersionsCommand, ListRolesCommand,
  ListPolicyTagsCommand, PutUserPermissionsBoundaryCommand, SetDefaultPolicyVersionCommand, TagPolicyCommand, UntagPolicyCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { startServer, type TestServer } from './helpers/server.ts';
import { awsCli } from './helpers/clients.ts';
import { rejectsWith } from './helpers/secrets.ts';
import { iamClient, userWithKey } from './helpers/iam.ts';

const doc = (action: string) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }] });
const TRUST = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
const AWS_POLICIES = ['AdministratorAccess', 'IAMFullAccess', 'ReadOnlyAccess', 'SecretsManagerReadWrite'];

describe('IAM managed policies', () => {
  let server: TestServer;
  let iam: IAMClient;
  const arn = (name: string, path = '/') => `arn:aws:iam::${server.accountId}:policy${path}${name}`;

  before(async () => {
    server = await startServer();
    iam = iamClient(server);
  });
  after(() => server.destroy());

  test('CreatePolicy returns the policy (ANPA id, v1 default, attachable, no attachments); GetPolicy adds the description; GetPolicyVersion the document', async () => {
    const { Policy } = await iam.send(new CreatePolicyCommand({
      PolicyName: 'ReadSecrets', Path: '/apps/', PolicyDocument: doc('secretsmanager:GetSecretValue'), Description: 'read them', Tags: [{ Key: 'team', Value: 'core' }],
    }));
    assert.equal(Policy!.PolicyName, 'ReadSecrets');
    assert.equal(Policy!.Arn, arn('ReadSecrets', '/apps/'));
    assert.match(Policy!.PolicyId!, /^ANPA[A-Z2-7]{17}$/);
    assert.equal(Policy!.Path, '/apps/');
    assert.equal(Policy!.DefaultVersionId, 'v1');
    assert.equal(Policy!.AttachmentCount, 0);
    assert.equal(Policy!.PermissionsBoundaryUsageCount, 0);
    assert.equal(Policy!.IsAttachable, true);
    assert.deepEqual(Policy!.Tags, [{ Key: 'team', Value: 'core' }]);
    const got = (await iam.send(new GetPolicyCommand({ PolicyArn: Policy!.Arn }))).Policy!;
    assert.equal(got.Description, 'read them');
    assert.equal(got.PolicyId, Policy!.PolicyId);
    const version = (await iam.send(new GetPolicyVersionCommand({ PolicyArn: Policy!.Arn, VersionId: 'v1' }))).PolicyVersion!;
    assert.equal(decodeURIComponent(version.Document!), doc('secretsmanager:GetSecretValue'));
    assert.equal(version.IsDefaultVersion, true);
    assert.ok(version.CreateDate instanceof Date);
  });

  test('a duplicate name is EntityAlreadyExists; a bad document is MalformedPolicyDocument pointing at the element', async () => {
    await iam.send(new CreatePolicyCommand({ PolicyName: 'Once', PolicyDocument: doc('s3:GetObject') }));
    const dup = await rejectsWith(iam.send(new CreatePolicyCommand({ PolicyName: 'ONCE', Path: '/other/', PolicyDocument: doc('s3:GetObject') })), 'EntityAlreadyExistsException',
      'A policy called ONCE already exists. Duplicate names are not allowed.');
    assert.equal(dup.$metadata?.httpStatusCode, 409);
    const noEffect = JSON.stringify({ Version: '2012-10-17', Statement: [{ Action: 's3:GetObject', Resource: '*' }] });
    const bad = await rejectsWith(iam.send(new CreatePolicyCommand({ PolicyName: 'Bad', PolicyDocument: noEffect })), 'MalformedPolicyDocumentException', 'Missing required field Effect');
    assert.equal(bad.$metadata?.httpStatusCode, 400);
    const badResource = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'bucket' }] });
    await rejectsWith(iam.send(new CreatePolicyCommand({ PolicyName: 'Bad', PolicyDocument: badResource })), 'MalformedPolicyDocumentException', 'Resource bucket must be in ARN format or "*".');
    await rejectsWith(iam.send(new GetPolicyCommand({ PolicyArn: arn('Bad') })), 'NoSuchEntityException', `Policy ${arn('Bad')} was not found.`);
  });

  test('versions: at most five (LimitExceeded), SetAsDefault, never delete the default, ids never reused, newest first', async () => {
    const p = (await iam.send(new CreatePolicyCommand({ PolicyName: 'Versioned', PolicyDocument: doc('s3:GetObject') }))).Policy!.Arn!;
    const v2 = await iam.send(new CreatePolicyVersionCommand({ PolicyArn: p, PolicyDocument: doc('s3:PutObject'), SetAsDefault: true }));
    assert.deepEqual([v2.PolicyVersion!.VersionId, v2.PolicyVersion!.IsDefaultVersion], ['v2', true]);
    for (const action of ['s3:A', 's3:B', 's3:C']) await iam.send(new CreatePolicyVersionCommand({ PolicyArn: p, PolicyDocument: doc(action) }));
    const limit = await rejectsWith(iam.send(new CreatePolicyVersionCommand({ PolicyArn: p, PolicyDocument: doc('s3:D') })), 'LimitExceededException',
      'A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.');
    assert.equal(limit.$metadata?.httpStatusCode, 409);
    assert.equal((await iam.send(new GetPolicyCommand({ PolicyArn: p }))).Policy!.DefaultVersionId, 'v2');
    const conflict = await rejectsWith(iam.send(new DeletePolicyVersionCommand({ PolicyArn: p, VersionId: 'v2' })), 'DeleteConflictException', 'Cannot delete the default version of a policy.');
    assert.equal(conflict.$metadata?.httpStatusCode, 409);
    await iam.send(new DeletePolicyVersionCommand({ PolicyArn: p, VersionId: 'v5' }));
    const v6 = await iam.send(new CreatePolicyVersionCommand({ PolicyArn: p, PolicyDocument: doc('s3:E') }));
    assert.equal(v6.PolicyVersion!.VersionId, 'v6', 'a deleted version id is not given again');
    await iam.send(new SetDefaultPolicyVersionCommand({ PolicyArn: p, VersionId: 'v6' }));
    const listed = await iam.send(new ListPolicyVersionsCommand({ PolicyArn: p }));
    assert.deepEqual(listed.Versions!.map((v) => [v.VersionId, v.IsDefaultVersion]), [['v6', true], ['v4', false], ['v3', false], ['v2', false], ['v1', false]]);
    assert.equal(listed.Versions![0]!.Document, undefined, 'ListPolicyVersions leaves the documents out');
    await rejectsWith(iam.send(new GetPolicyVersionCommand({ PolicyArn: p, VersionId: 'v5' })), 'NoSuchEntityException', `Policy ${p} version v5 does not exist or is not attachable.`);
    await rejectsWith(iam.send(new SetDefaultPolicyVersionCommand({ PolicyArn: p, VersionId: 'v5' })), 'NoSuchEntityException');
    await rejectsWith(iam.send(new CreatePolicyVersionCommand({ PolicyArn: p, PolicyDocument: '{"Statement": 5}' })), 'MalformedPolicyDocumentException');

    const paged = await iam.send(new ListPolicyVersionsCommand({ PolicyArn: p, MaxItems: 2 }));
    assert.deepEqual(paged.Versions!.map((v) => v.VersionId), ['v6', 'v4']);
    const rest = await iam.send(new ListPolicyVersionsCommand({ PolicyArn: p, Marker: paged.Marker }));
    assert.deepEqual(rest.Versions!.map((v) => v.VersionId), ['v3', 'v2', 'v1']);

    await rejectsWith(iam.send(new DeletePolicyCommand({ PolicyArn: p })), 'DeleteConflictException', /This policy has more than one version/);
    for (const v of ['v1', 'v2', 'v3', 'v4']) await iam.send(new DeletePolicyVersionCommand({ PolicyArn: p, VersionId: v }));
    await iam.send(new DeletePolicyCommand({ PolicyArn: p }));
    await rejectsWith(iam.send(new GetPolicyCommand({ PolicyArn: p })), 'NoSuchEntityException');
  });

  test('AWS managed policies are served under their real ARNs with their real statements, and cannot be changed', async () => {
    const admin = (await iam.send(new GetPolicyCommand({ PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }))).Policy!;
    assert.equal(admin.PolicyName, 'AdministratorAccess');
    assert.equal(admin.Path, '/');
    assert.equal(admin.IsAttachable, true);
    const version = (await iam.send(new GetPolicyVersionCommand({ PolicyArn: admin.Arn, VersionId: admin.DefaultVersionId }))).PolicyVersion!;
    assert.deepEqual(JSON.parse(decodeURIComponent(version.Document!)).Statement, [{ Effect: 'Allow', Action: '*', Resource: '*' }]);
    const readOnly = (await iam.send(new GetPolicyCommand({ PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }))).Policy!;
    const readDoc = JSON.parse(decodeURIComponent((await iam.send(new GetPolicyVersionCommand({ PolicyArn: readOnly.Arn, VersionId: readOnly.DefaultVersionId }))).PolicyVersion!.Document!));
    const actions = readDoc.Statement.flatMap((s: { Action: string | string[] }) => s.Action);
    assert.ok(actions.includes('secretsmanager:Describe*') && actions.includes('secretsmanager:List*') && actions.includes('iam:Get*'), 'the real ReadOnlyAccess statements');
    assert.ok(!actions.includes('secretsmanager:GetSecretValue'));

    const aws = await iam.send(new ListPoliciesCommand({ Scope: 'AWS' }));
    const names = aws.Policies!.map((x) => x.PolicyName!);
    for (const name of AWS_POLICIES) assert.ok(names.includes(name), name);
    assert.ok(aws.Policies!.every((x) => x.Arn!.startsWith('arn:aws:iam::aws:policy/')));

    const denied = await rejectsWith(iam.send(new CreatePolicyVersionCommand({ PolicyArn: admin.Arn, PolicyDocument: doc('s3:*') })), 'AccessDenied', /not authorized to perform: iam:CreatePolicyVersion/);
    assert.equal(denied.$metadata?.httpStatusCode, 403);
    await rejectsWith(iam.send(new DeletePolicyCommand({ PolicyArn: admin.Arn })), 'AccessDenied');
    await rejectsWith(iam.send(new GetPolicyCommand({ PolicyArn: 'arn:aws:iam::aws:policy/NotAPolicy' })), 'NoSuchEntityException', 'Policy arn:aws:iam::aws:policy/NotAPolicy was not found.');
  });

  test('attach to users, groups and roles: counts, listings, ListEntitiesForPolicy, OnlyAttached, and the errors', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'att-user' }));
    await iam.send(new CreateGroupCommand({ GroupName: 'att-group' }));
    await iam.send(new CreateRoleCommand({ RoleName: 'att-role', AssumeRolePolicyDocument: TRUST }));
    const p = (await iam.send(new CreatePolicyCommand({ PolicyName: 'Attached', PolicyDocument: doc('sqs:*') }))).Policy!.Arn!;
    await iam.send(new AttachUserPolicyCommand({ UserName: 'att-user', PolicyArn: p }));
    await iam.send(new AttachUserPolicyCommand({ UserName: 'att-user', PolicyArn: p }));
    await iam.send(new AttachUserPolicyCommand({ UserName: 'att-user', PolicyArn: 'arn:aws:iam::aws:policy/IAMFullAccess' }));
    await iam.send(new AttachGroupPolicyCommand({ GroupName: 'att-group', PolicyArn: p }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'att-role', PolicyArn: p }));

    assert.equal((await iam.send(new GetPolicyCommand({ PolicyArn: p }))).Policy!.AttachmentCount, 3);
    assert.deepEqual((await iam.send(new ListAttachedUserPoliciesCommand({ UserName: 'att-user' }))).AttachedPolicies, [
      { PolicyName: 'Attached', PolicyArn: p },
      { PolicyName: 'IAMFullAccess', PolicyArn: 'arn:aws:iam::aws:policy/IAMFullAccess' },
    ]);
    assert.deepEqual((await iam.send(new ListAttachedGroupPoliciesCommand({ GroupName: 'att-group' }))).AttachedPolicies, [{ PolicyName: 'Attached', PolicyArn: p }]);
    const entities = await iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: p }));
    assert.deepEqual(entities.PolicyUsers!.map((u) => u.UserName), ['att-user']);
    assert.deepEqual(entities.PolicyGroups!.map((g) => g.GroupName), ['att-group']);
    assert.deepEqual(entities.PolicyRoles!.map((r) => r.RoleName), ['att-role']);
    assert.match(entities.PolicyRoles![0]!.RoleId!, /^AROA/);
    const rolesOnly = await iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: p, EntityFilter: 'Role' }));
    assert.deepEqual([rolesOnly.PolicyUsers, rolesOnly.PolicyGroups, rolesOnly.PolicyRoles!.length], [[], [], 1]);

    const attachedLocal = await iam.send(new ListPoliciesCommand({ Scope: 'Local', OnlyAttached: true }));
    assert.deepEqual(attachedLocal.Policies!.map((x) => [x.PolicyName, x.AttachmentCount]), [['Attached', 3]]);
    const attachedAws = await iam.send(new ListPoliciesCommand({ Scope: 'AWS', OnlyAttached: true }));
    assert.deepEqual(attachedAws.Policies!.map((x) => x.PolicyName), ['IAMFullAccess']);

    const conflict = await rejectsWith(iam.send(new DeletePolicyCommand({ PolicyArn: p })), 'DeleteConflictException', 'Cannot delete a policy attached to entities.');
    assert.equal(conflict.$metadata?.httpStatusCode, 409);
    const unknown = arn('Unknown');
    const missing = await rejectsWith(iam.send(new AttachRolePolicyCommand({ RoleName: 'att-role', PolicyArn: unknown })), 'NoSuchEntityException', `Policy ${unknown} does not exist or is not attachable.`);
    assert.equal(missing.$metadata?.httpStatusCode, 404);
    await rejectsWith(iam.send(new AttachUserPolicyCommand({ UserName: 'nobody', PolicyArn: p })), 'NoSuchEntityException', 'The user with name nobody cannot be found.');
    await rejectsWith(iam.send(new AttachGroupPolicyCommand({ GroupName: 'nogroup', PolicyArn: p })), 'NoSuchEntityException', 'The group with name nogroup cannot be found.');
    await rejectsWith(iam.send(new DetachRolePolicyCommand({ RoleName: 'att-role', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' })), 'NoSuchEntityException',
      'Policy arn:aws:iam::aws:policy/ReadOnlyAccess was not found.');

    await iam.send(new DetachUserPolicyCommand({ UserName: 'att-user', PolicyArn: p }));
    await iam.send(new DetachGroupPolicyCommand({ GroupName: 'att-group', PolicyArn: p }));
    await iam.send(new DetachRolePolicyCommand({ RoleName: 'att-role', PolicyArn: p }));
    assert.equal((await iam.send(new GetPolicyCommand({ PolicyArn: p }))).Policy!.AttachmentCount, 0);
    await iam.send(new DeletePolicyCommand({ PolicyArn: p }));
  });

  test('a user permissions boundary: set (the policy must exist), shown by GetUser, counted, blocks DeletePolicy, removed', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'bounded' }));
    const p = (await iam.send(new CreatePolicyCommand({ PolicyName: 'Boundary', PolicyDocument: doc('secretsmanager:*') }))).Policy!.Arn!;
    await iam.send(new PutUserPermissionsBoundaryCommand({ UserName: 'bounded', PermissionsBoundary: p }));
    assert.deepEqual((await iam.send(new GetUserCommand({ UserName: 'bounded' }))).User!.PermissionsBoundary, { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: p });
    const policy = (await iam.send(new GetPolicyCommand({ PolicyArn: p }))).Policy!;
    assert.deepEqual([policy.AttachmentCount, policy.PermissionsBoundaryUsageCount], [0, 1]);
    const asBoundary = await iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: p, PolicyUsageFilter: 'PermissionsBoundary' }));
    assert.deepEqual(asBoundary.PolicyUsers!.map((u) => u.UserName), ['bounded']);
    await rejectsWith(iam.send(new DeletePolicyCommand({ PolicyArn: p })), 'DeleteConflictException');
    await rejectsWith(iam.send(new PutUserPermissionsBoundaryCommand({ UserName: 'bounded', PermissionsBoundary: arn('Missing') })), 'NoSuchEntityException');
    await rejectsWith(iam.send(new PutUserPermissionsBoundaryCommand({ UserName: 'ghost', PermissionsBoundary: p })), 'NoSuchEntityException', 'The user with name ghost cannot be found.');
    await iam.send(new DeleteUserPermissionsBoundaryCommand({ UserName: 'bounded' }));
    assert.equal((await iam.send(new GetUserCommand({ UserName: 'bounded' }))).User!.PermissionsBoundary, undefined);
    await iam.send(new DeletePolicyCommand({ PolicyArn: p }));
  });

  test('TagPolicy merges keys case-insensitively, UntagPolicy removes, ListPolicyTags lists; AWS managed policies cannot be tagged', async () => {
    const p = (await iam.send(new CreatePolicyCommand({ PolicyName: 'TaggedPolicy', PolicyDocument: doc('s3:GetObject'), Tags: [{ Key: 'Env', Value: 'dev' }] }))).Policy!.Arn!;
    await iam.send(new TagPolicyCommand({ PolicyArn: p, Tags: [{ Key: 'env', Value: 'prod' }, { Key: 'owner', Value: 'ops' }] }));
    assert.deepEqual((await iam.send(new ListPolicyTagsCommand({ PolicyArn: p }))).Tags, [{ Key: 'env', Value: 'prod' }, { Key: 'owner', Value: 'ops' }]);
    await iam.send(new UntagPolicyCommand({ PolicyArn: p, TagKeys: ['OWNER'] }));
    assert.deepEqual((await iam.send(new GetPolicyCommand({ PolicyArn: p }))).Policy!.Tags, [{ Key: 'env', Value: 'prod' }]);
    await rejectsWith(iam.send(new TagPolicyCommand({ PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess', Tags: [{ Key: 'a', Value: 'b' }] })), 'AccessDenied');
    await rejectsWith(iam.send(new ListPolicyTagsCommand({ PolicyArn: arn('NoSuchTagged') })), 'NoSuchEntityException');
  });

  test('ListPolicies pages with Marker/MaxItems and filters by path', async () => {
    for (const name of ['PagedA', 'PagedB', 'PagedC']) await iam.send(new CreatePolicyCommand({ PolicyName: name, Path: '/paged/', PolicyDocument: doc('s3:GetObject') }));
    const first = await iam.send(new ListPoliciesCommand({ Scope: 'Local', PathPrefix: '/paged/', MaxItems: 2 }));
    assert.deepEqual(first.Policies!.map((x) => x.PolicyName), ['PagedA', 'PagedB']);
    assert.equal(first.IsTruncated, true);
    assert.equal(first.Policies![0]!.Description, undefined);
    const rest = await iam.send(new ListPoliciesCommand({ Scope: 'Local', PathPrefix: '/paged/', Marker: first.Marker }));
    assert.deepEqual(rest.Policies!.map((x) => x.PolicyName), ['PagedC']);
    assert.equal(rest.IsTruncated, false);
    const all = await iam.send(new ListPoliciesCommand({}));
    const names = all.Policies!.map((x) => x.PolicyName);
    assert.ok(names.includes('PagedA') && names.includes('ReadOnlyAccess'), 'Scope All lists both kinds');
  });

  test('the AWS CLI: create-policy from file://, list-policies --scope AWS, attach-role-policy, get-policy-version decoded', async () => {
    const file = join(server.dataDir, 'policy.json');
    writeFileSync(file, doc('secretsmanager:DescribeSecret'));
    const created = await awsCli(server, ['iam', 'create-policy', '--policy-name', 'CliPolicy', '--policy-document', `file://${file}`]);
    assert.equal(created.code, 0, created.stderr);
    const policyArn = created.json.Policy.Arn as string;
    assert.equal(policyArn, arn('CliPolicy'));
    const listed = await awsCli(server, ['iam', 'list-policies', '--scope', 'AWS']);
    assert.equal(listed.code, 0, listed.stderr);
    const names = (listed.json.Policies as { PolicyName: string }[]).map((x) => x.PolicyName);
    for (const name of AWS_POLICIES) assert.ok(names.includes(name), name);
    await iam.send(new CreateRoleCommand({ RoleName: 'cli-att-role', AssumeRolePolicyDocument: TRUST }));
    const attached = await awsCli(server, ['iam', 'attach-role-policy', '--role-name', 'cli-att-role', '--policy-arn', policyArn]);
    assert.equal(attached.code, 0, attached.stderr);
    const version = await awsCli(server, ['iam', 'get-policy-version', '--policy-arn', policyArn, '--version-id', 'v1']);
    assert.deepEqual(version.json.PolicyVersion.Document, JSON.parse(doc('secretsmanager:DescribeSecret')));
    const missing = await awsCli(server, ['iam', 'attach-role-policy', '--role-name', 'cli-att-role', '--policy-arn', arn('Nope')]);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /NoSuchEntity.*does not exist or is not attachable/);
  });

  test('attached policies, group policies and boundaries decide what a user may do to roles and policies', async () => {
    await iam.send(new CreateRoleCommand({ RoleName: 'ci-target', Path: '/ci/', AssumeRolePolicyDocument: TRUST }));
    await iam.send(new CreateRoleCommand({ RoleName: 'other-target', AssumeRolePolicyDocument: TRUST }));

    // ReadOnlyAccess (AWS managed, attached through a group) lets a user read roles and policies, not create them.
    const reader = await userWithKey(iam, 'authz-reader');
    await iam.send(new CreateGroupCommand({ GroupName: 'authz-readers' }));
    await iam.send(new AddUserToGroupCommand({ GroupName: 'authz-readers', UserName: 'authz-reader' }));
    await iam.send(new AttachGroupPolicyCommand({ GroupName: 'authz-readers', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }));
    const asReader = iamClient(server, reader.credentials);
    assert.ok((await asReader.send(new ListRolesCommand({}))).Roles!.length >= 2);
    assert.equal((await asReader.send(new GetPolicyCommand({ PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }))).Policy!.PolicyName, 'ReadOnlyAccess');
    const denied = await rejectsWith(asReader.send(new CreatePolicyCommand({ PolicyName: 'ByReader', PolicyDocument: doc('s3:*') })), 'AccessDenied', /iam:CreatePolicy/);
    assert.equal(denied.$metadata?.httpStatusCode, 403);

    // A customer managed policy scoped to role/ci/* by its path.
    const scoped = (await iam.send(new CreatePolicyCommand({
      PolicyName: 'CiRolesOnly',
      PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:GetRole', Resource: `arn:aws:iam::${server.accountId}:role/ci/*` }] }),
    }))).Policy!.Arn!;
    const ci = await userWithKey(iam, 'authz-ci');
    await iam.send(new AttachUserPolicyCommand({ UserName: 'authz-ci', PolicyArn: scoped }));
    const asCi = iamClient(server, ci.credentials);
    assert.equal((await asCi.send(new GetRoleCommand({ RoleName: 'ci-target' }))).Role!.RoleName, 'ci-target');
    await rejectsWith(asCi.send(new GetRoleCommand({ RoleName: 'other-target' })), 'AccessDenied', /iam:GetRole/);

    // AdministratorAccess within an IAMReadOnlyAccess boundary: reads only.
    const bounded = await userWithKey(iam, 'authz-bounded');
    await iam.send(new AttachUserPolicyCommand({ UserName: 'authz-bounded', PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }));
    const asBounded = iamClient(server, bounded.credentials);
    await asBounded.send(new CreatePolicyCommand({ PolicyName: 'BeforeBoundary', PolicyDocument: doc('s3:GetObject') }));
    await iam.send(new PutUserPermissionsBoundaryCommand({ UserName: 'authz-bounded', PermissionsBoundary: 'arn:aws:iam::aws:policy/IAMReadOnlyAccess' }));
    assert.equal((await asBounded.send(new GetRoleCommand({ RoleName: 'other-target' }))).Role!.RoleName, 'other-target');
    await rejectsWith(asBounded.send(new CreatePolicyCommand({ PolicyName: 'AfterBoundary', PolicyDocument: doc('s3:GetObject') })), 'AccessDenied', /permissions boundary/);
  });
});
