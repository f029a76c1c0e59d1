/**
 * The `passphrase` provider: the root key is argon2id(passphrase, salt), 32 bytes. Salt and
 * cost parameters are recorded per generation, so the cost can be raised at a rotation and
 * old generations still derive. The passphrase comes from an environment variable or a file,
 * never from a flag value (which `ps` would show).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hashRaw, type Algorithm, type Version } from '@node-rs/argon2';
import { KEY_BYTES } from './aead.ts';
import { StartupError } from '../config.ts';
import type { PassphraseRecord, RootKeySource } from './root-key-source.ts';

/**
 * RFC 9106's second recommended option (64 MiB, 3 passes) with one lane: derivation runs
 * once per start, and a 2-CPU node should not stall serving while it does.
 */
export const PASSPHRASE_COST = { memoryKiB: 64 * 1024, iterations: 3, parallelism: 1 } as const;
const SALT_BYTES = 16;
/** Applies to new passphrases only; an existing one is whatever the database was set up with. */
export const MIN_PASSPHRASE_CHARS = 12;

export function describePassphraseSource(source: RootKeySource): string {
  return source.passphrase !== undefined ? `${source.naming.env}ROOT_KEY_PASSPHRASE` : `passphrase file ${source.passphraseFile}`;
}

/** The passphrase as the operator gave it; a file's one trailing newline is not part of it. */
export function readPassphrase(source: RootKeySource): string {
  let passphrase = source.passphrase;
  if (passphrase === undefined) {
    if (!source.passphraseFile) {
      throw new StartupError(`the passphrase root key provider needs ${source.naming.env}ROOT_KEY_PASSPHRASE or ${source.naming.flag}root-key-passphrase-file FILE`);
    }
    try {
      passphrase = readFileSync(source.passphraseFile, 'utf8').replace(/\r?\n$/, '');
    } catch (err) {
      throw new StartupError(`cannot read passphrase file ${source.passphraseFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }
  if (passphrase === '') throw new StartupError(`the passphrase from ${describePassphraseSource(source)} is empty`);
  return passphrase;
}

export function deriveKey(passphrase: string, record: PassphraseRecord): Promise<Buffer> {
  if (record.kdf !== 'argon2id' || record.version !== 19) throw new StartupError(`unsupported passphrase KDF ${record.kdf} v${record.version}`);
  return hashRaw(passphrase, {
    salt: Buffer.from(record.salt, 'base64'),
    memoryCost: record.memoryKiB,
    timeCost: record.iterations,
    parallelism: record.parallelism,
    outputLen: KEY_BYTES,
    algorithm: 2 as Algorithm, // Argon2id
    version: 1 as Version, // 0x13
  });
}

/** A new generation's record: a fresh salt and today's cost. */
export function newPassphraseRecord(passphrase: string, source: RootKeySource): PassphraseRecord {
  if ([...passphrase].length < MIN_PASSPHRASE_CHARS) {
    throw new StartupError(`the passphrase from ${describePassphraseSource(source)} is too short for a new root key: use at least ${MIN_PASSPHRASE_CHARS} characters`);
  }
  return { kind: 'passphrase', kdf: 'argon2id', version: 19, salt: randomBytes(SALT_BYTES).toString('base64'), ...PASSPHRASE_COST };
}
