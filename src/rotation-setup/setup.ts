/**
 * `coffer rotation setup` as an operation: what the AWS console does when it turns on rotation
 * for a database secret, done through coffer's public API with the caller's own SDK clients
 * (so it creates only what the caller may create). Steps, each converging when rerun:
 *   1. the execution role (trusted by lambda.amazonaws.com) and its inline policy (seed 001),
 *   2. the function from the built-in template (created, or reused if made from the same
 *      template; its code updated when the template changed),
 *   3. the function's resource-policy statement for secretsmanager.amazonaws.com,
 *   4. RotateSecret (skipped when the secret is already configured exactly so).
 * The role comes first: a caller who may not create it gets the error before anything exists.
 * The web console runs this same module in the browser with the signed-in user's clients
 * (console/vite.config.ts): keep it free of Node-only imports other than `node:crypto`'s
 * createHash and the template bundler, which the console's build replaces (a browser SHA-256;
 * a download of the zip from /console/api/rotation-templates/).
 */
import { createHash } from 'node:crypto';
import {
  CreateRoleCommand, GetRoleCommand, GetRolePolicyCommand, PutRolePolicyCommand, UpdateAssumeRolePolicyCommand, type IAMClient,
} from '@aws-sdk/client-iam';
import {
  AddPermissionCommand, CreateFunctionCommand, GetFunctionCommand, GetPolicyCommand, RemovePermissionCommand,
  UpdateFunctionCodeCommand, UpdateFunctionConfigurationCommand, type FunctionConfiguration, type LambdaClient,
} from '@aws-sdk/client-lambda';
import {
  DescribeSecretCommand, GetSecretValueCommand, RotateSecretCommand, type DescribeSecretResponse, type RotationRulesType,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { DescribeKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { isTemplateName, ROTATION_TEMPLATES, templateZip, TEMPLATE_NAMES, type TemplateName, type TemplatePackage } from '../rotation-templates/index.ts';
import { describeFunction, describeRole, setupNames, templateOf } from './names.ts';
import { invokePermission, INVOKE_STATEMENT_ID, isInvokeStatement, LAMBDA_TRUST_POLICY, rotationRolePolicy, samePolicy } from './policies.ts';

export interface SetupClients {
  secretsManager: SecretsManagerClient;
  iam: IAMClient;
  lambda: LambdaClient;
  kms: KMSClient;
}

export interface SetupOptions {
  secretId: string;
  template: string;
  masterSecretId?: string;
  /** `rate(…)`, `cron(…)`, or a number of days (AutomaticallyAfterDays). */
  schedule?: string;
  duration?: string;
  /** Default true, as RotateSecret's. */
  rotateImmediately?: boolean;
  /** The function's timeout in seconds (default 30, the console's). */
  timeout?: number;
}

export type Outcome = 'created' | 'updated' | 'reused' | 'started' | 'configured';

export interface SetupAction {
  outcome: Outcome;
  /** What: 'role', 'role policy', 'function', 'function code', 'permission', 'rotation'. */
  what: string;
  /** Its name or ARN. */
  name: string;
  detail?: string;
}

export interface SetupResult {
  secretArn: string;
  functionArn: string;
  roleArn: string;
  /** RotateSecret's VersionId when a rotation started. */
  versionId?: string;
  actions: SetupAction[];
}

/** A step failed; `done` lists what the earlier steps created or changed (it stays: rerun converges). */
export class RotationSetupError extends Error {
  constructor(message: string, readonly done: SetupAction[], readonly code?: string) {
    super(message);
    this.name = 'RotationSetupError';
  }
}

const isName = (err: unknown, ...names: string[]) => names.includes((err as { name?: string })?.name ?? '');

export async function setupRotation(clients: SetupClients, options: SetupOptions): Promise<SetupResult> {
  const actions: SetupAction[] = [];
  const step = async <T>(doing: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (err) {
      if (err instanceof RotationSetupError) throw err;
      const e = err as { name?: string; message?: string };
      throw new RotationSetupError(`could not ${doing}: ${e.name ?? 'Error'}: ${e.message ?? String(err)}`, actions, e.name);
    }
  };
  const fail = (message: string): never => {
    throw new RotationSetupError(message, actions);
  };

  if (!isTemplateName(options.template)) fail(`unknown template '${options.template}'; one of: ${TEMPLATE_NAMES.join(', ')}`);
  const template = options.template as TemplateName;
  const info = ROTATION_TEMPLATES[template];
  if (!info.alternating && options.masterSecretId !== undefined) fail(`--master-secret-id is for the alternating-users templates, not ${template}`);
  const rules = rotationRules(options, fail);

  // The secret, and what its value says (when the caller may read it: the console may not).
  const secret = await step(`describe the secret ${options.secretId}`, () =>
    clients.secretsManager.send(new DescribeSecretCommand({ SecretId: options.secretId })));
  const secretArn = secret.ARN!;
  const [, partition, , region, accountId] = secretArn.split(':') as [string, string, string, string, string];
  const value = await readSecretJson(clients.secretsManager, secretArn);
  if (value) checkEngine(value, template, fail);

  let masterSecretArn: string | undefined;
  if (info.alternating) {
    const masterId = options.masterSecretId ?? (typeof value?.masterarn === 'string' ? value.masterarn : undefined);
    if (masterId === undefined) {
      fail(`${template} signs in with a master secret: give --master-secret-id (the secret's value ${value ? 'has no "masterarn"' : 'could not be read to find its "masterarn"'})`);
    }
    masterSecretArn = await step(`describe the master secret ${masterId}`, async () =>
      (await clients.secretsManager.send(new DescribeSecretCommand({ SecretId: masterId }))).ARN!);
    if (value && value.masterarn !== masterSecretArn) {
      fail(`the secret's value must name its master secret: set "masterarn": "${masterSecretArn}" in ${secret.Name} (it is ${value.masterarn === undefined ? 'missing' : JSON.stringify(value.masterarn)})`);
    }
  }
  const customerManagedKey = await step('check the secret\'s KMS key', () => isCustomerManagedKey(clients.kms, secret.KmsKeyId));

  const names = setupNames(secret.Name!);
  const functionArn = `arn:${partition}:lambda:${region}:${accountId}:function:${names.functionName}`;
  const rolePolicy = rotationRolePolicy({ secretArn, functionArn, accountId, masterSecretArn, customerManagedKey });

  // Before changing anything: a function of that name from another template is the user's call.
  const existingFunction = await step(`look up the function ${names.functionName}`, async () => {
    try {
      return (await clients.lambda.send(new GetFunctionCommand({ FunctionName: names.functionName }))).Configuration!;
    } catch (err) {
      if (isName(err, 'ResourceNotFoundException')) return undefined;
      throw err;
    }
  });
  if (existingFunction) {
    const from = templateOf(existingFunction.Description);
    if (from !== template) {
      fail(from
        ? `the function ${names.functionName} was made from the template ${from}, not ${template}: rerun with --template ${from}, or delete the function (and its role ${names.roleName}) to change templates`
        : `a function ${names.functionName} exists that rotation setup did not make (its description: ${JSON.stringify(existingFunction.Description ?? '')}); delete or rename it`);
    }
  }

  // 1. The execution role and its policy.
  const roleArn = await step(`create the role ${names.roleName}`, async () => {
    try {
      const existing = (await clients.iam.send(new GetRoleCommand({ RoleName: names.roleName }))).Role!;
      if (existing.Description !== describeRole(secretArn)) {
        fail(`a role ${names.roleName} exists that rotation setup did not make for ${secretArn} (its description: ${JSON.stringify(existing.Description ?? '')}); delete or rename it`);
      }
      if (!samePolicy(existing.AssumeRolePolicyDocument ?? '', LAMBDA_TRUST_POLICY)) {
        await clients.iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: names.roleName, PolicyDocument: LAMBDA_TRUST_POLICY }));
        actions.push({ outcome: 'updated', what: 'role', name: existing.Arn!, detail: 'trust policy restored' });
      } else {
        actions.push({ outcome: 'reused', what: 'role', name: existing.Arn! });
      }
      return existing.Arn!;
    } catch (err) {
      if (!isName(err, 'NoSuchEntityException', 'NoSuchEntity')) throw err;
    }
    const created = (await clients.iam.send(new CreateRoleCommand({
      RoleName: names.roleName, AssumeRolePolicyDocument: LAMBDA_TRUST_POLICY, Description: describeRole(secretArn),
    }))).Role!;
    actions.push({ outcome: 'created', what: 'role', name: created.Arn! });
    return created.Arn!;
  });
  await step(`put the policy ${names.policyName} on the role ${names.roleName}`, async () => {
    let current: string | undefined;
    try {
      current = (await clients.iam.send(new GetRolePolicyCommand({ RoleName: names.roleName, PolicyName: names.policyName }))).PolicyDocument;
    } catch (err) {
      if (!isName(err, 'NoSuchEntityException', 'NoSuchEntity')) throw err;
    }
    if (current !== undefined && samePolicy(current, rolePolicy)) {
      actions.push({ outcome: 'reused', what: 'role policy', name: `${names.roleName}/${names.policyName}` });
      return;
    }
    await clients.iam.send(new PutRolePolicyCommand({ RoleName: names.roleName, PolicyName: names.policyName, PolicyDocument: rolePolicy }));
    actions.push({ outcome: current === undefined ? 'created' : 'updated', what: 'role policy', name: `${names.roleName}/${names.policyName}` });
  });

  // 2. The function.
  const pkg = await step(`build the template ${template}`, () => templateZip(template));
  await step(`create the function ${names.functionName}`, () =>
    ensureFunction(clients.lambda, existingFunction, { name: names.functionName, template, secretArn, roleArn, pkg, timeout: options.timeout ?? 30 }, actions));

  // 3. Secrets Manager may invoke it, for this account's secrets.
  await step(`give secretsmanager.amazonaws.com permission to invoke ${names.functionName}`, async () => {
    let statements: unknown[] = [];
    try {
      const policy = (await clients.lambda.send(new GetPolicyCommand({ FunctionName: names.functionName }))).Policy;
      statements = (JSON.parse(policy ?? '{}') as { Statement?: unknown[] }).Statement ?? [];
    } catch (err) {
      if (!isName(err, 'ResourceNotFoundException')) throw err;
    }
    const ours = statements.find((s) => (s as { Sid?: string })?.Sid === INVOKE_STATEMENT_ID);
    if (ours && isInvokeStatement(ours, functionArn, accountId)) {
      actions.push({ outcome: 'reused', what: 'permission', name: `${names.functionName}/${INVOKE_STATEMENT_ID}` });
      return;
    }
    if (ours) await clients.lambda.send(new RemovePermissionCommand({ FunctionName: names.functionName, StatementId: INVOKE_STATEMENT_ID }));
    await clients.lambda.send(new AddPermissionCommand(invokePermission(names.functionName, accountId)));
    actions.push({ outcome: ours ? 'updated' : 'created', what: 'permission', name: `${names.functionName}/${INVOKE_STATEMENT_ID}` });
  });

  // 4. Rotation on. Rerun with the same settings: already configured, no second rotation.
  let versionId: string | undefined;
  if (alreadyConfigured(secret, functionArn, rules)) {
    actions.push({ outcome: 'reused', what: 'rotation', name: secretArn, detail: describeRules(secret.RotationRules) });
  } else {
    const rotateImmediately = options.rotateImmediately ?? true;
    const out = await step(`turn rotation on for ${secret.Name} (RotateSecret)`, () => clients.secretsManager.send(new RotateSecretCommand({
      SecretId: secretArn, RotationLambdaARN: functionArn, ...(rules ? { RotationRules: rules } : {}), RotateImmediately: rotateImmediately,
    })));
    versionId = rotateImmediately ? out.VersionId : undefined;
    actions.push({
      outcome: rotateImmediately ? 'started' : 'configured', what: 'rotation', name: secretArn,
      detail: [describeRules(rules ?? secret.RotationRules), versionId ? `rotating now, version ${versionId}` : 'first rotation in the next window'].filter(Boolean).join('; '),
    });
  }
  return { secretArn, functionArn, roleArn, ...(versionId ? { versionId } : {}), actions };
}

