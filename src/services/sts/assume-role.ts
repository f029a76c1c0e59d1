/**
 * AssumeRole: temporary credentials for a role, decided as AWS decides them.
 *
 * - The account root may not assume roles (AWS: "Roles may not be assumed by root accounts.").
 * - The caller's side (identity policies, boundary, session policy; explicit denies) is the
 *   authorization hook's, asked through `ctx.decide` for `sts:AssumeRole` (and `sts:TagSession`
 *   when tags are passed, `sts:SetSourceIdentity` for a source identity) on the role ARN.
 * - The role's side is its trust policy, evaluated here with `evaluateTrust`, the caller as
 *   principal: it must allow even within the account. When the hook allows the caller's side,
 *   the trust evaluation is given that as an identity policy, so that a trust policy naming
 *   the account (which delegates to identity policies) works.
 * - In the same account, a trust policy naming the IAM user itself is enough (as any resource
 *   policy naming a user is): AWS needs no identity policy then, only no explicit deny. That is
 *   why these checks run in `run` with `ctx.decide` rather than as `plan`'s declared
 *   authorization, which would require the identity side to allow.
 *   A role that does not exist is refused with the same message, so nothing leaks.
 * - DurationSeconds 900 … the role's MaxSessionDuration (3600 when the caller is itself a role
 *   session: role chaining); session name; session tags (transitive ones carry over in chains);
 *   inline session policy and policy ARNs, whose packed size is reported as AWS does.
 * - SourceIdentity (2–64 characters of `[\w+=,.@-]`, checked by the model, so never `aws:…`):
 *   kept on the session, carried to every session it creates by role chaining, and
 *   `aws:SourceIdentity` in all its requests. Once set it cannot change: a chained AssumeRole
 *   naming another value is denied. Setting it — or carrying it on — needs
 *   `sts:SetSourceIdentity` on both sides (IAM User Guide, "Monitor and control actions taken
 *   with assumed roles").
 */
import { deflateRawSync } from 'node:zlib';
import { AwsError } from '../../errors.ts';
import { operation } from '../../protocol/operation.ts';
import type { ConditionValue, RequestContext } from '../../auth/request-context.ts';
import type { SessionPolicies } from '../../auth/principal.ts';
import type { IssuedCredentials, SessionPrincipal } from '../../auth/sessions.ts';
import { compilePolicyCached, ConditionContext, evaluateTrust, parsePolicy, type CompiledPolicy, type RequestPrincipal } from '../../iam/index.ts';
import type { StsDeps } from './deps.ts';
import { globalConditionKeys } from '../../auth/authorize.ts';
import { requestPrincipal, stsAccessDenied, verifyMfa } from './session-context.ts';

interface Tag { Key: string; Value: string }

export interface AssumeRoleInput {
  RoleArn: string;
  RoleSessionName: string;
  PolicyArns?: { arn?: string }[];
  Policy?: string;
  DurationSeconds?: number;
  Tags?: Tag[];
  TransitiveTagKeys?: string[];
  ExternalId?: string;
  SerialNumber?: string;
  TokenCode?: string;
  SourceIdentity?: string;
}

export interface AssumeRoleOutput {
  Credentials: IssuedCredentials;
  AssumedRoleUser: { AssumedRoleId: string; Arn: string };
  PackedPolicySize?: number;
  SourceIdentity?: string;
}

interface RoleRow {
  account_id: string;
  role_name: string;
  role_id: string;
  arn: string;
  trust_policy: string;
  max_session_duration: number;
}

interface Prepared {
  conditions: Record<string, ConditionValue>;
  /** The session's source identity: the one asked for, or the calling session's. */
  sourceIdentity?: string;
  tags: Record<string, string>;
  transitiveTagKeys: string[];
  sessionPolicies?: SessionPolicies;
  packedPolicySize?: number;
}

const DEFAULT_DURATION = 3600;
const ROLE_CHAINING_MAX = 3600;
const ROLE_ARN = /^arn:aws:iam::(\d{12}):role(\/.*)$/;
/**
 * AWS compresses session policies, policy ARNs and tags into a packed form with its own limit
 * and reports the share used as PackedPolicySize (a percentage). The exact encoding is AWS's
 * own; coffer packs with raw DEFLATE against this budget, which keeps AWS's documented
 * ceilings (a 2,048-character policy, 50 tags) comfortably below 100% for ordinary input.
 */
const PACKED_BUDGET_BYTES = 2048;

