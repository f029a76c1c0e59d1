/**
 * The account password policy and ChangePassword, through @aws-sdk/client-iam and the AWS CLI:
 * AWS's defaults and NoSuchEntity texts, the policy enforced by Create/UpdateLoginProfile and
 * ChangePassword (PasswordPolicyViolation with AWS's message), AWS's default policy when the
 * account has none, ChangePassword's old-password check, reuse prevention, its permission on
 * the user's own ARN and AllowUsersToChangePassword standing in for it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ChangePasswordCommand, CreateLoginProfileCommand, DeleteAccountPasswordPolicyCommand, GetAccountPasswordPolicyCommand, GetLoginProfileCommand,
  PutUserPolicyCommand, UpdateAccountPasswordPolicyCommand, UpdateLoginProfileCommand, type IAMClient,
} from '@aws-sdk/client-iam';
import { startServer, type Credentials, type TestServer } from './helpers/server.ts';
import { awsCli } from './helpers/clients.ts';
import { iamClient, userWithKey } from './helpers/iam.ts';
import { sql } from './helpers/db-rows.ts';
import { rejectsWith as rejects } from './helpers/secrets.ts';

const VIOLATION = 'Password does not conform to the account password policy.';

const changeOwn = (userArnPattern: string) => JSON.stringify({
  Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:ChangePassword', Resource: userArnPattern }],
});

describe('account password policy', () => {
  let server: TestServer;
  let iam: IAMClient;

  before(async () => {
    server = await startServer();
    iam = iamClient(server);
  });
  after(() => server?.destroy());

  test('none yet: Get and Delete are NoSuchEntity (404) with AWS\'s texts', async () => {
    await rejects(iam.send(new GetAccountPasswordPolicyCommand({})), 'NoSuchEntityException', `The Password Policy with domain name ${server.accountId} cannot be found.`, 404);
    await rejects(iam.send(new DeleteAccountPasswordPolicyCommand({})), 'NoSuchEntityException', 'The account policy with name PasswordPolicy cannot be found.', 404);
  });

  test('UpdateAccountPasswordPolicy: what is left out takes AWS\'s default; each call replaces the whole policy', async () => {
    await iam.send(new UpdateAccountPasswordPolicyCommand({}));
    const { PasswordPolicy: defaults } = await iam.send(new GetAccountPasswordPolicyCommand({}));
    assert.deepEqual(defaults, {
      MinimumPasswordLength: 6, RequireSymbols: false, RequireNumbers: false, RequireUppercaseCharacters: false, RequireLowercaseCharacters: false,
      AllowUsersToChangePassword: false, ExpirePasswords: false, HardExpiry: false,
    });
    await iam.send(new UpdateAccountPasswordPolicyCommand({
      MinimumPasswordLength: 10, RequireSymbols: true, RequireNumbers: true, RequireUppercaseCharacters: true, RequireLowercaseCharacters: true,
      AllowUsersToChangePassword: true, MaxPasswordAge: 60, PasswordReusePrevention: 3, HardExpiry: true,
    }));
    assert.deepEqual((await iam.send(new GetAccountPasswordPolicyCommand({}))).PasswordPolicy, {
      MinimumPasswordLength: 10, RequireSymbols: true, RequireNumbers: true, RequireUppercaseCharacters: true, RequireLowercaseCharacters: true,
      AllowUsersToChangePassword: true, ExpirePasswords: true, MaxPasswordAge: 60, PasswordReusePrevention: 3, HardExpiry: true,
    });
    await iam.send(new UpdateAccountPasswordPolicyCommand({ MinimumPasswordLength: 7 }));
    assert.deepEqual((await iam.send(new GetAccountPasswordPolicyCommand({}))).PasswordPolicy, { ...defaults, MinimumPasswordLength: 7 });
  });

  test('values outside the model\'s ranges are ValidationError and change nothing', async () => {
    await iam.send(new UpdateAccountPasswordPolicyCommand({ MinimumPasswordLength: 9 }));
    for (const bad of [{ MinimumPasswordLength: 5 }, { MinimumPasswordLength: 129 }, { PasswordReusePrevention: 25 }, { MaxPasswordAge: 1096 }, { MaxPasswordAge: 0 }]) {
      await rejects(iam.send(new UpdateAccountPasswordPolicyCommand(bad)), 'ValidationError', undefined, 400);
    }
    assert.equal((await iam.send(new GetAccountPasswordPolicyCommand({}))).PasswordPolicy?.MinimumPasswordLength, 9);
  });

  test('login profiles must meet the policy; without one, AWS\'s default policy applies', async () => {
    await userWithKey(iam, 'pp-anna');
    await iam.send(new UpdateAccountPasswordPolicyCommand({ MinimumPasswordLength: 12, RequireSymbols: true }));
    for (const weak of ['Short1!', 'longbutnosymbol1', 'AAAAAAAAAAAA']) {
      await rejects(iam.send(new CreateLoginProfileCommand({ UserName: 'pp-anna', Password: weak })), 'PasswordPolicyViolationException', VIOLATION, 400);
    }
    await rejects(iam.send(new GetLoginProfileCommand({ UserName: 'pp-anna' })), 'NoSuchEntityException');
    // Only what the policy requires: no uppercase or digit needed here.
    await iam.send(new CreateLoginProfileCommand({ UserName: 'pp-anna', Password: 'all lower case!' }));
    await rejects(iam.send(new UpdateLoginProfileCommand({ UserName: 'pp-anna', Password: 'too short!' })), 'PasswordPolicyViolationException', VIOLATION);

    // A lenient custom policy replaces AWS's default one...
    await iam.send(new UpdateAccountPasswordPolicyCommand({ MinimumPasswordLength: 6 }));
    await iam.send(new UpdateLoginProfileCommand({ UserName: 'pp-anna', Password: 'simple' }));
    // ...and without it the default applies again: 8+ characters, three of four kinds.
    await iam.send(new DeleteAccountPasswordPolicyCommand({}));
    await rejects(iam.send(new UpdateLoginProfileCommand({ UserName: 'pp-anna', Password: 'simple' })), 'PasswordPolicyViolationException', VIOLATION);
    await rejects(iam.send(new UpdateLoginProfileCommand({ UserName: 'pp-anna', Password: 'onlylowercase' })), 'PasswordPolicyViolationException', VIOLATION);
    await iam.send(new UpdateLoginProfileCommand({ UserName: 'pp-anna', Password: 'Default-0k' }));
  });
});

describe('ChangePassword', () => {
  let server: TestServer;
  let iam: IAMClient;
  before(async () => {
    server = await startServer();
    iam = iamClient(server);
  });
  after(() => server?.destroy());

  async function userWithPassword(name: string, password: string, opts: { resetRequired?: boolean } = {}): Promise<{ arn: string; credentials: Credentials }> {
    const user = await userWithKey(iam, name);
    await iam.send(new CreateLoginProfileCommand({ UserName: name, Password: password, PasswordResetRequired: opts.resetRequired }));
    return user;
  }

  test('needs iam:ChangePassword on the caller\'s own ARN; checks the old password; clears PasswordResetRequired', async () => {
    const ben = await userWithPassword('cp-ben', 'First-Pass-1', { resetRequired: true });
    const asBen = iamClient(server, ben.credentials);
    await rejects(asBen.send(new ChangePasswordCommand({ OldPassword: 'First-Pass-1', NewPassword: 'Second-Pass-2' })), 'AccessDenied',
      `User: ${ben.arn} is not authorized to perform: iam:ChangePassword on resource: ${ben.arn} because no identity-based policy allows the iam:ChangePassword action`, 403);
    await iam.send(new PutUserPolicyCommand({ UserName: 'cp-ben', PolicyName: 'own', PolicyDocument: changeOwn(`arn:aws:iam::${server.accountId}:user/\${aws:username}`) }));
    await rejects(asBen.send(new ChangePasswordCommand({ OldPassword: 'Not-The-Pass-1', NewPassword: 'Second-Pass-2' })), 'AccessDenied', 'The old password is incorrect.', 403);
    await rejects(asBen.send(new ChangePasswordCommand({ OldPassword: 'First-Pass-1', NewPassword: 'weak' })), 'PasswordPolicyViolationException', VIOLATION, 400);
    await asBen.send(new ChangePasswordCommand({ OldPassword: 'First-Pass-1', NewPassword: 'Second-Pass-2' }));
    assert.equal((await iam.send(new GetLoginProfileCommand({ UserName: 'cp-ben' }))).LoginProfile?.PasswordResetRequired, false);
    // The old password no longer is the password.
    await rejects(asBen.send(new ChangePasswordCommand({ OldPassword: 'First-Pass-1', NewPassword: 'Third-Pass-3' })), 'AccessDenied', 'The old password is incorrect.');
    // Only hashes are stored, the new one argon2id.
    const row = (await sql(server, 'SELECT password_hash, password_history FROM {schema}iam_login_profiles WHERE user_key = $1', ['cp-ben'])).rows[0]!;
    assert.match(String(row.password_hash), /^\$argon2id\$/);
    assert.ok(!String(row.password_history).includes('Pass'));
  });

  test('PasswordReusePrevention N: the current password and the N - 1 before it are refused', async () => {
    await iam.send(new UpdateAccountPasswordPolicyCommand({ MinimumPasswordLength: 8, PasswordReusePrevention: 2, AllowUsersToChangePassword: true }));
    try {
      const cleo = await userWithPassword('cp-cleo', 'Alpha-111');
      const asCleo = iamClient(server, cleo.credentials);
      const change = (from: string, to: string) => asCleo.send(new ChangePasswordCommand({ OldPassword: from, NewPassword: to }));
      await rejects(change('Alpha-111', 'Alpha-111'), 'PasswordPolicyViolationException', VIOLATION);
      await change('Alpha-111', 'Bravo-222');
      await rejects(change('Bravo-222', 'Alpha-111'), 'PasswordPolicyViolationException', VIOLATION);
      await change('Bravo-222', 'Charlie-333');
      // Alpha is now three passwords back: allowed again with N = 2.
      await change('Charlie-333', 'Alpha-111');
    } finally {
      await iam.send(new DeleteAccountPasswordPolicyCommand({}));
    }
  });

  test('AllowUsersToChangePassword stands in for the permission (and for reading the policy); an explicit Deny still applies', async () => {
    const dina = await userWithPassword('cp-dina', 'Dina-Pass-1');
    const asDina = iamClient(server, dina.credentials);
    await rejects(asDina.send(new GetAccountPasswordPolicyCommand({})), 'AccessDenied');
    await iam.send(new UpdateAccountPasswordPolicyCommand({ MinimumPasswordLength: 8, AllowUsersToChangePassword: true }));
    try {
      assert.equal((await asDina.send(new GetAccountPasswordPolicyCommand({}))).PasswordPolicy?.AllowUsersToChangePassword, true);
      await asDina.send(new ChangePasswordCommand({ OldPassword: 'Dina-Pass-1', NewPassword: 'Dina-Pass-2' }));
      await iam.send(new PutUserPolicyCommand({
        UserName: 'cp-dina', PolicyName: 'no-change',
        PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'iam:ChangePassword', Resource: '*' }] }),
      }));
      await rejects(asDina.send(new ChangePasswordCommand({ OldPassword: 'Dina-Pass-2', NewPassword: 'Dina-Pass-3' })), 'AccessDenied', /with an explicit deny/, 403);
    } finally {
      await iam.send(new DeleteAccountPasswordPolicyCommand({}));
    }
  });

  test('the root user is InvalidUserType; a user without a login profile is NoSuchEntity', async () => {
    await rejects(iam.send(new ChangePasswordCommand({ OldPassword: 'whatever1', NewPassword: 'Whatever-2' })), 'InvalidUserTypeException', undefined, 400);
    const eve = await userWithKey(iam, 'cp-eve');
    await iam.send(new PutUserPolicyCommand({ UserName: 'cp-eve', PolicyName: 'own', PolicyDocument: changeOwn(eve.arn) }));
    await rejects(iamClient(server, eve.credentials).send(new ChangePasswordCommand({ OldPassword: 'whatever1', NewPassword: 'Whatever-2' })),
      'NoSuchEntityException', 'Login Profile for User cp-eve cannot be found.', 404);
  });

  test('through the AWS CLI: update/get/delete-account-password-policy and change-password', async () => {
    const set = await awsCli(server, ['iam', 'update-account-password-policy', '--minimum-password-length', '10', '--require-numbers', '--allow-users-to-change-password', '--password-reuse-prevention', '5']);
    assert.equal(set.code, 0, set.stderr);
    const got = await awsCli(server, ['iam', 'get-account-password-policy']);
    assert.equal(got.code, 0, got.stderr);
    assert.deepEqual(got.json.PasswordPolicy, {
      MinimumPasswordLength: 10, RequireSymbols: false, RequireNumbers: true, RequireUppercaseCharacters: false, RequireLowercaseCharacters: false,
      AllowUsersToChangePassword: true, ExpirePasswords: false, PasswordReusePrevention: 5, HardExpiry: false,
    });
    const fay = await userWithPassword('cp-fay', 'fay-password-1');
    const weak = await awsCli(server, ['iam', 'change-password', '--old-password', 'fay-password-1', '--new-password', 'nodigits-at-all'], { credentials: fay.credentials });
    assert.notEqual(weak.code, 0);
    assert.match(weak.stderr, /\(PasswordPolicyViolation\) when calling the ChangePassword operation: Password does not conform to the account password policy\./);
    const ok = await awsCli(server, ['iam', 'change-password', '--old-password', 'fay-password-1', '--new-password', 'fay-password-2'], { credentials: fay.credentials });
    assert.equal(ok.code, 0, ok.stderr);
    const gone = await awsCli(server, ['iam', 'delete-account-password-policy']);
    assert.equal(gone.code, 0, gone.stderr);
    const none = await awsCli(server, ['iam', 'get-account-password-policy']);
    assert.notEqual(none.code, 0);
    assert.match(none.stderr, /NoSuchEntity/);
  });
});
