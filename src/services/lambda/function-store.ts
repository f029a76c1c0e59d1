/**
 * Lambda functions in the database (table `lambda_functions`, migration 0008). The code zip
 * and the environment variables are sealed under the root key ring, bound to the function's
 * id; rows are read without the code, which is opened only when a function runs or its code
 * is asked for. Every write is a compare-and-set on the revision id, so two writers to one
 * function (on one node or several) never lose each other's change.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { Database, LambdaFunctionTable } from '../../storage/schema.ts';
import type { RootKeySealer } from '../../crypto/root-key-ring.ts';
import type { FunctionConfig } from './contract.ts';
import type { FunctionRef } from './function-names.ts';

/** A row as read: everything but the sealed code. */
export type FunctionRow = Omit<Selectable<LambdaFunctionTable>, 'code_sealed'>;

/** What a write may change; `code` and `environment` arrive in plaintext and are sealed here. */
export interface FunctionChanges {
  runtime?: string;
  handler?: string;
  role_arn?: string;
  description?: string;
  timeout_seconds?: number;
  memory_size?: number;
  architectures?: string;
  code?: { zip: Buffer; sha256: string };
  /** null removes the environment. */
  environment?: Record<string, string> | null;
  policy?: string | null;
  tags?: string;
  /** false: a change that is not the function's code or configuration (tags) keeps LastModified. */
  touch?: boolean;
}

const ROW_COLUMNS = [
  'function_id', 'account_id', 'region', 'function_name', 'function_arn', 'runtime', 'handler', 'role_arn', 'description',
  'timeout_seconds', 'memory_size', 'architectures', 'code_size', 'code_sha256', 'environment_sealed', 'policy', 'tags',
  'revision_id', 'last_modified', 'created_at',
] as const;

const codeAad = (functionId: string) => `lambda-code:${functionId}`;
const environmentAad = (functionId: string) => `lambda-environment:${functionId}`;

/** A write lost to a concurrent one (the revision moved under it). */
export class RevisionConflict extends Error {}

function normalize(row: FunctionRow): FunctionRow {
  // PostgreSQL returns bigint columns as strings.
  return {
    ...row,
    timeout_seconds: Number(row.timeout_seconds), memory_size: Number(row.memory_size), code_size: Number(row.code_size),
    last_modified: Number(row.last_modified), created_at: Number(row.created_at),
    environment_sealed: row.environment_sealed === null ? null : Buffer.from(row.environment_sealed),
  };
}

export class FunctionStore {
  constructor(private readonly db: Kysely<Database>, private readonly sealer: RootKeySealer, private readonly now: () => number) {}

  async find(ref: Pick<FunctionRef, 'accountId' | 'region' | 'name'>): Promise<FunctionRow | undefined> {
    const row = await this.db.selectFrom('lambda_functions').select(ROW_COLUMNS)
      .where('account_id', '=', ref.accountId).where('region', '=', ref.region).where('function_name', '=', ref.name)
      .executeTakeFirst();
    return row && normalize(row);
  }

  async findByArn(arn: string): Promise<FunctionRow | undefined> {
    const row = await this.db.selectFrom('lambda_functions').select(ROW_COLUMNS).where('function_arn', '=', arn).executeTakeFirst();
    return row && normalize(row);
  }

  /** The functions of one account and region, by name, starting after `after`. */
  async list(accountId: string, region: string, after: string | undefined, limit: number): Promise<FunctionRow[]> {
    let q = this.db.selectFrom('lambda_functions').select(ROW_COLUMNS)
      .where('account_id', '=', accountId).where('region', '=', region);
    if (after !== undefined) q = q.where('function_name', '>', after);
    const rows = await q.orderBy('function_name').limit(limit).execute();
    return rows.map(normalize);
  }

