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

async function main(): Promise<void> {
  const seconds = Number(process.env.BENCH_ROTATION_SECONDS ?? 20);
  const inflight = Number(process.env.BENCH_ROTATION_INFLIGHT ?? 4);
  const server = await startServer({ databaseUrl: process.env.BENCH_DATABASE_URL });
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
    const names: string[] = [];
    for (let i = 0; i < inflight; i++) {
      names.push(`bench/rotation-${i}`);
      await sm.send(new CreateSecretCommand({ Name: names[i], SecretString: 'initial' }));
      await rotateOnce(names[i]!); // warm: the first invocation starts a process
    }
    const result: RotationSectionResult = { ...await driveRotations(names, rotateOnce, seconds), inflight };
    console.log(JSON.stringify(result));
  } finally {
    await server.stop();
    rmSync(server.dataDir, { recursive: true, force: true });
  }
}

await main();
