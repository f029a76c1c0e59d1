/**
 * Listing helpers for the ListSecrets / BatchGetSecretValue tests: every page of a listing,
 * and the names it shows out of a known set (other tests share the server, so a test only
 * looks at the secrets it made).
 */
import {
  CreateSecretCommand,
  ListSecretsCommand,
  type CreateSecretCommandInput,
  type Filter,
  type ListSecretsCommandInput,
  type SecretListEntry,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';

/** Every entry of a ListSecrets listing, following NextToken to the end. */
export async function listAll(sm: SecretsManagerClient, input: ListSecretsCommandInput = {}): Promise<SecretListEntry[]> {
  const out: SecretListEntry[] = [];
  let NextToken: string | undefined;
  do {
    const page = await sm.send(new ListSecretsCommand({ ...input, NextToken }));
    out.push(...(page.SecretList ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return out;
}

/** The names out of `mine` that a filtered listing shows, in listing order. */
export async function shown(sm: SecretsManagerClient, mine: Iterable<string>, filters: Filter[], input: ListSecretsCommandInput = {}): Promise<string[]> {
  const set = new Set(mine);
  return (await listAll(sm, { ...input, Filters: filters })).map((s) => s.Name!).filter((n) => set.has(n));
}

/** Creates the secrets and returns their names. */
export async function createAll(sm: SecretsManagerClient, secrets: CreateSecretCommandInput[]): Promise<string[]> {
  for (const s of secrets) await sm.send(new CreateSecretCommand({ SecretString: 'v', ...s }));
  return secrets.map((s) => s.Name!);
}

/** Resolves once the clock has moved past `ms`, so the next write gets a later timestamp. */
export async function tick(ms = Date.now()): Promise<void> {
  while (Date.now() <= ms + 1) await new Promise((r) => setTimeout(r, 2));
}
