/**
 * Console sign-out: the page signs `POST /console/api/sign-out` with the session it ends, and
 * the server revokes that STS session (src/auth/sessions.ts `revoke`), so its credentials stop
 * working at once — on every node — instead of living on until they expire. Only a console
 * session may end itself this way: other temporary credentials (AssumeRole, GetSessionToken)
 * have no sign-out in AWS either, and a long-term key is not a session.
 */
import type { App } from '../app.ts';
import type { Authenticated } from '../auth/authenticate.ts';
import { isTemporary } from '../auth/principal.ts';
import { ConsoleError } from './sign-in.ts';

export async function signOut(app: Pick<App, 'credentials'>, who: Authenticated): Promise<{ status: 'signed-out' }> {
  const p = who.principal;
  if (!isTemporary(p) || !p.consoleSession) {
    throw new ConsoleError(403, 'AccessDenied', 'Only a console session can sign out; sign this request with the session the console was given.');
  }
  await app.credentials.revokeSession(p.accessKeyId);
  return { status: 'signed-out' };
}
