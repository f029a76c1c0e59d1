/** AddPermission, RemovePermission and GetPolicy: the function's resource policy. */
import { operation } from '../../../protocol/operation.ts';
import type { LambdaDeps } from '../deps.ts';
import { preconditionFailed, resourceConflict, resourceNotFound } from '../errors.ts';
import { findFunction, onFunction, requireFunction, type Found } from '../function-lookup.ts';
import { RevisionConflict, type FunctionRow } from '../function-store.ts';
import { addStatement, permissionStatement, removeStatement, type PermissionInput } from '../permission-statement.ts';

interface AddPermissionInput extends PermissionInput {
  FunctionName: string;
  Qualifier?: string;
  RevisionId?: string;
}

async function writePolicy(deps: LambdaDeps, row: FunctionRow, policy: string | null): Promise<FunctionRow> {
  try {
    // The policy is not the function's code or configuration: LastModified stays.
    return await deps.functions.update(row, { policy, touch: false });
  } catch (err) {
    if (err instanceof RevisionConflict) {
      throw resourceConflict(`The operation cannot be performed at this time. An update is in progress for resource: ${row.function_arn}`);
    }
    throw err;
  }
}

export const addPermission = (deps: LambdaDeps) => operation({
  async plan(ctx, input: AddPermissionInput) {
    const found = await findFunction(deps.functions, ctx, input.FunctionName, input.Qualifier);
    return { authorization: onFunction(found, 'lambda:AddPermission', { 'lambda:Principal': input.Principal }), state: found };
  },
  async run(_ctx, input: AddPermissionInput, found: Found) {
    const row = requireFunction(found);
    if (input.RevisionId !== undefined && input.RevisionId !== row.revision_id) throw preconditionFailed();
    const statement = permissionStatement(input, row.function_arn);
    await writePolicy(deps, row, addStatement(row.policy, statement));
    return { Statement: JSON.stringify(statement) };
  },
});

interface RemovePermissionInput {
  FunctionName: string;
  StatementId: string;
  Qualifier?: string;
  RevisionId?: string;
}

export const removePermission = (deps: LambdaDeps) => operation({
  async plan(ctx, input: RemovePermissionInput) {
    const found = await findFunction(deps.functions, ctx, input.FunctionName, input.Qualifier);
    return { authorization: onFunction(found, 'lambda:RemovePermission'), state: found };
  },
  async run(_ctx, input: RemovePermissionInput, found: Found) {
    const row = requireFunction(found);
    if (input.RevisionId !== undefined && input.RevisionId !== row.revision_id) throw preconditionFailed();
    if (!row.policy) throw resourceNotFound('No policy is associated with the given resource.');
    const next = removeStatement(row.policy, input.StatementId);
    if (next === undefined) throw resourceNotFound(`Statement ${input.StatementId} is not found in resource policy.`);
    await writePolicy(deps, row, next);
    return {};
  },
});

interface GetPolicyInput {
  FunctionName: string;
  Qualifier?: string;
}

export const getPolicy = (deps: LambdaDeps) => operation({
  async plan(ctx, input: GetPolicyInput) {
    const found = await findFunction(deps.functions, ctx, input.FunctionName, input.Qualifier);
    return { authorization: onFunction(found, 'lambda:GetPolicy'), state: found };
  },
  async run(_ctx, _input: GetPolicyInput, found: Found) {
    const row = requireFunction(found);
    if (!row.policy) throw resourceNotFound('The resource you requested does not exist.');
    return { Policy: row.policy, RevisionId: row.revision_id };
  },
});
