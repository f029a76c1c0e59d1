// The alternating-users functions find their master secret by the `masterarn` key of the
// secret's value (AWS's templates do the same), and the setup refuses a master the value does
// not name. So a master picked on the rotation tab is first written there.
import { GetSecretValueCommand, PutSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SetupAction } from '../../../../src/rotation-setup/setup.ts';

/**
 * Stores `masterArn` as the value's `masterarn` (PutSecretValue: a new AWSCURRENT version with
 * the same credentials) unless it names it already. Returns what it did, for the setup's list;
 * nothing when there was nothing to do or the value cannot be read or is not a JSON object
 * (the setup then says what is wrong, as before).
 */
export async function storeMasterArn(sm: SecretsManagerClient, secretArn: string, masterArn: string): Promise<SetupAction | undefined> {
  let text: string | undefined;
  try {
    text = (await sm.send(new GetSecretValueCommand({ SecretId: secretArn }))).SecretString;
  } catch (err) {
    if ((err as { name?: string }).name === 'AccessDeniedException') return undefined;
    throw err;
  }
  let value: unknown;
  try {
    value = JSON.parse(text ?? '');
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  if ((value as { masterarn?: unknown }).masterarn === masterArn) return undefined;
  const out = await sm.send(new PutSecretValueCommand({ SecretId: secretArn, SecretString: JSON.stringify({ ...value, masterarn: masterArn }) }));
  return { outcome: 'updated', what: 'secret value', name: secretArn, detail: `masterarn set; version ${out.VersionId}` };
}
