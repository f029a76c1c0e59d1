/**
 * IAM login profiles (console passwords) through the JS SDK and the AWS CLI: create, get,
 * update, delete; AWS's errors; DeleteUser refusing while a profile exists; authorization on
 * the user's ARN; and that storage holds only an argon2id hash, never the password.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateLoginProfileCommand, CreateUserCommand, DeleteLoginProfileCommand, DeleteUserCommand, GetLoginProfileCommand,
  UpdateLoginProfileCommand, UpdateUserCommand, type IAMClient,
} from '@aws-sdk/client-iam';
import { verify } from '@node-rs/argon2';
import { startServer, type TestServer } from './helpers/server.ts';
import { awsCli } from './helpers/clients.ts';
import { rejectsWith } from './helpers/secrets.ts';
import { iamClient, userWithKey } from './helpers/iam.ts';
import { sql } from './helpers/db-rows.ts';
import { filesUnder, occurrences, pgDump, text, type Haystack } from './helpers/scan.ts';

const PASSWORD = 'Correct-Horse-9-Battery';
const NEW_PASSWORD = 'Tr0ub4dor&3-Replaced';

describe('IAM login profiles', () => {
  let server: TestServer;
  let iam: IAMClient;

  before(async () => {
    server = await startServer();
    iam = iamClient(server);
  });
  after(() => server.destroy());

  async function storedHash(userName: string): Promise<string | undefined> {
    const { rows } = await sql(server, 'select password_hash from {schema}iam_login_profiles where account_id = $1 and user_key = $2', [server.accountId, userName.toLowerCase()]);
    return rows[0]?.password_hash as string | undefined;
  }

  test('create, get, update and delete a login profile with the SDK', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'Carol' }));
    const created = (await iam.send(new CreateLoginProfileCommand({ UserName: 'carol', Password: PASSWORD, PasswordResetRequired: true }))).LoginProfile!;
    assert.equal(created.UserName, 'Carol', 'the user is found regardless of case and named as created');
    assert.equal(created.PasswordResetRequired, true);
    assert.ok(created.CreateDate instanceof Date);

    const got = (await iam.send(new GetLoginProfileCommand({ UserName: 'Carol' }))).LoginProfile!;
    assert.equal(got.UserName, 'Carol');
    assert.equal(got.PasswordResetRequired, true);
    assert.equal(got.CreateDate!.getTime(), created.CreateDate!.getTime());

    const firstHash = await storedHash('Carol');
    assert.ok(firstHash?.startsWith('$argon2id$'), `stored ${firstHash?.slice(0, 10)}…`);
    assert.equal(await verify(firstHash!, PASSWORD), true);

    // Only the flag: the password stays.
    await iam.send(new UpdateLoginProfileCommand({ UserName: 'Carol', PasswordResetRequired: false }));
    assert.equal((await iam.send(new GetLoginProfileCommand({ UserName: 'Carol' }))).LoginProfile!.PasswordResetRequired, false);
    assert.equal(await storedHash('Carol'), firstHash);

    // A new password: a new hash of it, the old one no longer verifies.
    await iam.send(new UpdateLoginProfileCommand({ UserName: 'Carol', Password: NEW_PASSWORD }));
    const secondHash = await storedHash('Carol');
    assert.ok(secondHash?.startsWith('$argon2id$'));
    assert.notEqual(secondHash, firstHash);
    assert.equal(await verify(secondHash!, NEW_PASSWORD), true);
    assert.equal(await verify(secondHash!, PASSWORD), false);
    assert.equal((await iam.send(new GetLoginProfileCommand({ UserName: 'Carol' }))).LoginProfile!.PasswordResetRequired, false);

    await iam.send(new DeleteLoginProfileCommand({ UserName: 'Carol' }));
    await rejectsWith(iam.send(new GetLoginProfileCommand({ UserName: 'Carol' })), 'NoSuchEntityException', 'Login Profile for User Carol cannot be found.');
    assert.equal(await storedHash('Carol'), undefined);
  });

  test('errors: no user, no profile, a second profile, passwords the default policy refuses', async () => {
    const noUser = 'The user with name ghost cannot be found.';
    await rejectsWith(iam.send(new CreateLoginProfileCommand({ UserName: 'ghost', Password: PASSWORD })), 'NoSuchEntityException', noUser);
    await rejectsWith(iam.send(new GetLoginProfileCommand({ UserName: 'ghost' })), 'NoSuchEntityException', noUser);
    await rejectsWith(iam.send(new UpdateLoginProfileCommand({ UserName: 'ghost', Password: PASSWORD })), 'NoSuchEntityException', noUser);
    await rejectsWith(iam.send(new DeleteLoginProfileCommand({ UserName: 'ghost' })), 'NoSuchEntityException', noUser);

    await iam.send(new CreateUserCommand({ UserName: 'dave' }));
    const noProfile = 'Login Profile for User dave cannot be found.';
    const err = await rejectsWith(iam.send(new GetLoginProfileCommand({ UserName: 'dave' })), 'NoSuchEntityException', noProfile);
    assert.equal(err.$metadata?.httpStatusCode, 404);
    await rejectsWith(iam.send(new UpdateLoginProfileCommand({ UserName: 'dave', PasswordResetRequired: true })), 'NoSuchEntityException', noProfile);
    await rejectsWith(iam.send(new DeleteLoginProfileCommand({ UserName: 'dave' })), 'NoSuchEntityException', noProfile);

    for (const weak of ['Sh0rt!', 'alllowercaseletters', 'lowercase1234567']) {
      const e = await rejectsWith(iam.send(new CreateLoginProfileCommand({ UserName: 'dave', Password: weak })), 'PasswordPolicyViolationException');
      assert.equal(e.$metadata?.httpStatusCode, 400);
    }
    await rejectsWith(iam.send(new CreateLoginProfileCommand({ UserName: 'dave' })), 'PasswordPolicyViolationException');
    assert.equal(await storedHash('dave'), undefined, 'a refused password creates nothing');

    await iam.send(new CreateLoginProfileCommand({ UserName: 'dave', Password: PASSWORD }));
    const exists = await rejectsWith(iam.send(new CreateLoginProfileCommand({ UserName: 'DAVE', Password: NEW_PASSWORD })), 'EntityAlreadyExistsException', 'Login Profile for user dave already exists.');
    assert.equal(exists.$metadata?.httpStatusCode, 409);
    await rejectsWith(iam.send(new UpdateLoginProfileCommand({ UserName: 'dave', Password: 'weak' })), 'PasswordPolicyViolationException');
    assert.equal(await verify((await storedHash('dave'))!, PASSWORD), true, 'a refused update leaves the password');
    assert.equal((await iam.send(new GetLoginProfileCommand({ UserName: 'dave' }))).LoginProfile!.PasswordResetRequired, false);
  });

  test('DeleteUser is a DeleteConflict while the login profile exists; a renamed user keeps it', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'erin' }));
    await iam.send(new CreateLoginProfileCommand({ UserName: 'erin', Password: PASSWORD }));
    const err = await rejectsWith(iam.send(new DeleteUserCommand({ UserName: 'erin' })), 'DeleteConflictException', 'Cannot delete entity, must delete login profile first.');
    assert.equal(err.$metadata?.httpStatusCode, 409);

    await iam.send(new UpdateUserCommand({ UserName: 'erin', NewUserName: 'erin2' }));
    assert.equal((await iam.send(new GetLoginProfileCommand({ UserName: 'erin2' }))).LoginProfile!.UserName, 'erin2');
    await rejectsWith(iam.send(new DeleteUserCommand({ UserName: 'erin2' })), 'DeleteConflictException', 'Cannot delete entity, must delete login profile first.');

    await iam.send(new DeleteLoginProfileCommand({ UserName: 'erin2' }));
    await iam.send(new DeleteUserCommand({ UserName: 'erin2' }));
    // A new user of the old name starts without a profile.
    await iam.send(new CreateUserCommand({ UserName: 'erin2' }));
    await rejectsWith(iam.send(new GetLoginProfileCommand({ UserName: 'erin2' })), 'NoSuchEntityException', 'Login Profile for User erin2 cannot be found.');
  });

  test('the operations are authorized as iam:<Op> on the user ARN', async () => {
    const { credentials } = await userWithKey(iam, 'no-perms');
    await iam.send(new CreateUserCommand({ UserName: 'target', Path: '/ops/' }));
    const asUser = iamClient(server, credentials);
    const err = await rejectsWith(asUser.send(new CreateLoginProfileCommand({ UserName: 'target', Password: PASSWORD })), 'AccessDenied');
    assert.match(err.message, /iam:CreateLoginProfile/);
    assert.ok(err.message.includes(`arn:aws:iam::${server.accountId}:user/ops/target`), err.message);
    await rejectsWith(asUser.send(new GetLoginProfileCommand({ UserName: 'target' })), 'AccessDenied', /iam:GetLoginProfile/);
    assert.equal(await storedHash('target'), undefined);
  });

  test('the AWS CLI creates, reads, updates and deletes a login profile', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'frank' }));
    const created = await awsCli(server, ['iam', 'create-login-profile', '--user-name', 'frank', '--password', PASSWORD, '--password-reset-required']);
    assert.equal(created.code, 0, created.stderr);
    assert.equal(created.json.LoginProfile.UserName, 'frank');
    assert.equal(created.json.LoginProfile.PasswordResetRequired, true);

    const got = await awsCli(server, ['iam', 'get-login-profile', '--user-name', 'frank']);
    assert.equal(got.code, 0, got.stderr);
    assert.equal(got.json.LoginProfile.PasswordResetRequired, true);

    const updated = await awsCli(server, ['iam', 'update-login-profile', '--user-name', 'frank', '--password', NEW_PASSWORD, '--no-password-reset-required']);
    assert.equal(updated.code, 0, updated.stderr);
    assert.equal((await awsCli(server, ['iam', 'get-login-profile', '--user-name', 'frank'])).json.LoginProfile.PasswordResetRequired, false);

    const weak = await awsCli(server, ['iam', 'create-login-profile', '--user-name', 'frank', '--password', 'short']);
    assert.notEqual(weak.code, 0);
    assert.match(weak.stderr, /PasswordPolicyViolation/);

    const deleted = await awsCli(server, ['iam', 'delete-login-profile', '--user-name', 'frank']);
    assert.equal(deleted.code, 0, deleted.stderr);
    const gone = await awsCli(server, ['iam', 'get-login-profile', '--user-name', 'frank']);
    assert.notEqual(gone.code, 0);
    assert.match(gone.stderr, /NoSuchEntity/);
    assert.match(gone.stderr, /Login Profile for User frank cannot be found\./);
  });

  test('storage holds no password in the clear, only argon2id hashes', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'grace' }));
    const secret = 'Plaintext-Canary-7f3a9c';
    await iam.send(new CreateLoginProfileCommand({ UserName: 'grace', Password: secret }));
    const { rows } = await sql(server, 'select password_hash from {schema}iam_login_profiles where account_id = $1', [server.accountId]);
    assert.ok(rows.length > 0);
    for (const row of rows) assert.match(String(row.password_hash), /^\$argon2id\$/);

    const needles = [secret, PASSWORD, NEW_PASSWORD].map((p) => text(p, p));
    const haystacks: Haystack[] = /^postgres(ql)?:/.test(server.databaseUrl) ? [await pgDump(server.databaseUrl)] : filesUnder(server.dataDir);
    // The control: the scan does see what is stored in the clear (the user's name).
    assert.notDeepEqual(occurrences([text('user name', 'grace')], haystacks), []);
    assert.deepEqual(occurrences(needles, haystacks), []);
  });
});
