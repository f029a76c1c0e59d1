// The console's own server API (src/console/api.ts): sign-in and what the AWS APIs lack.
// Signed calls use SigV4 with the signing name `signin`, computed here in the browser.
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256Js } from '@smithy/core/checksum';

export interface SessionCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: string;
}

// The answers' shapes are the server's own (type-only: nothing of the server is bundled).
export type { ConsoleIdentity, SignedIn } from '../../src/console/sign-in.ts';
import type { SignedIn, SignInResult } from '../../src/console/sign-in.ts';
export type SignInAnswer = SignInResult;

/** An error answered by the console API: `{ code, message }`. */
export class ConsoleApiError extends Error {
  constructor(readonly code: string, message: string, readonly status: number, readonly requestId?: string) {
    super(message);
    this.name = code;
  }
}

export const API_BASE = '/console/api';

async function answer<T>(res: Response): Promise<T> {
  const text = await res.text();
  let body: any;
  try { body = text ? JSON.parse(text) : {}; } catch { body = { code: 'InternalError', message: text.slice(0, 200) }; }
  if (!res.ok) throw new ConsoleApiError(body.code ?? `HTTP${res.status}`, body.message ?? res.statusText, res.status, res.headers.get('x-amzn-requestid') ?? undefined);
  return body as T;
}

export async function serverInfo(): Promise<{ regions: string[]; anyRegion: boolean }> {
  return answer(await fetch(`${API_BASE}/info`));
}

/** An IAM user's sign-in (`userName`), or the root user's (`root: true`); `accountId` may be the account's alias. */
export async function passwordSignIn(input: { accountId: string; userName?: string; root?: boolean; password: string; mfaCode?: string }): Promise<SignInAnswer> {
  return answer(await fetch(`${API_BASE}/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(input) }));
}

/** A POST to the console API signed with `credentials` (SigV4, service `signin`). */
export async function signedPost<T>(path: string, body: unknown, credentials: SessionCredentials, region: string): Promise<T> {
  const url = new URL(`${API_BASE}${path}`, window.location.origin);
  const signer = new SignatureV4({
    credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey, sessionToken: credentials.sessionToken },
    region, service: 'signin', sha256: Sha256Js,
  });
  const payload = JSON.stringify(body ?? {});
  const signed = await signer.sign({
    method: 'POST', protocol: url.protocol, hostname: url.hostname, port: url.port ? Number(url.port) : undefined,
    path: url.pathname, query: {},
    headers: { host: url.host, 'content-type': 'application/json' },
    body: payload,
  });
  const headers = new Headers();
  // The browser sets Host itself (to the same value the signature covers).
  for (const [k, v] of Object.entries(signed.headers)) if (k.toLowerCase() !== 'host') headers.set(k, v as string);
  return answer(await fetch(url, { method: 'POST', headers, body: payload }));
}

/** Sign-in with a long-term access key: the secret signs this one request and is then dropped. */
export function accessKeySignIn(accessKeyId: string, secretAccessKey: string, region: string): Promise<SignedIn> {
  return signedPost('/sign-in/access-key', {}, { accessKeyId, secretAccessKey }, region);
}
