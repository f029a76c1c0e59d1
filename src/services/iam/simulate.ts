/**
 * The IAM policy simulator API: SimulateCustomPolicy (policies passed in) and
 * SimulatePrincipalPolicy (a user's, group's or role's own policies, plus any passed in).
 * Each action × resource is decided by the engine (simulation.ts) and answered in AWS's
 * shape: EvalDecision, MatchedStatements with their positions in the documents,
 * MissingContextValues, PermissionsBoundaryDecisionDetail and, with a resource policy,
 * EvalDecisionDetails. Authorized as `iam:SimulateCustomPolicy` on `*` and
 * `iam:SimulatePrincipalPolicy` on the principal's ARN.
 */
import { operation } from '../../protocol/operation.ts';
import type { ContextValues, PolicyType, RequestPrincipal } from '../../iam/index.ts';
import type { ServiceModel } from '../../protocol/model.ts';
import type { IamDeps } from './deps.ts';
import { invalidInput } from './entities.ts';
import { simPolicy, simulate, type SimPolicy, type SimulationOutcome } from './simulation.ts';
import { loadSimulationPrincipal } from './simulation-source.ts';

interface ContextEntryInput { ContextKeyName?: string; ContextKeyValues?: string[]; ContextKeyType?: string }

interface SimulateInput {
  PolicyInputList?: string[];
  PermissionsBoundaryPolicyInputList?: string[];
  ActionNames: string[];
  ResourceArns?: string[];
  ResourcePolicy?: string;
  ResourceOwner?: string;
  CallerArn?: string;
  ContextEntries?: ContextEntryInput[];
  MaxItems?: number;
  Marker?: string;
}

/** ContextEntries → condition values; the `…List` types are sets (multivalued keys). */
export function contextFromEntries(entries: readonly ContextEntryInput[] | undefined): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const e of entries ?? []) {
    if (!e.ContextKeyName) throw invalidInput('ContextKeyName is required in each context entry.');
    const values = e.ContextKeyValues ?? [];
    out[e.ContextKeyName] = e.ContextKeyType?.endsWith('List') ? values : (values[0] ?? '');
  }
  return out;
}

/** The simulated caller of a CallerArn: an IAM user, a role session or the account root. */
export function callerPrincipal(arn: string): RequestPrincipal {
  const p = arn.split(':');
  const account = p[4] ?? '';
  const resource = p.slice(5).join(':');
  if (p.length < 6 || p[0] !== 'arn' || !/^\d{12}$/.test(account)) throw invalidInput(`Invalid ARN: ${arn}`);
  if (resource === 'root') return { type: 'Root', arn, accountId: account };
  if (resource.startsWith('user/')) return { type: 'IAMUser', arn, accountId: account };
  if (resource.startsWith('assumed-role/')) {
    const role = resource.split('/')[1] ?? '';
    return { type: 'AssumedRole', arn, accountId: account, roleArn: `arn:aws:iam::${account}:role/${role}` };
  }
  if (resource.startsWith('role/')) return { type: 'AssumedRole', arn: `arn:aws:sts::${account}:assumed-role/${resource.slice(resource.lastIndexOf('/') + 1)}/simulation`, accountId: account, roleArn: arn };
  throw invalidInput(`CallerArn ${arn} must be the ARN of an IAM user, role or assumed-role session.`);
}

function ownerAccount(owner: string | undefined): string | undefined {
  if (owner === undefined) return undefined;
  if (/^\d{12}$/.test(owner)) return owner;
  const account = owner.split(':')[4];
  if (!account || !/^\d{12}$/.test(account)) throw invalidInput(`Invalid ResourceOwner: ${owner}`);
  return account;
}

function inputPolicies(list: readonly string[] | undefined, name: string): SimPolicy[] {
  return (list ?? []).map((doc, i) => simPolicy(`${name}.${i + 1}`, 'none', doc, 'identity'));
}

function boundaryOf(list: readonly string[] | undefined, loaded?: SimPolicy): SimPolicy | undefined {
  const given = inputPolicies(list, 'PermissionsBoundaryPolicyInputList');
  if (given.length > 1) throw invalidInput('PermissionsBoundaryPolicyInputList may contain at most one policy.');
  return given[0] ?? loaded;
}

/**
 * SourcePolicyType as AWS's simulator answers it — not the model's enum (user, group, role, …),
 * which it does not use: "IAM Policy" for identity policies (inline or managed, passed or
 * stored), "Resource Policy", "Permissions Boundary Policy" (published SimulateCustomPolicy and
 * SimulatePrincipalPolicy results).
 */
const SOURCE_POLICY_TYPE: Readonly<Record<PolicyType, string>> = {
  'identity-based': 'IAM Policy',
  'resource-based': 'Resource Policy',
  'permissions boundary': 'Permissions Boundary Policy',
  session: 'IAM Policy',
  'service control': 'Organizations Policy',
  'resource control': 'Organizations Policy',
  'role trust': 'Resource Policy',
};

/**
 * The model's Statement with one member more: `StatementText`, the matched statement exactly
 * as its document has it. Beyond AWS; the SDKs and the CLI read only the members they know and
 * skip unknown elements, so they are unaffected (test/iam-simulate.test.ts checks both).
 */
