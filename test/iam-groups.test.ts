/**
 * IAM groups through the real JS SDK and the AWS CLI: create/get/list/update/delete,
 * membership (idempotent, as AWS's), ListGroupsForUser, group inline policies, and AWS's
 * errors for each.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AddUserToGroupCommand, CreateGroupCommand, CreateUserCommand, DeleteGroupCommand, DeleteGroupPolicyCommand, GetGroupCommand,
  GetGroupPolicyCommand, ListGroupPoliciesCommand, ListGroupsCommand, ListGroupsForUserCommand, PutGroupPolicyCommand,
  RemoveUserFromGroupCommand, UpdateGroupCommand, type IAMClient,
} from '@aws-sdk/client-iam';
import { startServer, type TestServer } from './helpers/server.ts';
import { awsCli } from './helpers/clients.ts';
import { rejectsWith } from './helpers/secrets.ts';
import { iamClient } from './helpers/iam.ts';

const POLICY = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'secretsmanager:ListSecrets', Resource: '*' }] });

describe('IAM groups', () => {
  let server: TestServer;
  let iam: IAMClient;

  before(async () => {
    server = await startServer();
    iam = iamClient(server);
  });
  after(() => server.destroy());

  test('CreateGroup returns the group with an AGPA id and its ARN; a taken name in any case is EntityAlreadyExists', async () => {
    const group = (await iam.send(new CreateGroupCommand({ GroupName: 'Admins', Path: '/ops/' }))).Group!;
    assert.equal(group.GroupName, 'Admins');
    assert.equal(group.Path, '/ops/');
    assert.equal(group.Arn, `arn:aws:iam::${server.accountId}:group/ops/Admins`);
    assert.match(group.GroupId!, /^AGPA[A-Z2-7]{17}$/);
    assert.ok(group.CreateDate instanceof Date);
    const err = await rejectsWith(iam.send(new CreateGroupCommand({ GroupName: 'admins' })), 'EntityAlreadyExistsException', 'Group with name Admins already exists.');
    assert.equal(err.$metadata?.httpStatusCode, 409);
  });

  test('an unknown group is NoSuchEntity (404); a bad name is ValidationError', async () => {
    const err = await rejectsWith(iam.send(new GetGroupCommand({ GroupName: 'ghosts' })), 'NoSuchEntityException', 'The group with name ghosts cannot be found.');
    assert.equal(err.$metadata?.httpStatusCode, 404);
    await rejectsWith(iam.send(new DeleteGroupCommand({ GroupName: 'ghosts' })), 'NoSuchEntityException', 'The group with name ghosts cannot be found.');
    await rejectsWith(iam.send(new CreateGroupCommand({ GroupName: 'no spaces' })), 'ValidationError', /at 'groupName' failed to satisfy constraint/);
  });

  test('membership: AddUserToGroup and RemoveUserFromGroup are idempotent; GetGroup lists users, ListGroupsForUser the groups', async () => {
    await iam.send(new CreateGroupCommand({ GroupName: 'readers' }));
    await iam.send(new CreateGroupCommand({ GroupName: 'writers' }));
    await iam.send(new CreateUserCommand({ UserName: 'carol', Path: '/staff/' }));
    await iam.send(new CreateUserCommand({ UserName: 'dave' }));
    await iam.send(new AddUserToGroupCommand({ GroupName: 'readers', UserName: 'carol' }));
    await iam.send(new AddUserToGroupCommand({ GroupName: 'READERS', UserName: 'Carol' }));
    await iam.send(new AddUserToGroupCommand({ GroupName: 'readers', UserName: 'dave' }));
    await iam.send(new AddUserToGroupCommand({ GroupName: 'writers', UserName: 'carol' }));

    const got = await iam.send(new GetGroupCommand({ GroupName: 'readers' }));
    assert.equal(got.Group!.GroupName, 'readers');
    assert.deepEqual(got.Users!.map((u) => [u.UserName, u.Arn]), [
      ['carol', `arn:aws:iam::${server.accountId}:user/staff/carol`],
      ['dave', `arn:aws:iam::${server.accountId}:user/dave`],
    ]);
    assert.equal(got.IsTruncated, false);
    const firstPage = await iam.send(new GetGroupCommand({ GroupName: 'readers', MaxItems: 1 }));
    assert.deepEqual(firstPage.Users!.map((u) => u.UserName), ['carol']);
    assert.equal(firstPage.IsTruncated, true);
    const secondPage = await iam.send(new GetGroupCommand({ GroupName: 'readers', MaxItems: 1, Marker: firstPage.Marker }));
    assert.deepEqual(secondPage.Users!.map((u) => u.UserName), ['dave']);
    assert.equal(secondPage.IsTruncated, false);

    const groups = await iam.send(new ListGroupsForUserCommand({ UserName: 'carol' }));
    assert.deepEqual(groups.Groups!.map((g) => g.GroupName), ['readers', 'writers']);

    await iam.send(new RemoveUserFromGroupCommand({ GroupName: 'readers', UserName: 'carol' }));
    await iam.send(new RemoveUserFromGroupCommand({ GroupName: 'readers', UserName: 'carol' }));
    assert.deepEqual((await iam.send(new ListGroupsForUserCommand({ UserName: 'carol' }))).Groups!.map((g) => g.GroupName), ['writers']);

    await rejectsWith(iam.send(new AddUserToGroupCommand({ GroupName: 'readers', UserName: 'nobody' })), 'NoSuchEntityException', 'The user with name nobody cannot be found.');
    await rejectsWith(iam.send(new AddUserToGroupCommand({ GroupName: 'nogroup', UserName: 'dave' })), 'NoSuchEntityException', 'The group with name nogroup cannot be found.');
    await rejectsWith(iam.send(new ListGroupsForUserCommand({ UserName: 'nobody' })), 'NoSuchEntityException', 'The user with name nobody cannot be found.');
  });

  test('ListGroups filters by PathPrefix and pages', async () => {
    for (const n of ['g1', 'g2', 'g3']) await iam.send(new CreateGroupCommand({ GroupName: `paged-${n}`, Path: '/paged/' }));
    const first = await iam.send(new ListGroupsCommand({ PathPrefix: '/paged/', MaxItems: 2 }));
    assert.deepEqual(first.Groups!.map((g) => g.GroupName), ['paged-g1', 'paged-g2']);
    assert.equal(first.IsTruncated, true);
    const rest = await iam.send(new ListGroupsCommand({ PathPrefix: '/paged/', MaxItems: 2, Marker: first.Marker }));
    assert.deepEqual(rest.Groups!.map((g) => g.GroupName), ['paged-g3']);
    assert.equal(rest.IsTruncated, false);
    assert.equal(rest.Marker, undefined);
  });

  test('DeleteGroup is refused while it has members or policies (DeleteConflict 409)', async () => {
    await iam.send(new CreateGroupCommand({ GroupName: 'busy' }));
    await iam.send(new CreateUserCommand({ UserName: 'busy-member' }));
    await iam.send(new AddUserToGroupCommand({ GroupName: 'busy', UserName: 'busy-member' }));
    const err = await rejectsWith(iam.send(new DeleteGroupCommand({ GroupName: 'busy' })), 'DeleteConflictException', 'Cannot delete entity, must remove users from group first.');
    assert.equal(err.$metadata?.httpStatusCode, 409);
    await iam.send(new RemoveUserFromGroupCommand({ GroupName: 'busy', UserName: 'busy-member' }));
    await iam.send(new PutGroupPolicyCommand({ GroupName: 'busy', PolicyName: 'p', PolicyDocument: POLICY }));
    await rejectsWith(iam.send(new DeleteGroupCommand({ GroupName: 'busy' })), 'DeleteConflictException', 'Cannot delete entity, must delete policies first.');
    await iam.send(new DeleteGroupPolicyCommand({ GroupName: 'busy', PolicyName: 'p' }));
    await iam.send(new DeleteGroupCommand({ GroupName: 'busy' }));
    await rejectsWith(iam.send(new GetGroupCommand({ GroupName: 'busy' })), 'NoSuchEntityException');
  });

  test('UpdateGroup renames and moves a group, keeping its members and policies', async () => {
    await iam.send(new CreateGroupCommand({ GroupName: 'old-name' }));
    await iam.send(new CreateUserCommand({ UserName: 'renamed-member' }));
    await iam.send(new AddUserToGroupCommand({ GroupName: 'old-name', UserName: 'renamed-member' }));
    await iam.send(new PutGroupPolicyCommand({ GroupName: 'old-name', PolicyName: 'kept', PolicyDocument: POLICY }));
    await iam.send(new UpdateGroupCommand({ GroupName: 'old-name', NewGroupName: 'new-name', NewPath: '/moved/' }));
    const got = await iam.send(new GetGroupCommand({ GroupName: 'new-name' }));
    assert.equal(got.Group!.Arn, `arn:aws:iam::${server.accountId}:group/moved/new-name`);
    assert.deepEqual(got.Users!.map((u) => u.UserName), ['renamed-member']);
    assert.deepEqual((await iam.send(new ListGroupPoliciesCommand({ GroupName: 'new-name' }))).PolicyNames, ['kept']);
    await rejectsWith(iam.send(new GetGroupCommand({ GroupName: 'old-name' })), 'NoSuchEntityException');
    await rejectsWith(iam.send(new UpdateGroupCommand({ GroupName: 'new-name', NewGroupName: 'ADMINS' })), 'EntityAlreadyExistsException', 'Group with name Admins already exists.');
  });

  test('group inline policies: put, list, get (URL-encoded), delete, and validation', async () => {
    await iam.send(new CreateGroupCommand({ GroupName: 'policied' }));
    await iam.send(new PutGroupPolicyCommand({ GroupName: 'policied', PolicyName: 'list', PolicyDocument: POLICY }));
    const got = await iam.send(new GetGroupPolicyCommand({ GroupName: 'policied', PolicyName: 'list' }));
    assert.equal(got.GroupName, 'policied');
    assert.equal(got.PolicyName, 'list');
    assert.equal(decodeURIComponent(got.PolicyDocument!), POLICY);
    assert.notEqual(got.PolicyDocument, POLICY, 'the JS SDK does not decode the document');
    assert.deepEqual((await iam.send(new ListGroupPoliciesCommand({ GroupName: 'policied' }))).PolicyNames, ['list']);
    const bad = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Permit', Action: 'secretsmanager:ListSecrets', Resource: '*' }] });
    const err = await rejectsWith(iam.send(new PutGroupPolicyCommand({ GroupName: 'policied', PolicyName: 'bad', PolicyDocument: bad })), 'MalformedPolicyDocumentException');
    assert.equal(err.$metadata?.httpStatusCode, 400);
    await iam.send(new DeleteGroupPolicyCommand({ GroupName: 'policied', PolicyName: 'list' }));
    await rejectsWith(iam.send(new GetGroupPolicyCommand({ GroupName: 'policied', PolicyName: 'list' })), 'NoSuchEntityException', 'The group policy with name list cannot be found.');
    await rejectsWith(iam.send(new ListGroupPoliciesCommand({ GroupName: 'ghost-group' })), 'NoSuchEntityException', 'The group with name ghost-group cannot be found.');
  });
});

describe('IAM groups through the AWS CLI', () => {
  let server: TestServer;

  before(async () => {
    server = await startServer();
  });
  after(() => server.destroy());

  test('create-group, add-user-to-group, get-group, get-group-policy', async () => {
    assert.equal((await awsCli(server, ['iam', 'create-group', '--group-name', 'cli-group'])).code, 0);
    assert.equal((await awsCli(server, ['iam', 'create-user', '--user-name', 'cli-member'])).code, 0);
    const added = await awsCli(server, ['iam', 'add-user-to-group', '--group-name', 'cli-group', '--user-name', 'cli-member']);
    assert.equal(added.code, 0, added.stderr);
    const got = await awsCli(server, ['iam', 'get-group', '--group-name', 'cli-group']);
    assert.equal(got.code, 0, got.stderr);
    assert.equal(got.json.Group.Arn, `arn:aws:iam::${server.accountId}:group/cli-group`);
    assert.deepEqual(got.json.Users.map((u: { UserName: string }) => u.UserName), ['cli-member']);
    const put = await awsCli(server, ['iam', 'put-group-policy', '--group-name', 'cli-group', '--policy-name', 'p', '--policy-document', POLICY]);
    assert.equal(put.code, 0, put.stderr);
    const policy = await awsCli(server, ['iam', 'get-group-policy', '--group-name', 'cli-group', '--policy-name', 'p']);
    assert.equal(policy.code, 0, policy.stderr);
    assert.deepEqual(policy.json.PolicyDocument, JSON.parse(POLICY));
    const conflict = await awsCli(server, ['iam', 'delete-group', '--group-name', 'cli-group']);
    assert.match(conflict.stderr, /\(DeleteConflict\) when calling the DeleteGroup operation: Cannot delete entity, must remove users from group first\./);
  });
});
