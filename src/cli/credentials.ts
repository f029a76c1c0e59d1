/**
 * `coffer credentials [serve options]`: prints `export` lines for the root credentials file,
 * for `eval "$(npx coffer credentials)"`. The secret reaches only the shell that asked.
 * It reads the same configuration as `coffer serve` (flags, COFFER_* variables, --config), so
 * the endpoint printed is the one serve listens on, https:// with TLS, with the CA to trust.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseServeArgs, StartupError, type ServerConfig } from '../config.ts';

export const CREDENTIALS_HELP = `usage: coffer credentials [--data-dir DIR] [--config FILE] [other coffer serve options]

Prints an export line for the root credentials that coffer serve wrote to DIR/root-credentials
at its first start, for eval "$(coffer credentials)". Give it the options (or COFFER_*
variables, or --config file) coffer serve runs with: the endpoint printed is serve's listen
address (loopback for a wildcard address), https:// when TLS is on, with AWS_CA_BUNDLE set to
the CA clients must trust (--tls self-signed: DATA_DIR/tls/ca.pem; else --tls-ca, if given).
COFFER_ENDPOINT overrides the endpoint printed (default http://127.0.0.1:4599).
`;

export function credentials(args: string[]): void {
  const config = parseServeArgs(args);
  const file = join(config.dataDir, 'root-credentials');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new StartupError(code === 'ENOENT'
      ? `no ${file}: coffer serve writes it at its first start with this --data-dir, unless COFFER_ROOT_ACCESS_KEY_ID was given`
      : `cannot read ${file}: ${(err as Error).message}`);
  }
  const get = (k: string) => new RegExp(`^${k}\\s*=\\s*(.+)$`, 'm').exec(text)?.[1]?.trim() ?? '';
  const endpoint = process.env.COFFER_ENDPOINT || listenEndpoint(config);
  const ca = endpoint.startsWith('https://') ? caBundle(config) : undefined;
  const region = get('region') || (config.regions === 'any' ? 'us-east-1' : config.regions[0]!);
  process.stdout.write(
    `export AWS_ACCESS_KEY_ID=${get('aws_access_key_id')} AWS_SECRET_ACCESS_KEY=${get('aws_secret_access_key')} ` +
    `AWS_REGION=${region} AWS_ENDPOINT_URL=${shellWord(endpoint)}${ca === undefined ? '' : ` AWS_CA_BUNDLE=${shellWord(ca)}`}\n`,
  );
}

/** Where serve listens, as a client on this machine reaches it: a wildcard address is reached on loopback. */
function listenEndpoint(config: ServerConfig): string {
  const host = config.host === '0.0.0.0' || config.host === '' ? '127.0.0.1' : config.host === '::' ? '::1' : config.host;
  return `${config.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${config.port}`;
}

/** The CA serve prints for AWS_CA_BUNDLE (src/tls/server-tls.ts): --tls-ca, else the development CA. */
function caBundle(config: ServerConfig): string | undefined {
  if (!config.tls) return undefined;
  return config.tls.caFile ?? (config.tls.mode === 'self-signed' ? join(config.dataDir, 'tls', 'ca.pem') : undefined);
}

/** Quoted for the shell that evals the line when it holds anything but plain path characters. */
function shellWord(value: string): string {
  return /^[\w./:@\[\]+,-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}
