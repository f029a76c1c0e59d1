/**
 * An operation is a plain async function pair with no HTTP in it:
 * `plan` finds what the call touches and says how it must be authorized;
 * the dispatcher authorizes; `run` does the work. Splitting them lets every operation be
 * authorized by one hook with the real resource ARN and condition keys.
 */
import type { AuthorizationRequest, RequestContext } from '../auth/request-context.ts';

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
