/**
 * Signing in as a secret says about TLS, for both engines: `ssl` true requires TLS (verified),
 * false disables it, absent tries TLS first and falls back to plain only when the server has
 * no TLS at all (never after a certificate failure). See settings.ts `tlsMode`.
 */
import type { DbSecret } from './secret-json.ts';
import { tlsMode } from './settings.ts';

/** Null when the login is refused or the server is unreachable (logged, as AWS's templates log it). */
export async function signIn<S>(
  secret: DbSecret,
  open: (tls: boolean) => Promise<S>,
  serverHasNoTls: (err: unknown) => boolean,
): Promise<S | null> {
  const mode = tlsMode(secret.ssl, process.env);
  try {
    if (mode === 'disable') return await open(false);
    try {
      return await open(true);
    } catch (err) {
      if (mode === 'require' || !serverHasNoTls(err)) throw err;
      return await open(false);
    }
  } catch (err) {
    console.log(`Unable to log into ${secret.host} as ${secret.username}: ${(err as Error).message}`);
    return null;
  }
}
