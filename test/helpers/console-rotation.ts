/**
 * Steps the console rotation tests (test/console-rotation*.test.ts) share: the create wizard's
 * database-credentials path with rotation on, and waiting for rotation attempts to succeed.
 */
import type { Page } from 'playwright-core';
import { DescribeSecretCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

export interface WizardDatabase {
  engine: 'postgres' | 'mysql';
  host: string;
  user: string;
  password: string;
  dbname: string;
  /** The secret's name. */
  name: string;
  /** The rotation schedule field (days, rate(…), cron(…)). */
  schedule: string;
}

/** Fills the wizard's first three steps for database credentials with rotation on; ends on Review. */
export async function fillDatabaseWizard(page: Page, endpoint: string, db: WizardDatabase): Promise<void> {
  await page.goto(`${endpoint}/console/#/secrets/new`);
  await page.getByLabel('Secret type').selectOption('database');
  await page.getByLabel('Engine').selectOption(db.engine);
  await page.getByLabel('Host').fill(db.host);
  await page.getByLabel('User name').fill(db.user);
  await page.getByLabel('Database password').fill(db.password);
  await page.getByLabel('Database name').fill(db.dbname);
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByLabel('Secret name').fill(db.name);
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByLabel('Turn on automatic rotation').check();
  await page.getByLabel('Schedule').fill(db.schedule);
  await page.getByRole('button', { name: 'Next' }).click();
}

/**
 * On the wizard's Review step: stores the secret, which runs the rotation setup in the page,
 * and waits on the secret's rotation tab for the first rotation to succeed. Returns the ARN.
 */
export async function storeAndAwaitRotation(page: Page, sm: SecretsManagerClient, name: string): Promise<string> {
  await page.getByRole('button', { name: 'Store secret' }).click();
  // The setup (role, function from the template's zip, permission, RotateSecret) makes a dozen
  // calls from the page: the helpers' step timeout (BROWSER_TIMEOUT_MS) covers a loaded machine.
  await page.getByRole('tab', { name: 'Rotation', selected: true }).waitFor();
  const arn = (await sm.send(new DescribeSecretCommand({ SecretId: name }))).ARN!;
  await waitForSucceededAttempts(page, 1);
  await page.getByText('finishSecret ✓').first().waitFor();
  return arn;
}

/** Waits until the rotation tab lists at least `count` succeeded attempts (it refreshes while one runs). */
export async function waitForSucceededAttempts(page: Page, count: number): Promise<void> {
  await page.waitForFunction((n) => [...document.querySelectorAll('[data-testid="attempt-outcome"]')].filter((e) => e.textContent === 'succeeded').length >= n, count, { timeout: 120_000 });
}
