/**
 * Rotations per minute through a trivial Node.js rotation function: what the driver and the
 * process runtime cost (four invocations as secretsmanager.amazonaws.com, the function's SDK
 * calls signed with its execution role's session), not a database's password change. The
 * function does the least the contract asks: createSecret puts an AWSPENDING value,
 * finishSecret moves AWSCURRENT, the other steps return.
 *
 * Knobs: BENCH_ROTATION_SECONDS (default 20), BENCH_ROTATION_INFLIGHT (secrets rotating at
 * once, default 4).
 */
import { CreateSecretCommand, DescribeSecretCommand, RotateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { rmSync } from 'node:fs';
import { startServer } from '../test/helpers/server.ts';
import { BENCH_SERVER_ARGS } from './server-args.ts';
import { secretsManager } from '../test/helpers/clients.ts';
import { createRotationFunction } from '../test/helpers/rotation.ts';
import { driveRotations } from './rotation-load.ts';

const TRIVIAL = `
const sm = require('@aws-sdk/client-secrets-manager');
const client = new sm.SecretsManagerClient({ endpoint: process.env.SECRETS_MANAGER_ENDPOINT, region: process.env.AWS_REGION });
exports.handler = async ({ Step, SecretId, ClientRequestToken }) => {
  if (Step === 'createSecret') {
    await client.send(new sm.PutSecretValueCommand({ SecretId, ClientRequestToken, SecretString: 'rotated-' + ClientRequestToken, VersionStages: ['AWSPENDING'] }));
  } else if (Step === 'finishSecret') {
    const d = await client.send(new sm.DescribeSecretCommand({ SecretId }));
    const old = Object.keys(d.VersionIdsToStages).find((v) => d.VersionIdsToStages[v].includes('AWSCURRENT'));
    if (old !== ClientRequestToken) {
      await client.send(new sm.UpdateSecretVersionStageCommand({ SecretId, VersionStage: 'AWSCURRENT', MoveToVersionId: ClientRequestToken, RemoveFromVersionId: old }));
    }
  }
};
`;

const POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: ['secretsmanager:DescribeSecret', 'secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage'], Resource: '*' }],
});

export interface RotationSectionResult {
  rotations: number;
  seconds: number;
  perMinute: number;
  meanMs: number;
  inflight: number;
}

/** Enough for ~700 rotations a lane (a few minutes at the rates seen) within the version quota. */
const SECRETS_PER_LANE = 8;

async function main(): Promise<void> {
  const seconds = Number(process.env.BENCH_ROTATION_SECONDS ?? 20);
  const inflight = Number(process.env.BENCH_ROTATION_INFLIGHT ?? 4);
  const server = await startServer({ databaseUrl: process.env.BENCH_DATABASE_URL, args: BENCH_SERVER_ARGS });
  try {
    const sm = secretsManager(server);
    const fn = await createRotationFunction(server, { runtime: 'nodejs20.x', rolePolicy: () => POLICY, code: TRIVIAL });
    const rotateOnce = async (name: string): Promise<number> => {
      const t0 = performance.now();
      const { VersionId } = await sm.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: fn.arn }));
      for (;;) {
        const stages = (await sm.send(new DescribeSecretCommand({ SecretId: name }))).VersionIdsToStages ?? {};
        if (stages[VersionId!]?.includes('AWSCURRENT') && !Object.values(stages).some((s) => s.includes('AWSPENDING'))) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      return performance.now() - t0;
    };
    // Each lane (one rotation in flight) takes its secrets in turn: a secret keeps at most 100
    // versions a day (AWS's quota, which coffer enforces), fewer than a lane rotates in a run.
    const lanes = new Map<string, { secrets: string[]; next: number }>();
    for (let i = 0; i < inflight; i++) {
      const secrets = Array.from({ length: SECRETS_PER_LANE }, (_, j) => `bench/rotation-${i}-${j}`);
      for (const name of secrets) await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'initial' }));
      lanes.set(`lane-${i}`, { secrets, next: 0 });
      await rotateOnce(secrets[0]!); // warm: the first invocation starts a process
    }
    const rotateInLane = (lane: string) => {
      const l = lanes.get(lane)!;
      return rotateOnce(l.secrets[l.next++ % l.secrets.length]!);
    };
    const result: RotationSectionResult = { ...await driveRotations([...lanes.keys()], rotateInLane, seconds), inflight };
    console.log(JSON.stringify(result));
  } finally {
    await server.stop();
    rmSync(server.dataDir, { recursive: true, force: true });
  }
}

await main();
