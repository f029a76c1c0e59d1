/**
 * ClientRequestToken on CreateSecret, PutSecretValue and UpdateSecret: a retry with the same
 * token and value changes nothing, the same token with another value is refused, the token's
 * length is checked, and a raw request without one is refused before the secret is looked up.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  UpdateSecretCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { TestServer } from './helpers/server.ts';
import { useServer } from './helpers/suite.ts';
import { secretsManager } from './helpers/clients.ts';
import { signedRequest } from './helpers/raw.ts';
import { failsAndChangesNothing, rejectsWith, snapshot, stagesOf, token } from './helpers/secrets.ts';

let server: TestServer;
let sm: SecretsManagerClient;

useServer((s, client) => { server = s; sm = client; });

const inUse = (t: string, arn: string) => `You can't use ClientRequestToken ${t} because that value is already in use for a version of secret ${arn}.`;

describe('CreateSecret', () => {
  test('same token and value: the identical response, nothing new', async () => {
    const t = token();
    const first = await sm.send(new CreateSecretCommand({ Name: 'idem/create', SecretString: 'v1', ClientRequestToken: t }));
    const before = await snapshot(sm, 'idem/create');
    const again = await sm.send(new CreateSecretCommand({ Name: 'idem/create', SecretString: 'v1', ClientRequestToken: t }));
    assert.deepEqual({ ARN: again.ARN, Name: again.Name, VersionId: again.VersionId }, { ARN: first.ARN, Name: first.Name, VersionId: t });
    assert.deepEqual(await snapshot(sm, 'idem/create'), before);
  });

  test('same token, other value → ResourceExistsException naming the token and ARN', async () => {
    const t = token();
    const first = await sm.send(new CreateSecretCommand({ Name: 'idem/create-other', SecretString: 'v1', ClientRequestToken: t }));
    await failsAndChangesNothing(sm, 'idem/create-other',
      () => sm.send(new CreateSecretCommand({ Name: 'idem/create-other', SecretString: 'v2', ClientRequestToken: t })),
      'ResourceExistsException', inUse(t, first.ARN!));
  });

  test('a new token on an existing name → ResourceExistsException "already exists"', async () => {
    await sm.send(new CreateSecretCommand({ Name: 'idem/create-new-token', SecretString: 'v1' }));
    await failsAndChangesNothing(sm, 'idem/create-new-token',
      () => sm.send(new CreateSecretCommand({ Name: 'idem/create-new-token', SecretString: 'v1', ClientRequestToken: token() })),
      'ResourceExistsException', 'The operation failed because the secret idem/create-new-token already exists.');
  });

  test('the same binary value with the same token is a retry too', async () => {
    const t = token();
    const bytes = new Uint8Array([9, 8, 7, 0]);
    const first = await sm.send(new CreateSecretCommand({ Name: 'idem/create-binary', SecretBinary: bytes, ClientRequestToken: t }));
    const again = await sm.send(new CreateSecretCommand({ Name: 'idem/create-binary', SecretBinary: bytes, ClientRequestToken: t }));
    assert.equal(again.ARN, first.ARN);
    assert.equal(again.VersionId, t);
    // A string with the same bytes is another value.
    await rejectsWith(sm.send(new CreateSecretCommand({ Name: 'idem/create-binary', SecretString: '\t\b\x07\0', ClientRequestToken: t })),
      'ResourceExistsException', inUse(t, first.ARN!));
  });
});

describe('PutSecretValue', () => {
  test('same token and value: no new version, the version\'s current VersionStages', async () => {
    const created = await sm.send(new CreateSecretCommand({ Name: 'idem/put', SecretString: 'v1' }));
    const t = token();
    const put = await sm.send(new PutSecretValueCommand({ SecretId: 'idem/put', SecretString: 'v2', ClientRequestToken: t }));
    assert.deepEqual(put.VersionStages, ['AWSCURRENT']);
    const before = await snapshot(sm, 'idem/put');
    const again = await sm.send(new PutSecretValueCommand({ SecretId: 'idem/put', SecretString: 'v2', ClientRequestToken: t }));
    assert.equal(again.ARN, created.ARN);
    assert.equal(again.VersionId, t);
    assert.deepEqual(again.VersionStages, ['AWSCURRENT']);
    assert.deepEqual(await snapshot(sm, 'idem/put'), before);

    // After a newer value, a retry of the old call reports the labels the version has now.
    const t3 = token();
    await sm.send(new PutSecretValueCommand({ SecretId: 'idem/put', SecretString: 'v3', ClientRequestToken: t3 }));
    const before2 = await snapshot(sm, 'idem/put');
    const late = await sm.send(new PutSecretValueCommand({ SecretId: 'idem/put', SecretString: 'v2', ClientRequestToken: t }));
    assert.deepEqual(late.VersionStages, ['AWSPREVIOUS']);
    assert.deepEqual(await snapshot(sm, 'idem/put'), before2);
    assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: 'idem/put' }))).SecretString, 'v3');
  });

  test('same token, other value → ResourceExistsException', async () => {
    const created = await sm.send(new CreateSecretCommand({ Name: 'idem/put-other', SecretString: 'v1' }));
    const t = token();
    await sm.send(new PutSecretValueCommand({ SecretId: 'idem/put-other', SecretString: 'v2', ClientRequestToken: t }));
    await failsAndChangesNothing(sm, 'idem/put-other',
      () => sm.send(new PutSecretValueCommand({ SecretId: 'idem/put-other', SecretString: 'v3', ClientRequestToken: t })),
      'ResourceExistsException', inUse(t, created.ARN!));
    // The CreateSecret token is a version id like any other.
    await failsAndChangesNothing(sm, 'idem/put-other',
      () => sm.send(new PutSecretValueCommand({ SecretId: 'idem/put-other', SecretString: 'v3', ClientRequestToken: created.VersionId })),
      'ResourceExistsException', inUse(created.VersionId!, created.ARN!));
  });

  test('a repeated value with a new token is a new version', async () => {
    await sm.send(new CreateSecretCommand({ Name: 'idem/put-same-value', SecretString: 'same' }));
    const t = token();
    await sm.send(new PutSecretValueCommand({ SecretId: 'idem/put-same-value', SecretString: 'same', ClientRequestToken: t }));
    const stages = await stagesOf(sm, 'idem/put-same-value');
    assert.equal(Object.keys(stages).length, 2);
    assert.deepEqual(stages[t], ['AWSCURRENT']);
  });
});

describe('UpdateSecret', () => {
  test('same token and value: VersionId = token, no new version', async () => {
    await sm.send(new CreateSecretCommand({ Name: 'idem/update', SecretString: 'v1' }));
    const t = token();
    const first = await sm.send(new UpdateSecretCommand({ SecretId: 'idem/update', SecretString: 'v2', ClientRequestToken: t }));
    assert.equal(first.VersionId, t);
    const before = await snapshot(sm, 'idem/update');
    const again = await sm.send(new UpdateSecretCommand({ SecretId: 'idem/update', SecretString: 'v2', ClientRequestToken: t }));
    assert.equal(again.VersionId, t);
    assert.deepEqual(await snapshot(sm, 'idem/update'), before);
  });

  test('same token, other value → ResourceExistsException', async () => {
    const created = await sm.send(new CreateSecretCommand({ Name: 'idem/update-other', SecretString: 'v1' }));
    const t = token();
    await sm.send(new UpdateSecretCommand({ SecretId: 'idem/update-other', SecretString: 'v2', ClientRequestToken: t }));
    await failsAndChangesNothing(sm, 'idem/update-other',
      () => sm.send(new UpdateSecretCommand({ SecretId: 'idem/update-other', SecretString: 'v3', ClientRequestToken: t, Description: 'not applied' })),
      'ResourceExistsException', inUse(t, created.ARN!));
  });
});

describe('token length', () => {
  test('32 and 64 characters are accepted', async () => {
    const t32 = token(32);
    const t64 = token(64);
    const out = await sm.send(new CreateSecretCommand({ Name: 'idem/len', SecretString: 'a', ClientRequestToken: t32 }));
    assert.equal(out.VersionId, t32);
    const put = await sm.send(new PutSecretValueCommand({ SecretId: 'idem/len', SecretString: 'b', ClientRequestToken: t64 }));
    assert.equal(put.VersionId, t64);
    assert.deepEqual(await stagesOf(sm, 'idem/len'), { [t32]: ['AWSPREVIOUS'], [t64]: ['AWSCURRENT'] });
    assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: 'idem/len', VersionId: t32 }))).SecretString, 'a');
  });

  test('31 or 65 characters → ValidationException, on all three operations, changing nothing', async () => {
    await sm.send(new CreateSecretCommand({ Name: 'idem/badlen', SecretString: 'a' }));
    const short = token(31);
    const long = token(65);
    const tooShort = `1 validation error detected: Value '${short}' at 'clientRequestToken' failed to satisfy constraint: Member must have length greater than or equal to 32`;
    const tooLong = `1 validation error detected: Value '${long}' at 'clientRequestToken' failed to satisfy constraint: Member must have length less than or equal to 64`;
    await rejectsWith(sm.send(new CreateSecretCommand({ Name: 'idem/badlen-new', SecretString: 'a', ClientRequestToken: short })), 'ValidationException', tooShort);
    await rejectsWith(sm.send(new CreateSecretCommand({ Name: 'idem/badlen-new', SecretString: 'a', ClientRequestToken: long })), 'ValidationException', tooLong);
    await rejectsWith(sm.send(new DescribeSecretCommand({ SecretId: 'idem/badlen-new' })), 'ResourceNotFoundException');
    await failsAndChangesNothing(sm, 'idem/badlen',
      () => sm.send(new PutSecretValueCommand({ SecretId: 'idem/badlen', SecretString: 'b', ClientRequestToken: short })), 'ValidationException', tooShort);
    await failsAndChangesNothing(sm, 'idem/badlen',
      () => sm.send(new UpdateSecretCommand({ SecretId: 'idem/badlen', SecretString: 'b', ClientRequestToken: long })), 'ValidationException', tooLong);
  });
});

describe('a raw request without ClientRequestToken', () => {
  const message = 'You must provide a ClientRequestToken value. We recommend a UUID-type value.';

  for (const op of ['CreateSecret', 'PutSecretValue', 'UpdateSecret']) {
    test(`${op} → InvalidRequestException, even for a nonexistent secret`, async () => {
      const body = op === 'CreateSecret' ? { Name: `idem/raw-${op}`, SecretString: 'v' } : { SecretId: `idem/raw-missing-${op}`, SecretString: 'v' };
      const res = await signedRequest(server, { target: `secretsmanager.${op}`, body: JSON.stringify(body) });
      assert.equal(res.status, 400);
      assert.deepEqual(res.json, { __type: 'InvalidRequestException', Message: message });
      await rejectsWith(sm.send(new DescribeSecretCommand({ SecretId: `idem/raw-${op}` })), 'ResourceNotFoundException');
    });
  }

  test('on an existing secret it changes nothing', async () => {
    await sm.send(new CreateSecretCommand({ Name: 'idem/raw-existing', SecretString: 'v1', Description: 'd' }));
    for (const op of ['PutSecretValue', 'UpdateSecret']) {
      await failsAndChangesNothing(sm, 'idem/raw-existing', async () => {
        const res = await signedRequest(server, { target: `secretsmanager.${op}`, body: JSON.stringify({ SecretId: 'idem/raw-existing', SecretString: 'v2', Description: 'e' }) });
        assert.equal(res.status, 400);
        const err = new Error(res.json.Message);
        err.name = res.json.__type;
        throw err;
      }, 'InvalidRequestException', message);
    }
  });

  test('CreateSecret without a value needs no token; UpdateSecret of the description alone neither', async () => {
    const res = await signedRequest(server, { target: 'secretsmanager.CreateSecret', body: JSON.stringify({ Name: 'idem/raw-novalue' }) });
    assert.equal(res.status, 200);
    assert.equal('VersionId' in res.json, false);
    const upd = await signedRequest(server, { target: 'secretsmanager.UpdateSecret', body: JSON.stringify({ SecretId: 'idem/raw-novalue', Description: 'now described' }) });
    assert.equal(upd.status, 200);
    assert.equal('VersionId' in upd.json, false);
    assert.equal((await sm.send(new DescribeSecretCommand({ SecretId: 'idem/raw-novalue' }))).Description, 'now described');
  });
});
