/**
 * IAM users, their access keys, inline policies and tags, through the real JS SDK and the AWS
 * CLI: AWS's output shapes, errors (codes, statuses, messages), paging, and that a user's
 * own key authenticates as the user (STS GetCallerIdentity) until it is made Inactive or
 * deleted.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AddUserToGroupCommand, CreateAccessKeyCommand, CreateGroupCommand, CreateUserCommand, DeleteAccessKeyCommand, DeleteGroupCommand,
  DeleteUserCommand, DeleteUserPolicyCommand, PutGroupPolicyCommand, GetAccessKeyLastUsedCommand, GetUserCommand, GetUserPolicyCommand, ListAccessKeysCommand,
  ListUserPoliciesCommand, ListUserTagsCommand, ListUsersCommand, PutUserPolicyCommand, RemoveUserFromGroupCommand, TagUserCommand,
  UntagUserCommand, UpdateAccessKeyCommand, UpdateUserCommand, type IAMClient,
} from '@aws-sdk/client-iam';
import { startServer, type TestServer } from './helpers/server.ts';
import { awsCli, secretsManager } from './helpers/clients.ts';
import { ListSecretsCommand } from '@aws-sdk/client-secrets-manager';
import { rejectsWith } from './helpers/secrets.ts';
import { iamClient, userWithKey, whoAmI } from './helpers/iam.ts';

const READ_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Sid: 'Read', Effect: 'Allow', Action: ['secretsmanager:Describe*', 'secretsmanager:Get*', 'secretsmanager:List*'], Resource: '*' }],
});

describe('IAM users', () => {
  let server: TestServer;
  let iam: IAMClient;

  before(async () => {
    server = await startServer();
    iam = iamClient(server);
  });
  after(() => server.destroy());

  test('CreateUser returns the user with an AIDA id, its path in the ARN, and its tags; GetUser reads it back', async () => {
    const created = await iam.send(new CreateUserCommand({ UserName: 'alice', Path: '/eng/', Tags: [{ Key: 'team', Value: 'core' }] }));
    const user = created.User!;
    assert.equal(user.UserName, 'alice');
    assert.equal(user.Path, '/eng/');
    assert.equal(user.Arn, `arn:aws:iam::${server.accountId}:user/eng/alice`);
    assert.match(user.UserId!, /^AIDA[A-Z2-7]{17}$/);
    assert.ok(user.CreateDate instanceof Date);
    assert.deepEqual(user.Tags, [{ Key: 'team', Value: 'core' }]);

    const got = (await iam.send(new GetUserCommand({ UserName: 'ALICE' }))).User!;
    assert.equal(got.UserName, 'alice', 'names are looked up regardless of case and keep their case');
    assert.equal(got.UserId, user.UserId);
    assert.equal(got.Arn, user.Arn);
    assert.deepEqual(got.Tags, [{ Key: 'team', Value: 'core' }]);
  });

  test('a name taken in any case is EntityAlreadyExists (409)', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'Bob' }));
    for (const name of ['Bob', 'bob', 'BOB']) {
      const err = await rejectsWith(iam.send(new CreateUserCommand({ UserName: name })), 'EntityAlreadyExistsException', 'User with name Bob already exists.');
      assert.equal(err.$metadata?.httpStatusCode, 409);
    }
  });

  test('an unknown user is NoSuchEntity (404) with AWS message', async () => {
    const err = await rejectsWith(iam.send(new GetUserCommand({ UserName: 'nobody' })), 'NoSuchEntityException', 'The user with name nobody cannot be found.');
    assert.equal(err.$metadata?.httpStatusCode, 404);
    await rejectsWith(iam.send(new DeleteUserCommand({ UserName: 'nobody' })), 'NoSuchEntityException', 'The user with name nobody cannot be found.');
  });

  test('a bad user name or path is a ValidationError naming the constraint', async () => {
    const err = await rejectsWith(iam.send(new CreateUserCommand({ UserName: 'bad name!' })), 'ValidationError',
      "1 validation error detected: Value 'bad name!' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+");
    assert.equal(err.$metadata?.httpStatusCode, 400);
    await rejectsWith(iam.send(new CreateUserCommand({ UserName: 'x'.repeat(65) })), 'ValidationError', /Member must have length less than or equal to 64/);
    await rejectsWith(iam.send(new CreateUserCommand({ UserName: 'pathless', Path: 'no-slashes' })), 'ValidationError', /at 'path' failed to satisfy constraint/);
  });

  test('GetUser without a name, called by the root, describes the root', async () => {
    const user = (await iam.send(new GetUserCommand({}))).User!;
    assert.equal(user.Arn, `arn:aws:iam::${server.accountId}:root`);
    assert.equal(user.UserId, server.accountId);
  });

  test('ListUsers filters by PathPrefix and pages with Marker/MaxItems', async () => {
    for (const n of ['p1', 'p2', 'p3', 'p4', 'p5']) await iam.send(new CreateUserCommand({ UserName: `pager-${n}`, Path: '/paging/' }));
    const seen: string[] = [];
    let marker: string | undefined;
    let pages = 0;
    do {
      const out = await iam.send(new ListUsersCommand({ PathPrefix: '/paging/', MaxItems: 2, Marker: marker }));
      pages++;
      seen.push(...out.Users!.map((u) => u.UserName!));
      assert.equal(out.IsTruncated, out.Marker !== undefined);
      for (const u of out.Users!) assert.equal(u.Tags, undefined, 'ListUsers does not return tags');
      marker = out.Marker;
    } while (marker);
    assert.equal(pages, 3);
    assert.deepEqual(seen, ['pager-p1', 'pager-p2', 'pager-p3', 'pager-p4', 'pager-p5']);
    const all = await iam.send(new ListUsersCommand({}));
    assert.equal(all.IsTruncated, false);
    assert.ok(all.Users!.some((u) => u.UserName === 'pager-p3'));
    assert.ok(all.Users!.some((u) => u.UserName === 'alice'));
  });

  test("a user's own access key authenticates as the user; Inactive and deleted keys do not", async () => {
    const { arn, userId, credentials } = await userWithKey(iam, 'keyholder');
    const me = await whoAmI(server, credentials);
    assert.equal(me.Arn, arn);
    assert.equal(me.UserId, userId);
    assert.equal(me.Account, server.accountId);

    await iam.send(new UpdateAccessKeyCommand({ UserName: 'keyholder', AccessKeyId: credentials.accessKeyId, Status: 'Inactive' }));
    const listed = await iam.send(new ListAccessKeysCommand({ UserName: 'keyholder' }));
    assert.deepEqual(listed.AccessKeyMetadata!.map((k) => [k.AccessKeyId, k.Status, k.UserName]), [[credentials.accessKeyId, 'Inactive', 'keyholder']]);
    const err = await rejectsWith(whoAmI(server, credentials), 'InvalidClientTokenId', 'The security token included in the request is invalid.');
    assert.equal(err.$metadata?.httpStatusCode, 403);

    await iam.send(new UpdateAccessKeyCommand({ UserName: 'keyholder', AccessKeyId: credentials.accessKeyId, Status: 'Active' }));
    assert.equal((await whoAmI(server, credentials)).Arn, arn);

    await iam.send(new DeleteAccessKeyCommand({ UserName: 'keyholder', AccessKeyId: credentials.accessKeyId }));
    await rejectsWith(whoAmI(server, credentials), 'InvalidClientTokenId');
    await rejectsWith(iam.send(new DeleteAccessKeyCommand({ UserName: 'keyholder', AccessKeyId: credentials.accessKeyId })), 'NoSuchEntityException',
      `The Access Key with id ${credentials.accessKeyId} cannot be found.`);
  });

  test("a user's key signs Secrets Manager requests: allowed by its inline policy or its group's, denied without one", async () => {
    const { arn, credentials } = await userWithKey(iam, 'sm-user');
    const sm = secretsManager(server, { credentials });
    const denied = await rejectsWith(sm.send(new ListSecretsCommand({})), 'AccessDeniedException');
    assert.match(denied.message, new RegExp(`^User: ${arn} is not authorized to perform: secretsmanager:ListSecrets`));

    await iam.send(new PutUserPolicyCommand({ UserName: 'sm-user', PolicyName: 'read', PolicyDocument: READ_POLICY }));
    const listed = await sm.send(new ListSecretsCommand({}));
    assert.equal(listed.$metadata.httpStatusCode, 200);
    await iam.send(new DeleteUserPolicyCommand({ UserName: 'sm-user', PolicyName: 'read' }));
    await rejectsWith(sm.send(new ListSecretsCommand({})), 'AccessDeniedException');

    await iam.send(new CreateGroupCommand({ GroupName: 'sm-readers' }));
    await iam.send(new PutGroupPolicyCommand({ GroupName: 'sm-readers', PolicyName: 'read', PolicyDocument: READ_POLICY }));
    await iam.send(new AddUserToGroupCommand({ GroupName: 'sm-readers', UserName: 'sm-user' }));
    assert.equal((await sm.send(new ListSecretsCommand({}))).$metadata.httpStatusCode, 200);
    await iam.send(new RemoveUserFromGroupCommand({ GroupName: 'sm-readers', UserName: 'sm-user' }));
    await rejectsWith(sm.send(new ListSecretsCommand({})), 'AccessDeniedException');
  });

  test('a user acts on itself without naming itself: GetUser, CreateAccessKey, ListAccessKeys (allowed through ${aws:username})', async () => {
    const { arn, userId, credentials } = await userWithKey(iam, 'self-service');
    const self = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: ['iam:GetUser', 'iam:*AccessKey*'], Resource: 'arn:aws:iam::*:user/${aws:username}' }],
    });
    await iam.send(new PutUserPolicyCommand({ UserName: 'self-service', PolicyName: 'self', PolicyDocument: self }));
    const asUser = iamClient(server, credentials);
    const me = (await asUser.send(new GetUserCommand({}))).User!;
    assert.equal(me.Arn, arn);
    assert.equal(me.UserId, userId);
    const second = (await asUser.send(new CreateAccessKeyCommand({}))).AccessKey!;
    assert.equal(second.UserName, 'self-service');
    const keys = (await asUser.send(new ListAccessKeysCommand({}))).AccessKeyMetadata!.map((k) => k.AccessKeyId).sort();
    assert.deepEqual(keys, [credentials.accessKeyId, second.AccessKeyId].sort());
    await asUser.send(new DeleteAccessKeyCommand({ AccessKeyId: second.AccessKeyId! }));
    // Another user is not covered by ${aws:username}.
    await rejectsWith(asUser.send(new GetUserCommand({ UserName: 'alice' })), 'AccessDenied', `User: ${arn} is not authorized to perform: iam:GetUser on resource: arn:aws:iam::${server.accountId}:user/eng/alice because no identity-based policy allows the iam:GetUser action`);
  });

  test('CreateUser with a permissions boundary keeps its ARN (GetUser shows it); an unknown policy is NoSuchEntity', async () => {
    const boundary = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
    await iam.send(new CreateUserCommand({ UserName: 'bounded', PermissionsBoundary: boundary }));
    assert.deepEqual({ ...(await iam.send(new GetUserCommand({ UserName: 'bounded' }))).User!.PermissionsBoundary },
      { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: boundary });
    const missing = `arn:aws:iam::${server.accountId}:policy/not-there`;
    await rejectsWith(iam.send(new CreateUserCommand({ UserName: 'unbounded', PermissionsBoundary: missing })), 'NoSuchEntityException');
    await rejectsWith(iam.send(new GetUserCommand({ UserName: 'unbounded' })), 'NoSuchEntityException', 'The user with name unbounded cannot be found.');
  });

  test('a renamed user keeps its keys, which now authenticate under the new ARN', async () => {
    const { userId, credentials } = await userWithKey(iam, 'before-rename');
    await iam.send(new UpdateUserCommand({ UserName: 'before-rename', NewUserName: 'after-rename', NewPath: '/moved/' }));
    await rejectsWith(iam.send(new GetUserCommand({ UserName: 'before-rename' })), 'NoSuchEntityException');
    const me = await whoAmI(server, credentials);
    assert.equal(me.Arn, `arn:aws:iam::${server.accountId}:user/moved/after-rename`);
    assert.equal(me.UserId, userId, 'the unique id survives a rename');
    const keys = await iam.send(new ListAccessKeysCommand({ UserName: 'after-rename' }));
    assert.deepEqual(keys.AccessKeyMetadata!.map((k) => k.AccessKeyId), [credentials.accessKeyId]);
    await iam.send(new CreateUserCommand({ UserName: 'rename-target' }));
    await rejectsWith(iam.send(new UpdateUserCommand({ UserName: 'after-rename', NewUserName: 'RENAME-target' })), 'EntityAlreadyExistsException',
      'User with name rename-target already exists.');
  });

  test('at most two access keys per user: the third is LimitExceeded (409)', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'twokeys' }));
    const first = (await iam.send(new CreateAccessKeyCommand({ UserName: 'twokeys' }))).AccessKey!;
    assert.match(first.AccessKeyId!, /^AKIA[A-Z2-7]{16}$/);
    assert.equal(first.SecretAccessKey!.length, 40);
    assert.equal(first.Status, 'Active');
    assert.equal(first.UserName, 'twokeys');
    await iam.send(new CreateAccessKeyCommand({ UserName: 'twokeys' }));
    const err = await rejectsWith(iam.send(new CreateAccessKeyCommand({ UserName: 'twokeys' })), 'LimitExceededException', 'Cannot exceed quota for AccessKeysPerUser: 2');
    assert.equal(err.$metadata?.httpStatusCode, 409);
    await rejectsWith(iam.send(new CreateAccessKeyCommand({ UserName: 'nokeys-nobody' })), 'NoSuchEntityException', 'The user with name nokeys-nobody cannot be found.');
  });

  test('GetAccessKeyLastUsed says N/A until the key is used, then the service and region', async () => {
    const { credentials } = await userWithKey(iam, 'lastused');
    const before = await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: credentials.accessKeyId }));
    assert.equal(before.UserName, 'lastused');
    assert.deepEqual({ ...before.AccessKeyLastUsed }, { ServiceName: 'N/A', Region: 'N/A' });
    await whoAmI(server, credentials);
    const afterUse = (await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: credentials.accessKeyId }))).AccessKeyLastUsed!;
    assert.equal(afterUse.ServiceName, 'sts');
    assert.equal(afterUse.Region, 'us-east-1');
    assert.ok(afterUse.LastUsedDate instanceof Date);
    await rejectsWith(iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: 'AKIAAAAAAAAAAAAAAAAA' })), 'NoSuchEntityException');
  });

  test('the root creates and deletes a root access key when no UserName is given', async () => {
    const key = (await iam.send(new CreateAccessKeyCommand({}))).AccessKey!;
    assert.equal(key.UserName, undefined);
    const creds = { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! };
    assert.equal((await whoAmI(server, creds)).Arn, `arn:aws:iam::${server.accountId}:root`);
    const rootKeys = (await iam.send(new ListAccessKeysCommand({}))).AccessKeyMetadata!.map((k) => k.AccessKeyId);
    assert.deepEqual(rootKeys.sort(), [server.root.accessKeyId, key.AccessKeyId].sort());
    await iam.send(new DeleteAccessKeyCommand({ AccessKeyId: key.AccessKeyId! }));
    await rejectsWith(whoAmI(server, creds), 'InvalidClientTokenId');
  });

  test('DeleteUser is refused while the user has keys, policies or groups (DeleteConflict 409)', async () => {
    const { credentials } = await userWithKey(iam, 'sticky');
    const keyErr = await rejectsWith(iam.send(new DeleteUserCommand({ UserName: 'sticky' })), 'DeleteConflictException', 'Cannot delete entity, must delete access keys first.');
    assert.equal(keyErr.$metadata?.httpStatusCode, 409);
    await iam.send(new DeleteAccessKeyCommand({ UserName: 'sticky', AccessKeyId: credentials.accessKeyId }));

    await iam.send(new PutUserPolicyCommand({ UserName: 'sticky', PolicyName: 'read', PolicyDocument: READ_POLICY }));
    await rejectsWith(iam.send(new DeleteUserCommand({ UserName: 'sticky' })), 'DeleteConflictException', 'Cannot delete entity, must delete policies first.');
    await iam.send(new DeleteUserPolicyCommand({ UserName: 'sticky', PolicyName: 'read' }));

    await iam.send(new CreateGroupCommand({ GroupName: 'sticky-group' }));
    await iam.send(new AddUserToGroupCommand({ GroupName: 'sticky-group', UserName: 'sticky' }));
    await rejectsWith(iam.send(new DeleteUserCommand({ UserName: 'sticky' })), 'DeleteConflictException', 'Cannot delete entity, must remove users from group first.');
    await iam.send(new RemoveUserFromGroupCommand({ GroupName: 'sticky-group', UserName: 'sticky' }));
    await iam.send(new DeleteGroupCommand({ GroupName: 'sticky-group' }));

    await iam.send(new DeleteUserCommand({ UserName: 'sticky' }));
    await rejectsWith(iam.send(new GetUserCommand({ UserName: 'sticky' })), 'NoSuchEntityException');
  });

  test('inline user policies: put, list, get (URL-encoded in the XML, as AWS returns it), replace, delete', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'reader' }));
    await iam.send(new PutUserPolicyCommand({ UserName: 'reader', PolicyName: 'read', PolicyDocument: READ_POLICY }));
    await iam.send(new PutUserPolicyCommand({ UserName: 'reader', PolicyName: 'also', PolicyDocument: READ_POLICY }));
    const names = await iam.send(new ListUserPoliciesCommand({ UserName: 'reader' }));
    assert.deepEqual(names.PolicyNames, ['also', 'read']);
    assert.equal(names.IsTruncated, false);

    const got = await iam.send(new GetUserPolicyCommand({ UserName: 'reader', PolicyName: 'read' }));
    assert.equal(got.UserName, 'reader');
    assert.equal(got.PolicyName, 'read');
    // The JS SDK hands the document over as sent on the wire: URL-encoded.
    assert.match(got.PolicyDocument!, /^%7B%22Version%22%3A%222012-10-17%22/);
    assert.equal(decodeURIComponent(got.PolicyDocument!), READ_POLICY);

    const replaced = JSON.stringify({ Version: '2012-10-17', Statement: { Effect: 'Deny', Action: 'secretsmanager:*', Resource: '*' } });
    await iam.send(new PutUserPolicyCommand({ UserName: 'reader', PolicyName: 'read', PolicyDocument: replaced }));
    assert.equal(decodeURIComponent((await iam.send(new GetUserPolicyCommand({ UserName: 'reader', PolicyName: 'read' }))).PolicyDocument!), replaced);

    await iam.send(new DeleteUserPolicyCommand({ UserName: 'reader', PolicyName: 'read' }));
    const err = await rejectsWith(iam.send(new GetUserPolicyCommand({ UserName: 'reader', PolicyName: 'read' })), 'NoSuchEntityException', 'The user policy with name read cannot be found.');
    assert.equal(err.$metadata?.httpStatusCode, 404);
    await rejectsWith(iam.send(new DeleteUserPolicyCommand({ UserName: 'reader', PolicyName: 'read' })), 'NoSuchEntityException', 'The user policy with name read cannot be found.');
    await rejectsWith(iam.send(new PutUserPolicyCommand({ UserName: 'no-such-reader', PolicyName: 'p', PolicyDocument: READ_POLICY })), 'NoSuchEntityException',
      'The user with name no-such-reader cannot be found.');
  });

  test('a malformed policy document is MalformedPolicyDocument (400) with the message pointing at the fault', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'malformed' }));
    const syntax = await rejectsWith(iam.send(new PutUserPolicyCommand({ UserName: 'malformed', PolicyName: 'p', PolicyDocument: '{not json' })),
      'MalformedPolicyDocumentException', 'Syntax errors in policy.');
    assert.equal(syntax.$metadata?.httpStatusCode, 400);
    // An identity policy may not name a Principal.
    const withPrincipal = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: '*' }] });
    const err = await rejectsWith(iam.send(new PutUserPolicyCommand({ UserName: 'malformed', PolicyName: 'p', PolicyDocument: withPrincipal })), 'MalformedPolicyDocumentException');
    assert.equal(err.message, 'Policy document should not specify a principal.');
    const names = await iam.send(new ListUserPoliciesCommand({ UserName: 'malformed' }));
    assert.deepEqual(names.PolicyNames, [], 'nothing was stored');
  });

  test("a user's inline policies are limited to 2048 characters in all, whitespace not counted (LimitExceeded)", async () => {
    await iam.send(new CreateUserCommand({ UserName: 'big' }));
    const big = (n: number) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: `arn:aws:secretsmanager:us-east-1:${server.accountId}:secret:${'x'.repeat(n)}` }] });
    await iam.send(new PutUserPolicyCommand({ UserName: 'big', PolicyName: 'one', PolicyDocument: big(800) }));
    // Pretty-printed, the same document is longer but counts the same.
    await iam.send(new PutUserPolicyCommand({ UserName: 'big', PolicyName: 'two', PolicyDocument: JSON.stringify(JSON.parse(big(800)), null, 8) }));
    const err = await rejectsWith(iam.send(new PutUserPolicyCommand({ UserName: 'big', PolicyName: 'three', PolicyDocument: big(300) })), 'LimitExceededException',
      'Maximum policy size of 2048 bytes exceeded for user big');
    assert.equal(err.$metadata?.httpStatusCode, 409);
  });

  test('user tags: TagUser adds and replaces (keys case-insensitive), UntagUser removes, ListUserTags lists', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'tagged', Tags: [{ Key: 'Team', Value: 'a' }] }));
    await iam.send(new TagUserCommand({ UserName: 'tagged', Tags: [{ Key: 'team', Value: 'b' }, { Key: 'env', Value: 'prod' }] }));
    assert.deepEqual((await iam.send(new ListUserTagsCommand({ UserName: 'tagged' }))).Tags, [{ Key: 'team', Value: 'b' }, { Key: 'env', Value: 'prod' }]);
    await iam.send(new UntagUserCommand({ UserName: 'tagged', TagKeys: ['TEAM'] }));
    const out = await iam.send(new ListUserTagsCommand({ UserName: 'tagged' }));
    assert.deepEqual(out.Tags, [{ Key: 'env', Value: 'prod' }]);
    assert.equal(out.IsTruncated, false);
    await rejectsWith(iam.send(new TagUserCommand({ UserName: 'tagged', Tags: [{ Key: 'a', Value: '1' }, { Key: 'A', Value: '2' }] })), 'InvalidInputException',
      'Duplicate tag keys found. Please note that Tag keys are case insensitive.');
    await rejectsWith(iam.send(new ListUserTagsCommand({ UserName: 'untagged-nobody' })), 'NoSuchEntityException');
  });
});

describe('IAM users through the AWS CLI', () => {
  let server: TestServer;

  before(async () => {
    server = await startServer();
  });
  after(() => server.destroy());

  test('create-user, list-users, create-access-key, and the new key works with the CLI', async () => {
    const created = await awsCli(server, ['iam', 'create-user', '--user-name', 'cli-user', '--path', '/cli/', '--tags', 'Key=k,Value=v']);
    assert.equal(created.code, 0, created.stderr);
    assert.equal(created.json.User.Arn, `arn:aws:iam::${server.accountId}:user/cli/cli-user`);
    assert.deepEqual(created.json.User.Tags, [{ Key: 'k', Value: 'v' }]);

    const listed = await awsCli(server, ['iam', 'list-users']);
    assert.equal(listed.code, 0, listed.stderr);
    assert.deepEqual(listed.json.Users.map((u: { UserName: string }) => u.UserName), ['cli-user']);

    const key = await awsCli(server, ['iam', 'create-access-key', '--user-name', 'cli-user']);
    assert.equal(key.code, 0, key.stderr);
    const credentials = { accessKeyId: key.json.AccessKey.AccessKeyId, secretAccessKey: key.json.AccessKey.SecretAccessKey };
    const me = await awsCli(server, ['sts', 'get-caller-identity'], { credentials });
    assert.equal(me.code, 0, me.stderr);
    assert.equal(me.json.Arn, created.json.User.Arn);
    assert.equal(me.json.UserId, created.json.User.UserId);
  });

  test('get-user-policy: the CLI decodes the URL-encoded document into JSON', async () => {
    await awsCli(server, ['iam', 'create-user', '--user-name', 'cli-policy']);
    const put = await awsCli(server, ['iam', 'put-user-policy', '--user-name', 'cli-policy', '--policy-name', 'read', '--policy-document', READ_POLICY]);
    assert.equal(put.code, 0, put.stderr);
    const got = await awsCli(server, ['iam', 'get-user-policy', '--user-name', 'cli-policy', '--policy-name', 'read']);
    assert.equal(got.code, 0, got.stderr);
    assert.deepEqual(got.json.PolicyDocument, JSON.parse(READ_POLICY));
  });

  test('errors read as AWS writes them', async () => {
    const missing = await awsCli(server, ['iam', 'get-user', '--user-name', 'cli-nobody']);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /\(NoSuchEntity\) when calling the GetUser operation: The user with name cli-nobody cannot be found\./);
    await awsCli(server, ['iam', 'create-user', '--user-name', 'cli-dup']);
    const dup = await awsCli(server, ['iam', 'create-user', '--user-name', 'CLI-DUP']);
    assert.match(dup.stderr, /\(EntityAlreadyExists\) when calling the CreateUser operation: User with name cli-dup already exists\./);
  });
});
