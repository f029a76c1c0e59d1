/**
 * Names of what `coffer rotation setup` creates for a secret. One function and one role per
 * secret (the role policy names that secret's ARN, as the seed's does), named after the
 * secret so a rerun finds them: `SecretsManager-<secret name>` and
 * `SecretsManager-<secret name>-Role`. Characters Lambda function names refuse become `-`;
 * a name that had to change or be shortened gets a hash of the secret name, so two secrets
 * never share a function (`prod/db` and `prod-db` differ).
 */
import { createHash } from 'node:crypto';

/** Both names fit Lambda's and IAM's 64 characters with the longest affix (`-Role`). */
const MAX_STEM = 64 - 'SecretsManager-'.length - '-Role'.length;

export interface SetupNames {
  functionName: string;
  roleName: string;
  /** The role's inline policy. */
  policyName: string;
}

export function setupNames(secretName: string): SetupNames {
  const sanitized = secretName.replace(/[^A-Za-z0-9_-]/g, '-');
  let stem = sanitized;
  if (stem !== secretName || stem.length > MAX_STEM) {
    const hash = createHash('sha256').update(secretName).digest('hex').slice(0, 8);
    stem = `${sanitized.slice(0, MAX_STEM - 9)}-${hash}`;
  }
  return {
    functionName: `SecretsManager-${stem}`,
    roleName: `SecretsManager-${stem}-Role`,
    policyName: 'SecretsManagerRotation',
  };
}

/** The Description setup gives the function and role: records the template, for reruns. */
export const describeFunction = (template: string, secretArn: string) => `coffer rotation template ${template} for ${secretArn}`;
export const describeRole = (secretArn: string) => `Execution role of the coffer rotation function for ${secretArn}`;

/** The template a function made by setup came from (its Description), or undefined. */
export function templateOf(description: string | undefined): string | undefined {
  return /^coffer rotation template (\S+) for /.exec(description ?? '')?.[1];
}