const chainingLimit = () => new AwsError('ValidationError', 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.', 400);
const overMaxSession = () => new AwsError('ValidationError', 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.', 400);

/** `User: <caller> is not authorized to perform: sts:AssumeRole on resource: <role>`, STS's wording. */
export function notAuthorizedToAssume(callerArn: string, roleArn: string, action = 'sts:AssumeRole'): AwsError {
  return stsAccessDenied(`User: ${callerArn} is not authorized to perform: ${action} on resource: ${roleArn}`);
}

/** What the hook has already allowed for this caller, stated as an identity policy for the trust evaluation. */
const CALLER_SIDE_ALLOWED: CompiledPolicy = parsePolicy(JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'], Resource: '*' }],
}), { kind: 'identity' });

function tagMap(tags: readonly Tag[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of tags) out[t.Key] = t.Value;
  return out;
}

function packedPolicySize(policy: string | undefined, arns: readonly string[], tags: readonly Tag[]): number {
  const parts: string[] = [];
  if (policy !== undefined) parts.push(JSON.stringify(JSON.parse(policy)));
  parts.push(...arns);
  for (const t of tags) parts.push(`${t.Key}=${t.Value}`);
  if (parts.length === 0) return 0;
  const packed = deflateRawSync(Buffer.from(parts.join('\n'), 'utf8')).length;
  return Math.ceil((packed * 100) / PACKED_BUDGET_BYTES);
}

/** Session tags and session policies of the request, validated, and the condition keys they make. */
function prepare(ctx: RequestContext, input: AssumeRoleInput): Prepared {
  const requested = input.Tags ?? [];
  const seen = new Set<string>();
  for (const t of requested) {
    const k = t.Key.toLowerCase();
    if (seen.has(k)) throw new AwsError('InvalidParameterValue', 'Duplicate tag keys found. Please note that Tag keys are case insensitive.', 400);
    seen.add(k);
  }
  const transitive = input.TransitiveTagKeys ?? [];
  for (const key of transitive) {
    if (!seen.has(key.toLowerCase())) throw new AwsError('InvalidParameterValue', 'The specified transitive tag key must be included in the requested tags.', 400);
  }
  // Role chaining: the caller's transitive tags pass on and cannot be overridden.
  const caller = ctx.principal;
  const inherited: Tag[] = [];
  for (const key of caller.transitiveTagKeys ?? []) {
    const value = caller.sessionTags?.[key];
    if (value === undefined) continue;
    if (seen.has(key.toLowerCase())) throw new AwsError('InvalidParameterValue', 'One or more of the specified transitive tag keys can\'t be set because it conflicts with a transitive tag key that was inherited from the calling session.', 400);
    inherited.push({ Key: key, Value: value });
  }
  const allTags = [...inherited, ...requested];

  let sessionPolicies: SessionPolicies | undefined;
  const arns = (input.PolicyArns ?? []).map((p) => p.arn ?? '');
  for (const arn of arns) {
    if (!/^arn:aws:iam::(\d{12}|aws):policy\/\S+$/.test(arn)) {
      throw new AwsError('ValidationError', `The policy ARN ${arn} is invalid.`, 400);
    }
  }
  if (input.Policy !== undefined) parsePolicy(input.Policy, { kind: 'identity' });
  if (input.Policy !== undefined || arns.length > 0) sessionPolicies = { inline: input.Policy, arns };

  let packed: number | undefined;
  if (input.Policy !== undefined || arns.length > 0 || requested.length > 0) {
    packed = packedPolicySize(input.Policy, arns, requested);
    if (packed > 100) throw new AwsError('PackedPolicyTooLarge', `Packed policy consumes ${packed}% of allotted space, please use smaller policy.`, 400);
  }

  const conditions: Record<string, ConditionValue> = { 'sts:RoleSessionName': input.RoleSessionName };
  if (input.ExternalId !== undefined) conditions['sts:ExternalId'] = input.ExternalId;
  const sourceIdentity = input.SourceIdentity ?? caller.sourceIdentity;
  if (sourceIdentity !== undefined) conditions['sts:SourceIdentity'] = sourceIdentity;
  if (requested.length > 0) {
    for (const t of requested) conditions[`aws:RequestTag/${t.Key}`] = t.Value;
    conditions['aws:TagKeys'] = requested.map((t) => t.Key);
  }
  if (transitive.length > 0) conditions['sts:TransitiveTagKeys'] = transitive;
  return {
    conditions,
    sourceIdentity,
    tags: tagMap(allTags),
    transitiveTagKeys: [...inherited.map((t) => t.Key), ...transitive],
    sessionPolicies,
    packedPolicySize: packed,
  };
}

