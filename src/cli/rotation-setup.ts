/**
 * `coffer rotation setup`: turns on rotation for a database secret in one call, as the AWS
 * console does (src/rotation-setup/setup.ts). It is an API client, not a server-side tool: it
 * signs with the usual AWS settings (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN,
 * AWS_PROFILE or --profile, AWS_REGION or --region) and talks to --endpoint-url or
 * AWS_ENDPOINT_URL, so it creates only what that identity may create.
 */
import { IAMClient } from '@aws-sdk/client-iam';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { KMSClient } from '@aws-sdk/client-kms';
import { StartupError, UsageError } from '../config.ts';
import { TEMPLATE_NAMES } from '../rotation-templates/index.ts';
import { RotationSetupError, setupRotation, type SetupAction, type SetupOptions } from '../rotation-setup/setup.ts';

export const ROTATION_SETUP_HELP = `usage: coffer rotation setup --secret-id ID --template NAME [--master-secret-id ID]
                             [--schedule EXPR] [--duration D] [--no-rotate-immediately]
                             [--endpoint-url URL] [--region REGION] [--profile P] [--json]

Turns on rotation for a database secret as the AWS console does, through coffer's API as the
calling identity: an execution role trusted by lambda.amazonaws.com with the rotation policy of
AWS's guide, the function from a built-in template, its resource policy for
secretsmanager.amazonaws.com (aws:SourceAccount), then RotateSecret. Rerunning reuses what
exists and fixes what drifted; a secret already rotating with that function is left as it is.

templates: ${TEMPLATE_NAMES.join(', ')}
  --master-secret-id   the master secret (alternating users; default: the secret's "masterarn")
  --schedule           rate(N days|hours), cron(...), or N (AutomaticallyAfterDays); default: none
  --duration           the rotation window, e.g. 3h (with --schedule)
  --no-rotate-immediately   rotate first in the next window (RotateImmediately=false)
Credentials and endpoint: the AWS SDK's usual settings (AWS_ACCESS_KEY_ID, AWS_PROFILE,
AWS_REGION, AWS_ENDPOINT_URL, ...), or --endpoint-url, --region, --profile.
See docs/rotation.md, "coffer rotation setup".
`;

export async function rotationSetup(args: string[]): Promise<void> {
  const options: Partial<SetupOptions> = {};
  let endpoint: string | undefined;
  let region: string | undefined;
  let profile: string | undefined;
  let json = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const flag = arg.includes('=') ? arg.slice(0, arg.indexOf('=')) : arg;
    const value = () => {
      const v = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : args[++i];
      if (v === undefined || v === '') throw new UsageError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--secret-id': options.secretId = value(); break;
      case '--template': options.template = value(); break;
      case '--master-secret-id': options.masterSecretId = value(); break;
      case '--schedule': options.schedule = value(); break;
      case '--duration': options.duration = value(); break;
      case '--no-rotate-immediately': options.rotateImmediately = false; break;
      case '--endpoint-url': endpoint = value(); break;
      case '--region': region = value(); break;
      case '--profile': profile = value(); break;
      case '--json': json = true; break;
      default: throw new UsageError(`rotation setup: unknown option '${arg}'`);
    }
  }
  if (!options.secretId) throw new UsageError('rotation setup needs --secret-id');
  if (!options.template) throw new UsageError(`rotation setup needs --template (${TEMPLATE_NAMES.join(', ')})`);

  // The SDK's warning that releases after January 2027 need Node.js 22 is noise here: coffer pins its SDK.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  // Unset options stay unset, so the SDK reads AWS_ENDPOINT_URL, AWS_REGION, profiles itself.
  const config = {
    ...(endpoint ? { endpoint } : {}),
    ...(region ? { region } : {}),
    ...(profile ? { profile } : {}),
    maxAttempts: 2,
  };
  const clients = {
    secretsManager: new SecretsManagerClient(config),
    iam: new IAMClient(config),
    lambda: new LambdaClient(config),
    kms: new KMSClient(config),
  };
  try {
    const result = await setupRotation(clients, options as SetupOptions);
    if (json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else process.stdout.write(`${result.actions.map(formatAction).join('\n')}\n`);
  } catch (err) {
    if (err instanceof RotationSetupError) {
      const done = err.done.filter((a) => a.outcome !== 'reused');
      const lines = [
        `rotation setup: ${err.message}`,
        ...(err.done.length ? ['done before the failure (kept; rerunning the same command reuses it):', ...err.done.map((a) => `  ${formatAction(a)}`)] : []),
        done.length ? '' : 'nothing was created or changed.',
      ].filter(Boolean);
      throw new StartupError(lines.join('\n'));
    }
    const e = err as { name?: string; message?: string };
    if (e?.name === 'CredentialsProviderError' || /region is missing/i.test(e?.message ?? '')) {
      throw new StartupError(`rotation setup: ${e.message} (set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE, and AWS_REGION or --region)`);
    }
    throw err;
  } finally {
    for (const client of Object.values(clients)) client.destroy();
  }
}

function formatAction(a: SetupAction): string {
  return `${a.outcome.padEnd(10)} ${a.what.padEnd(11)} ${a.name}${a.detail ? ` (${a.detail})` : ''}`;
}
