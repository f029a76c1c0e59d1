/**
 * DeleteSecret and RestoreSecret: recovery windows, forced deletion, what a secret scheduled
 * for deletion still allows, and how it disappears for good (purge, also across a restart).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  PutSecretValueCommand,
  RestoreSecretCommand,
  RotateSecretCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateSecretCommand,
  UpdateSecretVersionStageCommand,
  type SecretListEntry,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { startServer, type TestServer } from './helpers/server.ts';
import { useServer } from './helpers/suite.ts';
import { awsCli, secretsManager } from './helpers/clients.ts';
import { failsAndChangesNothing, rejectsWith } from './helpers/secrets.ts';
import { moveDeletionDateToPast, waitUntilGone } from './helpers/lifecycle.ts';
import { SECRET_NOT_FOUND as NOT_FOUND, MARKED_FOR_DELETION as MARKED } from './helpers/messages.ts';

const DAY = 86_400_000;
const LAMBDA = 'arn:aws:lambda:us-east-1:123456789012:function:rotator';

let server: TestServer;
let sm: SecretsManagerClient;

useServer((s, client) => { server = s; sm = client; });

/** Asserts `date` lies `days` days after some moment in [before, after] (the call's span). */
function assertDaysAfter(date: Date | undefined, days: number, before: number, after: number): void {
  assert.ok(date instanceof Date, `expected a date, got ${String(date)}`);
  const offset = date.getTime() - days * DAY;
  // The wire carries milliseconds; allow a second for rounding either way.
  assert.ok(offset >= before - 1000 && offset <= after + 1000,
    `${date.toISOString()} is not ${days} days after the call (${new Date(before).toISOString()} … ${new Date(after).toISOString()})`);
}

/** The CLI prints timestamps as ISO 8601 text (epoch seconds with another --cli-timestamp-format). */
function cliDate(value: string | number): Date {
  return typeof value === 'number' ? new Date(value * 1000) : new Date(value);
}

/** Every listed secret whose name starts with `prefix` (filtered here, not by a ListSecrets filter). */
async function listed(prefix: string, includePlannedDeletion?: boolean): Promise<SecretListEntry[]> {
  const found: SecretListEntry[] = [];
  let NextToken: string | undefined;
  do {
    const out = await sm.send(new ListSecretsCommand({ IncludePlannedDeletion: includePlannedDeletion, NextToken }));
    found.push(...(out.SecretList ?? []).filter((s) => s.Name!.startsWith(prefix)));
    NextToken = out.NextToken;
  } while (NextToken);
  return found;
}

async function listedNames(prefix: string, includePlannedDeletion?: boolean): Promise<string[]> {
  return (await listed(prefix, includePlannedDeletion)).map((s) => s.Name!).sort();
}

