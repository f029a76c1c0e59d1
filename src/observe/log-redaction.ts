/**
 * Defence in depth for the JSON logs: no code logs a request's input or output, but should a
 * secret-bearing object reach a log call (an error carrying its input, a future debug line),
 * pino replaces these members with "[REDACTED]" at the top level and two levels down.
 * Names are those of the AWS models' sensitive members and of coffer's own objects.
 */
import type { LoggerOptions } from 'pino';

const NAMES = [
  'SecretString', 'SecretBinary', 'RandomPassword', 'Password', 'NewPassword', 'OldPassword',
  'Plaintext', 'SecretAccessKey', 'SessionToken', 'PrivateKey', 'Base32StringSeed',
  'AuthenticationCode1', 'AuthenticationCode2', 'TokenCode', 'Variables', 'ZipFile', 'Payload',
  // coffer's own spellings (credentials, root key, function environments).
  'secretString', 'secretBinary', 'password', 'passphrase', 'plaintext', 'secretAccessKey',
  'sessionToken', 'privateKey', 'rootKey', 'dataKey', 'authorization', 'Authorization',
  'x-amz-security-token', 'environment',
];

/** fast-redact paths: a name at the top level, one and two levels down; bracketed where not an identifier. */
export function redactPaths(): string[] {
  const paths: string[] = [];
  for (const name of NAMES) {
    const identifier = /^[A-Za-z_$][\w$]*$/.test(name);
    const member = identifier ? `.${name}` : `["${name}"]`;
    paths.push(identifier ? name : member, `*${member}`, `*.*${member}`);
  }
  return paths;
}

export const LOG_REDACTION: NonNullable<LoggerOptions['redact']> = { paths: redactPaths(), censor: '[REDACTED]' };
