import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { openStore, type Store } from '../../storage/database.ts';
import { CredentialStore } from '../../auth/credentials.ts';
import { RootKeyRing } from '../../crypto/root-key-ring.ts';
import { assumeRoleAsService } from './assume-role.ts';
import type { StsDeps } from './deps.ts';

const ACCOUNT = '111122223333';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/rotation-exec`;

describe('a service assuming a role (trust policy with aws:SourceAccount / aws:SourceArn)', () => {
  let store: Store;
  let deps: StsDeps;

  before(async () => {
    store = await openStore('sqlite://:memory:');
    const credentials = new CredentialStore(store.db, new RootKeyRing(1, randomBytes(32)));
    deps = { db: store.db, credentials, now: () => Date.now() };
    await store.db.insertInto('iam_roles').values({
      account_id: ACCOUNT, role_key: 'rotation-exec', role_name: 'rotation-exec', role_id: 'AROAEXAMPLEEXAMPLE01', path: '/', arn: ROLE_ARN,
      trust_policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{
          Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT }, ArnLike: { 'aws:SourceArn': `arn:aws:lambda:*:${ACCOUNT}:function:rotate-*` } },
        }],
      }),
      description: null, max_session_duration: 3600, permissions_boundary: null, tags: '[]', created_at: Date.now(), last_used_at: null, last_used_region: null,
    }).execute();
  });
  after(() => store.close());

  test('the named service, for the right account and function, gets a role session', async () => {
    const out = await assumeRoleAsService(deps, {
      service: 'lambda.amazonaws.com', roleArn: ROLE_ARN, sessionName: 'rotate-db',
      sourceAccount: ACCOUNT, sourceArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:rotate-db`,
    });
    assert.equal(out.arn, `arn:aws:sts::${ACCOUNT}:assumed-role/rotation-exec/rotate-db`);
    const resolved = await deps.credentials.resolve(out.credentials.AccessKeyId);
    assert.equal(resolved?.principal.arn, out.arn);
    assert.equal(resolved?.principal.userId, 'AROAEXAMPLEEXAMPLE01:rotate-db');
  });

  test('another account, another function, another service, or no source: AccessDenied', async () => {
    const base = { service: 'lambda.amazonaws.com', roleArn: ROLE_ARN, sessionName: 's', sourceAccount: ACCOUNT, sourceArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:rotate-db` };
    for (const change of [{ sourceAccount: '444455556666' }, { sourceArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:other` }, { service: 'ec2.amazonaws.com' }, { sourceAccount: undefined }]) {
      await assert.rejects(assumeRoleAsService(deps, { ...base, ...change }), { code: 'AccessDenied', status: 403 });
    }
  });
});
