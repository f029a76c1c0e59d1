/** Waiting for replication: polls until a replica region reports the wanted status. */
import assert from 'node:assert/strict';
import { DescribeSecretCommand, type ReplicationStatusType, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/** Polls `check` every 25 ms until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const got = await check();
      if (got !== undefined) return got;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) assert.fail(`${what}: not within ${timeoutMs} ms${last ? ` (last error: ${(last as Error).message})` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The primary's ReplicationStatus entry for `region` once it has `status`. */
export function replicaStatus(primary: SecretsManagerClient, secretId: string, region: string, status: 'InSync' | 'Failed' | 'InProgress', timeoutMs?: number): Promise<ReplicationStatusType> {
  return eventually(`${secretId} in ${region} ${status}`, async () => {
    const out = await primary.send(new DescribeSecretCommand({ SecretId: secretId }));
    const entry = out.ReplicationStatus?.find((r) => r.Region === region);
    return entry?.Status === status ? entry : undefined;
  }, timeoutMs);
}
