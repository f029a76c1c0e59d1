/**
 * `coffer credentials [--data-dir DIR]`: prints `export` lines for the root credentials file,
 * for `eval "$(npx coffer credentials)"`. The secret reaches only the shell that asked.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEFAULT_HOST, DEFAULT_PORT } from '../config.ts';

export const CREDENTIALS_HELP = `usage: coffer credentials [--data-dir DIR]

Prints an export line for the root credentials that coffer serve wrote to DIR/root-credentials
at its first start, for eval "$(coffer credentials)". COFFER_ENDPOINT overrides the endpoint
printed (default http://127.0.0.1:4599).
`;

export function credentials(args: string[]): void {
  const i = args.indexOf('--data-dir');
  const dataDir = resolve(i >= 0 ? args[i + 1]! : process.env.COFFER_DATA_DIR ?? './coffer-data');
  const text = readFileSync(join(dataDir, 'root-credentials'), 'utf8');
  const get = (k: string) => new RegExp(`^${k}\\s*=\\s*(.+)$`, 'm').exec(text)?.[1]?.trim() ?? '';
  const endpoint = `http://${DEFAULT_HOST}:${DEFAULT_PORT}`;
  process.stdout.write(
    `export AWS_ACCESS_KEY_ID=${get('aws_access_key_id')} AWS_SECRET_ACCESS_KEY=${get('aws_secret_access_key')} ` +
    `AWS_REGION=${get('region') || 'us-east-1'} AWS_ENDPOINT_URL=${process.env.COFFER_ENDPOINT ?? endpoint}\n`,
  );
}
