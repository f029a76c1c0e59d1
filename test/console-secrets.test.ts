// e2e: sqlite only — the console is a client of the API; everything it calls runs on both engines in the other tests.
/**
 * The console's Secrets Manager pages in Chromium, checked against the API: the create
 * wizard, revealing and changing a value (a new version), versions and moving a staging
 * label, the resource policy editor with findings and BlockPublicPolicy, filters, delete with
 * a recovery window and restore, a restricted user's denial with its "Why?" link, and the
 * phone layout. Screenshots in test-artifacts/console/.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateSecretCommand, DescribeSecretCommand, GetResourcePolicyCommand, GetSecretValueCommand, ListSecretVersionIdsCommand, type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { CreateLoginProfileCommand, CreateUserCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { startServer, type TestServer } from './helpers/server.ts';
import { secretsManager } from './helpers/clients.ts';
import { iamClient } from './helpers/iam.ts';
import { consoleContext, openConsole, signInWithKeys, signInWithPassword, type ConsoleBrowser } from './helpers/browser.ts';

describe('console secrets pages', () => {
  let server: TestServer;
  let sm: SecretsManagerClient;
  let b: ConsoleBrowser;
  let arn: string;

  before(async () => {
    server = await startServer();
    sm = secretsManager(server);
    b = await openConsole(server);
    await signInWithKeys(b.page, server.root);
  });
  after(async () => {
    await b?.close();
    await server?.destroy();
  });

  const secretUrl = (id: string, tab = 'overview') => `${server.endpoint}/console/#/secrets/${encodeURIComponent(id)}?tab=${tab}`;

  test('the wizard stores a key/value secret with a tag and opens its page', async () => {
    const page = b.page;
    await page.getByRole('link', { name: 'Store a new secret' }).first().click();
    await page.getByLabel('Secret type').selectOption('keyvalue');
    await page.getByLabel('Key 1').fill('username');
    await page.getByLabel('Value 1').fill('app');
    await page.getByRole('button', { name: 'Add row' }).click();
    await page.getByLabel('Key 2').fill('password');
    await page.getByLabel('Value 2').fill('first-Pa55');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByLabel('Secret name').fill('web/app');
    await page.getByLabel('Description').fill('the web app');
    await page.getByRole('button', { name: 'Add tag' }).click();
    await page.getByLabel('Tag key 1').fill('team');
    await page.getByLabel('Tag value 1').fill('web');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByText('Automatic rotation with coffer').waitFor();
    await page.getByRole('button', { name: 'Next' }).click();
    await b.shot('wizard-review');
    await page.getByRole('button', { name: 'Store secret' }).click();
    await page.getByRole('heading', { name: 'web/app' }).waitFor();
    const described = await sm.send(new DescribeSecretCommand({ SecretId: 'web/app' }));
    arn = described.ARN!;
    assert.equal(described.Description, 'the web app');
    assert.deepEqual(described.Tags, [{ Key: 'team', Value: 'web' }]);
    assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: arn }))).SecretString, JSON.stringify({ username: 'app', password: 'first-Pa55' }));
    await page.getByText(arn).waitFor();
    await b.shot('secret-overview');
  });

  test('the value is hidden until retrieved; an edit saves a new version and the versions show the labels', async () => {
    const page = b.page;
    await page.getByRole('tab', { name: 'Secret value' }).click();
    assert.equal(await page.getByText('first-Pa55').count(), 0);
    await page.getByRole('button', { name: 'Retrieve secret value' }).click();
    const table = page.getByTestId('secret-pairs');
    await table.getByText('first-Pa55').waitFor();
    await b.shot('secret-value-revealed');
    await page.getByRole('button', { name: 'Edit' }).click();
    await page.getByLabel('Value 2').fill('second-Pa55');
    await page.getByRole('button', { name: 'Save new version' }).click();
    await page.getByText(/Saved as version/).waitFor();
    assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: arn }))).SecretString, JSON.stringify({ username: 'app', password: 'second-Pa55' }));
    // Plaintext view of the same JSON.
    await page.getByRole('button', { name: 'Plaintext' }).click();
    assert.equal(await page.getByTestId('secret-plaintext').innerText(), JSON.stringify({ username: 'app', password: 'second-Pa55' }));

    await page.getByRole('tab', { name: 'Versions' }).click();
    const rows = page.locator('table tbody tr');
    await rows.nth(1).waitFor();
    assert.equal(await rows.count(), 2);
    await page.getByText('AWSPREVIOUS').first().waitFor();
    await b.shot('secret-versions');
  });

  test('moving AWSCURRENT back to the first version', async () => {
    const page = b.page;
    const versions = (await sm.send(new ListSecretVersionIdsCommand({ SecretId: arn }))).Versions!;
    const previous = versions.find((v) => v.VersionStages?.includes('AWSPREVIOUS'))!.VersionId!;
    await page.getByLabel('Label', { exact: true }).selectOption('AWSCURRENT');
    await page.getByLabel('To version').selectOption(previous);
    await page.getByRole('button', { name: 'Move label' }).click();
    await page.getByText(`AWSCURRENT now labels version ${previous}.`).waitFor();
    const now = await sm.send(new GetSecretValueCommand({ SecretId: arn }));
    assert.equal(now.VersionId, previous);
    assert.equal(now.SecretString, JSON.stringify({ username: 'app', password: 'first-Pa55' }));
  });

  test('resource policy: the shared policy editor, findings from ValidateResourcePolicy, BlockPublicPolicy refuses a public policy, a narrow one is saved', async () => {
    const page = b.page;
    await page.getByRole('tab', { name: 'Resource policy' }).click();
    await page.getByRole('button', { name: 'Write a policy' }).click();
    const editor = page.getByLabel('Resource policy JSON');
    // The editor's own checks as you type: syntax with line and column, then the policy grammar.
    await editor.fill('{ "Version": "2012-10-17", "Statement": [ { "Effect": "Allow", ');
    await page.getByTestId('policy-diagnostics').getByText(/Error · line 1, column \d+/).first().waitFor();
    assert.equal(await page.getByRole('button', { name: 'Save policy' }).isDisabled(), true);
    await editor.fill(JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Alow', Principal: { AWS: server.accountId }, Action: 'secretsmanager:GetSecretValue', Resource: '*' }] }, null, 2));
    await page.getByTestId('policy-diagnostics').getByText('Invalid effect: Alow').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Save policy' }).isDisabled(), true);
    const publicPolicy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 'secretsmanager:GetSecretValue', Resource: '*' }] }, null, 2);
    await editor.fill(publicPolicy);
    await page.getByRole('button', { name: 'Validate' }).click();
    await page.getByTestId('policy-findings').waitFor();
    await page.getByRole('button', { name: 'Save policy' }).click();
    await page.getByTestId('error-banner').getByText('PublicPolicyException').waitFor();
    await b.shot('secret-policy-blocked');
    const narrow = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${server.accountId}:root` }, Action: 'secretsmanager:GetSecretValue', Resource: '*' }] }, null, 2);
    await editor.fill(narrow);
    // The visual view shows the same statement (the principal as written).
    await page.getByRole('tab', { name: 'Visual' }).click();
    await page.getByTestId('policy-visual').getByText('secretsmanager:GetSecretValue').first().waitFor();
    await page.getByRole('tab', { name: 'JSON' }).click();
    await page.getByRole('button', { name: 'Save policy' }).click();
    await page.getByText('Resource policy saved.').waitFor();
    const stored = await sm.send(new GetResourcePolicyCommand({ SecretId: arn }));
    assert.deepEqual(JSON.parse(stored.ResourcePolicy!), JSON.parse(narrow));
    await b.shot('secret-policy-editor');
  });

  test('the list filters by tag and shows planned deletions on request; delete with a window, then restore', async () => {
    const page = b.page;
    await sm.send(new CreateSecretCommand({ Name: 'other/thing', SecretString: 'x' }));
    await page.goto(secretUrl(arn));
    await page.getByRole('button', { name: 'Delete secret' }).click();
    await page.getByLabel('Waiting period (days)').fill('7');
    await page.getByRole('button', { name: 'Schedule deletion' }).click();
    const notice = page.getByTestId('deletion-scheduled');
    await notice.waitFor();
    // DeleteSecret's DeletionDate: seven days on (the browser's locale is en-US, see test/helpers/browser.ts).
    const when = new Date(Date.now() + 7 * 86_400_000).toLocaleDateString('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' });
    assert.ok((await notice.innerText()).includes(`will be deleted on ${when}`), await notice.innerText());
    assert.ok((await sm.send(new DescribeSecretCommand({ SecretId: arn }))).DeletedDate);

    await page.goto(`${server.endpoint}/console/#/secrets`);
    await page.getByRole('link', { name: 'other/thing' }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'web/app' }).count(), 0);
    await page.getByLabel('Show secrets scheduled for deletion').check();
    await page.getByRole('link', { name: 'web/app' }).waitFor();
    await page.getByLabel('Filter by').selectOption('tag-key');
    await page.getByLabel('Filter value').fill('team');
    await page.getByRole('button', { name: 'Add filter' }).click();
    await page.getByRole('button', { name: 'Remove filter tag-key' }).waitFor();
    await page.waitForFunction(() => !document.body.innerText.includes('other/thing'));
    await page.getByRole('link', { name: 'web/app' }).waitFor();
    await b.shot('secrets-filtered');

    await page.getByRole('link', { name: 'web/app' }).click();
    await page.getByRole('button', { name: 'Cancel deletion' }).click();
    await page.getByRole('button', { name: 'Delete secret' }).waitFor();
    assert.equal((await sm.send(new DescribeSecretCommand({ SecretId: arn }))).DeletedDate, undefined);
  });

  test('a restricted user is denied the value and gets a "Why?" link naming the action and the secret', async () => {
    const iam = iamClient(server);
    await iam.send(new CreateUserCommand({ UserName: 'reader' }));
    await iam.send(new CreateLoginProfileCommand({ UserName: 'reader', Password: 'Reader-pass-123' }));
    await iam.send(new PutUserPolicyCommand({
      UserName: 'reader', PolicyName: 'describe-only',
      PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['secretsmanager:ListSecrets', 'secretsmanager:DescribeSecret', 'secretsmanager:GetResourcePolicy'], Resource: '*' }] }),
    }));
    const page = b.page;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signInWithPassword(page, { accountId: server.accountId, userName: 'reader', password: 'Reader-pass-123' });
    await page.goto(secretUrl(arn, 'value'));
    await page.getByRole('button', { name: 'Retrieve secret value' }).click();
    const banner = page.getByTestId('error-banner');
    await banner.getByText('AccessDeniedException').waitFor();
    const why = banner.getByRole('link', { name: 'Why?' });
    const target = new URL(`http://x/${(await why.getAttribute('href'))!.slice(2)}`);
    assert.equal(target.pathname, '/why');
    assert.equal(target.searchParams.get('action'), 'secretsmanager:GetSecretValue');
    assert.equal(target.searchParams.get('resource'), arn);
    assert.equal(target.searchParams.get('principal'), `arn:aws:iam::${server.accountId}:user/reader`);
    await b.shot('denied-why-link');
    await page.getByRole('button', { name: 'Sign out' }).click();
  });

  test('at phone width the navigation sits behind a menu button', async () => {
    const phone = await consoleContext(b.browser, { viewport: { width: 390, height: 800 } });
    const page = await phone.newPage();
    await page.goto(`${server.endpoint}/console/`);
    await signInWithKeys(page, server.root);
    await page.getByRole('heading', { name: 'Secrets', exact: true }).waitFor();
    assert.equal(await page.getByRole('navigation', { name: 'Console' }).isVisible(), false);
    // The list's rows are stacked "Header: value" cards, not a table wider than the screen.
    await page.getByRole('link', { name: 'web/app' }).waitFor();
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `page is ${width}px wide`);
    await b.shot('phone-list', page);
    await page.getByRole('button', { name: 'Menu' }).click();
    assert.equal(await page.getByRole('navigation', { name: 'Console' }).isVisible(), true);
    await b.shot('phone-menu', page);
    await phone.close();
  });
});
