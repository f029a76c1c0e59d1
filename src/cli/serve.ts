/** `coffer serve`: start a node, print how to reach it, drain on SIGTERM/SIGINT. */
import { once } from 'node:events';
import { createApp } from '../app.ts';
import { parseServeArgs, StartupError } from '../config.ts';
import { createFrontDoor } from '../http/server.ts';
import { loadServerTls } from '../tls/server-tls.ts';
import { publishCaBundle, type PublishedCa } from '../tls/function-trust.ts';
import { startMetricsServer, type MetricsServer } from '../metrics/metrics-server.ts';

/**
 * `coffer serve --help`: every option, as a flag; each is also an environment variable and a
 * key of the --config file (docs/configuration.md has the full table).
 */
export const SERVE_HELP = `usage: coffer serve [--config FILE] [options]

Runs a coffer node: the Secrets Manager, KMS, IAM, STS and Lambda APIs on one address.
Options come from flags, then environment variables, then the --config file (TOML, keys are
the option names below without --), then defaults. See docs/configuration.md.

  --config FILE          a TOML configuration file (COFFER_CONFIG); unknown keys are refused

listening:
  --listen HOST:PORT     where to listen (COFFER_LISTEN; default 127.0.0.1:4599; port 0 picks one)
  --tls MODE             off (default), on (with --tls-cert/--tls-key) or self-signed: a development
                         CA and certificate kept in DATA_DIR/tls, CA printed for AWS_CA_BUNDLE (COFFER_TLS)
  --tls-cert FILE        PEM certificate chain to serve HTTPS with (COFFER_TLS_CERT)
  --tls-key FILE         its PEM private key (COFFER_TLS_KEY)
  --tls-ca FILE          CA bundle clients and rotation functions trust for this node (COFFER_TLS_CA)
  --metrics-listen WHERE same (default: /metrics beside the API), off, or HOST:PORT for a listener of
                         its own (COFFER_METRICS_LISTEN); /health and /ready are always served
  --max-body-bytes N     largest request body accepted (COFFER_MAX_BODY_BYTES; default 1048576)
  --max-header-bytes N   largest request line and headers (COFFER_MAX_HEADER_BYTES; default 16384)
  --max-header-count N   most header fields in a request (COFFER_MAX_HEADER_COUNT; default 100)
  --max-connections N    most open connections (COFFER_MAX_CONNECTIONS; default 1024)
  --headers-timeout S    seconds for a request's headers to arrive (COFFER_HEADERS_TIMEOUT; default 20)
  --request-timeout S    seconds for a whole request to arrive (COFFER_REQUEST_TIMEOUT; default 60)
  --keep-alive-timeout S seconds an idle connection is kept (COFFER_KEEP_ALIVE_TIMEOUT; default 65)
  --drain-grace-ms N     after SIGTERM, how long the node keeps answering (/ready 503) before it stops
                         accepting (COFFER_DRAIN_GRACE_MS; default 250)
  --throttle on|off      per-account request rates at AWS's quotas (COFFER_THROTTLE; default on)
  --throttle-rate SERVICE:OPERATION=RATE   another rate per second; repeatable (COFFER_THROTTLE_RATES, comma-separated)
  --throttle-burst S     seconds of rate a quiet account may spend at once (COFFER_THROTTLE_BURST; default 10)

storage and keys:
  --data-dir DIR         data directory (COFFER_DATA_DIR; default ./coffer-data)
  --database URL         sqlite://FILE or postgres://… (COFFER_DATABASE_URL; default SQLite in the data dir)
  --region REGION        region to serve; repeatable; 'any' serves every region (COFFER_REGION, comma-separated; default us-east-1)
  --account-id ID        12-digit default account id (COFFER_ACCOUNT_ID; default random, kept)
  --root-key-file FILE   256-bit root key file (COFFER_ROOT_KEY_FILE; default DATA_DIR/root.key; COFFER_ROOT_KEY gives the key itself)
  --root-key-provider P  file (default), passphrase or kms (COFFER_ROOT_KEY_PROVIDER; inferred from the options given)
  --root-key-passphrase-file FILE   passphrase for argon2id (COFFER_ROOT_KEY_PASSPHRASE_FILE; or COFFER_ROOT_KEY_PASSPHRASE)
  --root-key-kms-key-id KEY         KMS key that wraps the root key (COFFER_ROOT_KEY_KMS_KEY_ID); also
  --root-key-kms-endpoint URL, --root-key-kms-region R, --root-key-kms-profile P, --root-key-kms-ca-bundle PEM
                         (COFFER_ROOT_KEY_KMS_*; credentials: COFFER_ROOT_KEY_KMS_ACCESS_KEY_ID/_SECRET_ACCESS_KEY/_SESSION_TOKEN,
                         the profile, or the AWS default chain). See docs/root-key.md

functions and rotation:
  --python PATH          interpreter for python3.x functions (COFFER_PYTHON; default /usr/bin/python3, else python3)
  --node PATH            node for nodejs functions (COFFER_NODE; default the node running coffer)
  --function-concurrency N   function invocations running at once; more wait (COFFER_FUNCTION_CONCURRENCY; default 4)

replication:
  --peer-region REGION=URL          a region served by another deployment; repeatable (COFFER_PEER_REGIONS, comma-separated)
  --peer-credentials-file FILE      credentials for the peers, per region profile (COFFER_PEER_CREDENTIALS_FILE)
  --peer-ca FILE                    PEM CA certificates trusted for https:// peers, with the system's (COFFER_PEER_CA)
  --replication-trust ARN           a principal allowed to write replicas here; repeatable (COFFER_REPLICATION_TRUST)
  --replication-interval-ms N       how often replicas are pushed, in ms (COFFER_REPLICATION_INTERVAL_MS; default 1000)

audit and logs:
  --audit-file PATH      also append every audit event to PATH as JSON lines, mode 0600 (COFFER_AUDIT_FILE)
  --audit-digest-interval S   seconds between signed audit digests (COFFER_AUDIT_DIGEST_INTERVAL; default 60)
  --log-level LEVEL      JSON logs on stderr: fatal, error, warn, info (default), debug (a line per
                         request), trace, silent (COFFER_LOG_LEVEL)

Secrets are never flags: root access keys (COFFER_ROOT_ACCESS_KEY_ID, COFFER_ROOT_SECRET_ACCESS_KEY),
the root key and passphrase come from the environment or from files named above.
`;

