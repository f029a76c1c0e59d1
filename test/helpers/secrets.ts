/**
 * Assertions shared by the secret value/version tests: the AWS error a call must fail with,
 * and a snapshot of everything a secret shows so a failed call can be shown to change nothing.
 */
import assert from 'node:assert/strict';
import {
  DescribeSecretCommand,
  ListSecretVersionIdsCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';

/** Resolves to the error `promise` rejects with, after checking its AWS code (and message, and HTTP status). */
export async function rejectsWith(promise: Promise<unknown>, code: string, message?: string | RegExp, status?: number): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  let caught: unknown;
  try {
    await promise;
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof Error, `expected ${code}, but the call succeeded`);
  const err = caught as Error & { $metadata?: { httpStatusCode?: number } };
  assert.equal(err.name, code, `expected ${code}, got ${err.name}: ${err.message}`);
  if (typeof message === 'string') assert.equal(err.message, message);
  else if (message) assert.match(err.message, message);
  if (status !== undefined) assert.equal(err.$metadata?.httpStatusCode, status, `HTTP status of ${code}`);
  return err;
}

export interface SecretSnapshot {
  describe: Record<string, unknown>;
  versions: Record<string, unknown>[];
}

/** What DescribeSecret and ListSecretVersionIds (deprecated versions included) show. */
export async function snapshot(sm: SecretsManagerClient, secretId: string): Promise<SecretSnapshot> {
  const { $metadata: _d, ...describe } = await sm.send(new DescribeSecretCommand({ SecretId: secretId }));
  const versions: Record<string, unknown>[] = [];
  let NextToken: string | undefined;
  do {
    const out = await sm.send(new ListSecretVersionIdsCommand({ SecretId: secretId, IncludeDeprecated: true, NextToken }));
    versions.push(...(out.Versions ?? []).map((v) => ({ ...v, VersionStages: v.VersionStages ? [...v.VersionStages].sort() : undefined })));
    NextToken = out.NextToken;
  } while (NextToken);
  versions.sort((a, b) => String(a.VersionId).localeCompare(String(b.VersionId)));
  for (const stages of Object.values((describe.VersionIdsToStages ?? {}) as Record<string, string[]>)) stages.sort();
  return { describe, versions };
}

/** Runs a call that must fail with `code`, and checks the secret looks exactly as before. */
export async function failsAndChangesNothing(
  sm: SecretsManagerClient, secretId: string, call: () => Promise<unknown>, code: string, message?: string | RegExp,
): Promise<void> {
  const before = await snapshot(sm, secretId);
  await rejectsWith(call(), code, message);
  assert.deepEqual(await snapshot(sm, secretId), before, 'a failed call changed the secret');
}

/** Version id → sorted labels, from DescribeSecret. */
export async function stagesOf(sm: SecretsManagerClient, secretId: string): Promise<Record<string, string[]>> {
  const out = await sm.send(new DescribeSecretCommand({ SecretId: secretId }));
  const map: Record<string, string[]> = {};
  for (const [id, stages] of Object.entries(out.VersionIdsToStages ?? {})) map[id] = [...stages].sort();
  return map;
}

/** A ClientRequestToken / VersionId of exactly `length` characters, unique per call. */
export function token(length = 36): string {
  let s = '';
  while (s.length < length) s += crypto.randomUUID().replaceAll('-', '');
  return s.slice(0, length);
}