export function withStatementText(model: ServiceModel): ServiceModel {
  const statement = model.shapes.Statement!;
  return {
    ...model,
    shapes: { ...model.shapes, Statement: { ...statement, members: { ...statement.members, StatementText: { shape: 'policyDocumentType' } } } },
  };
}

/** AWS's EvaluationResult for one outcome. */
function evaluationResult(o: SimulationOutcome): Record<string, unknown> {
  const matched = o.matched.map((m) => ({
    SourcePolicyId: m.policy.id,
    SourcePolicyType: SOURCE_POLICY_TYPE[m.statement.policyType],
    StartPosition: m.start,
    EndPosition: m.end,
    StatementText: m.text,
  }));
  const boundary = o.allowedByBoundary === undefined ? undefined : { AllowedByPermissionsBoundary: o.allowedByBoundary };
  const out: Record<string, unknown> = {
    EvalActionName: o.action,
    EvalResourceName: o.resource,
    EvalDecision: o.decision,
    MatchedStatements: matched,
    MissingContextValues: o.missingContextValues,
    EvalDecisionDetails: o.decisionDetails,
    PermissionsBoundaryDecisionDetail: boundary,
  };
  if (o.resource !== '*') {
    out.ResourceSpecificResults = [{
      EvalResourceName: o.resource,
      EvalResourceDecision: o.decision,
      MatchedStatements: matched,
      MissingContextValues: o.missingContextValues,
      EvalDecisionDetails: o.decisionDetails,
      PermissionsBoundaryDecisionDetail: boundary,
    }];
  }
  return out;
}

/** Every action × resource, paged by MaxItems/Marker (the marker is the next result's index). */
function run(input: SimulateInput, setup: Parameters<typeof simulate>[0]) {
  if (input.ActionNames.length === 0) throw invalidInput('ActionNames must contain at least one action.');
  const resources = input.ResourceArns && input.ResourceArns.length > 0 ? input.ResourceArns : ['*'];
  const pairs = input.ActionNames.flatMap((action) => resources.map((resource) => [action, resource] as const));
  let start = 0;
  if (input.Marker !== undefined) {
    start = Number(Buffer.from(input.Marker, 'base64url').toString('utf8'));
    if (!Number.isInteger(start) || start < 0 || start > pairs.length) throw invalidInput('Invalid Marker.');
  }
  const limit = input.MaxItems ?? 100;
  const page = pairs.slice(start, start + limit);
  const results = page.map(([action, resource]) => evaluationResult(simulate(setup, action, resource)));
  const next = start + limit;
  return next < pairs.length
    ? { EvaluationResults: results, IsTruncated: true, Marker: Buffer.from(String(next), 'utf8').toString('base64url') }
    : { EvaluationResults: results, IsTruncated: false };
}

function resourcePolicyOf(text: string | undefined): SimPolicy | undefined {
  return text === undefined ? undefined : simPolicy('ResourcePolicy', 'resource', text, 'resource');
}

export function simulateCustomPolicy(_deps: IamDeps) {
  return operation<SimulateInput, Record<string, unknown>, undefined>({
    async plan() {
      return { authorization: { action: 'iam:SimulateCustomPolicy', resource: '*' }, state: undefined };
    },
    async run(ctx, input) {
      const context: ContextValues = contextFromEntries(input.ContextEntries);
      const principal = input.CallerArn !== undefined
        ? callerPrincipal(input.CallerArn)
        : { type: 'IAMUser' as const, arn: `arn:aws:iam::${ctx.principal.accountId}:user/SimulatedUser`, accountId: ctx.principal.accountId };
      return run(input, {
        principal,
        identity: inputPolicies(input.PolicyInputList, 'PolicyInputList'),
        boundary: boundaryOf(input.PermissionsBoundaryPolicyInputList),
        resourcePolicy: resourcePolicyOf(input.ResourcePolicy),
        context,
        resourceAccountId: ownerAccount(input.ResourceOwner),
      });
    },
  });
}

export function simulatePrincipalPolicy(deps: IamDeps) {
  return operation<SimulateInput & { PolicySourceArn: string }, Record<string, unknown>, undefined>({
    async plan(_ctx, input) {
      return { authorization: { action: 'iam:SimulatePrincipalPolicy', resource: input.PolicySourceArn }, state: undefined };
    },
    async run(_ctx, input) {
      const loaded = await loadSimulationPrincipal(deps.db, input.PolicySourceArn, invalidInput);
      const context: ContextValues = contextFromEntries(input.ContextEntries);
      return run(input, {
        principal: input.CallerArn !== undefined ? callerPrincipal(input.CallerArn) : loaded.principal,
        identity: [...loaded.identity, ...inputPolicies(input.PolicyInputList, 'PolicyInputList')],
        boundary: boundaryOf(input.PermissionsBoundaryPolicyInputList, loaded.boundary),
        resourcePolicy: resourcePolicyOf(input.ResourcePolicy),
        context,
        resourceAccountId: ownerAccount(input.ResourceOwner),
      });
    },
  });
}