export async function serve(args: string[]): Promise<void> {
  const config = parseServeArgs(args);
  // Before the app: a missing certificate or a wrong key stops the start with nothing opened.
  const tls = loadServerTls(config.tls, config.dataDir, config.host);
  const app = await createApp(config);
  const door = createFrontDoor(app, tls?.material);
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
  const endpoint = `${tls ? 'https' : 'http'}://${host}:${port}`;
  let stopping = false;
  // Functions reach this node at the address it really listens on (port 0 picks one), trusting its CA.
  let publishedCa: PublishedCa | undefined;
  let metricsServer: MetricsServer | undefined;
  try {
    if (tls?.caFile) app.caBundle = (publishedCa = publishCaBundle(tls.caFile)).file;
    if (typeof config.metricsListen === 'object') {
      metricsServer = await startMetricsServer(app, config.metricsListen.host, config.metricsListen.port, () => stopping);
    }
  } catch (err) {
    publishedCa?.remove();
    door.server.close();
    await app.close();
    throw new StartupError(`cannot start: ${(err as Error).message}`);
  }
  app.endpoint = endpoint;
  const region = config.regions === 'any' ? 'us-east-1' : config.regions[0]!;
  const lines = [
    `coffer is serving the AWS Secrets Manager API`,
    `  endpoint:   ${endpoint}`,
    `  account id: ${app.account.accountId}`,
    `  regions:    ${config.regions === 'any' ? 'any (whichever region a request is signed for)' : config.regions.join(', ')}`,
    `  database:   ${app.store.dialect === 'sqlite' ? config.databaseUrl.replace(/^sqlite:\/\//, '') : 'PostgreSQL'}`,
  ];
  if (config.tls?.mode === 'self-signed') lines.push(`  TLS:        development CA ${tls!.caFile}${tls!.createdCa ? ' (made at this start)' : ''}; give it to clients as AWS_CA_BUNDLE`);
  else if (config.tls) lines.push(`  TLS:        ${config.tls.certFile}${tls!.caFile ? `; clients trust ${tls!.caFile} (AWS_CA_BUNDLE)` : ''}`);
  lines.push(`  console:    ${endpoint}/console/`);
  if (metricsServer) lines.push(`  metrics:    ${metricsServer.url}/metrics`);
  else if (config.metricsListen === 'same') lines.push(`  metrics:    ${endpoint}/metrics`);
  const caExport = tls?.caFile ? ` AWS_CA_BUNDLE=${tls.caFile}` : '';
  if (app.account.credentialsFile) {
    lines.push(
      `  root credentials: ${app.account.credentialsFile} (AWS credentials-file format, mode 0600)`,
      ``,
      `Use them with:`,
      `  export AWS_SHARED_CREDENTIALS_FILE=${app.account.credentialsFile} AWS_PROFILE=default AWS_REGION=${region} AWS_ENDPOINT_URL=${endpoint}${caExport}`,
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
      `  export AWS_ACCESS_KEY_ID=$COFFER_ROOT_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY=$COFFER_ROOT_SECRET_ACCESS_KEY AWS_REGION=${region} AWS_ENDPOINT_URL=${endpoint}${caExport}`,
      `  aws --endpoint-url ${endpoint} secretsmanager list-secrets`,
    );
  }
  process.stdout.write(lines.join('\n') + '\n');

  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'draining');
    await door.drain();
    await metricsServer?.close();
    await app.close();
    publishedCa?.remove();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}
