/**
 * Browser tests of the web console: Debian's Chromium driven by playwright-core, one browser
 * per test file, against a real `coffer serve` (test/helpers/server.ts). Screenshots go to
 * test-artifacts/console/ (gitignored; CI keeps them as artifacts).
 *
 *   const b = await openConsole(server);          // browser + page at /console/
 *   await signInWithKeys(b.page, server.root);    // or signInWithPassword(page, {...})
 *   await b.shot('secrets-list');                 // test-artifacts/console/<file>-secrets-list.png
 *   await b.close();
 */
import { mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { REPO, type Credentials, type TestServer } from './server.ts';

export const CHROMIUM = process.env.COFFER_TEST_CHROMIUM ?? '/usr/bin/chromium';
export const ARTIFACTS = join(REPO, 'test-artifacts', 'console');

/**
 * How long any one browser step (navigation, click, wait) may take. Playwright's own default,
 * 30 s, is too tight on a loaded CI machine: starting Chromium, loading the ~1 MB console
 * bundle and signing in all happen in a `before` hook, and a hook that times out cancels every
 * test of the file. Waits end as soon as their condition holds, so a generous limit costs
 * nothing when the machine is quiet. The same 90 s the test server is given to start.
 */
export const BROWSER_TIMEOUT_MS = Number(process.env.COFFER_TEST_BROWSER_TIMEOUT_MS ?? 90_000);

/** A browser context with the console tests' locale, time zone and step timeout. */
export async function consoleContext(browser: Browser, opts: Parameters<Browser['newContext']>[0] = {}): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'en-US', timezoneId: 'UTC', ...opts });
  context.setDefaultTimeout(BROWSER_TIMEOUT_MS);
  context.setDefaultNavigationTimeout(BROWSER_TIMEOUT_MS);
  return context;
}

export interface ConsoleBrowser {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Saves a full-page screenshot as `<test file>-<name>.png`; returns its path. */
  shot(name: string, page?: Page): Promise<string>;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage'],
  });
}

/**
 * Opens the console of `server` in a fresh browser. `prefix` names the screenshots (default:
 * the calling test file's name); `viewport` defaults to a desktop width.
 */
export async function openConsole(server: TestServer, opts: { prefix?: string; viewport?: { width: number; height: number } } = {}): Promise<ConsoleBrowser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const browser = await launchChromium();
  const context = await consoleContext(browser, opts.viewport ? { viewport: opts.viewport } : {});
  const page = await context.newPage();
  // Anything the page logs as an error (a CSP violation, an uncaught exception) fails loudly in the test output.
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  // (A 404 from an API the page probes, e.g. GetFunction before a function exists, is expected.)
  page.on('console', (m) => { if (m.type() === 'error' && !/status of 404/.test(m.text())) problems.push(`console: ${m.text()}`); });
  // A browser that never got its page must not outlive the test and keep its runner alive.
  await explained(page, 'open-console', () => page.goto(`${server.endpoint}/console/`)).catch(async (err: unknown) => {
    await browser.close();
    throw err;
  });
  const prefix = opts.prefix ?? basename(process.argv[1] ?? 'console', '.test.ts');
  return {
    browser, context, page,
    async shot(name, p = page) {
      const file = join(ARTIFACTS, `${prefix}-${name}.png`);
      await p.screenshot({ path: file, fullPage: true });
      return file;
    },
    async close() {
      if (problems.length) console.log(`browser messages:\n${problems.join('\n')}`);
      await browser.close();
    },
  };
}

/**
 * Runs a browser step; if it fails, saves a screenshot (`<test file>-failed-<label>.png`) and
 * adds what the page showed to the error, so a failure in a `before` hook (which cancels the
 * file's tests and says little) can be understood from the CI artifacts.
 */
export async function explained<T>(page: Page, label: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (err) {
    const prefix = basename(process.argv[1] ?? 'console', '.test.ts');
    const file = join(ARTIFACTS, `${prefix}-failed-${label}.png`);
    const shown = await page.screenshot({ path: file, fullPage: true, timeout: 10_000 }).then(() => `screenshot ${file}`, (e: Error) => `no screenshot: ${e.message}`);
    const text = await page.evaluate(() => document.body?.innerText ?? '', undefined).catch(() => '(page unreadable)');
    if (err instanceof Error) err.message += `\n[${label}] page ${page.url()} (${shown}) showed:\n${text.slice(0, 800)}`;
    throw err;
  }
}

/** Signs in on the "Access key" tab and waits for the signed-in header. */
export async function signInWithKeys(page: Page, creds: Credentials): Promise<void> {
  await explained(page, 'sign-in-with-keys', async () => {
    await page.getByRole('tab', { name: 'Access key' }).click();
    await page.getByLabel('Access key ID').fill(creds.accessKeyId);
    await page.getByLabel('Secret access key').fill(creds.secretAccessKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('signed-in-as').waitFor({ state: 'attached' });
  });
}

/**
 * Signs in as an IAM user; with `mfaCode` (a function, so the code is computed when asked),
 * answers the MFA prompt. Waits for the signed-in header unless `expectFailure`.
 */
export async function signInWithPassword(page: Page, who: { accountId: string; userName: string; password: string; mfaCode?: () => string }): Promise<void> {
  await explained(page, 'sign-in-with-password', async () => {
    await page.getByRole('tab', { name: 'IAM user' }).click();
    await page.getByLabel('Account ID').fill(who.accountId);
    await page.getByLabel('IAM user name').fill(who.userName);
    await page.getByLabel('Password').fill(who.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    if (who.mfaCode) {
      await page.getByLabel('MFA code').fill(who.mfaCode());
      await page.getByRole('button', { name: 'Submit' }).click();
    }
    await page.getByTestId('signed-in-as').waitFor({ state: 'attached' });
  });
}
