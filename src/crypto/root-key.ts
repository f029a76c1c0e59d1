/**
 * The root key: the one secret that is not in the database. It wraps KMS key material and
 * every other sealed record. Sources, in order: `COFFER_ROOT_KEY` (base64 or hex of 32 bytes),
 * `--root-key-file`, else `<data-dir>/root.key` created at first start with mode 0600.
 */
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { KEY_BYTES, newKey } from './aead.ts';

export interface RootKeyOptions {
  env?: string;
  file: string;
  /** Create the file when it does not exist (only for the default location). */
  create: boolean;
}

function decode(text: string, origin: string): Buffer {
  const trimmed = text.trim();
  const buf = /^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64');
  if (buf.length !== KEY_BYTES) throw new Error(`${origin} must hold a 256-bit key (32 bytes, base64 or hex)`);
  return buf;
}

export function loadRootKey(opts: RootKeyOptions): Buffer {
  if (opts.env) return decode(opts.env, 'COFFER_ROOT_KEY');
  if (existsSync(opts.file)) return decode(readFileSync(opts.file, 'utf8'), opts.file);
  if (!opts.create) throw new Error(`root key file ${opts.file} does not exist`);
  mkdirSync(dirname(opts.file), { recursive: true, mode: 0o700 });
  const key = newKey();
  writeFileSync(opts.file, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  return key;
}
