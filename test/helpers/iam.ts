/** IAM and STS clients for a test server, and a user with an access key made through IAM. */
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { clientTls, type Credentials, type TestServer } from './server.ts';

export function iamClient(server: TestServer, credentials?: Credentials): IAMClient {
  return new IAMClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: credentials ?? server.root, maxAttempts: 1, ...clientTls(server) });
}

export function stsClient(server: TestServer, credentials?: Credentials): STSClient {
  return new STSClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: credentials ?? server.root, maxAttempts: 1, ...clientTls(server) });
}

/** Who `credentials` authenticate as (GetCallerIdentity needs no permission). */
export function whoAmI(server: TestServer, credentials: Credentials) {
  return stsClient(server, credentials).send(new GetCallerIdentityCommand({}));
}

/** Creates `userName` and one access key for it, as root. */
export async function userWithKey(iam: IAMClient, userName: string, path?: string): Promise<{ arn: string; userId: string; credentials: Credentials }> {
  const { User } = await iam.send(new CreateUserCommand({ UserName: userName, Path: path }));
  const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: userName }));
  return { arn: User!.Arn!, userId: User!.UserId!, credentials: { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! } };
}
