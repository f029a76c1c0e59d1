import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkPasswordChangeGate } from './password-change-gate.ts';
import type { Principal } from './principal.ts';

const session: Principal = {
  type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/a', accountId: '111122223333', userId: 'AIDAEXAMPLE', userName: 'a',
  accessKeyId: 'ASIAEXAMPLE', consoleSession: true,
};

test('a session marked passwordChangeRequired may change the password, read the policy and ask who it is; nothing else', () => {
  const marked = { ...session, passwordChangeRequired: true };
  for (const [service, operation] of [['iam', 'ChangePassword'], ['iam', 'GetAccountPasswordPolicy'], ['sts', 'GetCallerIdentity']] as const) {
    checkPasswordChangeGate(marked, service, operation);
  }
  for (const [service, operation] of [['iam', 'ListUsers'], ['iam', 'UpdateLoginProfile'], ['secretsmanager', 'GetSecretValue'], ['sts', 'AssumeRole'], ['kms', 'Decrypt'], ['lambda', 'Invoke']] as const) {
    assert.throws(() => checkPasswordChangeGate(marked, service, operation), (e: Error & { code?: string }) =>
      e.code === 'AccessDeniedException' && e.message.startsWith(`User: ${session.arn} is not authorized to perform: ${service}:${operation} because the password must be changed first`));
  }
});

test('an unmarked session, or any other principal, is not held', () => {
  checkPasswordChangeGate(session, 'iam', 'ListUsers');
  checkPasswordChangeGate({ ...session, passwordChangeRequired: false }, 'secretsmanager', 'GetSecretValue');
  checkPasswordChangeGate({ ...session, accessKeyId: 'AKIAEXAMPLE', consoleSession: undefined }, 'kms', 'Decrypt');
});
