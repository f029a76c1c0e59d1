/**
 * Debian's AWS CLI v2 (2.9.19) drives every Secrets Manager operation coffer serves, end to end,
 * and shows AWS's error text and exit codes. CLI 2.9.19 predates BatchGetSecretValue (it has no
 * `batch-get-secret-value` command), so that operation is covered by the SDK tests only; this
 * file checks the CLI really lacks it, so the gap is noticed when Debian's CLI moves on.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from './helpers/server.ts';
import { awsCli, type CliResult } from './helpers/clients.ts';
import { createRotationFunction } from './helpers/rotation.ts';

const SM = 'secretsmanager';
const ROTATOR_POLICY = () => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'secretsmanager:*', Resource: '*' }] });

function ok(r: CliResult): any {
  assert.equal(r.code, 0, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r.json;
}

// Each test uses its own secret names, so they run side by side: the CLI's start-up dominates.
describe('AWS CLI v2', { concurrency: true }, () => {
  let server: TestServer;
  const cli = (...args: string[]) => awsCli(server, [SM, ...args]);

  before(async () => { server = await startServer(); });
  after(() => server.destroy());

  test('create, read, write, describe, list and version a secret', async () => {
    const created = ok(await cli('create-secret', '--name', 'cli/app', '--secret-string', '{"user":"a","password":"p1"}',
      '--description', 'made by the CLI', '--tags', 'Key=team,Value=core'));
    assert.match(created.ARN, new RegExp(`^arn:aws:secretsmanager:us-east-1:${server.accountId}:secret:cli/app-[A-Za-z0-9]{6}$`));
    assert.match(created.VersionId, /^[0-9a-f-]{36}$/, 'the CLI fills ClientRequestToken with a UUID');

    const got = ok(await cli('get-secret-value', '--secret-id', 'cli/app'));
    assert.equal(got.SecretString, '{"user":"a","password":"p1"}');
    assert.deepEqual(got.VersionStages, ['AWSCURRENT']);
    assert.equal(typeof got.CreatedDate, 'string', 'the CLI renders our epoch-seconds timestamps');

    const put = ok(await cli('put-secret-value', '--secret-id', 'cli/app', '--secret-string', '{"user":"a","password":"p2"}'));
    assert.notEqual(put.VersionId, created.VersionId);
    assert.deepEqual(put.VersionStages, ['AWSCURRENT']);

    const previous = ok(await cli('get-secret-value', '--secret-id', 'cli/app', '--version-stage', 'AWSPREVIOUS'));
    assert.equal(previous.SecretString, '{"user":"a","password":"p1"}');

    const updated = ok(await cli('update-secret', '--secret-id', 'cli/app', '--description', 'changed by the CLI'));
    assert.equal(updated.Name, 'cli/app');

    const described = ok(await cli('describe-secret', '--secret-id', created.ARN));
    assert.equal(described.Description, 'changed by the CLI');
    assert.deepEqual(described.Tags, [{ Key: 'team', Value: 'core' }]);
    assert.deepEqual(described.VersionIdsToStages[put.VersionId], ['AWSCURRENT']);
    assert.deepEqual(described.VersionIdsToStages[created.VersionId], ['AWSPREVIOUS']);

    const listed = ok(await cli('list-secrets', '--filters', 'Key=name,Values=cli/app'));
    assert.deepEqual(listed.SecretList.map((s: { Name: string }) => s.Name), ['cli/app']);

    const versions = ok(await cli('list-secret-version-ids', '--secret-id', 'cli/app'));
    assert.deepEqual(versions.Versions.map((v: { VersionId: string }) => v.VersionId).sort(), [created.VersionId, put.VersionId].sort());

    const moved = ok(await cli('update-secret-version-stage', '--secret-id', 'cli/app', '--version-stage', 'AWSCURRENT',
      '--move-to-version-id', created.VersionId, '--remove-from-version-id', put.VersionId));
    assert.equal(moved.Name, 'cli/app');
    const back = ok(await cli('get-secret-value', '--secret-id', 'cli/app'));
    assert.equal(back.SecretString, '{"user":"a","password":"p1"}');
  });

  test('binary secrets go through fileb:// and come back base64', async () => {
    const { writeFileSync, mkdtempSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'coffer-cli-'));
    try {
      writeFileSync(join(dir, 'blob'), Buffer.from([0, 1, 2, 255]));
      ok(await cli('create-secret', '--name', 'cli/binary', '--secret-binary', `fileb://${join(dir, 'blob')}`));
      const got = ok(await cli('get-secret-value', '--secret-id', 'cli/binary'));
      assert.equal(got.SecretBinary, Buffer.from([0, 1, 2, 255]).toString('base64'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('tag and untag', async () => {
    ok(await cli('create-secret', '--name', 'cli/tags', '--secret-string', 'v'));
    const tagged = await cli('tag-resource', '--secret-id', 'cli/tags', '--tags', 'Key=env,Value=prod', 'Key=owner,Value=ops');
    ok(tagged);
    assert.equal(tagged.stdout.trim(), '', 'TagResource has no output');
    ok(await cli('untag-resource', '--secret-id', 'cli/tags', '--tag-keys', 'owner'));
    const described = ok(await cli('describe-secret', '--secret-id', 'cli/tags'));
    assert.deepEqual(described.Tags, [{ Key: 'env', Value: 'prod' }]);
  });

  test('resource policies: put, get, validate, delete', async () => {
    const created = ok(await cli('create-secret', '--name', 'cli/policy', '--secret-string', 'v'));
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${server.accountId}:root` }, Action: 'secretsmanager:GetSecretValue', Resource: '*' }],
    });
    const validated = ok(await cli('validate-resource-policy', '--secret-id', 'cli/policy', '--resource-policy', policy));
    assert.equal(validated.PolicyValidationPassed, true);
    const put = ok(await cli('put-resource-policy', '--secret-id', 'cli/policy', '--resource-policy', policy));
    assert.equal(put.ARN, created.ARN);
    const got = ok(await cli('get-resource-policy', '--secret-id', 'cli/policy'));
    assert.deepEqual(JSON.parse(got.ResourcePolicy), JSON.parse(policy));
    ok(await cli('delete-resource-policy', '--secret-id', 'cli/policy'));
    const after = ok(await cli('get-resource-policy', '--secret-id', 'cli/policy'));
    assert.equal(after.ResourcePolicy, undefined);
  });

  test('get-random-password', async () => {
    const out = ok(await cli('get-random-password', '--password-length', '40', '--exclude-punctuation'));
    assert.equal(out.RandomPassword.length, 40);
    assert.match(out.RandomPassword, /^[A-Za-z0-9]+$/);
  });

  test('rotate-secret configures rotation; cancel-rotate-secret turns it off', async () => {
    ok(await cli('create-secret', '--name', 'cli/rotated', '--secret-string', 'v'));
    // RotateSecret checks that Secrets Manager may invoke the function, so it must be real.
    const rotator = await createRotationFunction(server, { runtime: 'nodejs20.x', rolePolicy: ROTATOR_POLICY });
    const rotated = ok(await cli('rotate-secret', '--secret-id', 'cli/rotated', '--rotation-lambda-arn', rotator.arn,
      '--rotation-rules', 'AutomaticallyAfterDays=30', '--no-rotate-immediately'));
    assert.equal(rotated.Name, 'cli/rotated');
    let described = ok(await cli('describe-secret', '--secret-id', 'cli/rotated'));
    assert.equal(described.RotationEnabled, true);
    assert.equal(described.RotationLambdaARN, rotator.arn);
    assert.equal(described.RotationRules.AutomaticallyAfterDays, 30);

    ok(await cli('cancel-rotate-secret', '--secret-id', 'cli/rotated'));
    described = ok(await cli('describe-secret', '--secret-id', 'cli/rotated'));
    assert.ok(!described.RotationEnabled);
  });

  test('delete-secret schedules deletion, restore-secret undoes it, force deletion removes it', async () => {
    ok(await cli('create-secret', '--name', 'cli/doomed', '--secret-string', 'v'));
    const deleted = ok(await cli('delete-secret', '--secret-id', 'cli/doomed', '--recovery-window-in-days', '7'));
    assert.equal(typeof deleted.DeletionDate, 'string');
    const denied = await cli('get-secret-value', '--secret-id', 'cli/doomed');
    assert.equal(denied.code, 254);
    assert.match(denied.stderr, /An error occurred \(InvalidRequestException\) when calling the GetSecretValue operation: .*marked for deletion/);

    ok(await cli('restore-secret', '--secret-id', 'cli/doomed'));
    assert.equal(ok(await cli('get-secret-value', '--secret-id', 'cli/doomed')).SecretString, 'v');

    ok(await cli('delete-secret', '--secret-id', 'cli/doomed', '--force-delete-without-recovery'));
    const gone = await cli('describe-secret', '--secret-id', 'cli/doomed');
    assert.equal(gone.code, 254);
    assert.equal(gone.stderr.trim(), "An error occurred (ResourceNotFoundException) when calling the DescribeSecret operation: Secrets Manager can't find the specified secret.");
  });

  test('service errors exit 254 with AWS\'s one-line message', async () => {
    ok(await cli('create-secret', '--name', 'cli/twice', '--secret-string', 'v'));
    const again = await cli('create-secret', '--name', 'cli/twice', '--secret-string', 'v');
    assert.equal(again.code, 254);
    assert.match(again.stderr.trim(), /^An error occurred \(ResourceExistsException\) when calling the CreateSecret operation: .*cli\/twice.*$/);

    // The CLI checks lengths and ranges itself; a pattern is left to the server.
    const invalid = await cli('describe-secret', '--secret-id', 'no spaces allowed');
    assert.equal(invalid.code, 254);
    assert.match(invalid.stderr.trim(), /^An error occurred \(ValidationException\) when calling the DescribeSecret operation: \S/);
  });

  test('authentication errors reach the CLI as AWS words them', async () => {
    const wrongSecret = await awsCli(server, [SM, 'list-secrets'], { credentials: { accessKeyId: server.root.accessKeyId, secretAccessKey: 'wrong-wrong-wrong-wrong-wrong-wrong-0000' } });
    assert.equal(wrongSecret.code, 254);
    assert.match(wrongSecret.stderr, /^\s*An error occurred \(InvalidSignatureException\) when calling the ListSecrets operation: The request signature we calculated does not match the signature you provided\./);

    const unknownKey = await awsCli(server, [SM, 'list-secrets'], { credentials: { accessKeyId: 'AKIANOSUCHKEY0000001', secretAccessKey: 'x'.repeat(40) } });
    assert.equal(unknownKey.code, 254);
    assert.equal(unknownKey.stderr.trim(), 'An error occurred (UnrecognizedClientException) when calling the ListSecrets operation: The security token included in the request is invalid.');
  });

  test('replicate-secret-to-regions to a region this deployment neither serves nor peers with is refused (test/replication-*.test.ts replicate)', async () => {
    ok(await cli('create-secret', '--name', 'cli/replica', '--secret-string', 'v'));
    const r = await cli('replicate-secret-to-regions', '--secret-id', 'cli/replica', '--add-replica-regions', 'Region=eu-west-1');
    assert.equal(r.code, 254);
    assert.equal(r.stderr.trim(), 'An error occurred (InvalidParameterException) when calling the ReplicateSecretToRegions operation: Invalid replica region.');
  });

  test('parameter errors exit 252 without calling the server; CLI 2.9.19 has no batch-get-secret-value', async () => {
    const usage = await cli('get-secret-value');
    assert.equal(usage.code, 252);
    assert.match(usage.stderr, /the following arguments are required: --secret-id/);

    const range = await cli('list-secrets', '--max-results', '0');
    assert.equal(range.code, 252);
    assert.match(range.stderr, /Invalid value for parameter MaxResults, value: 0, valid min value: 1/);

    const batch = await cli('batch-get-secret-value', '--secret-id-list', 'cli/app');
    assert.equal(batch.code, 252);
    assert.match(batch.stderr, /Invalid choice/);
  });
});
