/**
 * The peer client's TLS: a peer's private CA is trusted only when given (--peer-ca), and the
 * peer's name must be one its certificate names. A real HTTPS server with a certificate from
 * `--tls self-signed`'s own maker; the refusals happen in the handshake, before any request.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureSelfSigned } from '../../../tls/self-signed.ts';
import { parseReplicationOptions, type PeerRegion } from './options.ts';
import { callPeer } from './peer-client.ts';
import { ReplicationRefused } from './apply.ts';
import { UsageError } from '../../../config.ts';
import { postToPeer } from './peer-transport.ts';

let dir: string;
let server: Server;
let port: number;
let caFile: string;
const credentials = { accessKeyId: 'AKIAPEERCLIENTTEST01', secretAccessKey: 'not-a-real-secret-only-signs-a-test-call' };

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'coffer-peer-tls-'));
  // Names: localhost, 127.0.0.1, ::1; not 127.0.0.2, where the server listens as well.
  const files = ensureSelfSigned(dir, '127.0.0.1');
  caFile = files.caFile;
  server = createServer({ cert: readFileSync(files.certFile), key: readFileSync(files.keyFile) }, (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' }).end('{}');
  }).listen(0, '0.0.0.0');
  await once(server, 'listening');
  port = (server.address() as { port: number }).port;
});
after(() => {
  server?.close();
  server?.closeAllConnections();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function peer(host: string, withCa: boolean): PeerRegion {
  const flags: Record<string, string[]> = { 'peer-region': [`us-west-2=https://${host}:${port}`], ...(withCa ? { 'peer-ca': [caFile] } : {}) };
  const opts = parseReplicationOptions((name) => flags[name]?.at(-1), (name) => flags[name] ?? [], {});
  return { ...opts.peers.get('us-west-2')!, credentials };
}

async function refused(call: Promise<unknown>, message: string): Promise<void> {
  await assert.rejects(call, (err) => {
    assert.ok(err instanceof ReplicationRefused, String(err));
    assert.equal(err.message, message);
    return true;
  });
}

test('--peer-ca: the peer\'s CA is trusted, with the system\'s, and the call goes through', async () => {
  const p = peer('127.0.0.1', true);
  assert.match(p.ca!, /^-----BEGIN CERTIFICATE-----/);
  assert.equal((await postToPeer(p, {}, '{}', 5_000)).status, 200);
  assert.deepEqual(await callPeer(p, 'DeleteReplica', {}), {});
});

test('without --peer-ca, a peer with a private CA is refused, saying what to do', async () => {
  await refused(callPeer(peer('127.0.0.1', false), 'DeleteReplica', {}), `Replication failed: the certificate of the peer deployment of us-west-2 at https://127.0.0.1:${port} is not trusted (UNABLE_TO_VERIFY_LEAF_SIGNATURE): give its CA with --peer-ca; retrying.`);
});

test('the peer\'s name is verified: a trusted CA\'s certificate for other names is refused', async () => {
  await refused(callPeer(peer('127.0.0.2', true), 'DeleteReplica', {}), `Replication failed: the certificate of the peer deployment of us-west-2 at https://127.0.0.2:${port} is not trusted (ERR_TLS_CERT_ALTNAME_INVALID): give its CA with --peer-ca; retrying.`);
});

test('an unreadable --peer-ca, or one without a certificate, stops the start', () => {
  const parse = (file: string) => parseReplicationOptions((name) => (name === 'peer-ca' ? file : undefined), () => [], {});
  assert.throws(() => parse(join(dir, 'missing.pem')), (err) => err instanceof UsageError && /^cannot read --peer-ca .*missing\.pem/.test(err.message));
  const notPem = join(dir, 'not.pem');
  writeFileSync(notPem, 'hello\n');
  assert.throws(() => parse(notPem), (err) => err instanceof UsageError && err.message === `--peer-ca ${notPem} holds no PEM certificate`);
});
