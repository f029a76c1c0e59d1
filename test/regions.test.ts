/**
 * Regions: the server serves the regions given with `--region` (repeatable, or `any`), and
 * each request works in the region it is signed for, as if it had reached that region's
 * endpoint. Secrets, ARNs and listings are per region; a request signed for a region the
 * server does not serve gets the error an AWS regional endpoint gives a request scoped to
 * another region.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BatchGetSecretValueCommand,
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { startServer, type TestServer } from './helpers/server.ts';
import { awsCli, secretsManager } from './helpers/clients.ts';
import { signedRequest } from './helpers/raw.ts';
import { rejectsWith } from './helpers/secrets.ts';
import { shown } from './helpers/listing.ts';
import { SECRET_NOT_FOUND as NOT_FOUND } from './helpers/messages.ts';

const WRONG_REGION = 'Credential should be scoped to a valid region. ';
const arnPattern = (region: string, accountId: string, name: string) =>
  new RegExp(`^arn:aws:secretsmanager:${region}:${accountId}:secret:${name.replace(/[/+.]/g, '\\$&')}-[A-Za-z0-9]{6}$`);

describe('a server for us-east-1 and us-west-2', () => {
  let server: TestServer;
  let east: SecretsManagerClient;
  let west: SecretsManagerClient;

  before(async () => {
    server = await startServer({ args: ['--region', 'us-east-1', '--region', 'us-west-2'] });
    east = secretsManager(server, { region: 'us-east-1' });
    west = secretsManager(server, { region: 'us-west-2' });
  });
  after(() => server?.destroy());

  test('the same name in two regions is two secrets with region-specific ARNs', async () => {
    const e = await east.send(new CreateSecretCommand({ Name: 'rg/same', SecretString: 'east value' }));
    const w = await west.send(new CreateSecretCommand({ Name: 'rg/same', SecretString: 'west value' }));
    assert.match(e.ARN!, arnPattern('us-east-1', server.accountId, 'rg/same'));
    assert.match(w.ARN!, arnPattern('us-west-2', server.accountId, 'rg/same'));
    assert.equal((await east.send(new GetSecretValueCommand({ SecretId: 'rg/same' }))).SecretString, 'east value');
    assert.equal((await west.send(new GetSecretValueCommand({ SecretId: 'rg/same' }))).SecretString, 'west value');
    assert.equal((await east.send(new DescribeSecretCommand({ SecretId: 'rg/same' }))).ARN, e.ARN);
    assert.equal((await west.send(new DescribeSecretCommand({ SecretId: 'rg/same' }))).ARN, w.ARN);
  });

  test('a change in one region leaves the other alone', async () => {
    await east.send(new CreateSecretCommand({ Name: 'rg/independent', SecretString: 'e1' }));
    await west.send(new CreateSecretCommand({ Name: 'rg/independent', SecretString: 'w1' }));
    await east.send(new PutSecretValueCommand({ SecretId: 'rg/independent', SecretString: 'e2' }));
    await west.send(new DeleteSecretCommand({ SecretId: 'rg/independent', ForceDeleteWithoutRecovery: true }));
    assert.equal((await east.send(new GetSecretValueCommand({ SecretId: 'rg/independent' }))).SecretString, 'e2');
    await rejectsWith(west.send(new GetSecretValueCommand({ SecretId: 'rg/independent' })), 'ResourceNotFoundException', NOT_FOUND);
  });

  test('ListSecrets in one region does not show the other region’s secrets', async () => {
    await east.send(new CreateSecretCommand({ Name: 'rg/list-east', SecretString: 'v' }));
    await west.send(new CreateSecretCommand({ Name: 'rg/list-west', SecretString: 'v' }));
    const mine = ['rg/list-east', 'rg/list-west'];
    const filters = [{ Key: 'name' as const, Values: ['rg/list-'] }];
    assert.deepEqual(await shown(east, mine, filters), ['rg/list-east']);
    assert.deepEqual(await shown(west, mine, filters), ['rg/list-west']);
    const westList = await west.send(new ListSecretsCommand({ Filters: filters }));
    assert.match(westList.SecretList![0]!.ARN!, arnPattern('us-west-2', server.accountId, 'rg/list-west'));
  });

  test('a full or partial ARN from the other region is not found here', async () => {
    const w = await west.send(new CreateSecretCommand({ Name: 'rg/arn-west', SecretString: 'v' }));
    const partial = w.ARN!.slice(0, -7);
    for (const SecretId of [w.ARN!, partial]) {
      await rejectsWith(east.send(new GetSecretValueCommand({ SecretId })), 'ResourceNotFoundException', NOT_FOUND);
      await rejectsWith(east.send(new DescribeSecretCommand({ SecretId })), 'ResourceNotFoundException', NOT_FOUND);
      await rejectsWith(east.send(new PutSecretValueCommand({ SecretId, SecretString: 'x' })), 'ResourceNotFoundException', NOT_FOUND);
    }
    // Even when a secret of that name exists in this region.
    await east.send(new CreateSecretCommand({ Name: 'rg/arn-west', SecretString: 'east' }));
    await rejectsWith(east.send(new GetSecretValueCommand({ SecretId: w.ARN! })), 'ResourceNotFoundException', NOT_FOUND);
    assert.equal((await west.send(new GetSecretValueCommand({ SecretId: w.ARN! }))).SecretString, 'v');
  });

  test('BatchGetSecretValue reports another region’s ARN as not found', async () => {
    const w = await west.send(new CreateSecretCommand({ Name: 'rg/batch-west', SecretString: 'v' }));
    const e = await east.send(new CreateSecretCommand({ Name: 'rg/batch-east', SecretString: 'v' }));
    const out = await east.send(new BatchGetSecretValueCommand({ SecretIdList: [e.ARN!, w.ARN!] }));
    assert.deepEqual(out.SecretValues!.map((v) => v.ARN), [e.ARN]);
    assert.deepEqual(out.Errors, [{ SecretId: w.ARN, ErrorCode: 'ResourceNotFoundException', Message: NOT_FOUND }]);
  });

  test('a request signed for a region not served is rejected, and changes nothing', async () => {
    const elsewhere = secretsManager(server, { region: 'eu-west-1' });
    const err = await rejectsWith(elsewhere.send(new CreateSecretCommand({ Name: 'rg/unserved', SecretString: 'v' })),
      'InvalidSignatureException', WRONG_REGION);
    assert.equal(err.$metadata?.httpStatusCode, 400);
    await rejectsWith(elsewhere.send(new ListSecretsCommand({})), 'InvalidSignatureException', WRONG_REGION);
    for (const client of [east, west]) {
      await rejectsWith(client.send(new DescribeSecretCommand({ SecretId: 'rg/unserved' })), 'ResourceNotFoundException');
    }
  });

  test('on the wire: 400 InvalidSignatureException; a wrong service is reported after the region', async () => {
    const res = await signedRequest(server, { target: 'secretsmanager.ListSecrets', body: '{}', region: 'ap-south-1' });
    assert.equal(res.status, 400);
    assert.equal(res.json.__type, 'InvalidSignatureException');
    assert.equal(res.json.Message ?? res.json.message, WRONG_REGION);
    const both = await signedRequest(server, { target: 'secretsmanager.ListSecrets', body: '{}', region: 'ap-south-1', service: 'kms' });
    assert.equal(both.status, 400);
    assert.equal(both.json.Message ?? both.json.message,
      "Credential should be scoped to a valid region. Credential should be scoped to correct service: 'secretsmanager'. ");
    const served = await signedRequest(server, { target: 'secretsmanager.ListSecrets', body: '{}', region: 'us-west-2' });
    assert.equal(served.status, 200, served.body);
  });

  test('the AWS CLI works in each served region and is refused in another', async () => {
    const made = await awsCli(server, ['secretsmanager', 'create-secret', '--name', 'rg/cli', '--secret-string', 'v'], { region: 'us-west-2' });
    assert.equal(made.code, 0, made.stderr);
    assert.match(made.json.ARN, arnPattern('us-west-2', server.accountId, 'rg/cli'));
    const listed = await awsCli(server, ['secretsmanager', 'list-secrets', '--filters', 'Key=name,Values=rg/cli'], { region: 'us-east-1' });
    assert.equal(listed.code, 0, listed.stderr);
    assert.deepEqual(listed.json.SecretList, []);
    const refused = await awsCli(server, ['secretsmanager', 'list-secrets'], { region: 'eu-central-1' });
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /\(InvalidSignatureException\).*Credential should be scoped to a valid region\./);
  });
});

describe('a server for any region', () => {
  let server: TestServer;

  before(async () => {
    server = await startServer({ args: ['--region', 'any'] });
  });
  after(() => server?.destroy());

  test('serves whatever region a request is signed for, each on its own', async () => {
    const sydney = secretsManager(server, { region: 'ap-southeast-2' });
    const frankfurt = secretsManager(server, { region: 'eu-central-1' });
    const s = await sydney.send(new CreateSecretCommand({ Name: 'any/same', SecretString: 'syd' }));
    const f = await frankfurt.send(new CreateSecretCommand({ Name: 'any/same', SecretString: 'fra' }));
    assert.match(s.ARN!, arnPattern('ap-southeast-2', server.accountId, 'any/same'));
    assert.match(f.ARN!, arnPattern('eu-central-1', server.accountId, 'any/same'));
    assert.equal((await sydney.send(new GetSecretValueCommand({ SecretId: 'any/same' }))).SecretString, 'syd');
    assert.equal((await frankfurt.send(new GetSecretValueCommand({ SecretId: 'any/same' }))).SecretString, 'fra');
    await rejectsWith(frankfurt.send(new GetSecretValueCommand({ SecretId: s.ARN! })), 'ResourceNotFoundException', NOT_FOUND);
    const other = secretsManager(server, { region: 'sa-east-1' });
    assert.deepEqual(await shown(other, ['any/same'], [{ Key: 'name', Values: ['any/'] }]), []);
  });

  test('a scope that is not a region name is still rejected', async () => {
    for (const region of ['moon', 'US-EAST-1', 'us-east']) {
      const res = await signedRequest(server, { target: 'secretsmanager.ListSecrets', body: '{}', region });
      assert.equal(res.status, 400, region);
      assert.equal(res.json.__type, 'InvalidSignatureException', region);
      assert.equal(res.json.Message ?? res.json.message, WRONG_REGION, region);
    }
  });
});
