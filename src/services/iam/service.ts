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

export function iamService(deps: IamDeps): QueryService {
  return {
    signingName: 'iam',
    model: loadModel('iam-2010-05-08'),
    operations: {
      ...identityOperations(deps),
      ...policyOperations(deps),
    },
  };
}
