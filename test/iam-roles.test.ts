/**
 * IAM roles through the real JS SDK and the AWS CLI: CreateRole with its trust policy
 * validated by the policy engine, GetRole/ListRoles/UpdateRole/UpdateAssumeRolePolicy,
 * tags, role inline policies, permissions boundaries and DeleteRole's conflicts, with
 * IAM's error codes, statuses and messages.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AttachRolePolicyCommand, CreateRoleCommand, DeleteRoleCommand, DeleteRolePermissionsBoundaryCommand, DeleteRolePolicyCommand,
  DetachRolePolicyCommand, GetRoleCommand, GetRolePolicyCommand, ListRolePoliciesCommand, ListRoleTagsCommand, ListRolesCommand,
  PutRolePermissionsBoundaryCommand, PutRolePolicyCommand, TagRoleCommand, UntagRoleCommand, UpdateAssumeRolePolicyCommand,
  PutUserPolicyCommand, UpdateRoleCommand, UpdateRoleDescriptionCommand, type IAMClient,
} from '@aws-sdk/client-iam';
import { startServer, type TestServer } from './helpers/server.ts';
import { awsCli } from './helpers/clients.ts';
import { rejectsWith } from './helpers/secrets.ts';
import { iamClient, userWithKey } from './helpers/iam.ts';

const trust = (principal: unknown) => JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole' }],
});
const READ = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: '*' }] });

describe('IAM roles', () => {
  let server: TestServer;
  let iam: IAMClient;
  let TRUST: string;

  before(async () => {
    server = await startServer();
    iam = iamClient(server);
    TRUST = trust({ AWS: `arn:aws:iam::${server.accountId}:root` });
  });
  after(() => server.destroy());

  test('CreateRole returns the role (AROA id, path in the ARN, URL-encoded trust policy, tags, boundary); GetRole reads it back', async () => {
    const { Role } = await iam.send(new CreateRoleCommand({
      RoleName: 'Deployer', Path: '/ci/', AssumeRolePolicyDocument: TRUST, Description: 'deploys things', MaxSessionDuration: 7200,
      PermissionsBoundary: 'arn:aws:iam::aws:policy/PowerUserAccess', Tags: [{ Key: 'team', Value: 'platform' }],
    }));
    assert.equal(Role!.RoleName, 'Deployer');
    assert.equal(Role!.Path, '/ci/');
    assert.equal(Role!.Arn, `arn:aws:iam::${server.accountId}:role/ci/Deployer`);
    assert.match(Role!.RoleId!, /^AROA[A-Z2-7]{17}$/);
    assert.ok(Role!.CreateDate instanceof Date);
    assert.equal(decodeURIComponent(Role!.AssumeRolePolicyDocument!), TRUST);
    assert.equal(Role!.MaxSessionDuration, 7200);
    assert.deepEqual(Role!.Tags, [{ Key: 'team', Value: 'platform' }]);
    assert.deepEqual(Role!.PermissionsBoundary, { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: 'arn:aws:iam::aws:policy/PowerUserAccess' });

    const got = (await iam.send(new GetRoleCommand({ RoleName: 'deployer' }))).Role!;
    assert.equal(got.RoleName, 'Deployer', 'names are looked up regardless of case and keep their case');
    assert.equal(got.RoleId, Role!.RoleId);
    assert.equal(got.Description, 'deploys things');
    assert.equal(decodeURIComponent(got.AssumeRolePolicyDocument!), TRUST);
    assert.deepEqual(got.RoleLastUsed, {});
  });

  test('a second role with the same name in any case is EntityAlreadyExists (409)', async () => {
    await iam.send(new CreateRoleCommand({ RoleName: 'Dup', AssumeRolePolicyDocument: TRUST }));
    const err = await rejectsWith(iam.send(new CreateRoleCommand({ RoleName: 'DUP', AssumeRolePolicyDocument: TRUST })), 'EntityAlreadyExistsException', 'Role with name Dup already exists.');
    assert.equal(err.$metadata?.httpStatusCode, 409);
  });

  test('trust policies are validated as trust policies: MalformedPolicyDocument names the element', async () => {
    const withResource = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole', Resource: '*' }] });
    const err = await rejectsWith(iam.send(new CreateRoleCommand({ RoleName: 'BadTrust', AssumeRolePolicyDocument: withResource })), 'MalformedPolicyDocumentException', 'Has prohibited field Resource');
    assert.equal(err.$metadata?.httpStatusCode, 400);
    const noPrincipal = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole' }] });
    await rejectsWith(iam.send(new CreateRoleCommand({ RoleName: 'BadTrust', AssumeRolePolicyDocument: noPrincipal })), 'MalformedPolicyDocumentException', 'Missing required field Principal');
    await rejectsWith(iam.send(new CreateRoleCommand({ RoleName: 'BadTrust', AssumeRolePolicyDocument: '{"Version": ' })), 'MalformedPolicyDocumentException', 'Syntax errors in policy.');
    await rejectsWith(iam.send(new GetRoleCommand({ RoleName: 'BadTrust' })), 'NoSuchEntityException');
  });

  test('MaxSessionDuration outside 3600–43200, a bad name and an unknown boundary are refused', async () => {
    const err = await rejectsWith(iam.send(new CreateRoleCommand({ RoleName: 'Short', AssumeRolePolicyDocument: TRUST, MaxSessionDuration: 600 })), 'ValidationError',
      "1 validation error detected: Value '600' at 'maxSessionDuration' failed to satisfy constraint: Member must have value greater than or equal to 3600");
    assert.equal(err.$metadata?.httpStatusCode, 400);
    await rejectsWith(iam.send(new CreateRoleCommand({ RoleName: 'Long', AssumeRolePolicyDocument: TRUST, MaxSessionDuration: 43201 })), 'ValidationError', /less than or equal to 43200/);
    await rejectsWith(iam.send(new CreateRoleCommand({ RoleName: 'bad name', AssumeRolePolicyDocument: TRUST })), 'ValidationError', /at 'roleName' failed to satisfy constraint/);
    const arn = `arn:aws:iam::${server.accountId}:policy/NoSuchBoundary`;
    const missing = await rejectsWith(iam.send(new CreateRoleCommand({ RoleName: 'Bounded', AssumeRolePolicyDocument: TRUST, PermissionsBoundary: arn })), 'NoSuchEntityException', `Scope ARN: ${arn} does not exist or is not attachable.`);
    assert.equal(missing.$metadata?.httpStatusCode, 404);
  });

  test('ListRoles filters by path prefix and pages with Marker/MaxItems, without tags or boundary', async () => {
    for (const name of ['PageA', 'PageB', 'PageC']) await iam.send(new CreateRoleCommand({ RoleName: name, Path: '/paging/', AssumeRolePolicyDocument: TRUST, Tags: [{ Key: 'k', Value: 'v' }] }));
    const first = await iam.send(new ListRolesCommand({ PathPrefix: '/paging/', MaxItems: 2 }));
    assert.deepEqual(first.Roles!.map((r) => r.RoleName), ['PageA', 'PageB']);
    assert.equal(first.IsTruncated, true);
    assert.equal(first.Roles![0]!.Tags, undefined);
    const rest = await iam.send(new ListRolesCommand({ PathPrefix: '/paging/', Marker: first.Marker }));
    assert.deepEqual(rest.Roles!.map((r) => r.RoleName), ['PageC']);
    assert.equal(rest.IsTruncated, false);
    const all = await iam.send(new ListRolesCommand({}));
    assert.ok(all.Roles!.some((r) => r.RoleName === 'Deployer'));
  });

  test('UpdateRole, UpdateRoleDescription and UpdateAssumeRolePolicy change the role; a bad trust policy changes nothing', async () => {
    await iam.send(new CreateRoleCommand({ RoleName: 'Mutable', AssumeRolePolicyDocument: TRUST }));
    await iam.send(new UpdateRoleCommand({ RoleName: 'Mutable', MaxSessionDuration: 43200, Description: 'longer' }));
    const described = await iam.send(new UpdateRoleDescriptionCommand({ RoleName: 'Mutable', Description: 'described' }));
    assert.equal(described.Role!.Description, 'described');
    const lambda = trust({ Service: 'lambda.amazonaws.com' });
    await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'Mutable', PolicyDocument: lambda }));
    await rejectsWith(iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'Mutable', PolicyDocument: READ })), 'MalformedPolicyDocumentException', 'Has prohibited field Resource');
    const role = (await iam.send(new GetRoleCommand({ RoleName: 'Mutable' }))).Role!;
    assert.equal(role.MaxSessionDuration, 43200);
    assert.equal(role.Description, 'described');
    assert.equal(decodeURIComponent(role.AssumeRolePolicyDocument!), lambda);
    await rejectsWith(iam.send(new UpdateRoleCommand({ RoleName: 'Nobody', Description: 'x' })), 'NoSuchEntityException', 'The role with name Nobody cannot be found.');
  });

  test('TagRole merges keys case-insensitively, UntagRole removes, ListRoleTags lists', async () => {
    await iam.send(new CreateRoleCommand({ RoleName: 'Tagged', AssumeRolePolicyDocument: TRUST, Tags: [{ Key: 'Env', Value: 'dev' }] }));
    await iam.send(new TagRoleCommand({ RoleName: 'Tagged', Tags: [{ Key: 'env', Value: 'prod' }, { Key: 'owner', Value: 'ops' }] }));
    assert.deepEqual((await iam.send(new ListRoleTagsCommand({ RoleName: 'Tagged' }))).Tags, [{ Key: 'env', Value: 'prod' }, { Key: 'owner', Value: 'ops' }]);
    await iam.send(new UntagRoleCommand({ RoleName: 'Tagged', TagKeys: ['OWNER'] }));
    const listed = await iam.send(new ListRoleTagsCommand({ RoleName: 'Tagged' }));
    assert.deepEqual(listed.Tags, [{ Key: 'env', Value: 'prod' }]);
    assert.equal(listed.IsTruncated, false);
    await rejectsWith(iam.send(new TagRoleCommand({ RoleName: 'Tagged', Tags: [{ Key: 'a', Value: '1' }, { Key: 'A', Value: '2' }] })), 'InvalidInputException', /Duplicate tag keys/);
  });

  test('role inline policies: put (validated as identity policies), get URL-encoded, list, delete', async () => {
    await iam.send(new CreateRoleCommand({ RoleName: 'Inline', AssumeRolePolicyDocument: TRUST }));
    await iam.send(new PutRolePolicyCommand({ RoleName: 'Inline', PolicyName: 'read', PolicyDocument: READ }));
    await iam.send(new PutRolePolicyCommand({ RoleName: 'Inline', PolicyName: 'also', PolicyDocument: READ }));
    const got = await iam.send(new GetRolePolicyCommand({ RoleName: 'inline', PolicyName: 'read' }));
    assert.equal(got.RoleName, 'Inline');
    assert.equal(decodeURIComponent(got.PolicyDocument!), READ);
    assert.deepEqual((await iam.send(new ListRolePoliciesCommand({ RoleName: 'Inline' }))).PolicyNames, ['also', 'read']);
    const withPrincipal = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: '*' }] });
    await rejectsWith(iam.send(new PutRolePolicyCommand({ RoleName: 'Inline', PolicyName: 'bad', PolicyDocument: withPrincipal })), 'MalformedPolicyDocumentException', 'Policy document should not specify a principal.');
    await rejectsWith(iam.send(new GetRolePolicyCommand({ RoleName: 'Inline', PolicyName: 'missing' })), 'NoSuchEntityException', 'The role policy with name missing cannot be found.');
    await rejectsWith(iam.send(new PutRolePolicyCommand({ RoleName: 'NoRole', PolicyName: 'p', PolicyDocument: READ })), 'NoSuchEntityException', 'The role with name NoRole cannot be found.');
    await iam.send(new DeleteRolePolicyCommand({ RoleName: 'Inline', PolicyName: 'also' }));
    assert.deepEqual((await iam.send(new ListRolePoliciesCommand({ RoleName: 'Inline' }))).PolicyNames, ['read']);
    await rejectsWith(iam.send(new DeleteRolePolicyCommand({ RoleName: 'Inline', PolicyName: 'also' })), 'NoSuchEntityException');
  });

  test('Put/DeleteRolePermissionsBoundary set and clear the boundary; the policy must exist', async () => {
    await iam.send(new CreateRoleCommand({ RoleName: 'Boundary', AssumeRolePolicyDocument: TRUST }));
    await iam.send(new PutRolePermissionsBoundaryCommand({ RoleName: 'Boundary', PermissionsBoundary: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }));
    assert.equal((await iam.send(new GetRoleCommand({ RoleName: 'Boundary' }))).Role!.PermissionsBoundary?.PermissionsBoundaryArn, 'arn:aws:iam::aws:policy/ReadOnlyAccess');
    await rejectsWith(iam.send(new PutRolePermissionsBoundaryCommand({ RoleName: 'Boundary', PermissionsBoundary: 'arn:aws:iam::aws:policy/NoSuchPolicy' })), 'NoSuchEntityException', /does not exist or is not attachable/);
    await rejectsWith(iam.send(new PutRolePermissionsBoundaryCommand({ RoleName: 'Boundary', PermissionsBoundary: 'arn:aws:s3:::not-a-policy-arn' })), 'InvalidInputException', 'ARN arn:aws:s3:::not-a-policy-arn is not valid.');
    await iam.send(new DeleteRolePermissionsBoundaryCommand({ RoleName: 'Boundary' }));
    assert.equal((await iam.send(new GetRoleCommand({ RoleName: 'Boundary' }))).Role!.PermissionsBoundary, undefined);
  });

  test('DeleteRole refuses while inline or attached policies remain (DeleteConflict 409), then deletes', async () => {
    await iam.send(new CreateRoleCommand({ RoleName: 'Doomed', AssumeRolePolicyDocument: TRUST }));
    await iam.send(new PutRolePolicyCommand({ RoleName: 'Doomed', PolicyName: 'p', PolicyDocument: READ }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'Doomed', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }));
    const err = await rejectsWith(iam.send(new DeleteRoleCommand({ RoleName: 'Doomed' })), 'DeleteConflictException', 'Cannot delete entity, must delete policies first.');
    assert.equal(err.$metadata?.httpStatusCode, 409);
    await iam.send(new DeleteRolePolicyCommand({ RoleName: 'Doomed', PolicyName: 'p' }));
    await rejectsWith(iam.send(new DeleteRoleCommand({ RoleName: 'Doomed' })), 'DeleteConflictException', 'Cannot delete entity, must detach all policies first.');
    await iam.send(new DetachRolePolicyCommand({ RoleName: 'Doomed', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }));
    await iam.send(new DeleteRoleCommand({ RoleName: 'Doomed' }));
    const gone = await rejectsWith(iam.send(new GetRoleCommand({ RoleName: 'Doomed' })), 'NoSuchEntityException', 'The role with name Doomed cannot be found.');
    assert.equal(gone.$metadata?.httpStatusCode, 404);
    await rejectsWith(iam.send(new DeleteRoleCommand({ RoleName: 'Doomed' })), 'NoSuchEntityException');
  });

  test('the AWS CLI creates a role from file://, shows the trust policy decoded, and reports IAM errors', async () => {
    const file = join(server.dataDir, 'trust.json');
    writeFileSync(file, trust({ Service: 'lambda.amazonaws.com' }));
    const created = await awsCli(server, ['iam', 'create-role', '--role-name', 'CliRole', '--assume-role-policy-document', `file://${file}`, '--description', 'from the cli']);
    assert.equal(created.code, 0, created.stderr);
    assert.equal(created.json.Role.RoleName, 'CliRole');
    const got = await awsCli(server, ['iam', 'get-role', '--role-name', 'CliRole']);
    assert.equal(got.code, 0, got.stderr);
    assert.deepEqual(got.json.Role.AssumeRolePolicyDocument.Statement[0].Principal, { Service: 'lambda.amazonaws.com' });
    assert.equal(got.json.Role.Description, 'from the cli');
    const again = await awsCli(server, ['iam', 'create-role', '--role-name', 'clirole', '--assume-role-policy-document', `file://${file}`]);
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /EntityAlreadyExists.*Role with name CliRole already exists\./);
    const attached = await awsCli(server, ['iam', 'attach-role-policy', '--role-name', 'CliRole', '--policy-arn', 'arn:aws:iam::aws:policy/SecretsManagerReadWrite']);
    assert.equal(attached.code, 0, attached.stderr);
    const listed = await awsCli(server, ['iam', 'list-attached-role-policies', '--role-name', 'CliRole']);
    assert.deepEqual(listed.json.AttachedPolicies, [{ PolicyName: 'SecretsManagerReadWrite', PolicyArn: 'arn:aws:iam::aws:policy/SecretsManagerReadWrite' }]);
  });

  test('role operations carry aws:RequestTag, aws:TagKeys, aws:ResourceTag and iam:PolicyARN for policies to test', async () => {
    const { credentials } = await userWithKey(iam, 'role-admin');
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: ['iam:CreateRole', 'iam:TagRole'], Resource: '*', Condition: { StringEquals: { 'aws:RequestTag/team': 'platform' }, 'ForAllValues:StringEquals': { 'aws:TagKeys': ['team'] } } },
        { Effect: 'Allow', Action: 'iam:AttachRolePolicy', Resource: '*', Condition: { ArnEquals: { 'iam:PolicyARN': 'arn:aws:iam::aws:policy/ReadOnlyAccess' } } },
        { Effect: 'Allow', Action: 'iam:DeleteRole', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/team': 'platform' } } },
      ],
    });
    await iam.send(new PutUserPolicyCommand({ UserName: 'role-admin', PolicyName: 'roles', PolicyDocument: policy }));
    const asAdmin = iamClient(server, credentials);
    await asAdmin.send(new CreateRoleCommand({ RoleName: 'TeamRole', AssumeRolePolicyDocument: TRUST, Tags: [{ Key: 'team', Value: 'platform' }] }));
    await rejectsWith(asAdmin.send(new CreateRoleCommand({ RoleName: 'OtherTeam', AssumeRolePolicyDocument: TRUST, Tags: [{ Key: 'team', Value: 'web' }] })), 'AccessDenied', /iam:CreateRole/);
    await rejectsWith(asAdmin.send(new CreateRoleCommand({ RoleName: 'Untagged', AssumeRolePolicyDocument: TRUST })), 'AccessDenied');
    await rejectsWith(asAdmin.send(new TagRoleCommand({ RoleName: 'TeamRole', Tags: [{ Key: 'team', Value: 'platform' }, { Key: 'cost', Value: 'x' }] })), 'AccessDenied', /iam:TagRole/);
    await asAdmin.send(new AttachRolePolicyCommand({ RoleName: 'TeamRole', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }));
    await rejectsWith(asAdmin.send(new AttachRolePolicyCommand({ RoleName: 'TeamRole', PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' })), 'AccessDenied', /iam:AttachRolePolicy/);
    await iam.send(new DetachRolePolicyCommand({ RoleName: 'TeamRole', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }));
    await iam.send(new CreateRoleCommand({ RoleName: 'WebRole', AssumeRolePolicyDocument: TRUST, Tags: [{ Key: 'team', Value: 'web' }] }));
    await rejectsWith(asAdmin.send(new DeleteRoleCommand({ RoleName: 'WebRole' })), 'AccessDenied', /iam:DeleteRole/);
    await asAdmin.send(new DeleteRoleCommand({ RoleName: 'TeamRole' }));
  });
});
