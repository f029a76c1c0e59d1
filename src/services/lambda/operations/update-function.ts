/**
 * UpdateFunctionCode and UpdateFunctionConfiguration. Both honour `RevisionId` (412 when the
 * function moved on), and a write that loses to a concurrent one gets Lambda's "update is in
 * progress" conflict rather than overwriting it.
 */
import { operation } from '../../../protocol/operation.ts';
import type { LambdaDeps } from '../deps.ts';
import { invalidParameterValue, preconditionFailed, resourceConflict } from '../errors.ts';
import { findFunction, onFunction, requireFunction, type Found } from '../function-lookup.ts';
import { RevisionConflict, type FunctionChanges, type FunctionRow } from '../function-store.ts';
import { checkZip, requireHandlerFile, zipEntries } from '../code-zip.ts';
import { checkEnvironment, checkLimits, checkRuntime } from '../function-settings.ts';
import { checkExecutionRole } from '../execution-role.ts';
import { functionConfiguration } from '../function-view.ts';

async function write(deps: LambdaDeps, row: FunctionRow, changes: FunctionChanges): Promise<FunctionRow> {
  try {
    return await deps.functions.update(row, changes);
  } catch (err) {
    if (err instanceof RevisionConflict) {
      throw resourceConflict(`The operation cannot be performed at this time. An update is in progress for resource: ${row.function_arn}`);
    }
    throw err;
  }
}

function checkRevision(row: FunctionRow, revisionId: string | undefined): void {
  if (revisionId !== undefined && revisionId !== row.revision_id) throw preconditionFailed();
}

interface UpdateFunctionCodeInput {
  FunctionName: string;
  ZipFile?: string;
  S3Bucket?: string;
  S3Key?: string;
  ImageUri?: string;
  Publish?: boolean;
  DryRun?: boolean;
  RevisionId?: string;
  Architectures?: string[];
}

export const updateFunctionCode = (deps: LambdaDeps) => operation({
  async plan(ctx, input: UpdateFunctionCodeInput) {
    const found = await findFunction(deps.functions, ctx, input.FunctionName);
    return { authorization: onFunction(found, 'lambda:UpdateFunctionCode'), state: found };
  },
  async run(_ctx, input: UpdateFunctionCodeInput, found: Found) {
    const row = requireFunction(found);
    checkRevision(row, input.RevisionId);
    if (input.ZipFile === undefined) throw invalidParameterValue('coffer has no S3: upload the deployment package as ZipFile.');
    if (input.Architectures && input.Architectures.length !== 1) throw invalidParameterValue('Architectures must name exactly one architecture.');
    const zip = checkZip(input.ZipFile);
    requireHandlerFile(zip.entries, row.runtime, row.handler);
    if (input.DryRun === true) {
      // Validated, not stored: what the configuration would be with this code.
      return { ...functionConfiguration(deps.functions, row), CodeSha256: zip.sha256, CodeSize: zip.zip.length };
    }
    const updated = await write(deps, row, {
      code: zip,
      architectures: input.Architectures ? JSON.stringify(input.Architectures) : undefined,
    });
    return functionConfiguration(deps.functions, updated);
  },
});

interface UpdateFunctionConfigurationInput {
  FunctionName: string;
  Role?: string;
  Handler?: string;
  Description?: string;
  Timeout?: number;
  MemorySize?: number;
  Environment?: { Variables?: Record<string, string> };
  Runtime?: string;
  RevisionId?: string;
}

export const updateFunctionConfiguration = (deps: LambdaDeps) => operation({
  async plan(ctx, input: UpdateFunctionConfigurationInput) {
    const found = await findFunction(deps.functions, ctx, input.FunctionName);
    return { authorization: onFunction(found, 'lambda:UpdateFunctionConfiguration'), state: found };
  },
  async run(ctx, input: UpdateFunctionConfigurationInput, found: Found) {
    const row = requireFunction(found);
    checkRevision(row, input.RevisionId);
    checkLimits(input);
    if (input.Runtime !== undefined) checkRuntime(input.Runtime);
    const runtime = input.Runtime ?? row.runtime;
    const handler = input.Handler ?? row.handler;
    if (handler !== row.handler || runtime !== row.runtime) {
      requireHandlerFile(zipEntries(await deps.functions.code(row)), runtime, handler);
    }
    const changes: FunctionChanges = {
      runtime: input.Runtime, handler: input.Handler, description: input.Description,
      timeout_seconds: input.Timeout, memory_size: input.MemorySize,
    };
    // An Environment without variables removes them.
    if (input.Environment !== undefined) changes.environment = checkEnvironment(input.Environment) ?? null;
    if (input.Role !== undefined && input.Role !== row.role_arn) {
      await checkExecutionRole(deps.db, ctx, input.Role, { accountId: row.account_id, arn: row.function_arn }, deps.now());
      changes.role_arn = input.Role;
    }
    const updated = await write(deps, row, changes);
    return functionConfiguration(deps.functions, updated);
  },
});
