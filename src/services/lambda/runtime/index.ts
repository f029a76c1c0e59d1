/**
 * The Lambda process runtime (docs/lambda.md, "Runtime"): `createProcessRuntime` implements
 * `FunctionRuntime`; `lambdaSessions` mints execution-role credentials through STS;
 * `readFunctionLogs` is how `coffer logs` and the console read functions' logs.
 */
export { createProcessRuntime, ProcessRuntime, type ProcessRuntimeOptions } from './process-runtime.ts';
export { lambdaSessions, LAMBDA_SERVICE, type MintCredentials } from './role-credentials.ts';
export { readFunctionLogs, type InvocationLog } from './function-logs.ts';