describe('DeleteSecret with a recovery window', () => {
  test('the default window is 30 days; DeletionDate = now + window', async () => {
    const created = await sm.send(new CreateSecretCommand({ Name: 'del/default', SecretString: 'v' }));
    const t0 = Date.now();
    const out = await sm.send(new DeleteSecretCommand({ SecretId: 'del/default' }));
    const t1 = Date.now();
    assert.equal(out.ARN, created.ARN);
    assert.equal(out.Name, 'del/default');
    assertDaysAfter(out.DeletionDate, 30, t0, t1);
  });

  for (const days of [7, 19, 30]) {
    test(`RecoveryWindowInDays ${days} is accepted`, async () => {
      const name = `del/window-${days}`;
      await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'v' }));
      const t0 = Date.now();
      const out = await sm.send(new DeleteSecretCommand({ SecretId: name, RecoveryWindowInDays: days }));
      assertDaysAfter(out.DeletionDate, days, t0, Date.now());
    });
  }

  for (const days of [0, 6, 31, 365, -7]) {
    test(`RecoveryWindowInDays ${days} → InvalidParameterException, nothing scheduled`, async () => {
      const name = `del/bad-window-${days}`;
      await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'v' }));
      await failsAndChangesNothing(sm, name, () => sm.send(new DeleteSecretCommand({ SecretId: name, RecoveryWindowInDays: days })),
        'InvalidParameterException', /RecoveryWindowInDays/);
      assert.equal((await sm.send(new DescribeSecretCommand({ SecretId: name }))).DeletedDate, undefined);
    });
  }

  test('ForceDeleteWithoutRecovery=false with a window is fine', async () => {
    await sm.send(new CreateSecretCommand({ Name: 'del/force-false', SecretString: 'v' }));
    const t0 = Date.now();
    const out = await sm.send(new DeleteSecretCommand({ SecretId: 'del/force-false', RecoveryWindowInDays: 10, ForceDeleteWithoutRecovery: false }));
    assertDaysAfter(out.DeletionDate, 10, t0, Date.now());
  });

  test('ForceDeleteWithoutRecovery together with a window → InvalidParameterException, nothing changes', async () => {
    await sm.send(new CreateSecretCommand({ Name: 'del/force-and-window', SecretString: 'v' }));
    await failsAndChangesNothing(sm, 'del/force-and-window',
      () => sm.send(new DeleteSecretCommand({ SecretId: 'del/force-and-window', RecoveryWindowInDays: 7, ForceDeleteWithoutRecovery: true })),
      'InvalidParameterException', /ForceDeleteWithoutRecovery.*RecoveryWindowInDays/);
  });

  test('deleting a secret that does not exist, without force → ResourceNotFoundException', async () => {
    await rejectsWith(sm.send(new DeleteSecretCommand({ SecretId: 'del/never-existed' })), 'ResourceNotFoundException', NOT_FOUND);
  });

  test('by ARN, and through the AWS CLI', async () => {
    const created = await sm.send(new CreateSecretCommand({ Name: 'del/cli', SecretString: 'v' }));
    const t0 = Date.now();
    const res = await awsCli(server, ['secretsmanager', 'delete-secret', '--secret-id', created.ARN!, '--recovery-window-in-days', '7']);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.json.ARN, created.ARN);
    assert.equal(res.json.Name, 'del/cli');
    assertDaysAfter(cliDate(res.json.DeletionDate), 7, t0, Date.now());
    const restored = await awsCli(server, ['secretsmanager', 'restore-secret', '--secret-id', 'del/cli']);
    assert.equal(restored.code, 0, restored.stderr);
    assert.deepEqual(restored.json, { ARN: created.ARN, Name: 'del/cli' });
    const bad = await awsCli(server, ['secretsmanager', 'delete-secret', '--secret-id', 'del/cli', '--recovery-window-in-days', '3']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /InvalidParameterException/);
  });
});

