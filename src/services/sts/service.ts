/**
 * STS on awsQuery: GetCallerIdentity, AssumeRole and GetSessionToken. The temporary
 * credentials the last two issue live in `src/auth/sessions.ts`. Other actions answer
 * InvalidAction, as for an unknown action.
 */
import { loadModel } from '../../protocol/model.ts';
import type { QueryService } from '../../protocol/aws-query.ts';
import type { StsDeps } from './deps.ts';
import { getCallerIdentity } from './get-caller-identity.ts';
import { assumeRole } from './assume-role.ts';
import { getSessionToken } from './get-session-token.ts';

export function stsService(deps: StsDeps): QueryService {
  return {
    signingName: 'sts',
    model: loadModel('sts-2011-06-15'),
    operations: {
      GetCallerIdentity: getCallerIdentity(),
      AssumeRole: assumeRole(deps),
      GetSessionToken: getSessionToken(deps),
    },
  };
}
