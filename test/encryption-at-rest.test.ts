/**
 * A copy of the data dir or of the database reveals no secret value and no secret access
 * key. The scans are proven able to see plaintext by a control string the server stores in
 * the clear (a description and a tag value), and the values are proven stored (as
 * ciphertext) by reading the version rows themselves.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import {
  CreateSecretCommand, GetSecretValueCommand, ListSecretsCommand, PutSecretValueCommand, UpdateSecretCommand,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { startServer, TEST_DATABASE, type TestServer } from './helpers/server.ts';
import { secretsManager } from './helpers/clients.ts';
import { binary, filesUnder, occurrences, pgDump, text, type Haystack, type Needle } from './helpers/scan.ts';

const tag = randomBytes(6).toString('hex');
const stringValues = [1, 2, 3].map((i) => `{"username":"app","password":"PLAINTEXT-${tag}-string-v${i}"}`);
const binaryValues = [1, 2].map(() => Buffer.concat([Buffer.from('PLAINBYTES'), randomBytes(48)]));
const updatedValue = `PLAINTEXT-${tag}-via-update-secret`;
const control = `CONTROL-${tag}-not-a-secret`;

interface SealedRow { version_id: string; value_kind: string | null; ciphertext: Buffer | null; encrypted_data_key: Buffer | null }

/** The stored version rows, read straight from the database as an attacker would. */
async function versionRows(server: TestServer): Promise<SealedRow[]> {
  const query = 'SELECT version_id, value_kind, ciphertext, encrypted_data_key FROM secret_versions';
  if (TEST_DATABASE === 'sqlite') {
    const db = new SQLite(join(server.dataDir, 'coffer.db'), { readonly: true });
    try {
      return db.prepare(query).all() as SealedRow[];
    } finally {
      db.close();
    }
  }
  const url = new URL(server.databaseUrl);
  const schema = url.searchParams.get('schema')!;
  url.searchParams.delete('schema');
  const client = new pg.Client({ connectionString: url.toString(), options: `-c search_path=${schema}` });
  await client.connect();
  try {
    return (await client.query<SealedRow>(query)).rows;
  } finally {
    await client.end();
  }
}