describe('a secret scheduled for deletion', () => {
  const name = 'sched/secret';
  let arn: string;
  let versionId: string;

  before(async () => {
    const created = await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'v1', Tags: [{ Key: 'team', Value: 'a' }] }));
    arn = created.ARN!;
    versionId = created.VersionId!;
    await sm.send(new CreateSecretCommand({ Name: 'sched/neighbour', SecretString: 'v' }));
    await sm.send(new DeleteSecretCommand({ SecretId: name, RecoveryWindowInDays: 7 }));
  });

  test('DescribeSecret still works and shows DeletedDate', async () => {
    const out = await sm.send(new DescribeSecretCommand({ SecretId: name }));
    assert.equal(out.ARN, arn);
    // AWS's docs disagree on whether DeletedDate is when the delete was asked for or when the
    // purge is due; only its presence is certain.
    assert.ok(out.DeletedDate instanceof Date);
    assert.deepEqual(out.Tags, [{ Key: 'team', Value: 'a' }]);
    assert.deepEqual(out.VersionIdsToStages, { [versionId]: ['AWSCURRENT'] });
  });

  test('ListSecrets hides it unless IncludePlannedDeletion', async () => {
    assert.deepEqual(await listedNames('sched/'), ['sched/neighbour']);
    assert.deepEqual(await listedNames('sched/', false), ['sched/neighbour']);
    assert.deepEqual(await listedNames('sched/', true), ['sched/neighbour', 'sched/secret']);
    const [entry] = await listed(name, true);
    assert.ok(entry?.DeletedDate instanceof Date);
  });

  const refused: [string, () => Promise<unknown>][] = [
    ['GetSecretValue', () => sm.send(new GetSecretValueCommand({ SecretId: name }))],
    ['PutSecretValue', () => sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'v2' }))],
    ['UpdateSecret (value)', () => sm.send(new UpdateSecretCommand({ SecretId: name, SecretString: 'v2' }))],
    ['UpdateSecret (description)', () => sm.send(new UpdateSecretCommand({ SecretId: name, Description: 'new' }))],
    ['RotateSecret', () => sm.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: LAMBDA, RotationRules: { AutomaticallyAfterDays: 7 } }))],
    ['UpdateSecretVersionStage', () => sm.send(new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'custom', MoveToVersionId: versionId }))],
    ['TagResource', () => sm.send(new TagResourceCommand({ SecretId: name, Tags: [{ Key: 'k', Value: 'v' }] }))],
    ['UntagResource', () => sm.send(new UntagResourceCommand({ SecretId: name, TagKeys: ['team'] }))],
  ];
  for (const [op, call] of refused) {
    test(`${op} → InvalidRequestException "…marked for deletion."`, async () => {
      await failsAndChangesNothing(sm, name, call, 'InvalidRequestException', MARKED);
    });
  }

  test('a second non-forced delete → InvalidRequestException, DeletionDate kept', async () => {
    await sm.send(new CreateSecretCommand({ Name: 'sched/twice', SecretString: 'v' }));
    await sm.send(new DeleteSecretCommand({ SecretId: 'sched/twice', RecoveryWindowInDays: 7 }));
    await failsAndChangesNothing(sm, 'sched/twice', () => sm.send(new DeleteSecretCommand({ SecretId: 'sched/twice', RecoveryWindowInDays: 30 })),
      'InvalidRequestException');
  });

  test('its name cannot be re-created while scheduled', async () => {
    await failsAndChangesNothing(sm, name, () => sm.send(new CreateSecretCommand({ Name: name, SecretString: 'other' })),
      'InvalidRequestException', "You can't create this secret because a secret with this name is already scheduled for deletion.");
  });

  test('RestoreSecret clears the deletion and everything works again', async () => {
    await sm.send(new CreateSecretCommand({ Name: 'sched/restore', SecretString: 'before', Tags: [{ Key: 'a', Value: '1' }] }));
    await sm.send(new DeleteSecretCommand({ SecretId: 'sched/restore', RecoveryWindowInDays: 7 }));
    const restored = await sm.send(new RestoreSecretCommand({ SecretId: 'sched/restore' }));
    assert.equal(restored.Name, 'sched/restore');
    assert.match(restored.ARN!, /:secret:sched\/restore-[A-Za-z0-9]{6}$/);
    const described = await sm.send(new DescribeSecretCommand({ SecretId: 'sched/restore' }));
    assert.equal(described.DeletedDate, undefined);
    assert.deepEqual(described.Tags, [{ Key: 'a', Value: '1' }]);
    assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: 'sched/restore' }))).SecretString, 'before');
    assert.deepEqual(await listedNames('sched/restore'), ['sched/restore']);
    await sm.send(new PutSecretValueCommand({ SecretId: 'sched/restore', SecretString: 'after' }));
    assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: 'sched/restore' }))).SecretString, 'after');
  });

  test('RestoreSecret on an unknown secret → ResourceNotFoundException', async () => {
    await rejectsWith(sm.send(new RestoreSecretCommand({ SecretId: 'sched/unknown' })), 'ResourceNotFoundException', NOT_FOUND);
  });
});

