/**
 * Virtual MFA devices' storage and TOTP (RFC 6238: SHA-1, 30-second steps, 6 digits), shared
 * by IAM's MFA operations and STS's MFA check. The seed is kept only sealed under the root
 * key (bound to the serial number) and is opened only to check a code; it is never logged.
 *
 * A code is accepted once (RFC 6238 §5.2: the verifier must not accept the second attempt of
 * an OTP after a successful validation): the device remembers the last step it accepted, in
 * the database, and takes only later ones.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
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

/** The TOTP time step (RFC 6238's counter) of a moment: epoch seconds / 30. */
export function stepAt(ms: number): number {
  return Math.floor(ms / STEP_MS);
}

function sameCode(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

/** The device's code for a time step. */
function codeAt(t: TOTP, step: number): string {
  return t.generate({ timestamp: step * STEP_MS });
}

/**
 * The step whose code `code` is: now (shifted by the drift ResyncMFADevice found) or one step
 * either side, and later than the last step the device accepted — a code is good once. The
 * latest matching step wins. Undefined: not a code the device would accept now.
 */
export function matchingStep(sealer: Sealer, row: MfaDeviceRow, code: string, nowMs: number): number | undefined {
  const t = totp(sealer, row);
  const now = stepAt(nowMs) + Number(row.drift_steps ?? 0);
  const used = row.last_used_step === null ? -Infinity : Number(row.last_used_step);
  for (let step = now + 1; step >= now - 1; step--) {
    if (step > used && sameCode(codeAt(t, step), code)) return step;
  }
  return undefined;
}

/**
 * Records that the device accepted the code of `step`, if no one recorded it (or a later one)
 * first: one conditional UPDATE, so two requests — on one node or on several over one
 * database, before or after a restart — cannot both use the same code.
 */
export async function consumeStep(db: Db, row: MfaDeviceRow, step: number): Promise<boolean> {
  const updated = await db.updateTable('iam_mfa_devices').set({ last_used_step: step })
    .where('account_id', '=', row.account_id).where('device_key', '=', row.device_key)
    .where((eb) => eb.or([eb('last_used_step', 'is', null), eb('last_used_step', '<', step)]))
    .executeTakeFirst();
  return Number(updated.numUpdatedRows) === 1;
}

/** Checks `code` against the device and uses it up; false if it is wrong or already used. */
export async function acceptCode(db: Db, sealer: Sealer, row: MfaDeviceRow, code: string, nowMs: number): Promise<boolean> {
  const step = matchingStep(sealer, row, code, nowMs);
  return step !== undefined && consumeStep(db, row, step);
}

/**
 * EnableMFADevice's and ResyncMFADevice's proof: two consecutive codes. Returns the step of
 * the second code, searched from `from` to `to` steps around now (latest first), or undefined.
 * Enable allows the pair to end up to two steps before now or one after (a user who typed
 * slowly is not refused); Resync searches wider, to find a drifted clock.
 */
export function consecutiveCodesStep(sealer: Sealer, row: MfaDeviceRow, code1: string, code2: string, nowMs: number, from = -2, to = 1): number | undefined {
  const t = totp(sealer, row);
  const now = stepAt(nowMs);
  const used = row.last_used_step === null ? -Infinity : Number(row.last_used_step);
  for (let step = now + to; step >= now + from; step--) {
    if (step - 1 > used && sameCode(codeAt(t, step), code2) && sameCode(codeAt(t, step - 1), code1)) return step;
  }
  return undefined;
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
