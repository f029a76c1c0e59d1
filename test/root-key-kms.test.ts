/**
 * The external KMS provider against a second coffer process acting as the KMS: the root key
 * is recorded only as that KMS's ciphertext blob and unwrapped with Decrypt at each start.
 * A disabled key, credentials without kms:Decrypt or an unreachable endpoint refuse the
 * start with what KMS said; a rotation moves a key-file database onto the external key
 * while it runs.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CreateKeyCommand, DecryptCommand, DisableKeyCommand, EnableKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { CreateSecretCommand, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { startServer, TEST_DATABASE, type Credentials, type TestServer } from './helpers/server.ts';
import { secretsManager } from './helpers/clients.ts';
import { iamClient, userWithKey } from './helpers/iam.ts';
import { kmsClient } from './helpers/kms.ts';
import { sql } from './helpers/db-rows.ts';
import { filesUnder, occurrences, pgDump, text, type Haystack } from './helpers/scan.ts';
import { keyDir, keyNeedles, kmsMaterials, rootKeyCommand, serveRefused, writeSecretFile } from './helpers/root-key.ts';
import type { KmsRecord } from '../src/crypto/root-key-source.ts';

const tag = randomBytes(4).toString('hex');

/** `--root-key-provider kms` options and credentials pointing at `kms`. */
function kmsOptions(external: TestServer, keyArn?: string): string[] {
  return ['--root-key-provider', 'kms', '--root-key-kms-endpoint', external.endpoint, '--root-key-kms-region', 'us-east-1',
    ...(keyArn ? ['--root-key-kms-key-id', keyArn] : [])];
}
const kmsCredentials = (c: Credentials, prefix = 'COFFER_ROOT_KEY_KMS_') => ({
  [`${prefix}ACCESS_KEY_ID`]: c.accessKeyId, [`${prefix}SECRET_ACCESS_KEY`]: c.secretAccessKey,
});

async function kmsRecord(server: TestServer, generation: number): Promise<KmsRecord> {
  const { rows } = await sql(server, 'SELECT provider FROM {schema}root_keys WHERE generation = $1', [generation]);
  return JSON.parse(String(rows[0]!.provider)) as KmsRecord;
}

/** The root key, as only a holder of the external key's kms:Decrypt can get it. */
async function unwrap(kms: KMSClient, record: KmsRecord): Promise<Buffer> {
  const out = await kms.send(new DecryptCommand({ CiphertextBlob: Buffer.from(record.ciphertextBlob!, 'base64'), EncryptionContext: record.encryptionContext }));
  return Buffer.from(out.Plaintext!);
}

