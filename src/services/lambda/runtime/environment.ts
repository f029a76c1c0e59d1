/**
 * The environment of a function's process, built from nothing: what AWS gives a function,
 * the function's own variables, and coffer's endpoint. Nothing of the server's environment
 * passes (no COFFER_* variable, no root key, no operator credentials), only a PATH with the
 * interpreter's directory and a UTF-8 locale.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FunctionConfig } from '../contract.ts';

export interface RoleCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
}

export interface EnvironmentFacts {
  taskRoot: string;
  /** The interpreter that runs the function; its directory leads PATH. */
  interpreter: string;
  logStreamName: string;
  credentials: RoleCredentials;
  /** The server's own URL, `http://127.0.0.1:4599`. */
  endpoint: string;
  /** A CA bundle file to trust for the endpoint (the server's TLS CA), if it needs one. */
  caBundle?: string;
}

/** coffer's own node_modules: CommonJS handlers `require('@aws-sdk/…')` from it, as from Lambda's bundled SDK. */
const COFFER_NODE_MODULES = join(fileURLToPath(new URL('../../../..', import.meta.url)), 'node_modules');

export function isNodeRuntime(runtime: string): boolean {
  return /^nodejs\d+\.x$/.test(runtime);
}

export function isPythonRuntime(runtime: string): boolean {
  return /^python3\.\d+$/.test(runtime);
}

export function functionEnvironment(fn: FunctionConfig, facts: EnvironmentFacts): Record<string, string> {
  const env: Record<string, string> = {
    // Variables a function may set itself (AWS reserves none of these).
    PATH: [...new Set([dirname(facts.interpreter), '/usr/local/bin', '/usr/bin', '/bin'])].join(':'),
    LANG: 'C.UTF-8',
    TZ: ':UTC',
  };
  if (isNodeRuntime(fn.runtime)) env.NODE_PATH = COFFER_NODE_MODULES;
  if (facts.caBundle) {
    // coffer over HTTPS with its own CA: botocore reads AWS_CA_BUNDLE, Node.js (and so the JS
    // SDK) NODE_EXTRA_CA_CERTS. A function's own variables may still set them.
    env.AWS_CA_BUNDLE = facts.caBundle;
    env.NODE_EXTRA_CA_CERTS = facts.caBundle;
  }
  Object.assign(env, fn.environment);
  // Reserved: AWS sets these whatever the function's variables say.
  Object.assign(env, {
    _HANDLER: fn.handler,
    AWS_REGION: fn.region,
    AWS_DEFAULT_REGION: fn.region,
    AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
    AWS_LAMBDA_FUNCTION_NAME: fn.functionName,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySize),
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.functionName}`,
    AWS_LAMBDA_LOG_STREAM_NAME: facts.logStreamName,
    LAMBDA_TASK_ROOT: facts.taskRoot,
    AWS_ACCESS_KEY_ID: facts.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: facts.credentials.secretAccessKey,
    AWS_SESSION_TOKEN: facts.credentials.sessionToken,
    // coffer is the function's AWS: SDKs that read AWS_ENDPOINT_URL, and AWS's rotation
    // templates (which read SECRETS_MANAGER_ENDPOINT), reach this server.
    AWS_ENDPOINT_URL: facts.endpoint,
    SECRETS_MANAGER_ENDPOINT: facts.endpoint,
  });
  return env;
}
