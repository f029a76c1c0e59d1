/**
 * The certificate and key `coffer serve` presents: the operator's files (`--tls-cert`,
 * `--tls-key`) or the development ones (`--tls self-signed`), checked before the node starts
 * so a wrong path or a key that is not the certificate's stops it with a clear message.
 */
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { StartupError } from '../config.ts';
import type { TlsOptions } from './tls-options.ts';
import type { TlsMaterial } from './https-server.ts';
import { ensureSelfSigned } from './self-signed.ts';

export interface ServerTls {
  material: TlsMaterial;
  /** The CA bundle clients (and rotation functions) should trust; undefined: the system's. */
  caFile?: string;
  /** `--tls self-signed`: whether this start made a new CA (clients must reload it). */
  createdCa?: boolean;
}

export function loadServerTls(options: TlsOptions | undefined, dataDir: string, listenHost: string): ServerTls | undefined {
  if (!options) return undefined;
  if (options.mode === 'self-signed') {
    const files = ensureSelfSigned(dataDir, listenHost);
    const material = { cert: read(files.certFile, '--tls self-signed certificate'), key: read(files.keyFile, '--tls self-signed key') };
    check(material, 'the certificate in ' + files.certFile);
    return { material, caFile: options.caFile ?? files.caFile, createdCa: files.created };
  }
  const material = { cert: read(options.certFile, '--tls-cert'), key: read(options.keyFile, '--tls-key') };
  check(material, `--tls-cert ${options.certFile}`);
  if (options.caFile !== undefined) read(options.caFile, '--tls-ca');
  return { material, caFile: options.caFile };
}

function read(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new StartupError(`cannot read ${what} ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (err as Error).message}`);
  }
}

/** OpenSSL's own check: the PEM parses and the key belongs to the certificate. */
function check(material: TlsMaterial, what: string): void {
  try {
    createSecureContext({ cert: material.cert, key: material.key });
  } catch (err) {
    const message = (err as Error).message;
    throw new StartupError(/mismatch/i.test(message)
      ? `--tls-key is not the private key of ${what}`
      : `cannot use ${what} and its key: ${message}`);
  }
}