async function findRole(deps: StsDeps, roleArn: string): Promise<RoleRow | undefined> {
  const m = ROLE_ARN.exec(roleArn);
  if (!m) return undefined;
  const [, account, pathAndName] = m;
  const name = pathAndName!.slice(pathAndName!.lastIndexOf('/') + 1);
  if (!name) return undefined;
  const row = await deps.db.selectFrom('iam_roles')
    .select(['account_id', 'role_name', 'role_id', 'arn', 'trust_policy', 'max_session_duration'])
    .where('account_id', '=', account!).where('role_key', '=', name.toLowerCase()).executeTakeFirst();
  // The path is part of the ARN: a role named with the wrong path is not that role.
  return row && row.arn === roleArn ? { ...row, max_session_duration: Number(row.max_session_duration) } : undefined;
}

function compileTrust(text: string): CompiledPolicy {
  try {
    return compilePolicyCached(text, 'trust');
  } catch {
    // Stored documents were validated on write; whatever is there is evaluated leniently.
    return parsePolicy(text, { kind: 'trust', strict: false });
  }
}

/** The trust policy, with the request's keys; `callerAllowed`: the hook allowed the caller's side. */
function trustAllows(role: RoleRow, principal: RequestPrincipal, context: ConditionContext, action: string, callerAllowed: boolean): boolean {
  const result = evaluateTrust({
    principal, roleArn: role.arn, action, context,
    trustPolicy: { id: 'trust', policy: compileTrust(role.trust_policy) },
    identityPolicies: callerAllowed ? [{ id: 'caller', policy: CALLER_SIDE_ALLOWED }] : [],
  });
  return result.decision === 'Allow';
}

/** Both sides of one action (`sts:AssumeRole`, `sts:TagSession`, …) on the role; throws AccessDenied. */
async function authorizeOnRole(
  ctx: RequestContext, role: RoleRow, principal: RequestPrincipal, context: ConditionContext,
  action: string, conditions: Record<string, ConditionValue>,
): Promise<void> {
  const caller = ctx.principal;
  const decision = await ctx.decide({ action, resource: role.arn, conditions });
  const denied = () => stsAccessDenied(decision.message ?? `User: ${caller.arn} is not authorized to perform: ${action} on resource: ${role.arn}`);
  if (decision.result?.decision === 'ExplicitDeny') throw denied();
  // A same-account IAM user named by the trust policy needs no identity policy.
  if (caller.type === 'IAMUser' && caller.accountId === role.account_id && trustAllows(role, principal, context, action, false)) return;
  if (!decision.allowed) throw denied();
  if (!trustAllows(role, principal, context, action, true)) throw notAuthorizedToAssume(caller.arn, role.arn, action);
}

