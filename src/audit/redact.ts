/**
 * Removes every secret value, password, key, plaintext and token from what an audit event
 * keeps of a call's input and output. Two nets, so one missing trait or odd name cannot leak:
 *
 * 1. The service model: a member whose shape carries the `sensitive` trait (SecretString,
 *    Plaintext, passwords, access key secrets, Lambda environment variables and payloads…) is
 *    removed, and so is every blob (ciphertexts, zip files, QR codes: never useful in a trail).
 * 2. A list of member names removed wherever they appear, with or without a model, for what the
 *    models do not mark (STS SessionToken, KMS CiphertextBlob, MFA codes …).
 *
 * Where the model gives the shape, members it does not define are left out too (a refused
 * request's misspelt member may hold a value). Buffers are removed wherever they are; Dates
 * become ISO strings. Keys become camelCase as
 * CloudTrail writes them (`SecretId` → `secretId`, `ARN` → `arn`).
 */
import type { ServiceModel, Shape } from '../protocol/model.ts';

/** Removed wherever they appear (compared case-insensitively). */
export const SENSITIVE_NAMES: ReadonlySet<string> = new Set([
  'secretstring', 'secretbinary', 'randompassword', 'rotationtoken',
  'plaintext', 'ciphertextblob', 'ciphertextforrecipient',
  'secretaccesskey', 'sessiontoken', 'password', 'newpassword', 'oldpassword',
  'privatekey', 'certificatebody', 'base32stringseed', 'qrcodepng',
  'authenticationcode1', 'authenticationcode2', 'tokencode', 'samlassertion', 'webidentitytoken',
  'zipfile', 'variables', 'payload',
]);

/** CloudTrail's key style: `SecretId` → `secretId`, `ARN` → `arn`, `KMSKeyId` stays readable as `kMSKeyId`. */
export function camelKey(key: string): string {
  if (key === '' || key.toUpperCase() === key) return key.toLowerCase();
  return key[0]!.toLowerCase() + key.slice(1);
}

const isBytes = (v: unknown): boolean => Buffer.isBuffer(v) || v instanceof Uint8Array || v instanceof ArrayBuffer;

/**
 * The redacted copy of `value` read as `shapeName` of `model` (either may be missing: then only
 * the name list and the blob rule apply). `undefined` means "leave the member out".
 */
export function redact(model: ServiceModel | undefined, shapeName: string | undefined, value: unknown): unknown {
  const shape: Shape | undefined = shapeName && model ? model.shapes[shapeName] : undefined;
  if (value === undefined || value === null) return undefined;
  if (shape?.sensitive || shape?.type === 'blob' || isBytes(value)) return undefined;
  if (value instanceof Date) return value.toISOString().replace(/\.\d{3}Z$/, 'Z');
  if (Array.isArray(value)) {
    const member = shape?.type === 'list' ? shape.member?.shape : undefined;
    return value.map((v) => redact(model, member, v)).filter((v) => v !== undefined);
  }
  if (typeof value === 'object') {
    if (shape?.type === 'map') {
      if (shape.key && model?.shapes[shape.key.shape]?.sensitive) return undefined;
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        const r = redact(model, shape.value?.shape, v);
        if (r !== undefined) out[k] = r;
      }
      return out;
    }
    const out: Record<string, unknown> = {};
    const members = shape?.type === 'structure' ? shape.members ?? {} : undefined;
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (SENSITIVE_NAMES.has(k.toLowerCase())) continue;
      // A member the model does not know (a misspelt one in a refused request) may hold anything.
      if (members && !members[k]) continue;
      const r = redact(model, members?.[k]?.shape, v);
      if (r !== undefined) out[camelKey(k)] = r;
    }
    return out;
  }
  return value;
}
