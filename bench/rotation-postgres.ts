/**
 * Single-user rotations per minute against a local PostgreSQL: the built-in
 * `postgresql-single-user` function (deployed from templateZip with the seed documents'
 * policy, as `coffer rotation setup` does) changing real users' passwords, each rotation
 * four invocations that sign in to the database and run ALTER ROLE.
 *
 * The database is a throwaway cluster of the machine's PostgreSQL binaries requiring
 * scram-sha-256 (test/helpers/rotation-templates.ts): on a server that trusts local logins,
 * setSecret's "is AWSPENDING already set?" sign-in succeeds with any password and skips the
 * change, which would measure less than a rotation.
 *
 * Knobs: BENCH_PG_ROTATION_SECONDS (default 20), BENCH_PG_ROTATION_INFLIGHT (secrets rotating
 * at once, default 4), BENCH_DATABASE_URL (coffer's own database).
 */
import { DescribeSecretCommand, RotateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { rmSync } from 'node:fs';
import { startServer } from '../test/helpers/server.ts';
import { BENCH_SERVER_ARGS } from './server-args.ts';
import { secretsManager } from '../test/helpers/clients.ts';
import { createDbSecret, deployTemplate, pgLogin, scratchPostgres, secretValue } from '../test/helpers/rotation-templates.ts';
import { driveRotations } from './rotation-load.ts';

export interface PgRotationSectionResult {
  rotations: number;
  seconds: number;
  perMinute: number;
  meanMs: number;
  inflight: number;
}

const PREFIX = 'bench/pg-rotation-';

/** Enough for a few minutes of rotations a lane within the version quota. */
const SECRETS_PER_LANE = 4;

async function main(): Promise<void> {
  const seconds = Number(process.env.BENCH_PG_ROTATION_SECONDS ?? 20);
  const inflight = Number(process.env.BENCH_PG_ROTATION_INFLIGHT ?? 4);
  const [server, db] = await Promise.all([startServer({ databaseUrl: process.env.BENCH_DATABASE_URL, args: BENCH_SERVER_ARGS }), scratchPostgres()]);
  try {
    const sm = secretsManager(server);
    const fn = await deployTemplate(server, 'postgresql-single-user', { secretPrefix: PREFIX });
    // Each lane (one rotation in flight) takes its secrets, one database user each, in turn: a
    // secret keeps at most 100 versions a day (AWS's quota), fewer than a lane rotates in a run.
    const users = Array.from({ length: inflight * SECRETS_PER_LANE }, (_, i) => `bench_user_${i}`);
    const made = await pgLogin(db.admin, (c) => c.query(users.map((u) => `CREATE ROLE ${u} LOGIN PASSWORD 'initial-Password-1';`).join('\n')));
    if (made && typeof made === 'object' && 'refused' in made) throw new Error(String(made.refused));

    const rotateOnce = async (arn: string): Promise<number> => {
      const t0 = performance.now();
      const { VersionId } = await sm.send(new RotateSecretCommand({ SecretId: arn, RotationLambdaARN: fn }));
      for (;;) {
        const stages = (await sm.send(new DescribeSecretCommand({ SecretId: arn }))).VersionIdsToStages ?? {};
        if (stages[VersionId!]?.includes('AWSCURRENT') && !Object.values(stages).some((s) => s.includes('AWSPENDING'))) break;
        // A failed step leaves AWSPENDING; the driver retries only a minute later.
        if (performance.now() - t0 > 60_000) throw new Error(`rotation of ${arn} did not finish in 60 s`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return performance.now() - t0;
    };
    const arns: string[] = [];
    for (const [i, user] of users.entries()) {
      arns.push(await createDbSecret(sm, `${PREFIX}${i}`, { engine: 'postgres', host: '127.0.0.1', port: db.port, username: user, password: 'initial-Password-1', dbname: 'postgres', ssl: false }));
    }
    const lanes = new Map(Array.from({ length: inflight }, (_, i) => [`lane-${i}`, { arns: arns.slice(i * SECRETS_PER_LANE, (i + 1) * SECRETS_PER_LANE), next: 0 }]));
    for (const lane of lanes.values()) await rotateOnce(lane.arns[0]!); // warm: the first invocation starts a process
    const load = await driveRotations([...lanes.keys()], (name) => {
      const lane = lanes.get(name)!;
      return rotateOnce(lane.arns[lane.next++ % lane.arns.length]!);
    }, seconds);
    // The rotations were real: every user signs in with its AWSCURRENT password.
    for (const [i, arn] of arns.entries()) {
      const r = await pgLogin({ host: '127.0.0.1', port: db.port, user: users[i]!, password: (await secretValue(sm, arn)).password!, database: 'postgres' });
      if (r && typeof r === 'object' && 'refused' in r) throw new Error(`${users[i]} cannot sign in with AWSCURRENT: ${String(r.refused)}`);
    }
    const result: PgRotationSectionResult = { ...load, inflight };
    console.log(JSON.stringify(result));
  } finally {
    await server.stop();
    rmSync(server.dataDir, { recursive: true, force: true });
    await db.destroy();
  }
}

await main();
