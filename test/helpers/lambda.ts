/** Lambda test helpers: the real client, zips made in memory, and an execution role Lambda may assume. */
import { zipSync, strToU8 } from 'fflate';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { CreateRoleCommand, type IAMClient } from '@aws-sdk/client-iam';
import { clientTls, type Credentials, type TestServer } from './server.ts';

export function lambdaClient(server: TestServer, credentials?: Credentials): LambdaClient {
  return new LambdaClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: credentials ?? server.root, maxAttempts: 1, ...clientTls(server) });
}

/** A zip of the given files (name → source). */
export function zipOf(files: Record<string, string>): Uint8Array {
  const entries: Record<string, Uint8Array> = {};
  for (const [name, text] of Object.entries(files)) entries[name] = strToU8(text);
  return zipSync(entries);
}

export const LAMBDA_TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

/** A role whose trust policy lets lambda.amazonaws.com assume it; returns its ARN. */
export async function executionRole(iam: IAMClient, name: string, trust = LAMBDA_TRUST): Promise<string> {
  const { Role } = await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trust }));
  return Role!.Arn!;
}

export const NODE_ECHO = `exports.handler = async (event, context) => ({ echo: event, requestId: context.awsRequestId, name: context.functionName });\n`;
