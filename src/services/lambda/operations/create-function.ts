/**
 * CreateFunction: a zip package (`Code.ZipFile`), a runtime coffer can run, the handler's file
 * in the package, an execution role the caller may pass and Lambda may assume; then the
 * function is stored with its code and environment sealed.
 */
import { operation } from '../../../protocol/operation.ts';
import type { LambdaDeps } from '../deps.ts';
import { invalidParameterValue, resourceConflict } from '../errors.ts';
import { functionArn, parseFunctionName } from '../function-names.ts';
import { checkZip, requireHandlerFile } from '../code-zip.ts';
import { checkEnvironment, checkLimits, checkRuntime } from '../function-settings.ts';
import { checkExecutionRole } from '../execution-role.ts';
import { functionConfiguration } from '../function-view.ts';

export interface CreateFunctionInput {
  FunctionName: string;
  Runtime?: string;
  Role: string;
  Handler?: string;
  Code: { ZipFile?: string; S3Bucket?: string; S3Key?: string; ImageUri?: string };
  Description?: string;
  Timeout?: number;
  MemorySize?: number;
  Publish?: boolean;
  PackageType?: string;
  Environment?: { Variables?: Record<string, string> };
  Tags?: Record<string, string>;
  Architectures?: string[];
}

export const createFunction = (deps: LambdaDeps) => operation({
  async plan(ctx, input: CreateFunctionInput) {
    const ref = parseFunctionName(input.FunctionName, { accountId: ctx.principal.accountId, region: ctx.region });
    const arn = functionArn(ref.region, ref.accountId, ref.name);
    return { authorization: { action: 'lambda:CreateFunction', resource: arn }, state: { ref, arn } };
  },
  async run(ctx, input: CreateFunctionInput, { ref, arn }) {
    if (ref.qualifier !== undefined || ref.accountId !== ctx.principal.accountId || ref.region !== ctx.region) {
      throw invalidParameterValue('Functions can only be created in the account and region the request is signed for, without a qualifier.');
    }
    if (input.PackageType === 'Image') throw invalidParameterValue('coffer runs zip packages only: PackageType Image is not supported.');
    if (input.Runtime === undefined || input.Handler === undefined) {
      throw invalidParameterValue('Runtime and Handler are mandatory parameters for functions created with deployment packages.');
    }
    checkRuntime(input.Runtime);
    checkLimits(input);
    if (input.Code.ZipFile === undefined) {
      throw invalidParameterValue('coffer has no S3: upload the deployment package as Code.ZipFile.');
    }
    const zip = checkZip(input.Code.ZipFile);
    requireHandlerFile(zip.entries, input.Runtime, input.Handler);
    const environment = checkEnvironment(input.Environment);
    if (input.Architectures && (input.Architectures.length !== 1)) {
      throw invalidParameterValue('Architectures must name exactly one architecture.');
    }
    await checkExecutionRole(deps.db, ctx, input.Role, { accountId: ref.accountId, arn }, deps.now());
    const row = await deps.functions.insert({
      accountId: ref.accountId, region: ref.region, name: ref.name, arn,
      runtime: input.Runtime, handler: input.Handler, roleArn: input.Role, description: input.Description ?? '',
      timeoutSeconds: input.Timeout ?? 3, memorySize: input.MemorySize ?? 128, architectures: input.Architectures ?? ['x86_64'],
      code: zip, environment, tags: input.Tags ?? {},
    });
    if (!row) throw resourceConflict(`Function already exist: ${ref.name}`);
    return functionConfiguration(deps.functions, row);
  },
});
