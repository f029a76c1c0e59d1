/**
 * Virtual MFA devices' storage and TOTP (RFC 6238: SHA-1, 30-second steps, 6 digits), shared
 * by IAM's MFA operations and STS's MFA check. The seed is kept only sealed under the root
 * key (bound to the serial number) and is opened only to check a code; it is never logged.
 */
import { randomBytes } from 'node:crypto';
import type { Selectable } from 'kysely';
import { Secret, TOTP } from 'otpauth';
import type { IamMfaDeviceTable } from '../../storage/schema.ts';
import type { Db } from './identity-store.ts';
import { noSuchEntity } from './entities.ts';

export type MfaDeviceRow = Selectable<IamMfaDeviceTable>;

/** Seals and opens small secrets under the root key (the server builds it; see app.ts). */
export interface Sealer {
  seal(plaintext: Buffer, aad: string): Buffer;
  open(sealed: Buffer, aad: string): Buffer;
}

const seedAad = (serialNumber: string) => `mfa-seed:${serialNumber}`;
const STEP_MS = 30_000;

/** 20 random bytes (160 bits, RFC 4226's recommended length), as AWS's seeds are. */
export function newSeed(): Buffer {
  return randomBytes(20);
}

/** The seed as its authenticator app shows it: base32, which AWS returns as Base32StringSeed. */
export function seedBase32(seed: Buffer): string {
  return new Secret({ buffer: new Uint8Array(seed).buffer }).base32;
}

export function sealSeed(sealer: Sealer, serialNumber: string, seed: Buffer): Buffer {
  return sealer.seal(seed, seedAad(serialNumber));
}

function totp(sealer: Sealer, row: MfaDeviceRow): TOTP {
  const seed = sealer.open(Buffer.from(row.seed_sealed), seedAad(row.serial_number));
  return new TOTP({ secret: new Secret({ buffer: new Uint8Array(seed).buffer }), algorithm: 'SHA1', digits: 6, period: 30 });
}

/** Whether `code` is the device's code now, or one step either side (clock drift). */
export function codeValidNow(sealer: Sealer, row: MfaDeviceRow, code: string, nowMs: number): boolean {
  return totp(sealer, row).validate({ token: code, timestamp: nowMs, window: 1 }) !== null;
}

/**
 * EnableMFADevice's proof: two consecutive codes. The pair may end at most two steps before
 * now or one step after, so a user who typed slowly is not refused.
 */
export function consecutiveCodesValid(sealer: Sealer, row: MfaDeviceRow, code1: string, code2: string, nowMs: number): boolean {
  const t = totp(sealer, row);
  for (let offset = -2; offset <= 1; offset++) {
    const at = nowMs + offset * STEP_MS;
    if (t.generate({ timestamp: at - STEP_MS }) === code1 && t.generate({ timestamp: at }) === code2) return true;
  }
  return false;
}

export async function findDeviceBySerial(db: Db, accountId: string, serialNumber: string): Promise<MfaDeviceRow | undefined> {
  return db.selectFrom('iam_mfa_devices').selectAll()
    .where('account_id', '=', accountId).where('serial_number', '=', serialNumber).executeTakeFirst();
}

/** The device enabled for a user under this serial number, if any: what STS checks codes against. */
export async function findEnabledDevice(db: Db, accountId: string, userName: string, serialNumber: string): Promise<MfaDeviceRow | undefined> {
  return db.selectFrom('iam_mfa_devices').selectAll()
    .where('account_id', '=', accountId).where('serial_number', '=', serialNumber)
    .where('user_key', '=', userName.toLowerCase()).where('enabled_at', 'is not', null).executeTakeFirst();
}

export async function userHasEnabledDevice(db: Db, accountId: string, userKey: string): Promise<boolean> {
  const row = await db.selectFrom('iam_mfa_devices').select('serial_number')
    .where('account_id', '=', accountId).where('user_key', '=', userKey).executeTakeFirst();
  return row !== undefined;
}

export const noSuchDevice = (serialNumber: string) => noSuchEntity(`VirtualMFADevice with serial ${serialNumber} does not exist.`);