export function assumeRole(deps: StsDeps) {
  return operation<AssumeRoleInput, AssumeRoleOutput, Prepared>({
    async plan(ctx, input) {
      if (ctx.principal.type === 'Root') throw stsAccessDenied('Roles may not be assumed by root accounts.');
      // Authorization needs the role's trust policy beside the hook's answer: see authorizeOnRole.
      return { authorization: [], state: prepare(ctx, input) };
    },

    async run(ctx, input, prepared) {
      const now = deps.now();
      const caller = ctx.principal;
      const mfaAt = await verifyMfa(deps, caller, input.SerialNumber, input.TokenCode);
      const role = await findRole(deps, input.RoleArn);
      if (!role) throw notAuthorizedToAssume(caller.arn, input.RoleArn);
      // A source identity, once set, stays: a chained session may not name another one.
      if (caller.sourceIdentity !== undefined && input.SourceIdentity !== undefined && input.SourceIdentity !== caller.sourceIdentity) {
        throw notAuthorizedToAssume(caller.arn, role.arn, 'sts:SetSourceIdentity');
      }
      // MFA given with this call counts for this call: a trust policy requiring
      // aws:MultiFactorAuthPresent is met by AssumeRole with SerialNumber/TokenCode (IAM User
      // Guide, "Configuring MFA-protected API access"), whatever the caller's credentials.
      if (mfaAt !== undefined) Object.assign(prepared.conditions, { 'aws:MultiFactorAuthPresent': true, 'aws:MultiFactorAuthAge': 0 });
      const principal = await requestPrincipal(deps, caller);
      const context = ConditionContext.create(principal, { ...globalConditionKeys(ctx), ...prepared.conditions });
      await authorizeOnRole(ctx, role, principal, context, 'sts:AssumeRole', prepared.conditions);
      if (input.Tags?.length) await authorizeOnRole(ctx, role, principal, context, 'sts:TagSession', prepared.conditions);
      if (prepared.sourceIdentity !== undefined) await authorizeOnRole(ctx, role, principal, context, 'sts:SetSourceIdentity', prepared.conditions);

      const chained = caller.type === 'AssumedRole';
      const duration = input.DurationSeconds ?? DEFAULT_DURATION;
      if (chained && duration > ROLE_CHAINING_MAX) throw chainingLimit();
      if (duration > role.max_session_duration) throw overMaxSession();

      const sessionArn = `arn:aws:sts::${role.account_id}:assumed-role/${role.role_name}/${input.RoleSessionName}`;
      const assumedRoleId = `${role.role_id}:${input.RoleSessionName}`;
      const sessionPrincipal: SessionPrincipal = {
        type: 'AssumedRole', arn: sessionArn, accountId: role.account_id, userId: assumedRoleId, roleArn: role.arn,
        issuedAt: now,
        ...(Object.keys(prepared.tags).length ? { sessionTags: prepared.tags } : {}),
        ...(prepared.transitiveTagKeys.length ? { transitiveTagKeys: prepared.transitiveTagKeys } : {}),
        ...(prepared.sessionPolicies ? { sessionPolicies: prepared.sessionPolicies } : {}),
        ...(mfaAt !== undefined ? { mfaAuthenticatedAt: mfaAt } : {}),
        ...(prepared.sourceIdentity !== undefined ? { sourceIdentity: prepared.sourceIdentity } : {}),
      };
      const credentials = await deps.credentials.sessions.issue({ principal: sessionPrincipal, durationSeconds: duration, now });
      // RoleLastUsed (GetRole): when and in which region the role was last assumed.
      await deps.db.updateTable('iam_roles').set({ last_used_at: now, last_used_region: ctx.region })
        .where('account_id', '=', role.account_id).where('role_id', '=', role.role_id).execute();
      return {
        Credentials: credentials,
        AssumedRoleUser: { AssumedRoleId: assumedRoleId, Arn: sessionArn },
        ...(prepared.packedPolicySize !== undefined ? { PackedPolicySize: prepared.packedPolicySize } : {}),
        ...(prepared.sourceIdentity !== undefined ? { SourceIdentity: prepared.sourceIdentity } : {}),
      };
    },
  });
}

/**
 * A service assuming a role on a customer's behalf (Lambda running a rotation function with
 * its execution role): the service principal is the caller, and the trust policy alone
 * decides, with `aws:SourceAccount` / `aws:SourceArn` naming the resource the service acts for.
 */
export async function assumeRoleAsService(deps: StsDeps, opts: {
  service: string;
  roleArn: string;
  sessionName: string;
  sourceAccount?: string;
  sourceArn?: string;
  durationSeconds?: number;
  /** Kept on the session as `aws:SourceAccount` of its requests (Lambda's execution-role sessions). */
  sessionSourceAccount?: string;
}): Promise<{ credentials: IssuedCredentials; arn: string }> {
  const now = deps.now();
  const role = await findRole(deps, opts.roleArn);
  const principal: RequestPrincipal = { type: 'Service', arn: opts.service, accountId: '' };
  const context = ConditionContext.create(principal, {
    'aws:CurrentTime': new Date(now).toISOString(), 'aws:EpochTime': Math.floor(now / 1000),
    'aws:SourceAccount': opts.sourceAccount, 'aws:SourceArn': opts.sourceArn, 'sts:RoleSessionName': opts.sessionName,
  });
  if (!role) throw notAuthorizedToAssume(opts.service, opts.roleArn);
  const result = evaluateTrust({ principal, roleArn: role.arn, context, trustPolicy: { id: 'trust', policy: compileTrust(role.trust_policy) } });
  if (result.decision !== 'Allow') throw notAuthorizedToAssume(opts.service, role.arn);
  const duration = Math.min(opts.durationSeconds ?? DEFAULT_DURATION, role.max_session_duration);
  const arn = `arn:aws:sts::${role.account_id}:assumed-role/${role.role_name}/${opts.sessionName}`;
  const credentials = await deps.credentials.sessions.issue({
    principal: { type: 'AssumedRole', arn, accountId: role.account_id, userId: `${role.role_id}:${opts.sessionName}`, roleArn: role.arn, issuedAt: now,
      ...(opts.sessionSourceAccount !== undefined ? { sourceAccount: opts.sessionSourceAccount } : {}) },
    durationSeconds: duration, now,
  });
  return { credentials, arn };
}
