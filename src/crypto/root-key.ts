/**
 * The root key: the one secret that is not in the database. It wraps KMS key material and
 * every other sealed record. Sources, in order: `COFFER_ROOT_KEY` (base64 or hex of 32 bytes),
 * `--root-key-file`, else `<data-dir>/root.key`, created with mode 0600 at the first start
 * of a new database.
 *
 * A database remembers which root key it was created with through a sealed check value, so
 * a node started with another key refuses to start instead of failing every read later
 * (or, worse, writing new records under a second key).
 */
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { KEY_BYTES, newKey, open, seal, SealError } from './aead.ts';
import { StartupError } from '../config.ts';

export interface RootKeyOptions {
  env?: string;
  file: string;
  /** The file is the default location, which coffer creates for a new database. */
  defaultFile: boolean;
}

/** Where the database keeps its root key check (base64 of sealed bytes; no key material). */
export interface RootKeyCheckStore {
  get(): Promise<string | undefined>;
  /** Stores the check unless one is there already (another node may be starting too). */
  putIfAbsent(value: string): Promise<void>;
}

const CHECK_AAD = 'coffer-root-key-check';
const CHECK_TEXT = 'coffer root key check v1';

function decode(text: string, origin: string): Buffer {
  const trimmed = text.trim();
  const isHex = /^[0-9a-fA-F]{64}$/.test(trimmed);
  const isBase64 = /^[A-Za-z0-9+/]{43}=?$/.test(trimmed);
  const buf = isHex ? Buffer.from(trimmed, 'hex') : isBase64 ? Buffer.from(trimmed, 'base64') : Buffer.alloc(0);
  if (buf.length !== KEY_BYTES) throw new StartupError(`${origin} must hold a 256-bit key (32 bytes, base64 or hex), e.g. from: openssl rand -base64 32`);
  return buf;
}

function describeSource(opts: RootKeyOptions): string {
  return opts.env ? 'COFFER_ROOT_KEY' : `root key file ${opts.file}`;
}

function readKey(opts: RootKeyOptions): Buffer | undefined {
  if (opts.env) return decode(opts.env, 'COFFER_ROOT_KEY');
  if (existsSync(opts.file)) return decode(readFileSync(opts.file, 'utf8'), `root key file ${opts.file}`);
  return undefined;
}

function createKeyFile(file: string): Buffer {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const key = newKey();
  // 'wx': never overwrite a key file another process created in the meantime.
  writeFileSync(file, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  return key;
}

function opensCheck(key: Buffer, check: string): boolean {
  try {
    return open(key, Buffer.from(check, 'base64'), CHECK_AAD).toString('utf8') === CHECK_TEXT;
  } catch (err) {
    if (err instanceof SealError) return false;
    throw err;
  }
}

/**
 * Loads the root key and proves it is the one the database was created with. A new database
 * gets its check (and, at the default location, a new key file); an initialized database
 * with no key given never gets a fresh key silently.
 */
export async function unlockRootKey(opts: RootKeyOptions, checks: RootKeyCheckStore): Promise<Buffer> {
  let check = await checks.get();
  let key = readKey(opts);
  if (!key) {
    if (check !== undefined) {
      throw new StartupError(
        `${opts.file} does not exist and COFFER_ROOT_KEY is not set, but this database was initialized with a root key. ` +
        'Restore that key (as --root-key-file FILE, COFFER_ROOT_KEY or DATA_DIR/root.key); without it no stored secret can be read.',
      );
    }
    if (!opts.defaultFile) {
      throw new StartupError(`root key file ${opts.file} does not exist (create one with: openssl rand -base64 32 > ${opts.file}; chmod 600 ${opts.file})`);
    }
    key = createKeyFile(opts.file);
  }
  if (check === undefined) {
    await checks.putIfAbsent(seal(key, Buffer.from(CHECK_TEXT, 'utf8'), CHECK_AAD).toString('base64'));
    // Another node may have initialized the database first, with its own key.
    check = await checks.get();
  }
  if (check === undefined || !opensCheck(key, check)) {
    throw new StartupError(
      `the root key from ${describeSource(opts)} is not the root key this database was created with, so it cannot open ` +
      'the stored key material. Start coffer with the original root key (--root-key-file FILE, COFFER_ROOT_KEY or DATA_DIR/root.key).',
    );
  }
  return key;
}
