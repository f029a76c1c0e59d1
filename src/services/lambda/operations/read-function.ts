/** GetFunction, GetFunctionConfiguration and ListFunctions. */
import { operation } from '../../../protocol/operation.ts';
import type { LambdaDeps } from '../deps.ts';
import { invalidParameterValue } from '../errors.ts';
import { findFunction, onFunction, requireFunction, type Found } from '../function-lookup.ts';
import { functionConfiguration } from '../function-view.ts';

interface GetFunctionInput {
  FunctionName: string;
  Qualifier?: string;
}

export const getFunction = (deps: LambdaDeps) => operation({
  async plan(ctx, input: GetFunctionInput) {
    const found = await findFunction(deps.functions, ctx, input.FunctionName, input.Qualifier);
    return { authorization: onFunction(found, 'lambda:GetFunction'), state: found };
  },
  async run(_ctx, _input: GetFunctionInput, found: Found) {
    const row = requireFunction(found);
    const tags = JSON.parse(row.tags) as Record<string, string>;
    return {
      Configuration: functionConfiguration(deps.functions, row),
      // coffer keeps the package in its database, not in S3: there is no download location.
      Code: { RepositoryType: 'S3' },
      Tags: Object.keys(tags).length > 0 ? tags : undefined,
    };
  },
});

export const getFunctionConfiguration = (deps: LambdaDeps) => operation({
  async plan(ctx, input: GetFunctionInput) {
    const found = await findFunction(deps.functions, ctx, input.FunctionName, input.Qualifier);
    return { authorization: onFunction(found, 'lambda:GetFunctionConfiguration'), state: found };
  },
  async run(_ctx, _input: GetFunctionInput, found: Found) {
    return functionConfiguration(deps.functions, requireFunction(found));
  },
});

interface ListFunctionsInput {
  Marker?: string;
  MaxItems?: number;
  MasterRegion?: string;
  FunctionVersion?: string;
}

/** The marker is the last name returned, base64url-encoded (opaque to clients, as AWS's). */
const encodeMarker = (name: string) => Buffer.from(`v1:${name}`).toString('base64url');
function decodeMarker(marker: string): string {
  const text = Buffer.from(marker, 'base64url').toString('utf8');
  if (!text.startsWith('v1:') || text.length === 3) throw invalidParameterValue('Invalid marker: ' + marker);
  return text.slice(3);
}

export const listFunctions = (deps: LambdaDeps) => operation({
  async plan(_ctx, _input: ListFunctionsInput) {
    return { authorization: { action: 'lambda:ListFunctions', resource: '*' }, state: undefined };
  },
  async run(ctx, input: ListFunctionsInput) {
    if (input.MasterRegion !== undefined) throw invalidParameterValue('coffer has no Lambda@Edge replicas: MasterRegion is not supported.');
    const limit = input.MaxItems ?? 50;
    const after = input.Marker !== undefined ? decodeMarker(input.Marker) : undefined;
    const rows = await deps.functions.list(ctx.principal.accountId, ctx.region, after, limit + 1);
    const page = rows.slice(0, limit);
    return {
      Functions: page.map((row) => functionConfiguration(deps.functions, row)),
      NextMarker: rows.length > limit ? encodeMarker(page[page.length - 1]!.function_name) : undefined,
    };
  },
});
