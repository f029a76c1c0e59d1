/**
 * STS on awsQuery. Only GetCallerIdentity so far; AssumeRole and the session credentials it
 * issues come with the IAM issue. Other actions answer InvalidAction, as for an unknown action.
 */
import { loadModel } from '../../protocol/model.ts';
import type { QueryService } from '../../protocol/aws-query.ts';
import { getCallerIdentity } from './get-caller-identity.ts';

export function stsService(): QueryService {
  return {
    signingName: 'sts',
    model: loadModel('sts-2011-06-15'),
    operations: {
      GetCallerIdentity: getCallerIdentity(),
    },
  };
}