interface FunctionSpec {
  name: string;
  template: TemplateName;
  secretArn: string;
  roleArn: string;
  pkg: TemplatePackage;
  timeout: number;
}

async function ensureFunction(lambda: LambdaClient, existing: FunctionConfiguration | undefined, spec: FunctionSpec, actions: SetupAction[]): Promise<void> {
  if (!existing) {
    const created = await lambda.send(new CreateFunctionCommand({
      FunctionName: spec.name, Runtime: spec.pkg.runtime, Handler: spec.pkg.handler, Role: spec.roleArn,
      Code: { ZipFile: spec.pkg.zip }, Description: describeFunction(spec.template, spec.secretArn),
      Timeout: spec.timeout, Environment: { Variables: spec.pkg.environment },
    }));
    actions.push({ outcome: 'created', what: 'function', name: created.FunctionArn!, detail: `from template ${spec.template}` });
    return;
  }
  const changes: string[] = [];
  // The bundle is reproducible (fixed mtime), so a different hash means the template changed.
  const sha = createHash('sha256').update(spec.pkg.zip).digest('base64');
  if (existing.CodeSha256 !== sha) {
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: spec.name, ZipFile: spec.pkg.zip }));
    changes.push('code updated to the current template');
  }
  // The environment is the user's to tune (EXCLUDE_CHARACTERS, PASSWORD_LENGTH): left as it is.
  if (existing.Role !== spec.roleArn || existing.Handler !== spec.pkg.handler || existing.Runtime !== spec.pkg.runtime) {
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: spec.name, Role: spec.roleArn, Handler: spec.pkg.handler, Runtime: spec.pkg.runtime }));
    changes.push('role, handler and runtime restored');
  }
  actions.push({ outcome: changes.length ? 'updated' : 'reused', what: 'function', name: existing.FunctionArn!, detail: changes.join('; ') || `from template ${spec.template}` });
}

