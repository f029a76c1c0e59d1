/**
 * The web console's serving and sign-in, end to end: the built app at /console with its
 * headers; password sign-in (generic failures, backoff, MFA making aws:MultiFactorAuthPresent
 * true, IAM callable without MFA unlike GetSessionToken); access-key sign-in signed in the
 * browser; all in Debian's Chromium with screenshots, and the same endpoints through fetch.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Secret, TOTP } from 'otpauth';
import {
  ChangePasswordCommand, CreateLoginProfileCommand, CreateUserCommand, CreateVirtualMFADeviceCommand, DeleteAccountPasswordPolicyCommand,
  EnableMFADeviceCommand, GetUserCommand, ListUsersCommand, PutUserPolicyCommand, UpdateAccountPasswordPolicyCommand, UpdateLoginProfileCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, GetSessionTokenCommand } from '@aws-sdk/client-sts';
import { CreateSecretCommand, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { startServer, type Credentials, type TestServer } from './helpers/server.ts';
import { secretsManager } from './helpers/clients.ts';
import { iamClient, stsClient, userWithKey } from './helpers/iam.ts';
import { rejectsWith } from './helpers/secrets.ts';
import { postSignIn, sessionCreds, SIGN_IN_FAILED, type SignInAnswer } from './helpers/console-sign-in.ts';
import { sql } from './helpers/db-rows.ts';
import { consoleContext, openConsole, signInWithKeys, signInWithPassword, type ConsoleBrowser } from './helpers/browser.ts';

const STEP = 30_000;
const PASSWORD = 'Correct-Horse-9-battery';
const FAILED = SIGN_IN_FAILED;

describe('console sign-in', () => {
  let server: TestServer;
  let iam: IAMClient;
  let b: ConsoleBrowser;

  before(async () => {
    server = await startServer();
    iam = iamClient(server);
    await iam.send(new CreateUserCommand({ UserName: 'carol' }));
    await iam.send(new CreateLoginProfileCommand({ UserName: 'carol', Password: PASSWORD }));
    b = await openConsole(server);
  });
  after(async () => {
    await b?.close();
    await server?.destroy();
  });

  test('/console serves the built app with a strict CSP, cache headers and the SPA fallback', async () => {
    const index = await fetch(`${server.endpoint}/console/`);
    assert.equal(index.status, 200);
    assert.equal(index.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(index.headers.get('cache-control'), 'no-cache');
    assert.match(index.headers.get('content-security-policy') ?? '', /default-src 'self'/);
    assert.doesNotMatch(index.headers.get('content-security-policy') ?? '', /unsafe-inline|unsafe-eval|https?:/);
    const html = await index.text();
    const script = /src="(\/console\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    assert.ok(script, html);
    const js = await fetch(`${server.endpoint}${script}`);
    assert.equal(js.status, 200);
    assert.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.equal(js.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    await js.arrayBuffer();
    // A page of the app (no extension) falls back to index.html; a missing asset is a 404.
    const deep = await fetch(`${server.endpoint}/console/secrets/anything`);
    assert.equal(deep.status, 200);
    assert.equal(await deep.text(), html);
    assert.equal((await fetch(`${server.endpoint}/console/assets/nope.js`)).status, 404);
    assert.equal((await fetch(`${server.endpoint}/console/..%2f..%2fpackage.json`)).status, 404);
    const bare = await fetch(`${server.endpoint}/console`, { redirect: 'manual' });
    assert.equal(bare.status, 301);
    assert.equal(bare.headers.get('location'), '/console/');
  });

  test('access-key sign-in in the browser: the root user lands on the secrets list', async () => {
    await secretsManager(server).send(new CreateSecretCommand({ Name: 'console/first', SecretString: 'x' }));
    await b.shot('sign-in');
    // The session the page is given, captured from the wire to check that sign-out ends it.
    const answered = b.page.waitForResponse((r) => r.url().endsWith('/console/api/sign-in/access-key'));
    await signInWithKeys(b.page, server.root);
    const session = sessionCreds(await (await answered).json() as SignInAnswer);
    assert.match(await b.page.getByTestId('signed-in-as').innerText(), new RegExp(`root \\(${server.accountId}\\)`));
    await b.page.getByRole('link', { name: 'console/first' }).waitFor();
    await b.shot('secrets-list');
    // The secret key stays in the page only for the one request: it is not in any storage.
    const stored = await b.page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie);
    assert.equal(stored.includes(server.root.secretAccessKey), false);
    assert.equal((await stsClient(server, session).send(new GetCallerIdentityCommand({}))).Arn, `arn:aws:iam::${server.accountId}:root`);
    const signedOut = b.page.waitForResponse((r) => r.url().endsWith('/console/api/sign-out'));
    await b.page.getByRole('button', { name: 'Sign out' }).click();
    assert.equal((await signedOut).status(), 200);
    await b.page.getByText('You have signed out.').waitFor();
    // Sign-out revoked the session on the server: its credentials are refused at once, as AWS
    // refuses an unknown token (JSON protocol and query protocol codes).
    await rejectsWith(secretsManager(server, { credentials: session }).send(new GetSecretValueCommand({ SecretId: 'console/first' })),
      'UnrecognizedClientException', 'The security token included in the request is invalid.', 400);
    await rejectsWith(stsClient(server, session).send(new GetCallerIdentityCommand({})),
      'InvalidClientTokenId', 'The security token included in the request is invalid.', 403);
  });

  test('sign-out takes only a console session: long-term keys and other STS sessions are refused', async () => {
    const url = new URL(`${server.endpoint}/console/api/sign-out`);
    const { SignatureV4 } = await import('@smithy/signature-v4');
    const { Hash } = await import('@smithy/hash-node');
    const post = async (credentials: Credentials) => {
      const signer = new SignatureV4({ credentials, region: 'us-east-1', service: 'signin', sha256: Hash.bind(null, 'sha256') });
      const req = await signer.sign({ method: 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: url.pathname, query: {}, headers: { host: url.host, 'content-type': 'application/json' }, body: '{}' });
      const res = await fetch(url, { method: 'POST', headers: req.headers as Record<string, string>, body: '{}' });
      return { status: res.status, body: await res.json() as SignInAnswer };
    };
    const longTerm = await post(server.root);
    assert.equal(longTerm.status, 403);
    assert.equal(longTerm.body.code, 'AccessDenied');
    const gst = await stsClient(server).send(new GetSessionTokenCommand({}));
    const other = { accessKeyId: gst.Credentials!.AccessKeyId!, secretAccessKey: gst.Credentials!.SecretAccessKey!, sessionToken: gst.Credentials!.SessionToken! };
    assert.equal((await post(other)).status, 403);
    // That session is untouched.
    assert.ok((await stsClient(server, other).send(new GetCallerIdentityCommand({}))).Arn);
    // A console session signs out once; after that its signature names an unknown token.
    const signedIn = await postSignIn(server, { accountId: server.accountId, userName: 'carol', password: PASSWORD });
    const mine = sessionCreds(signedIn.body);
    assert.deepEqual(await post(mine), { status: 200, body: { status: 'signed-out' } });
    const again = await post(mine);
    assert.equal(again.status, 400);
    assert.equal(again.body.code, 'UnrecognizedClientException');
    // A page whose session was ended elsewhere goes back to sign-in at its next call.
    const answered = b.page.waitForResponse((r) => r.url().endsWith('/console/api/sign-in/access-key'));
    await signInWithKeys(b.page, server.root);
    const pageSession = sessionCreds(await (await answered).json() as SignInAnswer);
    await b.page.getByRole('heading', { name: 'Secrets', exact: true }).waitFor();
    assert.equal((await post(pageSession)).status, 200);
    const nav = b.page.getByRole('navigation', { name: 'Console' });
    await nav.getByRole('link', { name: 'Store a new secret' }).click();
    await nav.getByRole('link', { name: 'Secrets', exact: true }).click();
    await b.page.getByText('Your session has ended. Sign in again.').waitFor();
  });

  test('access-key sign-in gives a one-hour console session for the root user', async () => {
    // The same request the browser signs, signed here with the SDK's signer.
    const { SignatureV4 } = await import('@smithy/signature-v4');
    const { Hash } = await import('@smithy/hash-node');
    const url = new URL(`${server.endpoint}/console/api/sign-in/access-key`);
    const signer = new SignatureV4({ credentials: server.root, region: 'us-east-1', service: 'signin', sha256: Hash.bind(null, 'sha256') });
    const req = await signer.sign({ method: 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: url.pathname, query: {}, headers: { host: url.host, 'content-type': 'application/json' }, body: '{}' });
    const res = await fetch(url, { method: 'POST', headers: req.headers as Record<string, string>, body: '{}' });
    assert.equal(res.status, 200);
    const a = await res.json() as SignInAnswer;
    assert.equal(a.identity?.isRoot, true);
    assert.equal(a.identity?.arn, `arn:aws:iam::${server.accountId}:root`);
    const left = Date.parse(a.credentials!.expiration) - Date.now();
    assert.ok(left > 55 * 60_000 && left <= 3600_000, String(left));
    const who = await stsClient(server, sessionCreds(a)).send(new GetCallerIdentityCommand({}));
    assert.equal(who.Arn, `arn:aws:iam::${server.accountId}:root`);
    // A bad signature is AWS's signature error, and no session.
    const bad = new SignatureV4({ credentials: { ...server.root, secretAccessKey: 'wrong' }, region: 'us-east-1', service: 'signin', sha256: Hash.bind(null, 'sha256') });
    const badReq = await bad.sign({ method: 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: url.pathname, query: {}, headers: { host: url.host, 'content-type': 'application/json' }, body: '{}' });
    const refused = await fetch(url, { method: 'POST', headers: badReq.headers as Record<string, string>, body: '{}' });
    assert.equal(refused.status, 400);
    assert.equal((await refused.json() as SignInAnswer).code, 'InvalidSignatureException');
    // Session credentials cannot sign in again.
    const s = sessionCreds(a);
    const again = new SignatureV4({ credentials: s, region: 'us-east-1', service: 'signin', sha256: Hash.bind(null, 'sha256') });
    const againReq = await again.sign({ method: 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: url.pathname, query: {}, headers: { host: url.host, 'content-type': 'application/json' }, body: '{}' });
    const r2 = await fetch(url, { method: 'POST', headers: againReq.headers as Record<string, string>, body: '{}' });
    assert.equal(r2.status, 403);
  });

  test('password sign-in: a 12-hour session that may call IAM without MFA, unlike GetSessionToken', async () => {
    const { status, body } = await postSignIn(server, { accountId: server.accountId, userName: 'carol', password: PASSWORD });
    assert.equal(status, 200);
    assert.equal(body.status, 'signed-in');
    assert.equal(body.identity?.arn, `arn:aws:iam::${server.accountId}:user/carol`);
    assert.equal(body.mfa, false);
    const left = Date.parse(body.credentials!.expiration) - Date.now();
    assert.ok(left > 11.9 * 3600_000 && left <= 12 * 3600_000, String(left));
    await iam.send(new PutUserPolicyCommand({
      UserName: 'carol', PolicyName: 'list-users',
      PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:ListUsers', Resource: '*' }] }),
    }));
    const listed = await iamClient(server, sessionCreds(body)).send(new ListUsersCommand({}));
    assert.ok(listed.Users?.some((u) => u.UserName === 'carol'));
    // The same user's GetSessionToken session without MFA is refused by IAM, as in AWS.
    const carolKey = (await import('@aws-sdk/client-iam')).CreateAccessKeyCommand;
    const { AccessKey } = await iam.send(new carolKey({ UserName: 'carol' }));
    const gst = await stsClient(server, { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! }).send(new GetSessionTokenCommand({}));
    await assert.rejects(
      iamClient(server, { accessKeyId: gst.Credentials!.AccessKeyId!, secretAccessKey: gst.Credentials!.SecretAccessKey!, sessionToken: gst.Credentials!.SessionToken! } as Credentials).send(new ListUsersCommand({})),
      (e: Error) => e.name === 'InvalidClientTokenId',
    );
  });

  test('wrong password, unknown user and bad account all get one message; repeated failures back off', async () => {
    const wrong = await postSignIn(server, { accountId: server.accountId, userName: 'carol', password: 'nope-nope-1A' });
    const ghost = await postSignIn(server, { accountId: server.accountId, userName: 'nobody-here', password: 'nope-nope-1A' });
    const acct = await postSignIn(server, { accountId: '000011112222', userName: 'carol', password: PASSWORD });
    for (const r of [wrong, ghost, acct]) {
      assert.equal(r.status, 401);
      assert.deepEqual(r.body, { code: 'SignInFailed', message: FAILED });
    }
    const malformed = await postSignIn(server, { accountId: server.accountId, userName: 'carol' });
    assert.equal(malformed.status, 400);
    // A cross-site form's text/plain body is refused before anything is looked up.
    const form = await fetch(`${server.endpoint}/console/api/sign-in`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ accountId: server.accountId, userName: 'carol', password: PASSWORD }) });
    assert.equal(form.status, 415);
    // Five failures in a row for one user name: the next attempt must wait, even with the right password.
    for (let i = 0; i < 4; i++) await postSignIn(server, { accountId: server.accountId, userName: 'nobody-here', password: 'x' });
    const blocked = await postSignIn(server, { accountId: server.accountId, userName: 'nobody-here', password: 'x' });
    assert.equal(blocked.status, 429);
    assert.equal(blocked.body.code, 'TooManyAttempts');
    assert.match(blocked.body.message ?? '', /^Too many failed sign-in attempts\. Try again in \d+ seconds?\.$/);
  });

  test('MFA in the browser: the code is asked after the password, and the session has aws:MultiFactorAuthPresent', async () => {
    await userWithKey(iam, 'dave');
    await iam.send(new CreateLoginProfileCommand({ UserName: 'dave', Password: PASSWORD }));
    await secretsManager(server).send(new CreateSecretCommand({ Name: 'console/mfa-only', SecretString: 'needs-mfa' }));
    await iam.send(new PutUserPolicyCommand({
      UserName: 'dave', PolicyName: 'mfa-read',
      PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [
        { Effect: 'Allow', Action: ['secretsmanager:ListSecrets', 'secretsmanager:DescribeSecret'], Resource: '*' },
        { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: '*', Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } },
      ] }),
    }));
    const { VirtualMFADevice } = await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'dave-phone' }));
    const totp = new TOTP({ secret: Secret.fromBase32(Buffer.from(VirtualMFADevice!.Base32StringSeed!).toString('ascii')), algorithm: 'SHA1', digits: 6, period: 30 });
    const now = Date.now();
    await iam.send(new EnableMFADeviceCommand({
      UserName: 'dave', SerialNumber: VirtualMFADevice!.SerialNumber!,
      AuthenticationCode1: totp.generate({ timestamp: now - 2 * STEP }), AuthenticationCode2: totp.generate({ timestamp: now - STEP }),
    }));
    // Through the API first: the password alone asks for the code and gives no credentials.
    const first = await postSignIn(server, { accountId: server.accountId, userName: 'dave', password: PASSWORD });
    assert.deepEqual(first.body, { status: 'mfa-required' });

    await b.page.getByRole('tab', { name: 'IAM user' }).click();
    await signInWithPassword(b.page, { accountId: server.accountId, userName: 'dave', password: PASSWORD, mfaCode: () => totp.generate() });
    assert.match(await b.page.getByTestId('signed-in-as').innerText(), /dave @ \d{12} · MFA/);
    await b.page.getByRole('link', { name: 'console/mfa-only' }).waitFor();
    await b.shot('signed-in-mfa');

    // The same code again is refused (used once), with the one message.
    const replay = await postSignIn(server, { accountId: server.accountId, userName: 'dave', password: PASSWORD, mfaCode: totp.generate() });
    assert.equal(replay.status, 401);
    assert.equal(replay.body.message, FAILED);
    await b.page.getByRole('button', { name: 'Sign out' }).click();
    await b.page.getByText('You have signed out.').waitFor();
  });

  test('a password that must be reset is changed first (ChangePassword with the new session), then the console opens', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'frank' }));
    await iam.send(new CreateLoginProfileCommand({ UserName: 'frank', Password: PASSWORD, PasswordResetRequired: true }));
    await iam.send(new PutUserPolicyCommand({
      UserName: 'frank', PolicyName: 'own-password',
      PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:ChangePassword', Resource: `arn:aws:iam::${server.accountId}:user/frank` }] }),
    }));
    const page = b.page;
    await page.getByRole('tab', { name: 'IAM user' }).click();
    await page.getByLabel('Account ID').fill(server.accountId);
    await page.getByLabel('IAM user name').fill('frank');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    await page.getByLabel('Current password').fill(PASSWORD);
    await page.getByLabel('New password', { exact: true }).fill('Brand-new-Pa55word');
    await page.getByLabel('Confirm new password').fill('Brand-new-Pa55word');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByTestId('signed-in-as').waitFor({ state: 'attached' });
    const again = await postSignIn(server, { accountId: server.accountId, userName: 'frank', password: 'Brand-new-Pa55word' });
    assert.equal(again.body.status, 'signed-in');
    assert.equal(again.body.passwordChangeRequired, false);
    assert.equal((await postSignIn(server, { accountId: server.accountId, userName: 'frank', password: PASSWORD })).status, 401);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByText('You have signed out.').waitFor();
  });

  test('when the session expires the console returns to sign-in and says so', async () => {
    const context = await consoleContext(b.browser);
    const page = await context.newPage();
    // The page's clock, fast-forwarded past the root session's hour.
    await page.clock.install();
    await page.goto(`${server.endpoint}/console/`);
    await signInWithKeys(page, server.root);
    await page.getByRole('heading', { name: 'Secrets', exact: true }).waitFor();
    await page.clock.fastForward('01:00:05');
    await page.getByText('Your session has expired. Sign in again.').waitFor();
    await page.getByLabel('Account ID').waitFor();
    await b.shot('session-expired', page);
    await context.close();
  });

  test('an MFA session from the sign-in API satisfies aws:MultiFactorAuthPresent', async () => {
    const { VirtualMFADevice } = await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'erin-phone' }));
    await userWithKey(iam, 'erin');
    await iam.send(new CreateLoginProfileCommand({ UserName: 'erin', Password: PASSWORD }));
    const totp = new TOTP({ secret: Secret.fromBase32(Buffer.from(VirtualMFADevice!.Base32StringSeed!).toString('ascii')), algorithm: 'SHA1', digits: 6, period: 30 });
    const now = Date.now();
    await iam.send(new EnableMFADeviceCommand({
      UserName: 'erin', SerialNumber: VirtualMFADevice!.SerialNumber!,
      AuthenticationCode1: totp.generate({ timestamp: now - 2 * STEP }), AuthenticationCode2: totp.generate({ timestamp: now - STEP }),
    }));
    await iam.send(new PutUserPolicyCommand({
      UserName: 'erin', PolicyName: 'mfa-read',
      PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: '*', Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } }] }),
    }));
    const withoutMfaPolicy = await postSignIn(server, { accountId: server.accountId, userName: 'erin', password: PASSWORD, mfaCode: totp.generate() });
    assert.equal(withoutMfaPolicy.status, 200);
    assert.equal(withoutMfaPolicy.body.mfa, true);
    const got = await secretsManager(server, { credentials: sessionCreds(withoutMfaPolicy.body) }).send(new GetSecretValueCommand({ SecretId: 'console/mfa-only' }));
    assert.equal(got.SecretString, 'needs-mfa');
  });
  test('password age: MaxPasswordAge forces a new password at sign-in, HardExpiry refuses it until an administrator resets it', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'gina' }));
    await iam.send(new CreateLoginProfileCommand({ UserName: 'gina', Password: PASSWORD }));
    await iam.send(new UpdateAccountPasswordPolicyCommand({ MaxPasswordAge: 30, AllowUsersToChangePassword: true }));
    // Ages gina's current password by `days` (what waiting would do).
    const age = async (days: number) => {
      const { changes } = await sql(server, 'update {schema}iam_login_profiles set password_set_at = $1 where account_id = $2 and user_key = $3', [Date.now() - days * 86_400_000, server.accountId, 'gina']);
      assert.equal(changes, 1);
    };
    try {
      const before = Date.now();
      const fresh = await postSignIn(server, { accountId: server.accountId, userName: 'gina', password: PASSWORD });
      assert.equal(fresh.body.passwordChangeRequired, false);
      assert.equal(fresh.body.passwordExpired, false);
      // The sign-in is GetUser's PasswordLastUsed.
      const used = (await iam.send(new GetUserCommand({ UserName: 'gina' }))).User?.PasswordLastUsed;
      assert.ok(used && used.getTime() >= Math.floor(before / 1000) * 1000 - 1000 && used.getTime() <= Date.now(), String(used));

      // Expired, no hard expiry: the console asks for a new password first.
      await age(31);
      const page = b.page;
      const signInAsGina = async (password: string) => {
        await page.getByRole('tab', { name: 'IAM user' }).click();
        await page.getByLabel('Account ID').fill(server.accountId);
        await page.getByLabel('IAM user name').fill('gina');
        await page.getByLabel('Password').fill(password);
        await page.getByRole('button', { name: 'Sign in' }).click();
      };
      await signInAsGina(PASSWORD);
      await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
      assert.equal(await page.getByTestId('change-password-reason').innerText(), 'Your password has expired. Choose a new password to go on.');
      await b.shot('password-expired');
      await page.getByLabel('Current password').fill(PASSWORD);
      await page.getByLabel('New password', { exact: true }).fill('Second-Pa55word-here');
      await page.getByLabel('Confirm new password').fill('Second-Pa55word-here');
      await page.getByRole('button', { name: 'Change password' }).click();
      await page.getByRole('heading', { name: 'Secrets', exact: true }).waitFor();
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByText('You have signed out.').waitFor();
      // ChangePassword started a new MaxPasswordAge.
      const renewed = await postSignIn(server, { accountId: server.accountId, userName: 'gina', password: 'Second-Pa55word-here' });
      assert.equal(renewed.body.status, 'signed-in');
      assert.equal(renewed.body.passwordExpired, false);
      assert.equal(renewed.body.passwordChangeRequired, false);

      // HardExpiry: the right password of an expired login is refused, with a message saying what to do.
      await iam.send(new UpdateAccountPasswordPolicyCommand({ MaxPasswordAge: 30, AllowUsersToChangePassword: true, HardExpiry: true }));
      await age(31);
      const refused = await postSignIn(server, { accountId: server.accountId, userName: 'gina', password: 'Second-Pa55word-here' });
      assert.equal(refused.status, 403);
      assert.equal(refused.body.code, 'PasswordExpired');
      assert.match(refused.body.message ?? '', /^Your password has expired.*Ask an administrator to reset your password\.$/);
      // A wrong password still gets the one generic answer: expiry is told only to who knows the password.
      assert.deepEqual((await postSignIn(server, { accountId: server.accountId, userName: 'gina', password: 'Not-the-Pa55word' })).body, { code: 'SignInFailed', message: FAILED });
      await signInAsGina('Second-Pa55word-here');
      await page.getByTestId('error-banner').getByText('PasswordExpired').waitFor();
      await b.shot('password-hard-expired');
      // An administrator's reset (UpdateLoginProfile with a password) ends it.
      await iam.send(new UpdateLoginProfileCommand({ UserName: 'gina', Password: 'Admin-set-Pa55word' }));
      const reset = await postSignIn(server, { accountId: server.accountId, userName: 'gina', password: 'Admin-set-Pa55word' });
      assert.equal(reset.body.status, 'signed-in');
      assert.equal(reset.body.passwordChangeRequired, false);
      // As AWS documents for HardExpiry, a user with access keys may still change an expired password through the API.
      await age(31);
      const { AccessKey } = await iam.send(new (await import('@aws-sdk/client-iam')).CreateAccessKeyCommand({ UserName: 'gina' }));
      await iamClient(server, { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! })
        .send(new ChangePasswordCommand({ OldPassword: 'Admin-set-Pa55word', NewPassword: 'Third-Pa55word-here' }));
      assert.equal((await postSignIn(server, { accountId: server.accountId, userName: 'gina', password: 'Third-Pa55word-here' })).body.status, 'signed-in');
    } finally {
      await iam.send(new DeleteAccountPasswordPolicyCommand({}));
    }
  });
  test('with --region any the sign-in form takes any region name, and the session works in it', async () => {
    const anyServer = await startServer({ args: ['--region', 'any'] });
    const context = await consoleContext(b.browser);
    try {
      await secretsManager(anyServer, { region: 'eu-west-3' }).send(new CreateSecretCommand({ Name: 'console/paris', SecretString: 'x' }));
      const page = await context.newPage();
      await page.goto(`${anyServer.endpoint}/console/`);
      await page.getByRole('tab', { name: 'Access key' }).click();
      const region = page.getByLabel('Region');
      await region.fill('not a region');
      // The browser's own validation keeps a malformed name from being sent.
      assert.equal(await region.evaluate((el) => (el as HTMLInputElement).validity.valid), false);
      await region.fill('eu-west-3');
      await signInWithKeys(page, anyServer.root);
      assert.equal(await page.locator('.topbar .region').innerText(), 'eu-west-3');
      await page.getByRole('link', { name: 'console/paris' }).waitFor();
      await b.shot('any-region', page);
    } finally {
      await context.close();
      await anyServer.destroy();
    }
  });
});
