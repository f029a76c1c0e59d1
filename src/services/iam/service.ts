/**
 * IAM on awsQuery. IAM is global per account: requests may be signed for any served region
 * (clients sign IAM for their configured region), and every region sees the same users.
 * Operations are grouped by what they manage, each group in its own file.
 */
import { loadModel } from '../../protocol/model.ts';
import type { QueryService } from '../../protocol/aws-query.ts';
import type { IamDeps } from './deps.ts';
import { identityOperations } from './identity-operations.ts';
import { policyOperations } from './policy-operations.ts';
import { accountPasswordPolicyOperations } from './account-password-policy.ts';
import { accountAliasOperations } from './account-aliases.ts';
import { refuseSessionsWithoutMfa } from './session-guard.ts';
import { withStatementText } from './simulate.ts';

export function iamService(deps: IamDeps): QueryService {
  return {
    signingName: 'iam',
    // The simulator's matched statements carry their text too (simulate.ts).
    model: withStatementText(loadModel('iam-2010-05-08')),
    // GetSessionToken sessions without MFA may call no IAM operation (session-guard.ts).
    operations: refuseSessionsWithoutMfa({
      ...identityOperations(deps),
      ...policyOperations(deps),
      ...accountPasswordPolicyOperations(deps),
      ...accountAliasOperations(deps),
    }),
  };
}
