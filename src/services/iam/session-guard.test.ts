import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkIamCallable } from './session-guard.ts';
import type { Principal } from '../../auth/principal.ts';

const user: Principal = { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/a', accountId: '111122223333', userId: 'AIDAEXAMPLE', userName: 'a', accessKeyId: 'AKIAEXAMPLE' };

test('GetSessionToken sessions without MFA may not call IAM; with MFA, long-term keys and role sessions may', () => {
  assert.throws(() => checkIamCallable({ ...user, accessKeyId: 'ASIAEXAMPLE' }), { code: 'InvalidClientTokenId', status: 403, message: 'The security token included in the request is invalid' });
  assert.throws(() => checkIamCallable({ ...user, type: 'Root', arn: 'arn:aws:iam::111122223333:root', accessKeyId: 'ASIAEXAMPLE' }), { code: 'InvalidClientTokenId' });
  checkIamCallable({ ...user, accessKeyId: 'ASIAEXAMPLE', mfaAuthenticatedAt: Date.now() });
  checkIamCallable(user);
  checkIamCallable({ ...user, type: 'AssumedRole', accessKeyId: 'ASIAEXAMPLE' });
});
