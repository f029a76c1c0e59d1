/**
 * 100 secrets rotated at once through one postgresql-single-user function (issue 6, item 3):
 * every rotation ends with AWSCURRENT's password the one PostgreSQL holds, AWSPREVIOUS the
 * old one and no AWSPENDING left. Against a throwaway PostgreSQL cluster that requires
 * scram-sha-256, so a sign-in proves the password: on the machine's PostgreSQL, which trusts
 * local logins, setSecret's "is AWSPENDING already set?" sign-in succeeds with any password
 * and the function (as AWS's templates would) changes nothing.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DescribeSecretCommand, RotateSecretCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { startServer, type TestServer } from './helpers/server.ts';
import { secretsManager } from './helpers/clients.ts';
import { sql } from './helpers/db-rows.ts';
import { createDbSecret, deployTemplate, pgLogin, rand, scratchPostgres, secretValue, type ScratchPostgres } from './helpers/rotation-templates.ts';

const COUNT = 100;
const run = rand(3);
const prefix = `rt-many-${run}/`;
const users = Array.from({ length: COUNT }, (_, i) => `many_${run}_${String(i).padStart(3, '0')}`);
const initial = (i: number) => `initial-Password-${run}-${i}`;

let server: TestServer;
let sm: SecretsManagerClient;
let fn: string;
let db: ScratchPostgres;

before(async () => {
  [server, db] = await Promise.all([startServer(), scratchPostgres()]);
  const made = await pgLogin(db.admin, (c) => c.query(users.map((u, i) => `CREATE ROLE ${u} LOGIN PASSWORD '${initial(i)}';`).join('\n')));
  assert.ok(!(made && 'refused' in made), JSON.stringify(made));
  sm = secretsManager(server);
  fn = await deployTemplate(server, 'postgresql-single-user', { secretPrefix: prefix });
});

after(async () => {
  await server?.destroy();
  await db?.destroy();
});

/** Signs in as `user`: undefined when it worked, the refusal otherwise. */
async function signIn(user: string, password: string): Promise<string | undefined> {
  const r = await pgLogin({ host: '127.0.0.1', port: db.port, user, password, database: 'postgres' });
  return r && typeof r === 'object' && 'refused' in r ? String(r.refused) : undefined;
}

test(`${COUNT} secrets rotated at once through one function all end valid`, { timeout: 240_000 }, async () => {
  const arns = await Promise.all(users.map((u, i) => createDbSecret(sm, `${prefix}${u}`, {
    engine: 'postgres', host: '127.0.0.1', port: db.port, username: u, password: initial(i), dbname: 'postgres', ssl: false,
  })));
  const firstVersions = await Promise.all(arns.map(async (arn) => {
    const stages = (await sm.send(new DescribeSecretCommand({ SecretId: arn }))).VersionIdsToStages!;
    return Object.keys(stages).find((v) => stages[v]!.includes('AWSCURRENT'))!;
  }));

  const started = Date.now();
  const tokens = await Promise.all(arns.map(async (arn) =>
    (await sm.send(new RotateSecretCommand({ SecretId: arn, RotationLambdaARN: fn }))).VersionId!));

  // Every attempt finished (one query for all: this server holds only these secrets).
  let finished: { arn: string; outcome: string; error: string | null }[] = [];
  for (;;) {
    const { rows } = await sql(server, 'select s.arn, a.outcome, a.error from {schema}rotation_attempts a join {schema}secrets s on s.id = a.secret_id');
    finished = rows as typeof finished;
    if (finished.length >= COUNT && finished.every((r) => r.outcome !== 'running')) break;
    if (Date.now() - started > 180_000) assert.fail(`not finished after 180 s: ${finished.filter((r) => r.outcome !== 'running').length}/${COUNT}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const failures = finished.filter((r) => r.outcome !== 'succeeded');
  assert.deepEqual(failures, [], 'every attempt succeeded');
  assert.equal(finished.length, COUNT, 'one attempt each');
  console.log(`# ${COUNT} rotations finished in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  const currents: string[] = [];
  await Promise.all(arns.map(async (arn, i) => {
    const stages = (await sm.send(new DescribeSecretCommand({ SecretId: arn }))).VersionIdsToStages!;
    assert.deepEqual(stages, { [tokens[i]!]: ['AWSCURRENT'], [firstVersions[i]!]: ['AWSPREVIOUS'] }, `${users[i]}: stages`);
    const current = await secretValue(sm, arn);
    const previous = await secretValue(sm, arn, 'AWSPREVIOUS');
    assert.equal(current.username, users[i]);
    assert.equal(previous.password, initial(i), `${users[i]}: AWSPREVIOUS is the old password`);
    assert.notEqual(current.password, initial(i));
    currents[i] = current.password;
  }));
  assert.equal(new Set(currents).size, COUNT, 'all passwords differ');
  // Sign-ins ten at a time (the cluster's max_connections is 100).
  for (let i = 0; i < COUNT; i += 10) {
    await Promise.all(users.slice(i, i + 10).map(async (u, k) => {
      assert.equal(await signIn(u, currents[i + k]!), undefined, `${u}: AWSCURRENT's password works`);
      assert.match(await signIn(u, initial(i + k)) ?? '', /password authentication failed/, `${u}: the old password is refused`);
    }));
  }
});
