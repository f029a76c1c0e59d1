/**
 * How `coffer serve` speaks TLS: not at all (the default), with the operator's certificate
 * and key (`--tls-cert`, `--tls-key`), or with a development CA and server certificate that
 * coffer makes once and keeps in its data dir (`--tls self-signed`). See docs/operations.md, "TLS".
 */
import { resolve } from 'node:path';
import { UsageError } from '../config.ts';

export type TlsOptions =
  | { mode: 'files'; certFile: string; keyFile: string; caFile?: string }
  | { mode: 'self-signed'; caFile?: string };

export const TLS_FLAGS = ['tls', 'tls-cert', 'tls-key', 'tls-ca'];

/** `one(flag, envName)`: the option's value from the flag, the environment or the config file. */
export function parseTlsOptions(one: (name: string, envName: string) => string | undefined): TlsOptions | undefined {
  const mode = one('tls', 'COFFER_TLS');
  const cert = one('tls-cert', 'COFFER_TLS_CERT');
  const key = one('tls-key', 'COFFER_TLS_KEY');
  const ca = one('tls-ca', 'COFFER_TLS_CA');
  const caFile = ca === undefined ? undefined : resolve(ca);
  if (mode !== undefined && !['off', 'on', 'self-signed'].includes(mode)) {
    throw new UsageError(`--tls must be off, on (with --tls-cert and --tls-key) or self-signed, got '${mode}'`);
  }
  if (mode === 'self-signed') {
    if (cert !== undefined || key !== undefined) throw new UsageError('--tls self-signed makes its own certificate: give either it or --tls-cert and --tls-key');
    return { mode: 'self-signed', caFile };
  }
  if (mode === 'off') {
    if (cert !== undefined || key !== undefined) throw new UsageError('--tls off, but --tls-cert or --tls-key is given');
    return undefined;
  }
  if ((cert === undefined) !== (key === undefined)) throw new UsageError('--tls-cert and --tls-key go together');
  if (cert === undefined || key === undefined) {
    if (mode === 'on') throw new UsageError('--tls on needs --tls-cert FILE and --tls-key FILE');
    if (caFile !== undefined) throw new UsageError('--tls-ca is for a server that speaks TLS: give --tls-cert and --tls-key, or --tls self-signed');
    return undefined;
  }
  return { mode: 'files', certFile: resolve(cert), keyFile: resolve(key), caFile };
}