function rotationRules(options: SetupOptions, fail: (m: string) => never): RotationRulesType | undefined {
  if (options.schedule === undefined) {
    if (options.duration !== undefined) fail('--duration needs --schedule');
    return undefined;
  }
  const rules: RotationRulesType = /^\d+$/.test(options.schedule)
    ? { AutomaticallyAfterDays: Number(options.schedule) }
    : { ScheduleExpression: options.schedule };
  if (options.duration !== undefined) rules.Duration = options.duration;
  return rules;
}

/** The secret rotates with this function already, on the rules asked for (or any, if none asked). */
function alreadyConfigured(secret: DescribeSecretResponse, functionArn: string, rules: RotationRulesType | undefined): boolean {
  if (secret.RotationEnabled !== true || secret.RotationLambdaARN !== functionArn) return false;
  if (!rules) return true;
  const have = secret.RotationRules ?? {};
  if (rules.ScheduleExpression !== undefined && have.ScheduleExpression !== rules.ScheduleExpression) return false;
  if (rules.AutomaticallyAfterDays !== undefined && have.AutomaticallyAfterDays !== rules.AutomaticallyAfterDays) return false;
  return (rules.Duration ?? undefined) === (have.Duration ?? undefined);
}

function describeRules(rules: RotationRulesType | undefined): string {
  if (!rules) return 'no schedule (on demand)';
  const what = rules.ScheduleExpression ?? (rules.AutomaticallyAfterDays !== undefined ? `every ${rules.AutomaticallyAfterDays} days` : 'no schedule');
  return rules.Duration ? `${what}, window ${rules.Duration}` : what;
}

