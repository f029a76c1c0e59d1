/** The `coffer` command. */
import { StartupError, UsageError } from '../config.ts';
import { serve } from './serve.ts';
import { credentials } from './credentials.ts';
import { accounts, ACCOUNTS_HELP } from './accounts.ts';
import { explain, EXPLAIN_HELP } from './explain.ts';
import { rootKey, ROOT_KEY_HELP } from './root-key.ts';
import { rotation, ROTATION_HELP } from './rotation.ts';
import { logs, LOGS_HELP } from './logs.ts';

const HELP = `usage: coffer <command> [options]

commands:
  serve         run the server (see coffer serve --help)
  credentials   print export lines for the root credentials in the data dir
  accounts      coffer accounts create: add an account with its own root credentials
  explain       coffer explain --principal ARN --action ACTION --resource ARN [--context K=V ...]:
                why a principal may or may not do something (see coffer explain --help)
  root-key      coffer root-key rotate: re-seal everything under a new root key while servers run;
                coffer root-key status (see coffer root-key --help)
  rotation      coffer rotation status SECRET: a secret's last rotation attempts, step by step
                (see coffer rotation --help); coffer rotation setup --secret-id ID --template NAME:
                turn rotation on for a database secret as the console does (see coffer rotation setup --help)
  logs          coffer logs FUNCTION [--tail N]: a Lambda function's logs, START to REPORT per invocation
                (see coffer logs --help)

coffer serve options (each also as an environment variable):
  --listen HOST:PORT     where to listen (COFFER_LISTEN; default 127.0.0.1:4599)
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
  --log-level LEVEL      pino log level (COFFER_LOG_LEVEL; default info)
  --max-body-bytes N     largest request body accepted (COFFER_MAX_BODY_BYTES; default 1048576)
  --python PATH          interpreter for python3.x functions (COFFER_PYTHON; default /usr/bin/python3, else python3)
  --node PATH            node for nodejs functions (COFFER_NODE; default the node running coffer)
  --function-concurrency N   function invocations running at once; more wait (COFFER_FUNCTION_CONCURRENCY; default 4)
`;

export async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  try {
    if (command === 'accounts' && rest.includes('--help')) return void process.stdout.write(ACCOUNTS_HELP);
    if (command === 'explain' && rest.includes('--help')) return void process.stdout.write(EXPLAIN_HELP);
    if (command === 'root-key' && rest.includes('--help')) return void process.stdout.write(ROOT_KEY_HELP);
    // Loaded on use: it pulls in the SDK clients and the template bundler (esbuild).
    if (command === 'rotation' && rest[0] === 'setup' && rest.includes('--help')) return void process.stdout.write((await import('./rotation-setup.ts')).ROTATION_SETUP_HELP);
    if (command === 'rotation' && rest.includes('--help')) return void process.stdout.write(ROTATION_HELP);
    if (command === 'logs' && rest.includes('--help')) return void process.stdout.write(LOGS_HELP);
    if (!command || command === '--help' || command === 'help' || rest.includes('--help')) {
      process.stdout.write(HELP);
      return;
    }
    if (command === 'serve') return await serve(rest);
    if (command === 'credentials') return credentials(rest);
    if (command === 'accounts') return await accounts(rest);
    if (command === 'explain') return await explain(rest);
    if (command === 'root-key') return await rootKey(rest);
    if (command === 'rotation' && rest[0] === 'setup') return await (await import('./rotation-setup.ts')).rotationSetup(rest.slice(1));
    if (command === 'rotation') return await rotation(rest);
    if (command === 'logs') return await logs(rest);
    throw new UsageError(`unknown command '${command}'`);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`coffer: ${err.message}\n\n${HELP}`);
      process.exit(2);
    }
    if (err instanceof StartupError) {
      process.stderr.write(`coffer: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}
