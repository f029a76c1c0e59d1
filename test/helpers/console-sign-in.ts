/** The console's sign-in API (`POST /console/api/sign-in`) as the tests call it, without a browser. */
import type { Credentials, TestServer } from './server.ts';

/** The one answer to every failed password sign-in (src/console/sign-in.ts). */
export const SIGN_IN_FAILED = 'Your authentication information is incorrect. Please try again.';

export interface SignInAnswer {
  status?: string;
  code?: string;
  message?: string;
  identity?: { accountId: string; arn: string; userName?: string; isRoot: boolean };
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken: string; expiration: string };
  mfa?: boolean;
  passwordChangeRequired?: boolean;
  passwordExpired?: boolean;
}

export async function postSignIn(server: TestServer, body: unknown): Promise<{ status: number; body: SignInAnswer }> {
  const res = await fetch(`${server.endpoint}/console/api/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() as SignInAnswer };
}

/** The session credentials of a successful sign-in, for the SDK clients. */
export const sessionCreds = (a: SignInAnswer): Credentials & { sessionToken: string } => ({
  accessKeyId: a.credentials!.accessKeyId, secretAccessKey: a.credentials!.secretAccessKey, sessionToken: a.credentials!.sessionToken,
});
