/**
 * The backup file:
 *
 *   line 1: the header, JSON (nothing secret: what restore needs to find the key and check
 *           the target; the root key generations' public records, as the database holds them)
 *   then:   frames, each  uint32 BE length | 12-byte IV | AES-256-GCM ciphertext | 16-byte tag
 *
 * Frames hold JSON lines (a table's name and columns, then its rows) sealed under a random
 * file key. The file key is sealed under each live root key generation (`wrappedKeys`), so
 * restoring needs the root key and nothing else. Each frame's additional data binds the
 * header's hash, the frame's index and whether it is the last: a changed header, a reordered
 * or dropped frame and a truncated file all fail to open.
 *
 * What the frames hold was already sealed where the database seals it (secret values, key
 * material, access key secrets are rows sealed under the root key), so the file is
 * encrypted twice over where it matters and once everywhere else.
 */
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import type { ProviderRecord } from '../crypto/root-key-source.ts';

export const BACKUP_FORMAT = 'coffer-backup';
export const BACKUP_VERSION = 1;
/** Plaintext bytes per frame. */
export const FRAME_BYTES = 1 << 20;
export const IV_BYTES = 12;
export const TAG_BYTES = 16;

export interface BackupHeader {
  format: typeof BACKUP_FORMAT;
  version: number;
  backupId: string;
  createdAt: string;
  /** The engine backed up (restore may target the other). */
  dialect: 'sqlite' | 'postgres';
  /** Migrations applied to the source: the target must have exactly these. */
  migrations: string[];
  /** Tables and their row counts, in insertion order (parents first). */
  tables: { name: string; rows: number }[];
  /** The live root key generations as the database records them (never a key). */
  rootKeys: { generation: number; provider: ProviderRecord; keyCheck: string }[];
  /** base64 of the file key sealed under each generation's root key, by generation. */
  wrappedKeys: Record<string, string>;
}

export const wrapAad = (backupId: string, generation: number) => `coffer-backup:${backupId}:file-key:${generation}`;

export function frameAad(headerHash: Buffer, index: number, last: boolean): Buffer {
  const tail = Buffer.alloc(5);
  tail.writeUInt32BE(index, 0);
  tail[4] = last ? 1 : 0;
  return Buffer.concat([headerHash, tail]);
}

export function headerHash(headerLine: Buffer): Buffer {
  return createHash('sha256').update(headerLine).digest();
}

export function sealFrame(key: Buffer, plaintext: Buffer, hash: Buffer, index: number, last: boolean): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(frameAad(hash, index, last));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(IV_BYTES + body.length + TAG_BYTES, 0);
  return Buffer.concat([len, iv, body, cipher.getAuthTag()]);
}

export class BackupFormatError extends Error {}

/** Row values as JSON: bytes as {"$b": base64}; big integers as {"$i": digits}. */
export function encodeValue(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (Buffer.isBuffer(v) || v instanceof Uint8Array) return { $b: Buffer.from(v).toString('base64') };
  if (typeof v === 'bigint') return { $i: v.toString() };
  if (v instanceof Date) return v.getTime();
  return v;
}

export function decodeValue(v: unknown): unknown {
  if (v !== null && typeof v === 'object') {
    const o = v as { $b?: string; $i?: string };
    if (typeof o.$b === 'string') return Buffer.from(o.$b, 'base64');
    if (typeof o.$i === 'string') return Number(o.$i);
  }
  // SQLite binds no booleans; both engines' coffer schemas store flags as integers.
  if (typeof v === 'boolean') return v ? 1 : 0;
  return v;
}
