/**
 * The settings CreateFunction and UpdateFunctionConfiguration check beyond the model: the
 * runtimes coffer can run, Lambda's real limits (the published model leaves them out), and
 * the environment's reserved keys and 4 KB limit, with Lambda's messages.
 */
import { AwsError } from '../../errors.ts';
import { invalidParameterValue } from './errors.ts';

/** Runtimes run on the machine's own interpreters (src/services/lambda/runtime). */
const RUNNABLE = /^(python3\.(9|1[0-9])|nodejs(18|20|22|24)\.x)$/;
/** Runtimes Lambda itself no longer accepts for new or updated functions. */
const DEPRECATED = /^(python2\.7|python3\.[678]|nodejs(4\.3|6\.10|8\.10|10\.x|12\.x|14\.x|16\.x)?|java8|dotnetcore\d\.\d|dotnet6|ruby2\.\d|go1\.x)$/;

export function checkRuntime(runtime: string): void {
  if (RUNNABLE.test(runtime)) return;
  if (DEPRECATED.test(runtime)) {
    throw invalidParameterValue(`The runtime parameter of ${runtime} is no longer supported for creating or updating AWS Lambda functions. We recommend you use a supported runtime while creating or updating functions.`);
  }
  throw invalidParameterValue(`The runtime parameter of ${runtime} is not supported by coffer, which runs python3.9 and later and nodejs18.x to nodejs24.x functions.`);
}

const validation = (value: number, path: string, constraint: string) =>
  new AwsError('ValidationException', `1 validation error detected: Value '${value}' at '${path}' failed to satisfy constraint: ${constraint}`);

/** Lambda's limits the published model does not carry: Timeout ≤ 900, MemorySize ≤ 10240. */
export function checkLimits(input: { Timeout?: number; MemorySize?: number }): void {
  if (input.Timeout !== undefined && input.Timeout > 900) throw validation(input.Timeout, 'timeout', 'Member must have value less than or equal to 900');
  if (input.MemorySize !== undefined && input.MemorySize > 10240) throw validation(input.MemorySize, 'memorySize', 'Member must have value less than or equal to 10240');
}

const RESERVED = new Set([
  '_HANDLER', '_X_AMZN_TRACE_ID', 'AWS_DEFAULT_REGION', 'AWS_REGION', 'AWS_EXECUTION_ENV', 'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE', 'AWS_LAMBDA_FUNCTION_VERSION', 'AWS_LAMBDA_INITIALIZATION_TYPE', 'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME', 'AWS_ACCESS_KEY', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API', 'LAMBDA_TASK_ROOT', 'LAMBDA_RUNTIME_DIR',
]);
const VARIABLE_NAME = /^[a-zA-Z]([a-zA-Z0-9_])+$/;
const MAX_ENVIRONMENT_BYTES = 4096;

/** The variables to store: none given is none; the checks and messages are Lambda's. */
export function checkEnvironment(environment: { Variables?: Record<string, string> } | undefined): Record<string, string> | undefined {
  const variables = environment?.Variables;
  if (!variables || Object.keys(variables).length === 0) return undefined;
  // The names are sensitive in the model: the message shows none of them.
  if (Object.keys(variables).some((k) => !VARIABLE_NAME.test(k))) {
    throw new AwsError('ValidationException', "1 validation error detected: Value at 'environment.variables' failed to satisfy constraint: Map keys must satisfy constraint: [Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+]");
  }
  const reserved = Object.keys(variables).filter((k) => RESERVED.has(k));
  if (reserved.length > 0) {
    throw invalidParameterValue(`Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: ${reserved.join(', ')}`);
  }
  if (Buffer.byteLength(JSON.stringify(variables)) > MAX_ENVIRONMENT_BYTES) {
    // AWS appends the measured string; coffer does not echo variables (they often hold secrets).
    throw invalidParameterValue('Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit.');
  }
  return { ...variables };
}
