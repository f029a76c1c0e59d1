/**
 * The rotation driver: runs a secret's rotation function as Secrets Manager does. It invokes
 * the function as the service principal `secretsmanager.amazonaws.com` through Lambda's
 * ServiceInvoker (so the function's resource policy decides, with `aws:SourceAccount` and
 * `aws:SourceArn` naming the secret), once per step with one ClientRequestToken: createSecret,
 * setSecret, testSecret, finishSecret. The function does the work with its execution role's
 * credentials through the public API; nothing here writes a secret value.
 *
 * What the service itself does (AWS's RotateSecret and the rotation templates' contract):
 * - before the first step: RotationEnabled=true and an empty version whose id is the token,
 *   labelled AWSPENDING (the templates refuse a token DescribeSecret does not list);
 * - after finishSecret: AWSCURRENT must be on the token; the service removes AWSPENDING,
 *   sets LastRotatedDate and the next window;
 * - a failed step stops the attempt; AWSCURRENT is untouched and AWSPENDING stays where the
 *   function left it (possibly on an empty version), so later RotateSecret calls answer "A
 *   previous rotation isn't complete" and the scheduler retries with the same token.
 *
 * Invocations never run inside a transaction: the function calls back into this server.
 * A running rotation holds a lease (`rotation_due_at` in the future) so no other node or
 * scan starts it twice; when this node stops, the lease is handed back (due now), so the next
 * start resumes it with the same token.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Logger } from 'pino';
import { accessDenied, AwsError } from '../../../errors.ts';
import type { Database } from '../../../storage/schema.ts';
import type { SecretRepository, SecretRow } from '../../../storage/secret-repository.ts';
import type { RootKeySealer } from '../../../crypto/root-key-ring.ts';
import type { InvokeResult, ServiceInvoker } from '../../lambda/contract.ts';
import { nextRotationWindow, parseRotationRules, rotationStartIn, type CompiledSchedule, type RotationRules } from '../schedule.ts';
import { describedNextRotationDate } from '../schedule.ts';
import { arnPlace, type AuditSink } from '../../../audit/sink.ts';
import {
  AttemptStore, ROTATION_STEPS, type AttemptKind, type AttemptTrigger, type RotationStep, type StepDetail, type StepRecord,
} from './attempts.ts';

export const SERVICE_PRINCIPAL = 'secretsmanager.amazonaws.com';
export const CANNOT_INVOKE = 'Secrets Manager cannot invoke the specified Lambda function. Ensure that the function policy grants access to the principal secretsmanager.amazonaws.com.';
export const ROTATION_IN_PROGRESS = "A previous rotation isn't complete. That rotation will be reattempted.";

/**
 * A running rotation's lease (`rotation_due_at` this far ahead), renewed every third of it
 * while the attempt runs, however long its steps take. A node that dies stops renewing: once
 * the lease ends, the scheduler on another node marks the attempt interrupted and resumes the
 * rotation with the same token at the step it had reached.
 */
export const ROTATION_LEASE_MS = 10_000;
/**
 * AWS retries a failed rotation "several times" without saying how often. coffer makes three
 * attempts per window (the first, then after 1 and 5 minutes), then waits for the next window
 * and tries again with the same token.
 */
export const RETRY_DELAYS_MS = [60_000, 5 * 60_000];

export interface RotationDriverDeps {
  repo: SecretRepository;
  sealer: RootKeySealer;
  log: Logger;
  now: () => number;
  /** Lambda's ServiceInvoker; a getter because the Lambda service is assembled beside this one. */
  invoker: () => ServiceInvoker | undefined;
  random?: () => number;
  /** The audit trail: RotationStarted, RotationSucceeded and RotationFailed, as AWS logs them. */
  audit?: AuditSink;
  /** A running rotation's lease (default `ROTATION_LEASE_MS`). */
  leaseMs?: number;
  /** This node's id, recorded with each attempt. */
  nodeId?: string;
}

/** An attempt recorded and leased, ready to run outside the lock. */
export interface StartedAttempt {
  attemptId: string;
  /** Steps an interrupted attempt with this token already completed: a resumed rotation skips them. */
  done?: StepRecord[];
  secretId: string;
  secretArn: string;
  token: string;
  kind: AttemptKind;
}

const AWSCURRENT = 'AWSCURRENT';
const AWSPENDING = 'AWSPENDING';