describe('ForceDeleteWithoutRecovery', () => {
  test('the secret disappears and its name can be reused, with a new ARN', async () => {
    const created = await sm.send(new CreateSecretCommand({ Name: 'force/gone', SecretString: 'v', Tags: [{ Key: 'x', Value: 'y' }] }));
    const t0 = Date.now();
    const out = await sm.send(new DeleteSecretCommand({ SecretId: 'force/gone', ForceDeleteWithoutRecovery: true }));
    assert.equal(out.ARN, created.ARN);
    assert.equal(out.Name, 'force/gone');
    assertDaysAfter(out.DeletionDate, 0, t0, Date.now());
    await waitUntilGone(sm, 'force/gone');
    await rejectsWith(sm.send(new GetSecretValueCommand({ SecretId: created.ARN! })), 'ResourceNotFoundException', NOT_FOUND);
    assert.deepEqual(await listedNames('force/gone', true), []);

    const again = await sm.send(new CreateSecretCommand({ Name: 'force/gone', SecretString: 'second' }));
    assert.notEqual(again.ARN, created.ARN);
    const described = await sm.send(new DescribeSecretCommand({ SecretId: 'force/gone' }));
    assert.equal(described.Tags, undefined, 'nothing of the old secret survives');
    assert.equal(Object.keys(described.VersionIdsToStages ?? {}).length, 1);
    assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: 'force/gone' }))).SecretString, 'second');
  });

  test('force-deleting a secret that does not exist → 200 with Name = the id, an ARN and a DeletionDate', async () => {
    const out = await sm.send(new DeleteSecretCommand({ SecretId: 'force/never-existed', ForceDeleteWithoutRecovery: true }));
    assert.equal(out.$metadata.httpStatusCode, 200);
    assert.equal(out.Name, 'force/never-existed');
    assert.match(out.ARN!, new RegExp(`^arn:aws:secretsmanager:us-east-1:${server.accountId}:secret:force/never-existed`));
    assert.ok(out.DeletionDate instanceof Date);
    await rejectsWith(sm.send(new DescribeSecretCommand({ SecretId: 'force/never-existed' })), 'ResourceNotFoundException', NOT_FOUND);
  });

  test('force-deleting a secret already scheduled for deletion purges it', async () => {
    await sm.send(new CreateSecretCommand({ Name: 'force/scheduled', SecretString: 'v' }));
    await sm.send(new DeleteSecretCommand({ SecretId: 'force/scheduled', RecoveryWindowInDays: 7 }));
    const out = await sm.send(new DeleteSecretCommand({ SecretId: 'force/scheduled', ForceDeleteWithoutRecovery: true }));
    assert.equal(out.Name, 'force/scheduled');
    await waitUntilGone(sm, 'force/scheduled');
    await sm.send(new CreateSecretCommand({ Name: 'force/scheduled', SecretString: 'reborn' }));
  });

  test('through the AWS CLI', async () => {
    await sm.send(new CreateSecretCommand({ Name: 'force/cli', SecretString: 'v' }));
    const res = await awsCli(server, ['secretsmanager', 'delete-secret', '--secret-id', 'force/cli', '--force-delete-without-recovery']);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.json.Name, 'force/cli');
    await waitUntilGone(sm, 'force/cli');
    const both = await awsCli(server, ['secretsmanager', 'delete-secret', '--secret-id', 'force/cli-2', '--force-delete-without-recovery', '--recovery-window-in-days', '7']);
    assert.notEqual(both.code, 0);
    assert.match(both.stderr, /InvalidParameterException/);
  });
});

describe('purge after the recovery window, across a restart', () => {
  let first: TestServer;
  let second: TestServer | undefined;

  before(async () => { first = await startServer(); });
  after(async () => {
    await second?.destroy();
    await first?.destroy();
  });

  test('a secret whose DeletionDate has passed is purged when a new server starts on the same data', async () => {
    const client = secretsManager(first);
    const doomed = await client.send(new CreateSecretCommand({ Name: 'purge/doomed', SecretString: 'v', Tags: [{ Key: 'k', Value: 'v' }] }));
    await client.send(new CreateSecretCommand({ Name: 'purge/scheduled-later', SecretString: 'v' }));
    await client.send(new CreateSecretCommand({ Name: 'purge/kept', SecretString: 'kept' }));
    await client.send(new DeleteSecretCommand({ SecretId: 'purge/doomed', RecoveryWindowInDays: 7 }));
    await client.send(new DeleteSecretCommand({ SecretId: 'purge/scheduled-later', RecoveryWindowInDays: 30 }));
    assert.equal(await first.stop(), 0, 'the first server shuts down cleanly');

    await moveDeletionDateToPast(first.databaseUrl, doomed.ARN!);

    second = await startServer({ dataDir: first.dataDir, databaseUrl: first.databaseUrl, root: first.root });
    const sm2 = secretsManager(second);
    await waitUntilGone(sm2, 'purge/doomed');
    // Only the secret whose window ended is gone.
    assert.ok((await sm2.send(new DescribeSecretCommand({ SecretId: 'purge/scheduled-later' }))).DeletedDate instanceof Date);
    assert.equal((await sm2.send(new GetSecretValueCommand({ SecretId: 'purge/kept' }))).SecretString, 'kept');
    const reborn = await sm2.send(new CreateSecretCommand({ Name: 'purge/doomed', SecretString: 'new' }));
    assert.notEqual(reborn.ARN, doomed.ARN);
    assert.equal((await sm2.send(new DescribeSecretCommand({ SecretId: 'purge/doomed' }))).Tags, undefined);
  });
});
