/**
 * Console sign-in beyond IAM users' passwords, end to end through a real server: the root
 * user's console password (set with `coffer accounts root-password`, from stdin), a session
 * that must change its password being held to that by the server (SDK calls with the
 * session's own credentials), failed sign-ins in the attempted account's audit trail
 * (CloudTrail LookupEvents through Debian's AWS CLI), IAM account aliases (SDK and AWS CLI)
 * taken by the sign-in page, and the root password sign-in in Chromium.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import {
  ChangePasswordCommand, CreateAccountAliasCommand, CreateLoginProfileCommand, CreateUserCommand, DeleteAccountAliasCommand,
  DeleteAccountPasswordPolicyCommand, GetAccountPasswordPolicyCommand, ListAccountAliasesCommand, ListUsersCommand, PutUserPolicyCommand,
  UpdateAccountPasswordPolicyCommand, type IAMClient,
} from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { CreateSecretCommand, ListSecretsCommand } from '@aws-sdk/client-secrets-manager';
import { COFFER_BIN, type Credentials, startServer, type TestServer } from './helpers/server.ts';
import { awsCli, secretsManager } from './helpers/clients.ts';
import { iamClient, stsClient } from './helpers/iam.ts';
import { rejectsWith } from './helpers/secrets.ts';
import { postSignIn, sessionCreds, SIGN_IN_FAILED } from './helpers/console-sign-in.ts';
import { sql } from './helpers/db-rows.ts';
import { openConsole, type ConsoleBrowser } from './helpers/browser.ts';

const ROOT_PASSWORD = 'Root-Pa55word-for-console';
const PASSWORD = 'Correct-Horse-9-battery';
const FAILED = SIGN_IN_FAILED;

/** `coffer ARGS` with `stdin` piped in (not a terminal), on `server`'s storage. */
function coffer(server: TestServer, args: string[], stdin: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: Record<string, string> = { ...process.env as Record<string, string>, COFFER_LOG_LEVEL: 'warn' };
  for (const name of Object.keys(env)) if (name.startsWith('AWS_') || name.startsWith('COFFER_ROOT_')) delete env[name];
  const child = spawn(process.execPath, [COFFER_BIN, ...args, '--data-dir', server.dataDir, '--database', server.databaseUrl], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
  child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
  child.stdin.end(stdin);
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('exit', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}

interface TrailEvent { eventTime: string; eventType: string; errorMessage?: string; additionalEventData?: Record<string, string>; userIdentity: { type: string; arn?: string; accountId?: string; userName?: string; principalId?: string }; recipientAccountId: string; errorCode?: string; responseElements: Record<string, unknown> | null }

/** The account's ConsoleLogin events (LookupEvents, as the account's root), waiting up to 10 s for `until`. */
async function consoleLogins(server: TestServer, credentials: Credentials, until: (events: TrailEvent[]) => boolean): Promise<TrailEvent[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const r = await awsCli(server, ['cloudtrail', 'lookup-events', '--lookup-attributes', 'AttributeKey=EventName,AttributeValue=ConsoleLogin'], { credentials });
    assert.equal(r.code, 0, r.stderr);
    const events = (r.json as { Events: { CloudTrailEvent: string }[] }).Events.map((e) => JSON.parse(e.CloudTrailEvent) as TrailEvent);
    if (until(events) || Date.now() > deadline) return events;
    await new Promise((res) => setTimeout(res, 250));
  }
}

describe('console sign-in: root password, forced password change, aliases', () => {
  let server: TestServer;
  let iam: IAMClient;
  let other: { accountId: string; credentials: Credentials };

  before(async () => {
    server = await startServer();
    iam = iamClient(server);
    // A second account on the server, with no root password.
    const made = await coffer(server, ['accounts', 'create', '--account-id', '210987654321'], '');
    assert.equal(made.code, 0, made.stderr);
    other = {
      accountId: '210987654321',
      credentials: { accessKeyId: /aws_access_key_id = (\S+)/.exec(made.stdout)![1]!, secretAccessKey: /aws_secret_access_key = (\S+)/.exec(made.stdout)![1]! },
    };
  });
  after(() => server?.destroy());

  test('coffer accounts root-password reads the password from stdin, checks AWS\'s rule, and the root user signs in with it for an hour', async () => {
    // Before any password is set, the root user cannot sign in with one (the generic answer).
    const none = await postSignIn(server, { accountId: server.accountId, root: true, password: ROOT_PASSWORD });
    assert.equal(none.status, 401);
    assert.deepEqual(none.body, { code: 'SignInFailed', message: FAILED });

    const weak = await coffer(server, ['accounts', 'root-password'], 'password\n');
    assert.equal(weak.code, 1);
    assert.match(weak.stderr, /8 to 128 characters .* at least three of/);
    const empty = await coffer(server, ['accounts', 'root-password'], '');
    assert.equal(empty.code, 1);
    assert.match(empty.stderr, /no password was given/);
    const unknown = await coffer(server, ['accounts', 'root-password', '--account-id', '999999999999'], `${ROOT_PASSWORD}\n`);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /account 999999999999 is not on this server/);

    const set = await coffer(server, ['accounts', 'root-password'], `${ROOT_PASSWORD}\n`);
    assert.equal(set.code, 0, set.stderr);
    assert.equal(set.stdout, `root password set for account ${server.accountId}; sign in to the console as "Root user"\n`);
    // Neither the password nor anything of it is printed.
    assert.equal((set.stdout + set.stderr).includes(ROOT_PASSWORD), false);

    const signedIn = await postSignIn(server, { accountId: server.accountId, root: true, password: ROOT_PASSWORD });
    assert.equal(signedIn.status, 200, JSON.stringify(signedIn.body));
    assert.equal(signedIn.body.status, 'signed-in');
    assert.deepEqual(signedIn.body.identity, { accountId: server.accountId, arn: `arn:aws:iam::${server.accountId}:root`, isRoot: true });
    assert.equal(signedIn.body.passwordChangeRequired, false);
    const left = Date.parse(signedIn.body.credentials!.expiration) - Date.now();
    assert.ok(left > 55 * 60_000 && left <= 3600_000, String(left));
    const me = await stsClient(server, sessionCreds(signedIn.body)).send(new GetCallerIdentityCommand({}));
    assert.equal(me.Arn, `arn:aws:iam::${server.accountId}:root`);
    // The root session is the root user: it may do anything in its account.
    await secretsManager(server, { credentials: sessionCreds(signedIn.body) }).send(new CreateSecretCommand({ Name: 'root/console', SecretString: 'x' }));

    // A wrong password is the one generic answer; so is the other account, which has no root password.
    for (const body of [
      { accountId: server.accountId, root: true, password: 'Wrong-Pa55word-here' },
      { accountId: other.accountId, root: true, password: ROOT_PASSWORD },
    ]) {
      const r = await postSignIn(server, body);
      assert.equal(r.status, 401);
      assert.deepEqual(r.body, { code: 'SignInFailed', message: FAILED });
    }
    // A root sign-in takes no user name: an IAM user called "root" is someone else.
    assert.equal((await postSignIn(server, { accountId: server.accountId, root: true, userName: 'root', password: ROOT_PASSWORD })).status, 400);
    await iam.send(new CreateUserCommand({ UserName: 'root' }));
    await iam.send(new CreateLoginProfileCommand({ UserName: 'root', Password: PASSWORD }));
    const user = await postSignIn(server, { accountId: server.accountId, userName: 'root', password: PASSWORD });
    assert.equal(user.body.identity?.arn, `arn:aws:iam::${server.accountId}:user/root`);
    assert.equal(user.body.identity?.isRoot, false);
    assert.equal((await postSignIn(server, { accountId: server.accountId, userName: 'root', password: ROOT_PASSWORD })).status, 401);

    // Reset: the new password works and the old one no longer does.
    const reset = await coffer(server, ['accounts', 'root-password', '--account-id', server.accountId], 'Second-root-Pa55word\r\nignored line\n');
    assert.equal(reset.code, 0, reset.stderr);
    assert.match(reset.stdout, /^root password replaced for account \d{12}/);
    assert.equal((await postSignIn(server, { accountId: server.accountId, root: true, password: ROOT_PASSWORD })).status, 401);
    assert.equal((await postSignIn(server, { accountId: server.accountId, root: true, password: 'Second-root-Pa55word' })).status, 200);
    await coffer(server, ['accounts', 'root-password'], `${ROOT_PASSWORD}\n`);

    // Five failures in a row for one account's root user (one above, four here): the next attempt
    // must wait. The other account, so this one's root user is not held up; the address allows 20.
    for (let i = 0; i < 4; i++) assert.equal((await postSignIn(server, { accountId: other.accountId, root: true, password: 'Wrong-root-Pa55word' })).status, 401);
    const blocked = await postSignIn(server, { accountId: other.accountId, root: true, password: 'Wrong-root-Pa55word' });
    assert.equal(blocked.status, 429);
    assert.equal(blocked.body.code, 'TooManyAttempts');
    // An IAM user of that account is keyed apart from its root user.
    assert.equal((await postSignIn(server, { accountId: other.accountId, userName: 'root', password: 'Wrong-Pa55word-1' })).status, 401);
  });

  test('a session that must change its password may only change it (and read the policy, and ask who it is) until it has', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'frank' }));
    await iam.send(new CreateLoginProfileCommand({ UserName: 'frank', Password: PASSWORD, PasswordResetRequired: true }));
    await iam.send(new PutUserPolicyCommand({
      UserName: 'frank', PolicyName: 'work',
      PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [
        { Effect: 'Allow', Action: ['iam:ChangePassword', 'iam:GetAccountPasswordPolicy', 'iam:ListUsers', 'secretsmanager:ListSecrets'], Resource: '*' },
      ] }),
    }));
    const signedIn = await postSignIn(server, { accountId: server.accountId, userName: 'frank', password: PASSWORD });
    assert.equal(signedIn.status, 200);
    assert.equal(signedIn.body.passwordChangeRequired, true);
    const session = sessionCreds(signedIn.body);
    const arn = `arn:aws:iam::${server.accountId}:user/frank`;
    const denied = (call: string) => `User: ${arn} is not authorized to perform: ${call} because the password must be changed first: `
      + 'this console session was signed in with a password that must be reset or has expired, and until iam:ChangePassword succeeds it may call only '
      + 'iam:ChangePassword, iam:GetAccountPasswordPolicy and sts:GetCallerIdentity';

    // Refused whatever the user's policies allow, on the query and the JSON protocols alike.
    await rejectsWith(iamClient(server, session).send(new ListUsersCommand({})), 'AccessDenied', denied('iam:ListUsers'), 403);
    await rejectsWith(secretsManager(server, { credentials: session }).send(new ListSecretsCommand({})), 'AccessDeniedException', denied('secretsmanager:ListSecrets'), 400);
    // The console's own API too (it runs DescribeSecret as the caller).
    const { SignatureV4 } = await import('@smithy/signature-v4');
    const { Hash } = await import('@smithy/hash-node');
    const url = new URL(`${server.endpoint}/console/api/rotation-attempts`);
    const body = JSON.stringify({ SecretId: 'root/console' });
    const signed = await new SignatureV4({ credentials: session, region: 'us-east-1', service: 'signin', sha256: Hash.bind(null, 'sha256') })
      .sign({ method: 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: url.pathname, query: {}, headers: { host: url.host, 'content-type': 'application/json' }, body });
    const attempts = await fetch(url, { method: 'POST', headers: signed.headers as Record<string, string>, body });
    assert.deepEqual({ status: attempts.status, body: await attempts.json() }, { status: 400, body: { code: 'AccessDeniedException', message: denied('secretsmanager:DescribeSecret') } });

    // What changing the password needs goes through.
    assert.equal((await stsClient(server, session).send(new GetCallerIdentityCommand({}))).Arn, arn);
    await rejectsWith(iamClient(server, session).send(new GetAccountPasswordPolicyCommand({})), 'NoSuchEntityException', `The Password Policy with domain name ${server.accountId} cannot be found.`, 404);
    // A wrong old password changes nothing, the mark included.
    await assert.rejects(iamClient(server, session).send(new ChangePasswordCommand({ OldPassword: 'Not-the-Pa55word', NewPassword: 'Brand-new-Pa55word' })), { name: 'AccessDenied' });
    await rejectsWith(iamClient(server, session).send(new ListUsersCommand({})), 'AccessDenied', denied('iam:ListUsers'), 403);
    // A second session signed in meanwhile is held too, and stays so after the first one changes the password.
    const second = sessionCreds((await postSignIn(server, { accountId: server.accountId, userName: 'frank', password: PASSWORD })).body);

    await iamClient(server, session).send(new ChangePasswordCommand({ OldPassword: PASSWORD, NewPassword: 'Brand-new-Pa55word' }));
    // The same credentials now do what the user's policies allow.
    const users = await iamClient(server, session).send(new ListUsersCommand({}));
    assert.ok(users.Users?.some((u) => u.UserName === 'frank'));
    await secretsManager(server, { credentials: session }).send(new ListSecretsCommand({}));
    await rejectsWith(iamClient(server, second).send(new ListUsersCommand({})), 'AccessDenied', denied('iam:ListUsers'), 403);
    // And the next sign-in is not marked at all.
    const again = await postSignIn(server, { accountId: server.accountId, userName: 'frank', password: 'Brand-new-Pa55word' });
    assert.equal(again.body.passwordChangeRequired, false);
    await iamClient(server, sessionCreds(again.body)).send(new ListUsersCommand({}));

    // A password past MaxPasswordAge holds its session the same way.
    await iam.send(new UpdateAccountPasswordPolicyCommand({ MaxPasswordAge: 30, AllowUsersToChangePassword: true }));
    try {
      const { changes } = await sql(server, 'update {schema}iam_login_profiles set password_set_at = $1 where account_id = $2 and user_key = $3', [Date.now() - 31 * 86_400_000, server.accountId, 'frank']);
      assert.equal(changes, 1);
      const expired = await postSignIn(server, { accountId: server.accountId, userName: 'frank', password: 'Brand-new-Pa55word' });
      assert.deepEqual([expired.body.passwordChangeRequired, expired.body.passwordExpired], [true, true]);
      await rejectsWith(iamClient(server, sessionCreds(expired.body)).send(new ListUsersCommand({})), 'AccessDenied', denied('iam:ListUsers'), 403);
      // The policy (which names the rules for the new password) is readable.
      assert.equal((await iamClient(server, sessionCreds(expired.body)).send(new GetAccountPasswordPolicyCommand({}))).PasswordPolicy?.MaxPasswordAge, 30);
    } finally {
      await iam.send(new DeleteAccountPasswordPolicyCommand({}));
    }
  });

  test('failed sign-ins are in the attempted account\'s trail (the user named only when it exists); unknown accounts in none', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'gina' }));
    await iam.send(new CreateLoginProfileCommand({ UserName: 'gina', Password: PASSWORD }));
    // Events keep whole seconds: start in a second of this test's own.
    await new Promise((res) => setTimeout(res, 1100));
    const since = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
    const attempts = [
      { accountId: server.accountId, userName: 'gina', password: 'Wrong-Pa55word-1' },
      { accountId: server.accountId, userName: 'My-Pa55word-typed-here', password: 'x' },
      { accountId: server.accountId, root: true, password: 'Wrong-root-Pa55word' },
      { accountId: '000011112222', userName: 'gina', password: 'Wrong-Pa55word-1' },
    ];
    for (const a of attempts) {
      const r = await postSignIn(server, a);
      // The answer is the same for all: it tells nothing of who exists.
      assert.deepEqual({ status: r.status, body: r.body }, { status: 401, body: { code: 'SignInFailed', message: FAILED } });
    }
    // CloudTrail's shape of a failed console sign-in: only an errorMessage, and ConsoleLogin Failure.
    const failed = (events: TrailEvent[]) => events.filter((e) => e.errorMessage === 'Failed authentication' && e.eventTime >= since);
    const events = failed(await consoleLogins(server, server.root, (all) => failed(all).length >= 3));
    assert.equal(events.length, 3, JSON.stringify(events));
    for (const e of events) {
      assert.equal(e.recipientAccountId, server.accountId);
      assert.equal(e.eventType, 'AwsConsoleSignIn');
      assert.equal(e.errorCode, undefined);
      assert.deepEqual(e.responseElements, { ConsoleLogin: 'Failure' });
      assert.deepEqual(e.additionalEventData, { MobileVersion: 'No', MFAUsed: 'No' });
    }
    const ids = events.map((e) => e.userIdentity);
    assert.ok(ids.some((u) => u.type === 'IAMUser' && u.userName === 'gina' && u.arn === `arn:aws:iam::${server.accountId}:user/gina` && u.principalId?.startsWith('AIDA')), JSON.stringify(ids));
    assert.ok(ids.some((u) => u.type === 'IAMUser' && u.userName === 'HIDDEN_DUE_TO_SECURITY_REASONS' && u.arn === undefined && u.accountId === server.accountId), JSON.stringify(ids));
    assert.ok(ids.some((u) => u.type === 'Root' && u.arn === `arn:aws:iam::${server.accountId}:root`), JSON.stringify(ids));
    // What was typed as a user name, when it is nobody's, is nowhere in the trail.
    const all = await consoleLogins(server, server.root, () => true);
    assert.equal(JSON.stringify(all).includes('My-Pa55word-typed-here'), false);
    // The root user's successful password sign-in (first test) is a Root ConsoleLogin.
    assert.ok(all.some((e) => e.userIdentity.type === 'Root' && e.errorMessage === undefined && e.eventType === 'AwsConsoleSignIn' && e.responseElements?.ConsoleLogin === 'Success'), JSON.stringify(all));
    // The other account's trail has none of them.
    assert.deepEqual(failed(await consoleLogins(server, other.credentials, () => true)), []);
  });

  test('account aliases: one per account, replaced by another, unique on the server; sign-in takes the alias', async () => {
    const aliases = async (client: IAMClient = iam) => (await client.send(new ListAccountAliasesCommand({}))).AccountAliases;
    assert.deepEqual(await aliases(), []);
    await iam.send(new CreateAccountAliasCommand({ AccountAlias: 'first-corp' }));
    assert.deepEqual(await aliases(), ['first-corp']);
    // Another alias replaces it; the same one again is fine.
    await iam.send(new CreateAccountAliasCommand({ AccountAlias: 'example-corp' }));
    await iam.send(new CreateAccountAliasCommand({ AccountAlias: 'example-corp' }));
    assert.deepEqual(await aliases(), ['example-corp']);
    // Another account cannot take it; nor can anyone delete an alias the account does not have.
    const otherIam = iamClient(server, other.credentials);
    await rejectsWith(otherIam.send(new CreateAccountAliasCommand({ AccountAlias: 'example-corp' })), 'EntityAlreadyExistsException', 'The account alias example-corp already exists.', 409);
    await rejectsWith(otherIam.send(new DeleteAccountAliasCommand({ AccountAlias: 'example-corp' })), 'NoSuchEntityException', 'The account alias example-corp cannot be found.', 404);
    assert.deepEqual(await aliases(otherIam), []);
    // The model's pattern: lowercase, no leading, trailing or double dash.
    await assert.rejects(iam.send(new CreateAccountAliasCommand({ AccountAlias: 'Bad--Alias' })), { name: 'ValidationError' });

    // The AWS CLI reads the same answers.
    assert.equal((await iam.send(new ListAccountAliasesCommand({ MaxItems: 1 }))).IsTruncated, false);
    // The AWS CLI reads the same answers (its paginator leaves IsTruncated out).
    const listed = await awsCli(server, ['iam', 'list-account-aliases']);
    assert.equal(listed.code, 0, listed.stderr);
    assert.deepEqual(listed.json, { AccountAliases: ['example-corp'] });

    // Sign-in takes the alias (any case) for IAM users and the root user.
    const user = await postSignIn(server, { accountId: 'example-corp', userName: 'gina', password: PASSWORD });
    assert.equal(user.body.identity?.arn, `arn:aws:iam::${server.accountId}:user/gina`);
    const root = await postSignIn(server, { accountId: 'Example-Corp', root: true, password: ROOT_PASSWORD });
    assert.equal(root.body.identity?.arn, `arn:aws:iam::${server.accountId}:root`);
    assert.deepEqual((await postSignIn(server, { accountId: 'no-such-corp', userName: 'gina', password: PASSWORD })).body, { code: 'SignInFailed', message: FAILED });

    // Deleted: the alias no longer signs in, and the other account may take it.
    const deleted = await awsCli(server, ['iam', 'delete-account-alias', '--account-alias', 'example-corp']);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.equal((await postSignIn(server, { accountId: 'example-corp', userName: 'gina', password: PASSWORD })).status, 401);
    await otherIam.send(new CreateAccountAliasCommand({ AccountAlias: 'example-corp' }));
    assert.deepEqual(await aliases(otherIam), ['example-corp']);
    await otherIam.send(new DeleteAccountAliasCommand({ AccountAlias: 'example-corp' }));
  });

  describe('in Chromium', () => {
    let b: ConsoleBrowser;
    before(async () => { b = await openConsole(server); });
    after(() => b?.close());

    test('the root user signs in with the account alias and the root password, and lands on the secrets list', async () => {
      await iam.send(new CreateAccountAliasCommand({ AccountAlias: 'browser-corp' }));
      const page = b.page;
      await page.getByRole('tab', { name: 'Root user' }).click();
      await page.getByLabel('Account ID or alias').fill('browser-corp');
      assert.equal(await page.getByLabel('IAM user name').count(), 0);
      await page.getByLabel('Password').fill('Wrong-root-Pa55word');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByTestId('error-banner').getByText(FAILED).waitFor();
      await page.getByLabel('Password').fill(ROOT_PASSWORD);
      await b.shot('root-sign-in');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByTestId('signed-in-as').waitFor({ state: 'attached' });
      assert.match(await page.getByTestId('signed-in-as').innerText(), new RegExp(`root \\(${server.accountId}\\)`));
      await page.getByRole('link', { name: 'root/console' }).waitFor();
      await b.shot('root-signed-in');
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByText('You have signed out.').waitFor();
    });
  });
});