describe('secret values and access keys are encrypted at rest', () => {
  let server: TestServer;
  let needles: Needle[];
  const versionIds: string[] = [];

  before(async () => {
    server = await startServer();
    const sm = secretsManager(server);
    const s = await sm.send(new CreateSecretCommand({
      Name: `at-rest/string-${tag}`, SecretString: stringValues[0], Description: `${control}-description`,
      Tags: [{ Key: 'control', Value: `${control}-tag` }],
    }));
    versionIds.push(s.VersionId!);
    versionIds.push((await sm.send(new PutSecretValueCommand({ SecretId: s.ARN, SecretString: stringValues[1] }))).VersionId!);
    // A custom label keeps an older version around under a label of its own.
    const v3 = await sm.send(new PutSecretValueCommand({ SecretId: s.ARN, SecretString: stringValues[2], VersionStages: ['staged'] }));
    versionIds.push(v3.VersionId!);
    const current = await sm.send(new GetSecretValueCommand({ SecretId: s.ARN }));
    await sm.send(new UpdateSecretVersionStageCommand({ SecretId: s.ARN, VersionStage: 'AWSCURRENT', MoveToVersionId: v3.VersionId, RemoveFromVersionId: current.VersionId }));
    versionIds.push((await sm.send(new UpdateSecretCommand({ SecretId: s.ARN, SecretString: updatedValue }))).VersionId!);

    const b = await sm.send(new CreateSecretCommand({ Name: `at-rest/binary-${tag}`, SecretBinary: binaryValues[0] }));
    versionIds.push(b.VersionId!);
    versionIds.push((await sm.send(new PutSecretValueCommand({ SecretId: b.ARN, SecretBinary: binaryValues[1] }))).VersionId!);

    // The values really are stored and served back.
    assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: s.ARN }))).SecretString, updatedValue);
    assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: s.ARN, VersionId: versionIds[0] }))).SecretString, stringValues[0]);
    assert.deepEqual(Buffer.from((await sm.send(new GetSecretValueCommand({ SecretId: b.ARN }))).SecretBinary!), binaryValues[1]);

    needles = [
      ...stringValues.map((v, i) => text(`string value v${i + 1}`, v)),
      // The distinctive part alone too, in case the JSON around it were stored differently.
      ...stringValues.map((v, i) => text(`password v${i + 1}`, `PLAINTEXT-${tag}-string-v${i + 1}`)),
      text('UpdateSecret value', updatedValue),
      ...binaryValues.flatMap((v, i) => binary(`binary value v${i + 1}`, v)),
      text('root secret access key', server.root.secretAccessKey),
    ];
  });
  after(() => server?.destroy());

  test('the scan sees what is stored in the clear: the control strings are found', async () => {
    const haystacks: Haystack[] = TEST_DATABASE === 'sqlite' ? filesUnder(server.dataDir) : [await pgDump(server.databaseUrl)];
    const found = occurrences([text('description', `${control}-description`), text('tag value', `${control}-tag`)], haystacks);
    assert.equal(found.filter((f) => f.startsWith('description')).length > 0, true, `control description not found in ${haystacks.map((h) => h.name)}`);
    assert.equal(found.filter((f) => f.startsWith('tag value')).length > 0, true, 'control tag value not found');
  });

  test('every version is stored as ciphertext with a wrapped data key', async () => {
    const rows = await versionRows(server);
    for (const id of versionIds) {
      const row = rows.find((r) => r.version_id === id);
      assert.ok(row, `version ${id} is not stored`);
      assert.ok(row.ciphertext && row.ciphertext.length >= 16, `version ${id} has no ciphertext`);
      assert.ok(row.encrypted_data_key && row.encrypted_data_key.length >= 32, `version ${id} has no wrapped data key`);
    }
    const allCipher = rows.map((r) => ({ name: `ciphertext of ${r.version_id}`, bytes: Buffer.concat([r.ciphertext ?? Buffer.alloc(0), r.encrypted_data_key ?? Buffer.alloc(0)]) }));
    assert.deepEqual(occurrences(needles, allCipher), []);
  });

  test('no plaintext in the data dir (or a pg_dump) while the server runs', async () => {
    // The SQLite -wal file holds the most recent writes until a checkpoint.
    const haystacks = filesUnder(server.dataDir);
    if (TEST_DATABASE === 'postgres') {
      const dump = await pgDump(server.databaseUrl);
      assert.match(dump.bytes.toString('utf8'), /secret_versions/);
      haystacks.push(dump);
    }
    assert.deepEqual(occurrences(needles, haystacks), []);
  });

  test('no plaintext in the data dir, the database or the logs after a clean stop', async () => {
    // Reads before the stop leave nothing behind either.
    await secretsManager(server).send(new ListSecretsCommand({}));
    assert.equal(await server.stop(), 0);
    const haystacks = filesUnder(server.dataDir);
    if (TEST_DATABASE === 'sqlite') {
      assert.ok(haystacks.some((h) => h.name.endsWith('coffer.db')));
      assert.ok(occurrences([text('control', control)], haystacks).length > 0, 'the control string is in the database file');
    } else {
      haystacks.push(await pgDump(server.databaseUrl));
    }
    haystacks.push({ name: 'stdout', bytes: Buffer.from(server.stdout()) }, { name: 'stderr', bytes: Buffer.from(server.stderr()) });
    assert.deepEqual(occurrences(needles, haystacks), []);
  });
});

describe('generated root credentials', () => {
  let server: TestServer;
  before(async () => { server = await startServer({ root: null }); });
  after(() => server?.destroy());

  test('are written to a 0600 credentials file whose path is printed, and the secret is never printed', async () => {
    const file = join(server.dataDir, 'root-credentials');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const content = readFileSync(file, 'utf8');
    assert.match(content, /^\[default\]\naws_access_key_id = AKIA[A-Z2-7]{16}\naws_secret_access_key = [A-Za-z0-9+/]{40}\nregion = us-east-1\n$/);
    assert.ok(server.stdout().includes(file), 'the banner names the credentials file');
    assert.ok(!server.stdout().includes(server.root.secretAccessKey), 'secret on stdout');
    assert.ok(!server.stderr().includes(server.root.secretAccessKey), 'secret on stderr');
    // They work.
    const listed = await secretsManager(server).send(new ListSecretsCommand({}));
    assert.equal(listed.$metadata.httpStatusCode, 200);
  });

  test('the database holds the generated secret access key only sealed', async () => {
    const credentialsFile = join(server.dataDir, 'root-credentials');
    const secret = text('generated root secret access key', server.root.secretAccessKey);
    const haystacks = filesUnder(server.dataDir, (p) => p === credentialsFile);
    if (TEST_DATABASE === 'postgres') haystacks.push(await pgDump(server.databaseUrl));
    assert.deepEqual(occurrences([secret], haystacks), []);
    // The same scan finds the key id, which is stored in the clear.
    assert.ok(occurrences([text('access key id', server.root.accessKeyId)], haystacks).length > 0);
  });
});
