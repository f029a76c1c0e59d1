/**
 * The shared scaffold of the built-in rotation functions: AWS's template contract (event
 * `{Step, SecretId, ClientRequestToken}`, DescribeSecret guards before every step, the four
 * steps with the same Secrets Manager calls) with the engine's SQL plugged in. Every step is
 * idempotent, so the driver's retry with the same token converges after a crash anywhere.
 */
import {
  DescribeSecretCommand,
  GetRandomPasswordCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import type { DbSession, Engine } from './engine.ts';
import { alternateUsername, parseDbSecret, portOf, type DbSecret } from './secret-json.ts';
import { passwordRequest } from './settings.ts';

export interface RotationEvent {
  Step: string;
  SecretId: string;
  ClientRequestToken: string;
  RotationToken?: string;
}

type Env = Record<string, string | undefined>;

function log(message: string): void {
  console.log(message);
}

function isNotFound(err: unknown): boolean {
  return (err as { name?: string } | null)?.name === 'ResourceNotFoundException';
}

export function secretsManagerClient(env: Env): SecretsManagerClient {
  // SECRETS_MANAGER_ENDPOINT is what AWS's templates pass as endpoint_url; coffer's runtime sets it.
  return new SecretsManagerClient({ endpoint: env.SECRETS_MANAGER_ENDPOINT || undefined, region: env.AWS_REGION });
}

export function rotationHandler<S extends DbSession>(engine: Engine<S>, alternating: boolean, env: Env = process.env) {
  let client: SecretsManagerClient | undefined;

  return async function handler(event: RotationEvent): Promise<void> {
    client ??= secretsManagerClient(env);
    const { SecretId: arn, ClientRequestToken: token, Step: step } = event ?? ({} as RotationEvent);
    const steps = new Rotation(client, engine, alternating, env, arn, token);

    const metadata = await client.send(new DescribeSecretCommand({ SecretId: arn }));
    if (metadata.RotationEnabled === false) throw new Error(`Secret ${arn} is not enabled for rotation`);
    const versions = metadata.VersionIdsToStages ?? {};
    const stages = Object.hasOwn(versions, token) ? versions[token]! : undefined;
    if (!stages) throw new Error(`Secret version ${token} has no stage for rotation of secret ${arn}.`);
    if (stages.includes('AWSCURRENT')) {
      log(`Secret version ${token} already set as AWSCURRENT for secret ${arn}.`);
      return;
    }
    if (!stages.includes('AWSPENDING')) throw new Error(`Secret version ${token} not set as AWSPENDING for rotation of secret ${arn}.`);

    switch (step) {
      case 'createSecret': return steps.createSecret();
      case 'setSecret': return steps.setSecret();
      case 'testSecret': return steps.testSecret();
      case 'finishSecret': return steps.finishSecret();
      default: throw new Error(`Invalid step parameter ${String(step)} for secret ${arn}`);
    }
  };
}

class Rotation<S extends DbSession> {
  constructor(
    private readonly client: SecretsManagerClient,
    private readonly engine: Engine<S>,
    private readonly alternating: boolean,
    private readonly env: Env,
    private readonly arn: string,
    private readonly token: string,
  ) {}

  private async read(stage: string, versionId?: string, secretId = this.arn, what = 'secret'): Promise<DbSecret> {
    const value = await this.client.send(new GetSecretValueCommand({ SecretId: secretId, VersionId: versionId, VersionStage: stage }));
    return parseDbSecret(value.SecretString, this.engine.acceptedEngines, what);
  }

  private current(): Promise<DbSecret> {
    return this.read('AWSCURRENT');
  }

  private pending(): Promise<DbSecret> {
    return this.read('AWSPENDING', this.token);
  }

  /** Puts the next credentials as AWSPENDING under the token, unless that version already has a value. */
  async createSecret(): Promise<void> {
    const current = await this.current();
    try {
      await this.client.send(new GetSecretValueCommand({ SecretId: this.arn, VersionId: this.token, VersionStage: 'AWSPENDING' }));
      log(`createSecret: Successfully retrieved secret for ${this.arn}.`);
      return;
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    const next: DbSecret = { ...current };
    if (this.alternating) {
      next.username = alternateUsername(current.username);
      const limit = this.engine.maxUsernameLength(this.env);
      if (next.username.length > limit) {
        throw new Error(`Unable to clone user, username length with _clone appended would exceed ${limit} characters`);
      }
    }
    const { RandomPassword } = await this.client.send(new GetRandomPasswordCommand(passwordRequest(this.env, this.engine.defaultExcludeCharacters)));
    next.password = RandomPassword!;
    await this.client.send(new PutSecretValueCommand({
      SecretId: this.arn, ClientRequestToken: this.token, SecretString: JSON.stringify(next), VersionStages: ['AWSPENDING'],
    }));
    log(`createSecret: Successfully put secret for ARN ${this.arn} and version ${this.token}.`);
  }

  /**
   * Whether the pending credentials already sign in, so setSecret has nothing to do. A login
   * whose password the server never checked (PostgreSQL `trust`) proves nothing: then no.
   */
  private async pendingAlreadySet(pending: DbSecret): Promise<boolean> {
    const session = await this.engine.connect(pending);
    await session?.close();
    if (!session?.passwordChecked) return false;
    log(`setSecret: AWSPENDING secret is already set as password in ${this.engine.label} DB for secret arn ${this.arn}.`);
    return true;
  }

  async setSecret(): Promise<void> {
    return this.alternating ? this.setAlternating() : this.setSingle();
  }

  private async setSingle(): Promise<void> {
    let previous: DbSecret | undefined;
    try {
      const value = await this.client.send(new GetSecretValueCommand({ SecretId: this.arn, VersionStage: 'AWSPREVIOUS' }));
      try {
        previous = parseDbSecret(value.SecretString, this.engine.acceptedEngines, 'previous secret');
      } catch {
        // A previous value that is not a usable secret: AWS's templates go on without it.
      }
    } catch (err) {
      // No previous version (the first rotation).
      if (!isNotFound(err)) throw err;
    }
    const current = await this.current();
    const pending = await this.pending();

    // Already set (a retry after the password changed): done.
    if (await this.pendingAlreadySet(pending)) return;
    if (pending.username !== current.username) throw new Error(`Attempting to modify user ${pending.username} other than current user ${current.username}`);
    if (pending.host !== current.host) throw new Error(`Attempting to modify user for host ${pending.host} other than current host ${current.host}`);

    let session = await this.engine.connect(current);
    if (!session && previous) {
      // The previous password may still be the database's after a rotation whose finishSecret ran but not setSecret's change.
      if (previous.username !== pending.username) throw new Error(`Attempting to modify user ${pending.username} other than previous valid user ${previous.username}`);
      if (previous.host !== pending.host) throw new Error(`Attempting to modify user for host ${pending.host} other than previous host ${previous.host}`);
      session = await this.engine.connect({ ...previous, ssl: current.ssl });
    }
    if (!session) throw new Error(`setSecret: Unable to log into database with previous, current, or pending secret of secret arn ${this.arn}`);
    try {
      await this.engine.setOwnPassword(session, pending);
    } finally {
      await session.close();
    }
    log(`setSecret: Successfully set password for user ${pending.username} in ${this.engine.label} DB for secret arn ${this.arn}.`);
  }

  private async setAlternating(): Promise<void> {
    const current = await this.current();
    const pending = await this.pending();

    // The pending login works only once the user is complete (the engine enables it last): done.
    if (await this.pendingAlreadySet(pending)) return;
    if (alternateUsername(current.username) !== pending.username) {
      throw new Error(`Attempting to modify user ${pending.username} other than the alternate of current user ${current.username}`);
    }
    if (pending.host !== current.host) throw new Error(`Attempting to modify user for host ${pending.host} other than current host ${current.host}`);
    if (typeof current.masterarn !== 'string' || current.masterarn === '') throw new Error('masterarn key is missing from the secret JSON');

    // The confused-deputy guard of AWS's templates: only a secret whose current credentials work gets the master's help.
    const currentSession = await this.engine.connect(current);
    if (!currentSession) throw new Error(`setSecret: Unable to log into database using current credentials for secret ${this.arn}`);
    try {
      const master = await this.read('AWSCURRENT', undefined, current.masterarn, 'master secret');
      // The master's password goes only to the server the master secret itself names.
      if (master.host !== current.host || portOf(master, this.engine.defaultPort) !== portOf(current, this.engine.defaultPort)) {
        throw new Error(`The master secret's host and port must be the user secret's (${current.host})`);
      }
      const masterSession = await this.engine.connect(master, { dbname: current.dbname });
      if (!masterSession) throw new Error(`setSecret: Unable to log into database using credentials in master secret ${current.masterarn}`);
      try {
        await this.engine.setAlternatePassword(masterSession, current, currentSession, pending);
      } finally {
        await masterSession.close();
      }
    } finally {
      await currentSession.close();
    }
    log(`setSecret: Successfully set password for ${pending.username} in ${this.engine.label} DB for secret arn ${this.arn}.`);
  }

  async testSecret(): Promise<void> {
    const pending = await this.pending();
    const session = await this.engine.connect(pending);
    if (!session) throw new Error(`testSecret: Unable to log into database with pending secret of secret ARN ${this.arn}`);
    try {
      await session.ping();
    } finally {
      await session.close();
    }
    log(`testSecret: Successfully signed into ${this.engine.label} DB with AWSPENDING secret in ${this.arn}.`);
  }

  async finishSecret(): Promise<void> {
    const metadata = await this.client.send(new DescribeSecretCommand({ SecretId: this.arn }));
    let currentVersion: string | undefined;
    for (const [version, stages] of Object.entries(metadata.VersionIdsToStages ?? {})) {
      if (stages.includes('AWSCURRENT')) {
        if (version === this.token) {
          log(`finishSecret: Version ${version} already marked as AWSCURRENT for ${this.arn}`);
          return;
        }
        currentVersion = version;
        break;
      }
    }
    await this.client.send(new UpdateSecretVersionStageCommand({
      SecretId: this.arn, VersionStage: 'AWSCURRENT', MoveToVersionId: this.token, RemoveFromVersionId: currentVersion,
    }));
    log(`finishSecret: Successfully set AWSCURRENT stage to version ${this.token} for secret ${this.arn}.`);
  }
}
