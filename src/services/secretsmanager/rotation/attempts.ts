/**
 * The record of rotation attempts (table `rotation_attempts`, migration 0010): what AWS hides
 * and `coffer rotation status` shows. Step outcomes, durations and coffer's own error text are
 * plain; what the function said (error message, log tail) may quote secret values, so it is
 * sealed under the root key, bound to the attempt id.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Database, RotationAttemptTable } from '../../../storage/schema.ts';
import type { RootKeySealer } from '../../../crypto/root-key-ring.ts';

export type RotationStep = 'createSecret' | 'setSecret' | 'testSecret' | 'finishSecret';
export const ROTATION_STEPS: readonly RotationStep[] = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'];

export type AttemptKind = 'rotate' | 'test';
export type AttemptTrigger = 'RotateSecret' | 'schedule' | 'retry';
export type AttemptOutcome = 'running' | 'succeeded' | 'failed' | 'interrupted';

export interface StepRecord {
  step: RotationStep;
  outcome: 'succeeded' | 'failed';
  startedAt: number;
  durationMs: number;
  /** `Unhandled`/`Handled` for a function error, or the AWS error code of a refused invoke. */
  errorCode?: string;
}

/** What the function said about a step; sealed at rest. */
export interface StepDetail {
  errorType?: string;
  errorMessage?: string;
  logTail?: string;
}

export interface Attempt {
  attemptId: string;
  secretId: string;
  token: string;
  kind: AttemptKind;
  trigger: AttemptTrigger;
  functionArn: string;
  outcome: AttemptOutcome;
  startedAt: number;
  finishedAt?: number;
  steps: StepRecord[];
  error?: string;
  /** Only when read with a sealer. */
  details?: Partial<Record<RotationStep, StepDetail>>;
}

type Db = Kysely<Database> | Transaction<Database>;

const detailAad = (attemptId: string) => `rotation_attempts.detail_sealed\n${attemptId}`;

export class AttemptStore {
  /** `nodeId`: recorded with each attempt this node begins (src/cluster/). */
  constructor(private readonly db: Kysely<Database>, private readonly sealer: RootKeySealer, private readonly nodeId?: string) {}

  /** `steps`: those a resumed attempt carries over from the interrupted one. */
  async begin(trx: Db, a: { secretId: string; token: string; kind: AttemptKind; trigger: AttemptTrigger; functionArn: string; now: number; steps?: StepRecord[] }): Promise<string> {
    const attemptId = randomUUID();
    await trx.insertInto('rotation_attempts').values({
      attempt_id: attemptId, secret_id: a.secretId, token: a.token, kind: a.kind, trigger: a.trigger,
      function_arn: a.functionArn, outcome: 'running', started_at: a.now, finished_at: null, steps: JSON.stringify(a.steps ?? []), error: null, detail_sealed: null,
      node_id: this.nodeId ?? null,
    }).execute();
    return attemptId;
  }

  /** Writes the steps so far (and their sealed details); the attempt stays running. */
  async progress(attemptId: string, steps: StepRecord[], details: Partial<Record<RotationStep, StepDetail>>, db: Db = this.db): Promise<void> {
    // Only while running: an attempt another node marked interrupted (and resumed) stays as it was.
    await db.updateTable('rotation_attempts').set({ steps: JSON.stringify(steps), detail_sealed: this.sealDetails(attemptId, details) })
      .where('attempt_id', '=', attemptId).where('outcome', '=', 'running').execute();
  }

  async isRunning(db: Db, attemptId: string): Promise<boolean> {
    const row = await db.selectFrom('rotation_attempts').select('outcome').where('attempt_id', '=', attemptId).executeTakeFirst();
    return row?.outcome === 'running';
  }

  /**
   * The steps to skip when a rotation with `token` resumes: those the newest attempt for the
   * token completed, when that attempt was interrupted (its node stopped or died) rather than
   * failed. The step that was running when it stopped runs again (the templates' steps are
   * idempotent for one token).
   */
  async completedSteps(db: Db, secretId: string, token: string): Promise<StepRecord[] | undefined> {
    const last = await db.selectFrom('rotation_attempts').select(['outcome', 'steps'])
      .where('secret_id', '=', secretId).where('token', '=', token).where('kind', '=', 'rotate')
      .orderBy('started_at', 'desc').orderBy('attempt_id').limit(1).executeTakeFirst();
    if (last?.outcome !== 'interrupted') return undefined;
    const done: StepRecord[] = [];
    // In order and without a gap: a resumed rotation never skips a step that did not succeed.
    for (const [i, step] of (JSON.parse(last.steps) as StepRecord[]).entries()) {
      if (step.step !== ROTATION_STEPS[i] || step.outcome !== 'succeeded') break;
      done.push(step);
    }
    return done.length > 0 ? done : undefined;
  }

  async finish(db: Db, attemptId: string, outcome: Exclude<AttemptOutcome, 'running'>, now: number, error?: string): Promise<void> {
    await db.updateTable('rotation_attempts').set({ outcome, finished_at: now, error: error ?? null })
      .where('attempt_id', '=', attemptId).execute();
  }

  /** Attempts left running by a node that stopped or died: they will never finish. */
  async interruptStale(db: Db, secretId: string, now: number): Promise<void> {
    await db.updateTable('rotation_attempts').set({ outcome: 'interrupted', finished_at: now, error: 'coffer stopped during the attempt; the rotation is resumed with the same token' })
      .where('secret_id', '=', secretId).where('outcome', '=', 'running').execute();
  }

  /** How many attempts this token has had: retries are counted per token. */
  async countForToken(db: Db, secretId: string, token: string): Promise<number> {
    const row = await db.selectFrom('rotation_attempts').select((eb) => eb.fn.countAll().as('n'))
      .where('secret_id', '=', secretId).where('token', '=', token).where('kind', '=', 'rotate').executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  /** The newest attempts first; with `unseal`, what the functions said too. */
  async last(secretId: string, limit: number, unseal = false): Promise<Attempt[]> {
    const rows = await this.db.selectFrom('rotation_attempts').selectAll().where('secret_id', '=', secretId)
      .orderBy('started_at', 'desc').orderBy('attempt_id').limit(limit).execute();
    return rows.map((r) => this.toAttempt(r, unseal));
  }

  private toAttempt(r: RotationAttemptTable, unseal: boolean): Attempt {
    const attempt: Attempt = {
      attemptId: r.attempt_id, secretId: r.secret_id, token: r.token, kind: r.kind as AttemptKind, trigger: r.trigger as AttemptTrigger,
      functionArn: r.function_arn, outcome: r.outcome as AttemptOutcome, startedAt: Number(r.started_at),
      finishedAt: r.finished_at === null ? undefined : Number(r.finished_at), steps: JSON.parse(r.steps) as StepRecord[], error: r.error ?? undefined,
    };
    if (unseal && r.detail_sealed) {
      attempt.details = JSON.parse(this.sealer.open(Buffer.from(r.detail_sealed), detailAad(r.attempt_id)).toString('utf8')) as Attempt['details'];
    }
    return attempt;
  }

  private sealDetails(attemptId: string, details: Partial<Record<RotationStep, StepDetail>>): Buffer | null {
    if (Object.keys(details).length === 0) return null;
    return this.sealer.seal(Buffer.from(JSON.stringify(details), 'utf8'), detailAad(attemptId));
  }
}
