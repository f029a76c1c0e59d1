// e2e: sqlite only — TLS is the transport, the same whichever engine stores the trail.
/**
 * CloudTrail's `tlsDetails` in the audit trail: a call over HTTPS records the negotiated TLS
 * version and cipher suite and the Host header the client sent; over plain HTTP there is none.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { CreateSecretCommand, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { startServer, type TestServer } from './helpers/server.ts';
import { awsCli, secretsManager } from './helpers/clients.ts';

interface Trail { Events: { EventName: string; CloudTrailEvent: string }[] }

async function eventsNamed(server: TestServer, name: string, env: Record<string, string> = {}) {
  const r = await awsCli(server, ['cloudtrail', 'lookup-events', '--lookup-attributes', `AttributeKey=EventName,AttributeValue=${name}`], { env });
  assert.equal(r.code, 0, r.stderr);
  return (r.json as Trail).Events.map((e) => JSON.parse(e.CloudTrailEvent) as Record<string, unknown>);
}

describe('tlsDetails', () => {
  let tls: TestServer;
  let plain: TestServer;
  before(async () => {
    [tls, plain] = await Promise.all([startServer({ args: ['--tls', 'self-signed'] }), startServer()]);
  });
  after(async () => {
    await Promise.all([tls?.destroy(), plain?.destroy()]);
  });

  test('over TLS: the version, the cipher suite and the Host header the client sent', async () => {
    const sm = secretsManager(tls);
    await sm.send(new CreateSecretCommand({ Name: 'tls/audited', SecretString: 'v' }));
    await sm.send(new GetSecretValueCommand({ SecretId: 'tls/audited' }));
    const caFile = join(tls.dataDir, 'tls', 'ca.pem');
    const [event] = await eventsNamed(tls, 'GetSecretValue', { AWS_CA_BUNDLE: caFile });
    assert.ok(event, 'a GetSecretValue event');
    const details = event.tlsDetails as { tlsVersion: string; cipherSuite: string; clientProvidedHostHeader: string };
    assert.deepEqual(Object.keys(details), ['tlsVersion', 'cipherSuite', 'clientProvidedHostHeader']);
    // Node's client and server agree on TLS 1.3 (the server takes 1.2 at least).
    assert.equal(details.tlsVersion, 'TLSv1.3');
    assert.match(details.cipherSuite, /^TLS_(AES_(128|256)_GCM_SHA(256|384)|CHACHA20_POLY1305_SHA256)$/);
    assert.equal(details.clientProvidedHostHeader, new URL(tls.endpoint).host);
    // CloudTrail's order: after eventCategory, the record's last field.
    assert.equal(Object.keys(event).at(-1), 'tlsDetails');
    // The CLI's own LookupEvents call (Python's ssl) is recorded with its TLS session too.
    const [lookup] = await eventsNamed(tls, 'LookupEvents', { AWS_CA_BUNDLE: caFile });
    assert.match((lookup!.tlsDetails as { tlsVersion: string }).tlsVersion, /^TLSv1\.[23]$/);
  });

  test('over plain HTTP: no tlsDetails', async () => {
    await secretsManager(plain).send(new CreateSecretCommand({ Name: 'plain/audited', SecretString: 'v' }));
    const [event] = await eventsNamed(plain, 'CreateSecret');
    assert.ok(event, 'a CreateSecret event');
    assert.equal('tlsDetails' in event, false);
  });
});
