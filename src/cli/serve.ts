/** `coffer serve`: start a node, print how to reach it, drain on SIGTERM/SIGINT. */
import { once } from 'node:events';
import { createApp } from '../app.ts';
import { parseServeArgs, StartupError } from '../config.ts';
import { createFrontDoor } from '../http/server.ts';

export async function serve(args: string[]): Promise<void> {
  const config = parseServeArgs(args);
  const app = await createApp(config);
  const door = createFrontDoor(app);
  door.server.listen(config.port, config.host);
  try {
    await once(door.server, 'listening');
  } catch (err) {
    await app.close();
    const code = (err as NodeJS.ErrnoException).code;
    throw new StartupError(`cannot listen on ${config.host}:${config.port}: ${code === 'EADDRINUSE' ? 'the address is already in use' : (err as Error).message} (choose another with --listen HOST:PORT)`);
  }
  const address = door.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const endpoint = `http://${host}:${port}`;
  // Functions reach this node at the address it really listens on (port 0 picks one).
  app.endpoint = endpoint;
  const region = config.regions === 'any' ? 'us-east-1' : config.regions[0]!;
  const lines = [
    `coffer is serving the AWS Secrets Manager API`,
    `  endpoint:   ${endpoint}`,
    `  account id: ${app.account.accountId}`,
    `  regions:    ${config.regions === 'any' ? 'any (whichever region a request is signed for)' : config.regions.join(', ')}`,
    `  database:   ${app.store.dialect === 'sqlite' ? config.databaseUrl.replace(/^sqlite:\/\//, '') : 'PostgreSQL'}`,
  ];
  if (app.account.credentialsFile) {
    lines.push(
      `  root credentials: ${app.account.credentialsFile} (AWS credentials-file format, mode 0600)`,
      ``,
      `Use them with:`,
      `  export AWS_SHARED_CREDENTIALS_FILE=${app.account.credentialsFile} AWS_PROFILE=default AWS_REGION=${region} AWS_ENDPOINT_URL=${endpoint}`,
      `  aws --endpoint-url ${endpoint} secretsmanager list-secrets`,
    );
  } else if (app.account.rootAccessKeyIds) {
    lines.push(
      `  root credentials: access key ${app.account.rootAccessKeyIds.join(', ')}, generated at the first start into the`,
      `                    root-credentials file of the node that created the database (not this data dir)`,
    );
  } else {
    lines.push(
      `  root credentials: access key ${app.account.envAccessKeyId} from COFFER_ROOT_ACCESS_KEY_ID`,
      ``,
      `Use them with:`,
      `  export AWS_ACCESS_KEY_ID=$COFFER_ROOT_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY=$COFFER_ROOT_SECRET_ACCESS_KEY AWS_REGION=${region} AWS_ENDPOINT_URL=${endpoint}`,
      `  aws --endpoint-url ${endpoint} secretsmanager list-secrets`,
    );
  }
  process.stdout.write(lines.join('\n') + '\n');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'draining');
    await door.drain();
    await app.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}
