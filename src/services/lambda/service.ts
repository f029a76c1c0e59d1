/**
 * Lambda on restJson1: the operations coffer serves (functions, their resource policies,
 * tags and invocation), routed by the model's HTTP bindings. Others answer as an unknown path.
 */
import { AwsError } from '../../errors.ts';
import { loadModel } from '../../protocol/model.ts';
import { buildRoutes, type RestJsonService } from '../../protocol/rest-json.ts';
import type { LambdaDeps } from './deps.ts';
import { MAX_CODE_REQUEST_BYTES } from './code-zip.ts';
import { createFunction } from './operations/create-function.ts';
import { getFunction, getFunctionConfiguration, listFunctions } from './operations/read-function.ts';
import { updateFunctionCode, updateFunctionConfiguration } from './operations/update-function.ts';
import { deleteFunction } from './operations/delete-function.ts';
import { addPermission, getPolicy, removePermission } from './operations/permissions.ts';
import { invoke, MAX_INVOKE_REQUEST_BYTES } from './operations/invoke.ts';
import { listTags, tagResource, untagResource } from './operations/tags.ts';

const tooLarge = (operation: string) => (limit: number) =>
  new AwsError('RequestEntityTooLargeException', `Request must be smaller than ${limit} bytes for the ${operation} operation`, 413);

export function lambdaService(deps: LambdaDeps): RestJsonService {
  const model = loadModel('lambda-2015-03-31');
  const operations = {
    AddPermission: addPermission(deps),
    CreateFunction: createFunction(deps),
    DeleteFunction: deleteFunction(deps),
    GetFunction: getFunction(deps),
    GetFunctionConfiguration: getFunctionConfiguration(deps),
    GetPolicy: getPolicy(deps),
    Invoke: invoke(deps),
    ListFunctions: listFunctions(deps),
    ListTags: listTags(deps),
    RemovePermission: removePermission(deps),
    TagResource: tagResource(deps),
    UntagResource: untagResource(deps),
    UpdateFunctionCode: updateFunctionCode(deps),
    UpdateFunctionConfiguration: updateFunctionConfiguration(deps),
  };
  return {
    signingName: 'lambda',
    model,
    operations,
    routes: buildRoutes(model, Object.keys(operations)),
    bodyLimits: {
      CreateFunction: { bytes: MAX_CODE_REQUEST_BYTES, error: tooLarge('CreateFunction') },
      UpdateFunctionCode: { bytes: MAX_CODE_REQUEST_BYTES, error: tooLarge('UpdateFunctionCode') },
      Invoke: { bytes: MAX_INVOKE_REQUEST_BYTES, error: (limit) => new AwsError('RequestTooLargeException', `Request must be smaller than ${limit} bytes for the InvokeFunction operation`, 413) },
    },
  };
}