  /** Inserts a new function; false when one of that name exists. */
  async insert(f: {
    accountId: string; region: string; name: string; arn: string; runtime: string; handler: string; roleArn: string;
    description: string; timeoutSeconds: number; memorySize: number; architectures: string[];
    code: { zip: Buffer; sha256: string }; environment?: Record<string, string>; tags: Record<string, string>;
  }): Promise<FunctionRow | undefined> {
    const id = randomUUID();
    const now = this.now();
    const row = {
      function_id: id, account_id: f.accountId, region: f.region, function_name: f.name, function_arn: f.arn,
      runtime: f.runtime, handler: f.handler, role_arn: f.roleArn, description: f.description,
      timeout_seconds: f.timeoutSeconds, memory_size: f.memorySize, architectures: JSON.stringify(f.architectures),
      code_sealed: this.sealer.seal(f.code.zip, codeAad(id)), code_size: f.code.zip.length, code_sha256: f.code.sha256,
      environment_sealed: f.environment ? this.sealer.seal(Buffer.from(JSON.stringify(f.environment)), environmentAad(id)) : null,
      policy: null, tags: JSON.stringify(f.tags), revision_id: randomUUID(), last_modified: now, created_at: now,
    };
    const inserted = await this.db.insertInto('lambda_functions').values(row)
      .onConflict((oc) => oc.doNothing()).executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return undefined;
    const { code_sealed: _code, ...rest } = row;
    return normalize(rest);
  }

  /**
   * Applies `changes` if the function is still at `row.revision_id`; returns the new row.
   * Throws RevisionConflict when another write got there first, undefined when it is gone.
   */
  async update(row: FunctionRow, changes: FunctionChanges): Promise<FunctionRow> {
    const set: Partial<Selectable<LambdaFunctionTable>> = { revision_id: randomUUID() };
    if (changes.touch !== false) set.last_modified = this.now();
    if (changes.runtime !== undefined) set.runtime = changes.runtime;
    if (changes.handler !== undefined) set.handler = changes.handler;
    if (changes.role_arn !== undefined) set.role_arn = changes.role_arn;
    if (changes.description !== undefined) set.description = changes.description;
    if (changes.timeout_seconds !== undefined) set.timeout_seconds = changes.timeout_seconds;
    if (changes.memory_size !== undefined) set.memory_size = changes.memory_size;
    if (changes.architectures !== undefined) set.architectures = changes.architectures;
    if (changes.policy !== undefined) set.policy = changes.policy;
    if (changes.tags !== undefined) set.tags = changes.tags;
    if (changes.code) {
      set.code_sealed = this.sealer.seal(changes.code.zip, codeAad(row.function_id));
      set.code_size = changes.code.zip.length;
      set.code_sha256 = changes.code.sha256;
    }
    if (changes.environment !== undefined) {
      set.environment_sealed = changes.environment === null
        ? null
        : this.sealer.seal(Buffer.from(JSON.stringify(changes.environment)), environmentAad(row.function_id));
    }
    const result = await this.db.updateTable('lambda_functions').set(set)
      .where('function_id', '=', row.function_id).where('revision_id', '=', row.revision_id).executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) throw new RevisionConflict();
    const { code_sealed: _code, ...rest } = set;
    return normalize({ ...row, ...rest } as FunctionRow);
  }

  async delete(functionId: string): Promise<boolean> {
    const result = await this.db.deleteFrom('lambda_functions').where('function_id', '=', functionId).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** The code zip, unsealed. */
  async code(row: Pick<FunctionRow, 'function_id'>): Promise<Buffer> {
    const found = await this.db.selectFrom('lambda_functions').select('code_sealed').where('function_id', '=', row.function_id).executeTakeFirst();
    if (!found) throw new Error('the function was deleted');
    return this.sealer.open(Buffer.from(found.code_sealed), codeAad(row.function_id));
  }

  environment(row: FunctionRow): Record<string, string> | undefined {
    if (!row.environment_sealed) return undefined;
    return JSON.parse(this.sealer.open(row.environment_sealed, environmentAad(row.function_id)).toString('utf8')) as Record<string, string>;
  }

  /** What the runtime needs to run the function. */
  config(row: FunctionRow): FunctionConfig {
    return {
      functionName: row.function_name, functionArn: row.function_arn, accountId: row.account_id, region: row.region,
      runtime: row.runtime, handler: row.handler, roleArn: row.role_arn, timeoutSeconds: row.timeout_seconds,
      memorySize: row.memory_size, environment: this.environment(row) ?? {}, codeSha256: row.code_sha256,
    };
  }
}

/** Runs `attempt` again while it loses to concurrent writes (a few times, then gives up as Lambda does). */
export async function withRevisionRetry<T>(attempt: () => Promise<T>, tries = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (err) {
      if (!(err instanceof RevisionConflict) || i >= tries) throw err;
    }
  }
}
