/**
 * What the root key tests share: `coffer root-key …` beside a running server, the root key
 * generation of every sealed value as an attacker reading the database sees it, and the
 * needles a plaintext scan looks for (a key as raw bytes, base64 and hex; the key material
 * of KMS keys, opened here with the root key as only its holder could).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generationOf, RootKeyRing } from '../../src/crypto/root-key-ring.ts';
import { runCoffer, type ExitResult } from './process.ts';
import { sql } from './db-rows.ts';
import { binary, text, type Needle } from './scan.ts';
import type { Credentials, TestServer } from './server.ts';

/** A directory outside the server's data dir for key and passphrase files; removed by `done`. */
export function keyDir(): { dir: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'coffer-keys-'));
  return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}

export function writeSecretFile(path: string, content: string): string {
  writeFileSync(path, content, { mode: 0o600 });
  return path;
}

/** `coffer root-key SUB` on the server's data dir and database. */
export function rootKeyCommand(server: TestServer, sub: 'rotate' | 'status', args: string[] = [], env: Record<string, string> = {}): Promise<ExitResult> {
  return runCoffer(['root-key', sub, '--data-dir', server.dataDir, '--database', server.databaseUrl, ...args], { env, timeoutMs: 120_000 });
}

/** `coffer serve` on the server's database, expected to refuse to start. */
export function serveRefused(server: TestServer, args: string[], env: Record<string, string> = {}): Promise<ExitResult> {
  return runCoffer(['serve', '--listen', '127.0.0.1:0', '--data-dir', server.dataDir, '--database', server.databaseUrl, ...args], {
    env: { COFFER_ROOT_ACCESS_KEY_ID: server.root.accessKeyId, COFFER_ROOT_SECRET_ACCESS_KEY: server.root.secretAccessKey, ...env },
    timeoutMs: 60_000,
  });
}

const SEALED_COLUMNS = [['access_keys', 'secret_sealed'], ['sts_sessions', 'secret_sealed'], ['kms_key_materials', 'material_sealed'], ['iam_mfa_devices', 'seed_sealed']] as const;

/** The root key generation of every sealed value in the database, by `table.column`. */
export async function sealedGenerations(server: TestServer): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = {};
  for (const [table, column] of SEALED_COLUMNS) {
    const { rows } = await sql(server, `SELECT ${column} AS v FROM {schema}${table}`);
    out[`${table}.${column}`] = rows.map((r) => generationOf(Buffer.from(r.v as Uint8Array)));
  }
  return out;
}

export function allGenerations(byColumn: Record<string, number[]>): Set<number> {
  return new Set(Object.values(byColumn).flat());
}

/** A 256-bit key in every spelling it could be stored in. */
export function keyNeedles(label: string, key: Buffer): Needle[] {
  return [...binary(label, key), text(`${label} (hex)`, key.toString('hex'))];
}

/** The plaintext key material of every KMS key, opened with the root key of `generation`. */
export async function kmsMaterials(server: TestServer, generation: number, rootKey: Buffer): Promise<Buffer[]> {
  const ring = new RootKeyRing(generation, rootKey);
  const { rows } = await sql(server, 'SELECT k.arn AS arn, m.material_version AS version, m.material_sealed AS sealed FROM {schema}kms_key_materials m JOIN {schema}kms_keys k ON k.key_id = m.key_id');
  return rows.map((r) => ring.open(Buffer.from(r.sealed as Uint8Array), `kms-material:${String(r.arn)}:${Number(r.version)}`));
}

export function credentialNeedles(label: string, c: Credentials): Needle[] {
  return [text(`${label} secret access key`, c.secretAccessKey)];
}