/** How an attempt ended, told to `RotationDriver.ended` listeners once its record committed. */
export interface AttemptEnd {
  kind: AttemptKind;
  outcome: 'succeeded' | 'failed' | 'interrupted';
  secretArn: string;
}

export class RotationDriver {
  readonly attempts: AttemptStore;
  /** Listeners told of every attempt's end (metrics); one that throws is ignored. */
  readonly ended = new Set<(end: AttemptEnd) => void>();
  private readonly running = new Map<string, { started: StartedAttempt; done: Promise<void> }>();
  private stopping = false;

  constructor(private readonly deps: RotationDriverDeps) {
    this.attempts = new AttemptStore(deps.repo.db, deps.sealer, deps.nodeId);
  }

  private get db(): Kysely<Database> {
    return this.deps.repo.db;
  }

  /**
   * Before anything is stored: may Secrets Manager invoke this function for this secret? A
   * Lambda DryRun as the service principal; a missing function or a resource policy that does
   * not allow the service (or names another source account) is AWS's AccessDeniedException.
   */
  async requireInvokable(secret: Pick<SecretRow, 'account_id' | 'arn'>, functionArn: string): Promise<void> {
    const invoker = this.deps.invoker();
    if (!invoker) throw accessDenied(CANNOT_INVOKE);
    try {
      await invoker.invokeAsService({
        functionArn, servicePrincipal: SERVICE_PRINCIPAL, sourceAccount: secret.account_id, sourceArn: secret.arn, event: {}, invocationType: 'DryRun',
      });
    } catch (err) {
      if (err instanceof AwsError) throw accessDenied(CANNOT_INVOKE);
      throw err;
    }
  }

  /** The version AWSPENDING is on when a rotation is unfinished (not on AWSCURRENT's version). */
  async unfinishedToken(trx: Transaction<Database>, secretId: string): Promise<string | undefined> {
    const pending = await this.deps.repo.stageHolder(trx, secretId, AWSPENDING);
    const current = await this.deps.repo.stageHolder(trx, secretId, AWSCURRENT);
    return pending !== undefined && pending !== current ? pending : undefined;
  }

  /**
   * Inside the secret's lock: the empty AWSPENDING version named by `token` (kept if it exists:
   * a resumed rotation), the lease, and the attempt's record.
   */
  async beginRotation(trx: Transaction<Database>, secret: SecretRow, token: string, trigger: AttemptTrigger, done?: StepRecord[]): Promise<StartedAttempt> {
    const now = this.deps.now();
    const existing = await this.deps.repo.version(secret.id, { versionId: token }, trx);
    if (!existing) {
      await this.deps.repo.insertVersion(trx, secret.id, {
        version_id: token, created_at: now, last_accessed_at: null, kms_key_id: null, encrypted_data_key: null, ciphertext: null, value_kind: null,
      });
    }
    if (!existing?.stages.includes(AWSPENDING)) await this.deps.repo.moveStage(trx, secret.id, AWSPENDING, token);
    await trx.updateTable('secrets').set({ rotation_due_at: now + this.leaseMs }).where('id', '=', secret.id).execute();
    const attemptId = await this.attempts.begin(trx, {
      secretId: secret.id, token, kind: 'rotate', trigger, functionArn: secret.rotation_lambda_arn ?? '', now, steps: done,
    });
    return { attemptId, secretId: secret.id, secretArn: secret.arn, token, kind: 'rotate', done };
  }

  /** Inside the lock, after RotateImmediately=false wrote the AWSPENDING copy `token`: testSecret only. */
  async beginTest(trx: Transaction<Database>, secret: SecretRow, token: string): Promise<StartedAttempt> {
    const attemptId = await this.attempts.begin(trx, {
      secretId: secret.id, token, kind: 'test', trigger: 'RotateSecret', functionArn: secret.rotation_lambda_arn ?? '', now: this.deps.now(),
    });
    return { attemptId, secretId: secret.id, secretArn: secret.arn, token, kind: 'test' };
  }

