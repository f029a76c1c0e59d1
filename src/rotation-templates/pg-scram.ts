/**
 * A SCRAM-SHA-256 verifier (RFC 7677, PostgreSQL's `rolpassword` format), computed in the
 * function so that ALTER ROLE carries the verifier, not the password: the plaintext never
 * reaches the server's statement log. PostgreSQL stores a verifier given as the password as is.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';

const ITERATIONS = 4096;

/** Passwords SASLprep leaves unchanged (printable ASCII), the only ones hashed here. */
export function scramSafe(password: string): boolean {
  return /^[\x20-\x7e]+$/.test(password);
}

export function scramVerifier(password: string, salt: Buffer = randomBytes(16)): string {
  const salted = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, ITERATIONS, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${ITERATIONS}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}
