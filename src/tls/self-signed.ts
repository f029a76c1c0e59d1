/**
 * `--tls self-signed`: a development CA and a server certificate for this machine's names
 * (localhost, 127.0.0.1, ::1 and the listen host), made once and kept in `<data-dir>/tls/`:
 *
 *   ca.pem       the CA certificate, to give clients as AWS_CA_BUNDLE (mode 0644)
 *   server.pem   the server certificate (mode 0644)
 *   server.key   its private key (mode 0600)
 *
 * The CA's private key is never written: it signs the server certificate and is dropped, so
 * a copy of the data dir cannot mint certificates for other names that a client trusting
 * ca.pem would accept. When the certificate no longer fits (another listen host, or less than
 * 30 days left) a new CA and certificate replace both files at the same paths, and clients
 * must reload ca.pem.
 *
 * Keys are RSA-2048 from node:crypto; node-forge writes and signs the X.509 structures with
 * the extensions strict verifiers (OpenSSL's X509_STRICT, used by Python 3.13) require.
 */
import { generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import forge from 'node-forge';

export interface SelfSignedFiles {
  caFile: string;
  certFile: string;
  keyFile: string;
  /** True when this call made them (first start, or the old ones no longer fit). */
  created: boolean;
}

const DAY_MS = 86_400_000;
/** Browsers' and Apple's ceiling for a server certificate; renewed 30 days before it ends. */
const SERVER_DAYS = 825;
const RENEW_BEFORE_MS = 30 * DAY_MS;

/** The names the certificate covers: loopback always, the listen host, this machine's name for a wildcard. */
export function certificateNames(listenHost: string): string[] {
  const names = ['localhost', '127.0.0.1', '::1'];
  const wildcard = listenHost === '' || listenHost === '0.0.0.0' || listenHost === '::';
  for (const extra of wildcard ? [hostname()] : [listenHost]) if (extra && !names.includes(extra.toLowerCase())) names.push(extra.toLowerCase());
  return names;
}

export function ensureSelfSigned(dataDir: string, listenHost: string, now = new Date()): SelfSignedFiles {
  const dir = join(dataDir, 'tls');
  const files = { caFile: join(dir, 'ca.pem'), certFile: join(dir, 'server.pem'), keyFile: join(dir, 'server.key') };
  const names = certificateNames(listenHost);
  if (stillFits(files, names, now)) return { ...files, created: false };

  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const ca = keyPair();
  const caCert = certificate({
    subject: 'coffer development CA', issuer: undefined, publicKey: ca.publicKey, signingKey: ca.privateKey,
    notBefore: now, notAfter: new Date(now.getTime() + (SERVER_DAYS + 1) * DAY_MS), ca: true,
  });
  const server = keyPair();
  const serverCert = certificate({
    subject: names[0]!, issuer: caCert, publicKey: server.publicKey, signingKey: ca.privateKey,
    notBefore: now, notAfter: new Date(now.getTime() + SERVER_DAYS * DAY_MS), ca: false, names,
  });
  // The key first: a certificate on disk always has its key beside it.
  writeAtomically(files.keyFile, forge.pki.privateKeyToPem(server.privateKey), 0o600);
  writeAtomically(files.certFile, forge.pki.certificateToPem(serverCert), 0o644);
  writeAtomically(files.caFile, forge.pki.certificateToPem(caCert), 0o644);
  return { ...files, created: true };
}

function stillFits(files: { caFile: string; certFile: string; keyFile: string }, names: string[], now: Date): boolean {
  if (!existsSync(files.caFile) || !existsSync(files.certFile) || !existsSync(files.keyFile)) return false;
  try {
    const cert = new X509Certificate(readFileSync(files.certFile));
    const ca = new X509Certificate(readFileSync(files.caFile));
    if (!cert.verify(ca.publicKey)) return false;
    if (new Date(cert.validTo).getTime() - now.getTime() < RENEW_BEFORE_MS) return false;
    return names.every((n) => (isIP(n) ? cert.checkIP(n) !== undefined : cert.checkHost(n, { wildcards: false }) !== undefined));
  } catch {
    return false;
  }
}

interface ForgeKeyPair {
  publicKey: forge.pki.rsa.PublicKey;
  privateKey: forge.pki.rsa.PrivateKey;
}

/** Generated natively (forge's own RSA generation is pure JavaScript and slow). */
function keyPair(): ForgeKeyPair {
  const pair = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
  return {
    publicKey: forge.pki.publicKeyFromPem(pair.publicKey) as forge.pki.rsa.PublicKey,
    privateKey: forge.pki.privateKeyFromPem(pair.privateKey) as forge.pki.rsa.PrivateKey,
  };
}

interface CertificateSpec {
  subject: string;
  /** The CA certificate that signs; undefined: self-signed (the CA itself). */
  issuer: forge.pki.Certificate | undefined;
  publicKey: forge.pki.rsa.PublicKey;
  signingKey: forge.pki.rsa.PrivateKey;
  notBefore: Date;
  notAfter: Date;
  ca: boolean;
  names?: string[];
}

function certificate(spec: CertificateSpec): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = spec.publicKey;
  // A positive 128-bit serial: the top bit cleared so DER does not read it as negative.
  const serial = randomBytes(16);
  serial[0]! &= 0x7f;
  cert.serialNumber = serial.toString('hex');
  // A minute back, so a client whose clock is a little behind accepts it at once.
  cert.validity.notBefore = new Date(spec.notBefore.getTime() - 60_000);
  cert.validity.notAfter = spec.notAfter;
  const subject = [{ name: 'commonName', value: spec.subject }, { name: 'organizationName', value: 'coffer (development)' }];
  cert.setSubject(subject);
  cert.setIssuer(spec.issuer ? spec.issuer.subject.attributes : subject);
  const extensions: object[] = [{ name: 'subjectKeyIdentifier' }];
  if (spec.ca) {
    extensions.push(
      { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    );
  } else {
    extensions.push(
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: (spec.names ?? []).map((n) => (isIP(n) ? { type: 7, ip: n } : { type: 2, value: n })) },
      { name: 'authorityKeyIdentifier', keyIdentifier: spec.issuer!.generateSubjectKeyIdentifier().getBytes() },
    );
  }
  cert.setExtensions(extensions);
  cert.sign(spec.signingKey, forge.md.sha256.create());
  return cert;
}

/** Written beside, then renamed: a reader never sees half a file, and the mode is set before any content is. */
function writeAtomically(path: string, text: string, mode: number): void {
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(tmp, text, { mode, flag: 'wx' });
  chmodSync(tmp, mode);
  renameSync(tmp, path);
}
