/** A function as Lambda shows it (`FunctionConfiguration`). */
import type { FunctionRow } from './function-store.ts';
import type { FunctionStore } from './function-store.ts';

/** Lambda's timestamp format: `2024-01-01T00:00:00.000+0000`. */
export function lambdaTime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

export interface FunctionConfiguration {
  FunctionName: string;
  FunctionArn: string;
  Runtime: string;
  Role: string;
  Handler: string;
  CodeSize: number;
  Description: string;
  Timeout: number;
  MemorySize: number;
  LastModified: string;
  CodeSha256: string;
  Version: string;
  Environment?: { Variables: Record<string, string> };
  TracingConfig: { Mode: string };
  RevisionId: string;
  State: string;
  LastUpdateStatus: string;
  PackageType: string;
  Architectures: string[];
  EphemeralStorage: { Size: number };
  SnapStart: { ApplyOn: string; OptimizationStatus: string };
  LoggingConfig: { LogFormat: string; LogGroup: string };
}

/**
 * The configuration of `$LATEST`. coffer runs a function as soon as it is stored, so `State`
 * is `Active` and `LastUpdateStatus` `Successful` at once (AWS passes through `Pending` /
 * `InProgress` first; the SDK waiters accept both).
 */
export function functionConfiguration(store: FunctionStore, row: FunctionRow): FunctionConfiguration {
  const environment = store.environment(row);
  const out: FunctionConfiguration = {
    FunctionName: row.function_name,
    FunctionArn: row.function_arn,
    Runtime: row.runtime,
    Role: row.role_arn,
    Handler: row.handler,
    CodeSize: row.code_size,
    Description: row.description,
    Timeout: row.timeout_seconds,
    MemorySize: row.memory_size,
    LastModified: lambdaTime(row.last_modified),
    CodeSha256: row.code_sha256,
    Version: '$LATEST',
    TracingConfig: { Mode: 'PassThrough' },
    RevisionId: row.revision_id,
    State: 'Active',
    LastUpdateStatus: 'Successful',
    PackageType: 'Zip',
    Architectures: JSON.parse(row.architectures) as string[],
    EphemeralStorage: { Size: 512 },
    SnapStart: { ApplyOn: 'None', OptimizationStatus: 'Off' },
    LoggingConfig: { LogFormat: 'Text', LogGroup: `/aws/lambda/${row.function_name}` },
  };
  if (environment) out.Environment = { Variables: environment };
  return out;
}