  /** After the commit that began it: runs the attempt in the background; resolves when it ended. */
  launch(started: StartedAttempt): Promise<void> {
    if (this.stopping) return Promise.resolve();
    if (started.kind === 'rotate') this.audit('RotationStarted', started);
    const done = this.run(started)
      .catch((err) => this.deps.log.error({ err, secretArn: started.secretArn, attemptId: started.attemptId }, 'rotation attempt failed unexpectedly'))
      .finally(() => this.running.delete(started.attemptId));
    this.running.set(started.attemptId, { started, done });
    return done;
  }

  /**
   * The scheduler's entry: claims a due rotation under the secret's lock (resuming an
   * unfinished one with its token) and launches it. False if it was not due after all.
   */
  async startDue(secretId: string): Promise<boolean> {
    if (this.stopping) return false;
    const now = this.deps.now();
    const started = await this.deps.repo.withSecretLock(secretId, async (trx, s) => {
      if (!s || s.deletion_date !== null || s.rotation_enabled !== 1 || !s.rotation_lambda_arn) return undefined;
      if (s.rotation_due_at === null || s.rotation_due_at === undefined || Number(s.rotation_due_at) > now) return undefined;
      await this.attempts.interruptStale(trx, s.id, now);
      const unfinished = await this.unfinishedToken(trx, s.id);
      // An attempt cut short (its node stopped or died) goes on at the step it had reached;
      // one that failed starts over at createSecret, as AWS retries a failed rotation.
      const done = unfinished ? await this.attempts.completedSteps(trx, s.id, unfinished) : undefined;
      return this.beginRotation(trx, s, unfinished ?? randomUUID(), unfinished ? 'retry' : 'schedule', done);
    });
    if (!started) return false;
    void this.launch(started);
    return true;
  }

  /** Waits for the attempts running on this node (tests and the bench). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running.values()].map((r) => r.done));
  }

  /**
   * No new attempts; those running are marked interrupted and handed back to the schedule
   * (due now), so the next start resumes them with the same token. Their invocations are the
   * runtime's to end; nothing they return is written.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    const now = this.deps.now();
    for (const { started } of this.running.values()) {
      try {
        await this.deps.repo.withSecretLock(started.secretId, async (trx, s) => {
          if (!s) return;
          await this.attempts.finish(trx, started.attemptId, 'interrupted', now, 'coffer stopped during the attempt');
          if (started.kind === 'test') await removeVersion(trx, s.id, started.token);
          else await trx.updateTable('secrets').set({ rotation_due_at: now }).where('id', '=', s.id).execute();
        });
        this.tell(started, 'interrupted');
      } catch (err) {
        this.deps.log.warn({ err, secretArn: started.secretArn }, 'recording an interrupted rotation failed; its lease expires instead');
      }
    }
    this.running.clear();
  }

  private audit(name: 'RotationStarted' | 'RotationSucceeded' | 'RotationFailed', started: StartedAttempt): void {
    this.deps.audit?.serviceEvent({ name, service: 'secretsmanager', ...arnPlace(started.secretArn), resourceArn: started.secretArn });
  }

  private tell(started: StartedAttempt, outcome: AttemptEnd['outcome']): void {
    for (const listener of this.ended) {
      try {
        listener({ kind: started.kind, outcome, secretArn: started.secretArn });
      } catch {
        // A listener's failure must not fail the rotation it was told about.
      }
    }
  }

  private get leaseMs(): number {
    return this.deps.leaseMs ?? ROTATION_LEASE_MS;
  }

  /**
   * Keeps the attempt's lease while it runs. `lost()` turns true when the lease could not be
   * renewed because the attempt is no longer running (another node took the rotation over
   * after this one stalled past the lease): this node must then write nothing more.
   */
  private keepLease(started: StartedAttempt): { lost: () => boolean; stop: () => void } {
    let lost = false;
    // Under the secret's row lock, so it serializes with the attempt's end (or another node's
    // takeover): a renewal never re-leases a rotation that just finished.
    const renew = () => this.deps.repo.withSecretLock(started.secretId, async (trx, s) => {
      if (this.stopping || !s) return;
      if (!(await this.attempts.isRunning(trx, started.attemptId))) {
        lost = true;
        return;
      }
      if (s.rotation_due_at !== null) {
        await trx.updateTable('secrets').set({ rotation_due_at: this.deps.now() + this.leaseMs }).where('id', '=', s.id).execute();
      }
    });
    const timer = setInterval(() => {
      renew().catch((err) => this.deps.log.warn({ err, secretArn: started.secretArn }, 'renewing a rotation lease failed'));
    }, Math.max(50, Math.floor(this.leaseMs / 3)));
    timer.unref();
    return { lost: () => lost, stop: () => clearInterval(timer) };
  }

