import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serviceMayInvoke } from './service-invoke.ts';
import { addStatement, permissionStatement } from './permission-statement.ts';

const ARN = 'arn:aws:lambda:us-east-1:111122223333:function:rotate';
const SECRET = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:db-AbCdEf';
const ctx = { sourceAccount: '111122223333', sourceArn: SECRET, now: Date.UTC(2025, 0, 1) };

const withPermission = (extra: Record<string, string> = {}) => addStatement(null, permissionStatement({
  StatementId: 'sm', Action: 'lambda:InvokeFunction', Principal: 'secretsmanager.amazonaws.com', ...extra,
}, ARN));

test('a function without a resource policy may not be invoked by a service', () => {
  const d = serviceMayInvoke({ function_arn: ARN, policy: null }, 'secretsmanager.amazonaws.com', ctx);
  assert.equal(d.allowed, false);
  assert.match(d.message, /^User: secretsmanager\.amazonaws\.com is not authorized to perform: lambda:InvokeFunction on resource: arn:aws:lambda:us-east-1:111122223333:function:rotate/);
});

test('the resource policy naming the service allows it; another service is refused', () => {
  const policy = withPermission();
  assert.equal(serviceMayInvoke({ function_arn: ARN, policy }, 'secretsmanager.amazonaws.com', ctx).allowed, true);
  assert.equal(serviceMayInvoke({ function_arn: ARN, policy }, 's3.amazonaws.com', ctx).allowed, false);
});

test('aws:SourceAccount and aws:SourceArn conditions (the confused deputy) are checked against the invocation', () => {
  const policy = withPermission({ SourceAccount: '111122223333', SourceArn: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:db-*' });
  assert.equal(serviceMayInvoke({ function_arn: ARN, policy }, 'secretsmanager.amazonaws.com', ctx).allowed, true);
  assert.equal(serviceMayInvoke({ function_arn: ARN, policy }, 'secretsmanager.amazonaws.com', { ...ctx, sourceAccount: '999988887777' }).allowed, false);
  assert.equal(serviceMayInvoke({ function_arn: ARN, policy }, 'secretsmanager.amazonaws.com', { ...ctx, sourceArn: SECRET.replace('db-', 'other-') }).allowed, false);
});
