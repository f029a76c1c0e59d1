/**
 * An operation is a plain async function pair with no HTTP in it:
 * `plan` finds what the call touches and says how it must be authorized;
 * the dispatcher authorizes; `run` does the work. Splitting them lets every operation be
 * authorized by one hook with the real resource ARN and condition keys.
 */
import type { AuthorizationRequest, RequestContext } from '../auth/request-context.ts';
import { accessDeniedError, type Authorizer } from '../auth/authorize.ts';
import type { ServiceModel } from './model.ts';
import { validateInput } from './validate.ts';
import { checkPasswordChangeGate } from '../auth/password-change-gate.ts';

export interface Plan<S> {
  authorization: AuthorizationRequest | AuthorizationRequest[];
  state: S;
}

export interface Operation<I = Record<string, unknown>, O = Record<string, unknown>, S = unknown> {
  plan(ctx: RequestContext, input: I): Promise<Plan<S>>;
  run(ctx: RequestContext, input: I, state: S): Promise<O>;
}

/** Helper so each operation file gets its types checked without repeating generics. */
export function operation<I, O, S>(op: Operation<I, O, S>): Operation<I, O, S> {
  return op;
}

/**
 * The protocol-independent part of every call: validate the input against the model, plan,
 * authorize each request the plan names through the one hook, run.
 */
export async function runOperation(
  model: ServiceModel,
  name: string,
  op: Operation<any, any, any>,
  input: Record<string, unknown>,
  ctx: RequestContext,
  authorize: Authorizer,
): Promise<unknown> {
  ctx.call = { input };
  const shape = model.operations[name]!.input?.shape;
  if (shape) validateInput(model, shape, input);
  const output = await planAuthorizeRun(op, input, ctx, authorize);
  ctx.call.output = output;
  return output;
}

/** Plan, authorize each request the plan names through the one hook, run. */
export async function planAuthorizeRun(
  op: Operation<any, any, any>,
  input: Record<string, unknown>,
  ctx: RequestContext,
  authorize: Authorizer,
): Promise<unknown> {
  // A console session that must change its password calls nothing else (docs/console.md).
  checkPasswordChangeGate(ctx.principal, ctx.service, ctx.operation);
  const plan = await op.plan(ctx, input);
  const requests = Array.isArray(plan.authorization) ? plan.authorization : [plan.authorization];
  for (const request of requests) {
    const decision = await authorize(ctx, request);
    if (!decision.allowed) throw accessDeniedError(ctx, request, decision);
  }
  return op.run(ctx, input, plan.state);
}