  private async run(started: StartedAttempt): Promise<void> {
    if (started.kind !== 'rotate') return this.runSteps(started, () => false);
    const lease = this.keepLease(started);
    try {
      await this.runSteps(started, lease.lost);
    } finally {
      lease.stop();
    }
  }

  private async runSteps(started: StartedAttempt, lost: () => boolean): Promise<void> {
    const steps: StepRecord[] = [...(started.done ?? [])];
    const details: Partial<Record<RotationStep, StepDetail>> = {};
    // Opaque to the function; AWS sends one with every step of a rotation.
    const rotationToken = randomUUID();
    const skipped = new Set(steps.map((s) => s.step));
    const plan: readonly RotationStep[] = started.kind === 'rotate' ? ROTATION_STEPS.filter((s) => !skipped.has(s)) : ['testSecret'];
    let failure: string | undefined;
    for (const step of plan) {
      if (this.stopping || lost()) return;
      const secret = await this.deps.repo.byArn(started.secretArn);
      const reason = !secret ? 'the secret no longer exists'
        : secret.deletion_date !== null ? 'the secret is scheduled for deletion'
        : secret.rotation_enabled !== 1 ? 'rotation was cancelled (CancelRotateSecret)'
        : !secret.rotation_lambda_arn ? 'no rotation function is configured' : undefined;
      if (reason || !secret) {
        failure = `${step} not run: ${reason}`;
        break;
      }
      const startedAt = this.deps.now();
      const t0 = performance.now();
      let result: InvokeResult | undefined;
      let invokeError: AwsError | undefined;
      try {
        const invoker = this.deps.invoker();
        if (!invoker) throw accessDenied(CANNOT_INVOKE);
        result = await invoker.invokeAsService({
          functionArn: secret.rotation_lambda_arn!, servicePrincipal: SERVICE_PRINCIPAL,
          sourceAccount: secret.account_id, sourceArn: secret.arn, logType: 'Tail',
          event: { Step: step, SecretId: secret.arn, ClientRequestToken: started.token, RotationToken: rotationToken },
        });
      } catch (err) {
        if (!(err instanceof AwsError)) throw err;
        invokeError = err;
      }
      if (this.stopping || lost()) return;
      const record: StepRecord = { step, outcome: 'succeeded', startedAt, durationMs: Math.round(performance.now() - t0) };
      if (invokeError) {
        record.outcome = 'failed';
        record.errorCode = invokeError.code;
        // Lambda's refusal names the function and policy, never a value: kept in plain text.
        failure = `${step}: Secrets Manager could not invoke ${secret.rotation_lambda_arn}: ${invokeError.code}: ${invokeError.message}`;
      } else if (result) {
        const said: StepDetail = {};
        if (result.logTail) said.logTail = result.logTail;
        if (result.functionError) {
          record.outcome = 'failed';
          record.errorCode = result.functionError;
          Object.assign(said, functionErrorOf(result.payload));
          failure = `${step}: the rotation function failed (${result.functionError}${said.errorType ? `: ${said.errorType}` : ''})`;
        }
        if (Object.keys(said).length > 0) details[step] = said;
      }
      steps.push(record);
      await this.attempts.progress(started.attemptId, steps, details);
      if (failure) break;
    }
    if (this.stopping || lost()) return;
    if (started.kind === 'test') await this.finishTest(started, failure);
    else await this.finishRotation(started, failure);
  }

  private async finishTest(started: StartedAttempt, failure: string | undefined): Promise<void> {
    const now = this.deps.now();
    await this.deps.repo.withSecretLock(started.secretId, async (trx, s) => {
      if (!s) return;
      // The test version exists only for the test: removed, whatever the outcome.
      await removeVersion(trx, s.id, started.token);
      await this.attempts.finish(trx, started.attemptId, failure ? 'failed' : 'succeeded', now, failure);
    });
    this.tell(started, failure ? 'failed' : 'succeeded');
    if (failure) this.deps.log.warn({ event: 'RotationTestFailed', secretArn: started.secretArn, reason: failure }, 'testing the rotation configuration failed');
  }

