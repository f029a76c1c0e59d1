/**
 * GetCallerIdentity: who signed this request. AWS answers it for every authenticated caller,
 * even one an explicit Deny on `sts:*` covers, so it asks the authorization hook nothing.
 */
import { operation } from '../../protocol/operation.ts';

export interface CallerIdentity {
  UserId: string;
  Account: string;
  Arn: string;
}

export function getCallerIdentity() {
  return operation<Record<string, never>, CallerIdentity, undefined>({
    plan: async () => ({ authorization: [], state: undefined }),
    // For the account root AWS reports the account id as UserId and `arn:aws:iam::<acct>:root`.
    run: async (ctx) => ({ UserId: ctx.principal.userId, Account: ctx.principal.accountId, Arn: ctx.principal.arn }),
  });
}