describe('a root key unwrapped by an external KMS (another coffer)', () => {
  let external: TestServer;
  let kms: KMSClient;
  let keyArn: string;
  let server: TestServer;
  const value = `PLAINTEXT-${tag}-under-an-external-key`;

  before(async () => {
    external = await startServer();
    kms = kmsClient(external);
    keyArn = (await kms.send(new CreateKeyCommand({ Description: 'coffer root key wrapping key' }))).KeyMetadata!.Arn!;
    server = await startServer({ args: kmsOptions(external, keyArn), env: kmsCredentials(external.root) });
    await secretsManager(server).send(new CreateSecretCommand({ Name: `kms-root/${tag}`, SecretString: value }));
  });
  after(async () => {
    await server?.destroy();
    await external?.destroy();
  });

  test('the database holds the root key only as the external KMS ciphertext, bound to its purpose', async () => {
    const record = await kmsRecord(server, 1);
    assert.equal(record.kind, 'kms');
    assert.equal(record.keyId, keyArn);
    assert.deepEqual(record.encryptionContext, { 'coffer:purpose': 'root-key', 'coffer:root-key-generation': '1' });
    assert.equal(existsSync(join(server.dataDir, 'root.key')), false);
    const rootKey = await unwrap(kms, record);
    assert.equal(rootKey.length, 32);
    // Without the encryption context, KMS refuses: the blob is not a general-purpose ciphertext.
    await assert.rejects(kms.send(new DecryptCommand({ CiphertextBlob: Buffer.from(record.ciphertextBlob!, 'base64') })), { name: 'InvalidCiphertextException' });
  });

  test('a restart unwraps it again with only the endpoint and credentials (the key ARN is recorded)', async () => {
    assert.equal(await server.stop(), 0);
    server = await startServer({ dataDir: server.dataDir, databaseUrl: server.databaseUrl, root: server.root, args: kmsOptions(external), env: kmsCredentials(external.root) });
    assert.equal((await secretsManager(server).send(new GetSecretValueCommand({ SecretId: `kms-root/${tag}` }))).SecretString, value);
  });

  test('a disabled key, credentials without kms:Decrypt, or an unreachable KMS refuse the start with what KMS said', async () => {
    assert.equal(await server.stop(), 0);
    await kms.send(new DisableKeyCommand({ KeyId: keyArn }));
    try {
      const disabled = await serveRefused(server, kmsOptions(external), kmsCredentials(external.root));
      assert.equal(disabled.code, 1, disabled.stderr);
      assert.match(disabled.stderr, new RegExp(`^coffer: KMS Decrypt of the root key with ${keyArn} at ${external.endpoint} failed: DisabledException: `));
      assert.doesNotMatch(disabled.stderr, /\n\s+at /, 'a message, not a stack trace');
    } finally {
      await kms.send(new EnableKeyCommand({ KeyId: keyArn }));
    }
    const nobody = (await userWithKey(iamClient(external), `no-kms-${tag}`)).credentials;
    const denied = await serveRefused(server, kmsOptions(external), kmsCredentials(nobody));
    assert.equal(denied.code, 1, denied.stderr);
    assert.match(denied.stderr, /KMS Decrypt of the root key with .* failed: AccessDeniedException: .*kms:Decrypt/);

    const unreachable = await serveRefused(server, ['--root-key-provider', 'kms', '--root-key-kms-endpoint', 'http://127.0.0.1:9', '--root-key-kms-region', 'us-east-1'], kmsCredentials(external.root));
    assert.equal(unreachable.code, 1, unreachable.stderr);
    assert.match(unreachable.stderr, /KMS Decrypt of the root key with .* at http:\/\/127\.0\.0\.1:9 failed: .*ECONNREFUSED/);

    server = await startServer({ dataDir: server.dataDir, databaseUrl: server.databaseUrl, root: server.root, args: kmsOptions(external), env: kmsCredentials(external.root) });
    assert.equal((await secretsManager(server).send(new GetSecretValueCommand({ SecretId: `kms-root/${tag}` }))).SecretString, value);
  });

  test('a key-file database rotates onto the external key while it runs, and then needs no key file', async () => {
    const keys = keyDir();
    try {
      const fileKey = randomBytes(32);
      const keyFile = writeSecretFile(join(keys.dir, 'root.key'), fileKey.toString('base64'));
      const onFile = await startServer({ args: ['--root-key-file', keyFile] });
      try {
        await secretsManager(onFile).send(new CreateSecretCommand({ Name: `kms-root/${tag}/file`, SecretString: `${value}-file` }));
        const rotated = await rootKeyCommand(onFile, 'rotate', [
          '--root-key-file', keyFile, '--new-root-key-provider', 'kms', '--new-root-key-kms-key-id', keyArn,
          '--new-root-key-kms-endpoint', external.endpoint, '--new-root-key-kms-region', 'us-east-1',
        ], kmsCredentials(external.root, 'COFFER_NEW_ROOT_KEY_KMS_'));
        assert.equal(rotated.code, 0, `${rotated.stdout}\n${rotated.stderr}`);
        assert.match(rotated.stdout, new RegExp(`added root key generation 2 \\(the external KMS key ${keyArn}, provider kms\\)`));
        assert.match(rotated.stdout, /done: every sealed value is under root key generation 2/);
        assert.equal((await secretsManager(onFile).send(new GetSecretValueCommand({ SecretId: `kms-root/${tag}/file` }))).SecretString, `${value}-file`);
        assert.deepEqual((await kmsRecord(onFile, 2)).encryptionContext, { 'coffer:purpose': 'root-key', 'coffer:root-key-generation': '2' });

        assert.equal(await onFile.stop(), 0);
        const refused = await serveRefused(onFile, ['--root-key-file', keyFile]);
        assert.match(refused.stderr, /is root key generation 1, which `coffer root-key rotate` retired/);
        const onKms = await startServer({ dataDir: onFile.dataDir, databaseUrl: onFile.databaseUrl, root: onFile.root, args: kmsOptions(external), env: kmsCredentials(external.root) });
        try {
          assert.equal((await secretsManager(onKms).send(new GetSecretValueCommand({ SecretId: `kms-root/${tag}/file` }))).SecretString, `${value}-file`);
        } finally {
          assert.equal(await onKms.stop(), 0);
        }
      } finally {
        await onFile.destroy();
      }
    } finally {
      keys.done();
    }
  });

  test('neither the root key nor key material is in the data dir or a database dump', async () => {
    const rootKey = await unwrap(kms, await kmsRecord(server, 1));
    const needles = [
      ...keyNeedles('root key', rootKey),
      ...(await kmsMaterials(server, 1, rootKey)).flatMap((m) => keyNeedles('KMS key material', m)),
      text('secret value', value), text('KMS credentials', external.root.secretAccessKey),
    ];
    const haystacks: Haystack[] = filesUnder(server.dataDir);
    if (TEST_DATABASE === 'postgres') haystacks.push(await pgDump(server.databaseUrl));
    assert.ok(occurrences([text('secret name', `kms-root/${tag}`)], haystacks).length > 0, 'control not found');
    assert.deepEqual(occurrences(needles, haystacks), []);
  });
});
