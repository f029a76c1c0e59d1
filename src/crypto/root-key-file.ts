/**
 * The `file` provider: a 256-bit key, base64 or hex, in a file or in `COFFER_ROOT_KEY`.
 * coffer creates the file (mode 0600, never overwriting) only where it is allowed to: the
 * default `<data-dir>/root.key` of a new database, or the new key file of a rotation.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { KEY_BYTES, newKey } from './aead.ts';
import { StartupError } from '../config.ts';
import type { RootKeySource } from './root-key-source.ts';

export function decodeKey(text: string, origin: string): Buffer {
  const trimmed = text.trim();
  const isHex = /^[0-9a-fA-F]{64}$/.test(trimmed);
  const isBase64 = /^[A-Za-z0-9+/]{43}=?$/.test(trimmed);
  const buf = isHex ? Buffer.from(trimmed, 'hex') : isBase64 ? Buffer.from(trimmed, 'base64') : Buffer.alloc(0);
  if (buf.length !== KEY_BYTES) throw new StartupError(`${origin} must hold a 256-bit key (32 bytes, base64 or hex), e.g. from: openssl rand -base64 32`);
  return buf;
}

export function describeFileSource(source: RootKeySource): string {
  return source.key !== undefined ? `${source.naming.env}ROOT_KEY` : `root key file ${source.file}`;
}

/** The key the source gives, or undefined when the file does not exist (and no key is in the environment). */
export function readKeyFile(source: RootKeySource): Buffer | undefined {
  if (source.key !== undefined) return decodeKey(source.key, `${source.naming.env}ROOT_KEY`);
  if (source.file && existsSync(source.file)) return decodeKey(readFileSync(source.file, 'utf8'), `root key file ${source.file}`);
  return undefined;
}

export function createKeyFile(file: string): Buffer {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const key = newKey();
  // 'wx': never overwrite a key file another process created in the meantime.
  writeFileSync(file, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  return key;
}

export function missingKeyFileMessage(file: string): string {
  return `root key file ${file} does not exist (create one with: openssl rand -base64 32 > ${file}; chmod 600 ${file})`;
}
