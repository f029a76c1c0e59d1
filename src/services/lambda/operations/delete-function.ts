/** DeleteFunction: the function, its code, policy and tags go together (one row). */
import { operation } from '../../../protocol/operation.ts';
import type { LambdaDeps } from '../deps.ts';
import { invalidParameterValue } from '../errors.ts';
import { findFunction, onFunction, requireFunction, type Found } from '../function-lookup.ts';
import { refArn } from '../function-names.ts';
import { functionNotFound } from '../errors.ts';

interface DeleteFunctionInput {
  FunctionName: string;
  Qualifier?: string;
}

export const deleteFunction = (deps: LambdaDeps) => operation({
  async plan(ctx, input: DeleteFunctionInput) {
    const found = await findFunction(deps.functions, ctx, input.FunctionName, input.Qualifier);
    return { authorization: onFunction(found, 'lambda:DeleteFunction'), state: found };
  },
  async run(_ctx, input: DeleteFunctionInput, found: Found) {
    if (found.ref.qualifier === '$LATEST') throw invalidParameterValue('$LATEST version cannot be deleted without deleting the function.');
    const row = requireFunction(found);
    if (!(await deps.functions.delete(row.function_id))) throw functionNotFound(refArn(found.ref));
    void input;
    return { StatusCode: 204 };
  },
});