/** The secret's JSON value, or undefined when the caller may not read it (or it is not JSON). */
async function readSecretJson(sm: SecretsManagerClient, secretArn: string): Promise<Record<string, unknown> | undefined> {
  try {
    const out = await sm.send(new GetSecretValueCommand({ SecretId: secretArn }));
    const parsed: unknown = JSON.parse(out.SecretString ?? '');
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? parsed as Record<string, unknown> : undefined;
  } catch {
    return undefined;
  }
}

const ENGINES: Record<'postgres' | 'mysql', string[]> = { postgres: ['postgres', 'postgresql'], mysql: ['mysql', 'mariadb'] };

function checkEngine(value: Record<string, unknown>, template: TemplateName, fail: (m: string) => never): void {
  const engine = ROTATION_TEMPLATES[template].engine;
  if (value.engine !== undefined && !ENGINES[engine].includes(String(value.engine).toLowerCase())) {
    fail(`the secret's "engine" is ${JSON.stringify(value.engine)}; the template ${template} rotates ${ENGINES[engine].join(' or ')} users`);
  }
  const missing = ['host', 'username', 'password'].filter((k) => value[k] === undefined);
  if (missing.length) fail(`the secret's value has no ${missing.map((k) => `"${k}"`).join(', ')}: the template needs AWS's database secret JSON (engine, host, port, username, password, dbname)`);
}

/**
 * A KmsKeyId on the secret other than Secrets Manager's AWS managed key. DescribeKey says
 * (KeyManager); a caller who may not describe the key gets the KMS statement too (it is only
 * ever needed, never harmful, for a customer managed key; an AWS managed key is named so).
 */
async function isCustomerManagedKey(kms: KMSClient, keyId: string | undefined): Promise<boolean> {
  if (!keyId || /(^|:)alias\/aws\/secretsmanager$/.test(keyId)) return false;
  try {
    const meta = (await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata;
    return meta?.KeyManager !== 'AWS';
  } catch (err) {
    if (isName(err, 'AccessDeniedException')) return true;
    throw err;
  }
}
