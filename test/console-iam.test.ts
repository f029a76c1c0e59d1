// e2e: sqlite only — the console is a client of the API; everything it calls runs on both engines in the other tests.
/**
 * The console's IAM and KMS pages and the policy editor in Debian's Chromium against a real
 * server: a policy edited in both views (visual → JSON, JSON → visual, validation pointing at
 * the element) and saved, checked through the SDK; a user created with an access key (secret
 * shown once, and it works) and a virtual MFA device whose QR code, read back from the page by
 * an independent decoder, yields the codes that enable it; a role's trust policy and a managed
 * policy's versions; a KMS key disabled, enabled, rotated and its policy edited; a
 * restricted user denied, following the "Why?" link to the statement that denied it, and a
 * user who may not run the simulator told so.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PNG } from 'pngjs';
import decodeQR from '@paulmillr/qr/decode.js';
import { Secret, TOTP } from 'otpauth';
import {
  CreateLoginProfileCommand, CreateUserCommand, GetPolicyCommand, GetPolicyVersionCommand, GetRoleCommand, GetUserPolicyCommand, ListAttachedRolePoliciesCommand,
  ListMFADevicesCommand, ListPoliciesCommand, PutUserPolicyCommand, type IAMClient,
} from '@aws-sdk/client-iam';
import { DescribeKeyCommand, GetKeyPolicyCommand, GetKeyRotationStatusCommand, KMSClient } from '@aws-sdk/client-kms';
import { startServer, clientTls, type TestServer } from './helpers/server.ts';
import { iamClient, whoAmI } from './helpers/iam.ts';
import { openConsole, signInWithKeys, signInWithPassword, type ConsoleBrowser } from './helpers/browser.ts';

const STEP = 30_000;
const PASSWORD = 'Correct-Horse-9-battery';

describe('console: IAM, KMS and the policy editor', () => {
  let server: TestServer;
  let iam: IAMClient;
  let b: ConsoleBrowser;
  const go = (hash: string) => b.page.goto(`${server.endpoint}/console/#${hash}`);

  before(async () => {
    server = await startServer();
    iam = iamClient(server);
    await iam.send(new CreateUserCommand({ UserName: 'dana' }));
    b = await openConsole(server);
    await signInWithKeys(b.page, server.root);
  });
  after(async () => {
    await b?.close();
    await server?.destroy();
  });

  test('a policy edited in the visual and the JSON view round-trips and is saved as shown', async () => {
    const page = b.page;
    await go('/iam/users/dana/inline');
    await page.getByLabel('Policy name').fill('read-app-secrets');
    const json = page.getByTestId('policy-json');
    await json.fill(JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Sid: 'ReadApp', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: `arn:aws:secretsmanager:us-east-1:${server.accountId}:secret:app/*` }],
    }, null, 2));
    await page.getByTestId('policy-status').getByText('Valid policy').waitFor();

    // Visual view shows the statement; add an action there and a condition.
    await page.getByRole('tab', { name: 'Visual' }).click();
    const statement = page.getByTestId('statement-0');
    await statement.getByRole('list', { name: 'Actions in this statement' }).getByText('secretsmanager:GetSecretValue').waitFor();
    assert.equal(await statement.getByLabel('Service').inputValue(), 'secretsmanager');
    await statement.getByText(/^Choose secretsmanager actions/).click();
    await statement.getByLabel('DescribeSecret', { exact: true }).check();
    await statement.getByRole('button', { name: 'Add condition' }).click();
    await statement.getByLabel('Condition 1 operator').fill('StringEquals');
    await statement.getByLabel('Condition 1 key').fill('secretsmanager:VersionStage');
    await statement.getByLabel('Condition 1 values').fill('AWSCURRENT');
    await b.shot('policy-visual');

    // The JSON view has the visual edits, in AWS's element order.
    await page.getByRole('tab', { name: 'JSON' }).click();
    const afterVisual = JSON.parse(await json.inputValue());
    assert.deepEqual(afterVisual.Statement[0], {
      Sid: 'ReadApp', Effect: 'Allow', Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
      Resource: `arn:aws:secretsmanager:us-east-1:${server.accountId}:secret:app/*`,
      Condition: { StringEquals: { 'secretsmanager:VersionStage': 'AWSCURRENT' } },
    });

    // A grammar error points at the element, with AWS's wording, and blocks saving.
    const broken = (await json.inputValue()).replace('"Effect": "Allow"', '"Effect": "Alow"');
    await json.fill(broken);
    const findings = page.getByTestId('policy-diagnostics');
    const effectLine = broken.split('\n').findIndex((l) => l.includes('"Alow"')) + 1;
    await findings.getByText(new RegExp(`Error · line ${effectLine}, column \\d+ · Statement\\[0\\]\\.Effect`)).waitFor();
    await findings.getByText(/Invalid effect: Alow/).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Save policy' }).isDisabled(), true);
    // A syntax error says where JSON broke.
    await json.fill('{\n  "Version": "2012-10-17",\n  "Statement": [,]\n}');
    await findings.getByText('Error · line 3, column 17').waitFor();
    await findings.getByText('Syntax error: a value was expected').first().waitFor();
    await b.shot('policy-json-errors');

    // A JSON edit shows in the visual view.
    await json.fill(JSON.stringify({ ...afterVisual, Statement: [{ ...afterVisual.Statement[0], Resource: ['*'] }] }, null, 2));
    await page.getByRole('tab', { name: 'Visual' }).click();
    await statement.getByRole('list', { name: 'Resources in this statement' }).getByText('*', { exact: true }).waitFor();
    await page.getByRole('tab', { name: 'JSON' }).click();
    const saved = await json.inputValue();

    await page.getByRole('button', { name: 'Save policy' }).click();
    await page.getByText('Policy read-app-secrets saved.').waitFor();
    const stored = await iam.send(new GetUserPolicyCommand({ UserName: 'dana', PolicyName: 'read-app-secrets' }));
    assert.deepEqual(JSON.parse(decodeURIComponent(stored.PolicyDocument!)), JSON.parse(saved));
  });

  test('a new user gets an access key shown once and an MFA device enabled from its QR code', async () => {
    const page = b.page;
    await go('/iam/users');
    await page.getByLabel('New user name').fill('erin');
    await page.getByRole('button', { name: 'Create user' }).click();
    await page.getByRole('heading', { name: 'erin', level: 1 }).waitFor();
    await page.getByRole('tab', { name: 'Security credentials' }).click();

    await page.getByRole('button', { name: 'Create access key' }).click();
    const secret = await page.getByTestId('new-secret-key').innerText();
    const keyId = (await page.getByTestId('new-access-key').locator('code').first().innerText()).trim();
    assert.equal((await whoAmI(server, { accessKeyId: keyId, secretAccessKey: secret.trim() })).Arn, `arn:aws:iam::${server.accountId}:user/erin`);
    await page.getByRole('button', { name: 'Done' }).click();
    assert.equal(await page.getByTestId('new-secret-key').count(), 0, 'the secret is gone once dismissed');

    await page.getByRole('button', { name: 'Assign virtual MFA device' }).click();
    const qr = page.locator('[data-testid="mfa-qr"][data-drawn="true"]');
    await qr.waitFor();
    await b.shot('mfa-qr');
    // Read the QR code off the page as a phone would: from the pixels.
    const png = PNG.sync.read(await qr.screenshot());
    const uri = decodeQR({ width: png.width, height: png.height, data: png.data });
    assert.match(uri, new RegExp(`^otpauth://totp/.*erin.*\\?.*secret=`));
    const totp = new TOTP({ secret: Secret.fromBase32(new URL(uri).searchParams.get('secret')!), algorithm: 'SHA1', digits: 6, period: 30 });
    const now = Date.now();
    await page.getByLabel('MFA code 1').fill(totp.generate({ timestamp: now - STEP }));
    await page.getByLabel('MFA code 2').fill(totp.generate({ timestamp: now }));
    await page.getByRole('button', { name: 'Enable MFA' }).click();
    await page.getByTestId('mfa-setup').waitFor({ state: 'detached' });
    const { MFADevices } = await iam.send(new ListMFADevicesCommand({ UserName: 'erin' }));
    assert.equal(MFADevices?.length, 1);
    await page.getByRole('table', { name: 'MFA devices' }).getByText(MFADevices![0]!.SerialNumber!).waitFor();
  });

  test('a role gets its trust policy from the visual editor and an AWS managed policy; a managed policy gets a new default version', async () => {
    const page = b.page;
    await go('/iam/roles');
    await page.getByRole('button', { name: 'New role' }).click();
    await page.getByLabel('Role name').fill('rotator');
    await page.getByRole('button', { name: 'Create role' }).click();
    await page.getByRole('heading', { name: 'rotator', level: 1 }).waitFor();

    await page.getByRole('tab', { name: 'Trust relationships' }).click();
    await page.getByRole('tab', { name: 'Visual' }).click();
    const st = page.getByTestId('statement-0');
    await st.getByLabel('Principal type').selectOption('Service');
    await st.getByLabel('Add a principal').fill('secretsmanager.amazonaws.com');
    await st.getByLabel('Add a principal').press('Enter');
    await page.getByRole('button', { name: 'Update trust policy' }).click();
    await page.getByText('Trust policy saved.').waitFor();
    const role = await iam.send(new GetRoleCommand({ RoleName: 'rotator' }));
    assert.deepEqual(JSON.parse(decodeURIComponent(role.Role!.AssumeRolePolicyDocument!)).Statement[0].Principal,
      { Service: ['lambda.amazonaws.com', 'secretsmanager.amazonaws.com'] });

    await page.getByRole('tab', { name: 'Permissions' }).click();
    const awsPolicy = 'arn:aws:iam::aws:policy/SecretsManagerReadWrite';
    await page.getByLabel('Policy to attach').selectOption(awsPolicy);
    await page.getByRole('button', { name: 'Attach policy' }).click();
    await page.getByRole('table', { name: 'Attached policies' }).getByRole('link', { name: 'SecretsManagerReadWrite' }).waitFor();
    const attached = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'rotator' }));
    assert.deepEqual(attached.AttachedPolicies?.map((p) => p.PolicyArn), [awsPolicy]);

    // A customer managed policy: create, then save an edit as the new default version.
    await go('/iam/policies/new');
    const json = page.getByTestId('policy-json');
    await json.fill(JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*' }] }, null, 2));
    await page.getByLabel('Policy name').fill('decrypt');
    await page.getByRole('button', { name: 'Create policy' }).click();
    await page.getByRole('heading', { name: 'decrypt', level: 1 }).waitFor();
    await page.getByRole('table', { name: 'Policy versions' }).getByText('v1').waitFor();
    const v2 = (await json.inputValue()).replace('"kms:Decrypt"', '["kms:Decrypt", "kms:DescribeKey"]');
    await json.fill(v2);
    await page.getByRole('button', { name: 'Save as new version' }).click();
    await page.getByRole('table', { name: 'Policy versions' }).getByText('v2').waitFor();
    const { Policies } = await iam.send(new ListPoliciesCommand({ Scope: 'Local' }));
    const arn = Policies!.find((p) => p.PolicyName === 'decrypt')!.Arn!;
    const policy = await iam.send(new GetPolicyCommand({ PolicyArn: arn }));
    assert.equal(policy.Policy?.DefaultVersionId, 'v2');
    const stored = await iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: 'v2' }));
    assert.deepEqual(JSON.parse(decodeURIComponent(stored.PolicyVersion!.Document!)), JSON.parse(v2));
  });

  test('a KMS key is created, disabled and enabled, its rotation turned on and its key policy edited', async () => {
    const page = b.page;
    await go('/kms/keys');
    await page.getByLabel('Alias (optional)').fill('alias/console-test');
    await page.getByLabel('Description', { exact: true }).fill('made in the console');
    await page.getByRole('button', { name: 'Create symmetric key' }).click();
    await page.getByRole('heading', { name: 'alias/console-test' }).waitFor();
    const state = page.getByTestId('key-state');
    await state.getByText('Enabled', { exact: true }).waitFor();
    const arn = await page.locator('dd code').first().innerText();
    const kms = new KMSClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: server.root, maxAttempts: 1, ...clientTls(server) });

    await page.getByRole('button', { name: 'Disable key' }).click();
    await state.getByText('Disabled', { exact: true }).waitFor();
    assert.equal((await kms.send(new DescribeKeyCommand({ KeyId: arn }))).KeyMetadata?.KeyState, 'Disabled');
    await b.shot('kms-key-disabled');
    await page.getByRole('button', { name: 'Enable key' }).click();
    await state.getByText('Enabled', { exact: true }).waitFor();
    const meta = (await kms.send(new DescribeKeyCommand({ KeyId: arn }))).KeyMetadata;
    assert.equal(meta?.KeyState, 'Enabled');
    assert.equal(meta?.Description, 'made in the console');

    await page.getByLabel('Automatically rotate this key').click();
    await page.getByLabel('Automatically rotate this key').and(page.locator(':checked')).waitFor();
    assert.equal((await kms.send(new GetKeyRotationStatusCommand({ KeyId: arn }))).KeyRotationEnabled, true);

    // The key policy in the policy editor (resource grammar): a Sid renamed in JSON is saved.
    const json = page.getByTestId('policy-json');
    await json.fill((await json.inputValue()).replace('Enable IAM User Permissions', 'RootAccess'));
    await page.getByRole('button', { name: 'Save key policy' }).click();
    await page.getByText('Key policy saved.').waitFor();
    const policy = JSON.parse((await kms.send(new GetKeyPolicyCommand({ KeyId: arn, PolicyName: 'default' }))).Policy!);
    assert.equal(policy.Statement[0].Sid, 'RootAccess');
  });

  test('a restricted user is denied and the Why? page shows the statement that decided', async () => {
    const page = b.page;
    const userArn = (name: string) => `arn:aws:iam::${server.accountId}:user/${name}`;
    for (const name of ['frank', 'gina']) {
      await iam.send(new CreateUserCommand({ UserName: name }));
      await iam.send(new CreateLoginProfileCommand({ UserName: name, Password: PASSWORD }));
    }
    await iam.send(new PutUserPolicyCommand({
      UserName: 'frank', PolicyName: 'console-basics', PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Sid: 'ReadIam', Effect: 'Allow', Action: ['iam:Get*', 'iam:List*'], Resource: '*' },
          { Sid: 'ExplainMyself', Effect: 'Allow', Action: 'iam:SimulatePrincipalPolicy', Resource: 'arn:aws:iam::*:user/${aws:username}' },
          { Sid: 'NoUserListing', Effect: 'Deny', Action: 'iam:ListUsers', Resource: '*' },
          { Sid: 'TagWithMfa', Effect: 'Allow', Action: 'iam:TagUser', Resource: '*', Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } },
        ],
      }),
    }));

    await page.getByRole('button', { name: 'Sign out' }).click();
    await signInWithPassword(page, { accountId: server.accountId, userName: 'frank', password: PASSWORD });
    await go('/iam/users');
    const banner = page.getByTestId('error-banner');
    await banner.getByText('AccessDenied', { exact: false }).first().waitFor();
    await banner.getByRole('link', { name: 'Why?' }).click();

    const answer = page.getByTestId('why-answer');
    await answer.waitFor();
    assert.equal(await page.getByTestId('why-decision').getAttribute('data-decision'), 'explicitDeny');
    const deciding = answer.locator('.why-statement-decisive');
    assert.equal(await deciding.count(), 1);
    assert.equal(await deciding.getByTestId('why-policy').innerText(), 'user_frank_console-basics');
    const text = await deciding.locator('mark').innerText();
    assert.match(text, /"Sid":\s*"NoUserListing"/);
    assert.match(text, /"Effect":\s*"Deny"/);
    assert.equal(await page.getByLabel('Principal (user, role or group ARN)').inputValue(), userArn('frank'));
    assert.equal(await page.getByLabel('Action').inputValue(), 'iam:ListUsers');
    await b.shot('why-denied');
    // At phone width the answer still reads (a screenshot for people; nothing overflows sideways).
    await page.setViewportSize({ width: 390, height: 844 });
    await b.shot('why-denied-phone');
    const wide = await page.evaluate(() => [...document.querySelectorAll('main *')].filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1).map((e) => `${e.tagName}.${e.className}`));
    assert.deepEqual(wide, []);
    await page.setViewportSize({ width: 1280, height: 860 });

    // Asked by hand: frank may read a user, because of ReadIam.
    await page.getByLabel('Action').fill('iam:GetUser');
    await page.getByLabel('Resource ARN').fill(userArn('dana'));
    await page.getByRole('button', { name: 'Explain' }).click();
    await page.locator('[data-testid="why-decision"][data-decision="allowed"]').waitFor();
    assert.match(await answer.locator('.why-statement-decisive mark').innerText(), /"Sid":\s*"ReadIam"/);

    // A condition on the request's MFA: without the value the statement cannot apply; given, it allows.
    await page.getByLabel('Action').fill('iam:TagUser');
    await page.getByRole('button', { name: 'Explain' }).click();
    await page.locator('[data-testid="why-decision"][data-decision="implicitDeny"]').waitFor();
    await answer.getByText('aws:MultiFactorAuthPresent').waitFor();
    await page.getByLabel('Request context (optional)').fill('aws:MultiFactorAuthPresent=true');
    await page.getByRole('button', { name: 'Explain' }).click();
    await page.locator('[data-testid="why-decision"][data-decision="allowed"]').waitFor();
    assert.match(await answer.locator('.why-statement-decisive mark').innerText(), /"Sid":\s*"TagWithMfa"/);

    // gina has no policy at all: she may not even run the simulator, and is told so.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signInWithPassword(page, { accountId: server.accountId, userName: 'gina', password: PASSWORD });
    await go(`/why?action=secretsmanager%3AListSecrets&principal=${encodeURIComponent(userArn('gina'))}`);
    const denied = page.getByTestId('why-simulator-denied');
    await denied.waitFor();
    assert.match(await denied.innerText(), /iam:SimulatePrincipalPolicy/);
    await b.shot('why-simulator-denied');
  });
});