  private async finishRotation(started: StartedAttempt, given: string | undefined): Promise<void> {
    const now = this.deps.now();
    let failure = given;
    let takenOver = false;
    await this.deps.repo.withSecretLock(started.secretId, async (trx, s) => {
      // Taken over by another node (this one stalled past its lease): that node finishes it.
      if (!s || !(await this.attempts.isRunning(trx, started.attemptId))) {
        takenOver = s !== undefined;
        return;
      }
      const schedule = scheduleOf(s);
      if (!failure && (await this.deps.repo.stageHolder(trx, s.id, AWSCURRENT)) !== started.token) {
        failure = `finishSecret returned, but AWSCURRENT is not on version ${started.token}`;
      }
      if (!failure) {
        if ((await this.deps.repo.stageHolder(trx, s.id, AWSPENDING)) === started.token) await this.deps.repo.removeStage(trx, s.id, AWSPENDING);
        const at = new Date(now);
        await trx.updateTable('secrets').set({
          last_rotated_at: now,
          next_rotation_at: schedule ? describedNextRotationDate(schedule, at, at).getTime() : null,
          rotation_due_at: schedule ? this.startOfNextWindow(schedule, at) : null,
        }).where('id', '=', s.id).execute();
        await this.attempts.finish(trx, started.attemptId, 'succeeded', now);
        return;
      }
      const tries = await this.attempts.countForToken(trx, s.id, started.token);
      const retryIn = RETRY_DELAYS_MS[(tries - 1) % (RETRY_DELAYS_MS.length + 1)];
      // NextRotationDate stays as it was, so it may lie in the past, as AWS's can.
      const due = retryIn !== undefined ? now + retryIn : schedule ? this.startOfNextWindow(schedule, new Date(now)) : null;
      await trx.updateTable('secrets').set({ rotation_due_at: due }).where('id', '=', s.id).execute();
      await this.attempts.finish(trx, started.attemptId, 'failed', now, failure);
    });
    if (takenOver) {
      this.deps.log.warn({ secretArn: started.secretArn, token: started.token }, 'another node took this rotation over; it finishes it');
      return;
    }
    this.tell(started, failure ? 'failed' : 'succeeded');
    this.audit(failure ? 'RotationFailed' : 'RotationSucceeded', started);
    if (failure) {
      this.deps.log.warn({ event: 'RotationFailed', secretArn: started.secretArn, token: started.token, reason: failure }, 'rotation failed; AWSCURRENT unchanged');
    } else {
      this.deps.log.info({ event: 'RotationSucceeded', secretArn: started.secretArn, token: started.token }, 'secret rotated');
    }
  }

  /** A random moment in the first window after `from` (counted as if rotated at `from`). */
  startOfNextWindow(schedule: CompiledSchedule, from: Date): number {
    return rotationStartIn(nextRotationWindow(schedule, from, from), from, this.deps.random).getTime();
  }

  /** When a schedule just configured next rotates: a random moment in its next window. */
  dueFor(schedule: CompiledSchedule, now: Date, lastRotated?: Date): number {
    return rotationStartIn(nextRotationWindow(schedule, now, lastRotated), now, this.deps.random).getTime();
  }
}

function scheduleOf(s: SecretRow): CompiledSchedule | undefined {
  return s.rotation_rules ? parseRotationRules(JSON.parse(s.rotation_rules) as RotationRules) : undefined;
}

async function removeVersion(trx: Transaction<Database>, secretId: string, versionId: string): Promise<void> {
  await trx.deleteFrom('secret_version_stages').where('secret_id', '=', secretId).where('version_id', '=', versionId).execute();
  await trx.deleteFrom('secret_versions').where('secret_id', '=', secretId).where('version_id', '=', versionId).execute();
}

/** Lambda's error payload: `{errorType, errorMessage, …}` (Python and Node runtimes alike). */
function functionErrorOf(payload: Buffer): StepDetail {
  try {
    const parsed = JSON.parse(payload.toString('utf8')) as { errorType?: unknown; errorMessage?: unknown };
    const out: StepDetail = {};
    if (typeof parsed.errorType === 'string') out.errorType = parsed.errorType;
    if (typeof parsed.errorMessage === 'string') out.errorMessage = parsed.errorMessage;
    return out;
  } catch {
    return { errorMessage: payload.toString('utf8').slice(0, 4096) };
  }
}
