/**
 * ListSecrets as AWS answers it: every filter key with its own matching rule (prefix or
 * word-based, case-sensitive or not), `!` negation, OR inside a filter and AND across filters,
 * the validation errors, sorting, planned deletions, paging, and what an entry holds — through
 * the JS SDK v3 and the AWS CLI (which pages by itself).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  UpdateSecretCommand,
  UpdateSecretVersionStageCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { TestServer } from './helpers/server.ts';
import { useServer } from './helpers/suite.ts';
import { awsCli, secretsManager } from './helpers/clients.ts';
import { signedRequest } from './helpers/raw.ts';
import { rejectsWith } from './helpers/secrets.ts';
import { createAll, listAll, shown, tick } from './helpers/listing.ts';

let server: TestServer;
let sm: SecretsManagerClient;

useServer((s, client) => { server = s; sm = client; });

const sorted = (names: string[]) => [...names].sort();

describe('name filter: case-sensitive prefix of the whole name', () => {
  const mine = ['lsname-testing1/one', '/lsname-testing2/two', 'lsname-Testing3/three', '/lsname-testing4/four'];
  before(() => createAll(sm, mine.map((Name) => ({ Name }))));

  test('a prefix matches; case matters', async () => {
    assert.deepEqual(sorted(await shown(sm, mine, [{ Key: 'name', Values: ['lsname-testing'] }])), ['lsname-testing1/one']);
    assert.deepEqual(sorted(await shown(sm, mine, [{ Key: 'name', Values: ['lsname-Testing'] }])), ['lsname-Testing3/three']);
    assert.deepEqual(await shown(sm, mine, [{ Key: 'name', Values: ['LSNAME'] }]), []);
  });

  test('a value is a prefix of the whole name, not a word search', async () => {
    assert.deepEqual(sorted(await shown(sm, mine, [{ Key: 'name', Values: ['/'] }])), ['/lsname-testing2/two', '/lsname-testing4/four']);
    assert.deepEqual(await shown(sm, mine, [{ Key: 'name', Values: ['lsname-testing1 one'] }]), []);
    assert.deepEqual(await shown(sm, mine, [{ Key: 'name', Values: ['testing1'] }]), []);
    assert.deepEqual(await shown(sm, mine, [{ Key: 'name', Values: ['one'] }]), []);
  });

  test('! negates a value', async () => {
    assert.deepEqual(sorted(await shown(sm, mine, [{ Key: 'name', Values: ['!/'] }])), ['lsname-Testing3/three', 'lsname-testing1/one']);
  });

  test('the values of one filter are ORed', async () => {
    assert.deepEqual(sorted(await shown(sm, mine, [{ Key: 'name', Values: ['lsname-testing1', '/lsname-testing4'] }])),
      ['/lsname-testing4/four', 'lsname-testing1/one']);
  });

  test('the full name matches itself', async () => {
    assert.deepEqual(await shown(sm, mine, [{ Key: 'name', Values: ['lsname-Testing3/three'] }]), ['lsname-Testing3/three']);
  });
});

describe('description filter: case-insensitive, word-based', () => {
  // The descriptions LocalStack recorded against AWS, and a few for the word-splitting rules.
  const secrets = [
    { Name: 'lsdesc-1', Description: 'a secret' },
    { Name: 'lsdesc-2', Description: 'an secret' },
    { Name: 'lsdesc-3', Description: 'asecret' },
    { Name: 'lsdesc-4', Description: 'thesecret' },
    { Name: 'lsdesc-5', Description: 'my/app_name+key=val.ue@host-z9' },
    { Name: 'lsdesc-6', Description: 'myTestSecret' },
    { Name: 'lsdesc-7', Description: 'COMPANYthings' },
    { Name: 'lsdesc-8', Description: 'one and two' },
    { Name: 'lsdesc-9' },
  ];
  const mine = secrets.map((s) => s.Name);
  const desc = (...Values: string[]) => shown(sm, mine, [{ Key: 'description', Values }]).then(sorted);
  before(() => createAll(sm, secrets));

  test('a value must prefix a word of the description', async () => {
    assert.deepEqual(await desc('a'), ['lsdesc-1', 'lsdesc-2', 'lsdesc-3', 'lsdesc-5', 'lsdesc-8']);
    assert.deepEqual(await desc('secret'), ['lsdesc-1', 'lsdesc-2', 'lsdesc-6']);
    assert.deepEqual(await desc('ecret'), []);
  });

  test('case does not matter', async () => {
    assert.deepEqual(await desc('SECRET'), ['lsdesc-1', 'lsdesc-2', 'lsdesc-6']);
    assert.deepEqual(await desc('THESECRET'), ['lsdesc-4']);
  });

  test('every word of the value must match some word', async () => {
    assert.deepEqual(await desc('a secret'), ['lsdesc-1', 'lsdesc-2']);
    assert.deepEqual(await desc('two one'), ['lsdesc-8']);
    assert.deepEqual(await desc('one three'), []);
  });

  test('! negates: the descriptions (and missing ones) that do not match', async () => {
    assert.deepEqual(await desc('!a'), ['lsdesc-4', 'lsdesc-6', 'lsdesc-7', 'lsdesc-9']);
    // Only COMPAN|Ythings has a word starting with "c".
    assert.deepEqual(await desc('!c'), mine.filter((n) => n !== 'lsdesc-7'));
  });

  test('words split at / _ + = . @ - and spaces', async () => {
    for (const word of ['my', 'app', 'name', 'key', 'val', 'ue', 'host', 'z9']) {
      assert.deepEqual(await desc(word), word === 'my' ? ['lsdesc-5', 'lsdesc-6'] : ['lsdesc-5'], word);
    }
    // A value is split the same way: both parts must match words.
    assert.deepEqual(await desc('host-z9'), ['lsdesc-5']);
    assert.deepEqual(await desc('app/val'), ['lsdesc-5']);
  });

  test('words split where lower case turns to upper case', async () => {
    assert.deepEqual(await desc('test'), ['lsdesc-6']);
    assert.deepEqual(await desc('Secret'), ['lsdesc-1', 'lsdesc-2', 'lsdesc-6']);
    assert.deepEqual(await desc('ytest'), []);
  });

  test('an upper-case run ends one letter before lower case follows (COMPAN|Ythings)', async () => {
    assert.deepEqual(await desc('compan'), ['lsdesc-7']);
    assert.deepEqual(await desc('ythings'), ['lsdesc-7']);
    assert.deepEqual(await desc('company'), []);
    assert.deepEqual(await desc('things'), []);
  });

  test('a lone separator matches nothing', async () => {
    assert.deepEqual(await desc('/'), []);
    assert.deepEqual(await desc('-'), []);
  });

  test('several values are ORed', async () => {
    assert.deepEqual(await desc('thesecret', 'asecret'), ['lsdesc-3', 'lsdesc-4']);
    assert.deepEqual(await desc('one', '!a'), ['lsdesc-4', 'lsdesc-6', 'lsdesc-7', 'lsdesc-8', 'lsdesc-9']);
  });
});

describe('tag-key and tag-value filters: case-sensitive prefixes', () => {
  const secrets = [
    { Name: 'lstag-1', Tags: [{ Key: 'Team', Value: 'payments' }] },
    { Name: 'lstag-2', Tags: [{ Key: 'team', Value: 'Payments' }] },
    { Name: 'lstag-3', Tags: [{ Key: 'env', Value: 'prod' }, { Key: 'Team', Value: 'search' }] },
    { Name: 'lstag-4' },
  ];
  const mine = secrets.map((s) => s.Name);
  before(() => createAll(sm, secrets));

  test('tag-key', async () => {
    assert.deepEqual(sorted(await shown(sm, mine, [{ Key: 'tag-key', Values: ['Te'] }])), ['lstag-1', 'lstag-3']);
    assert.deepEqual(sorted(await shown(sm, mine, [{ Key: 'tag-key', Values: ['team'] }])), ['lstag-2']);
    assert.deepEqual(await shown(sm, mine, [{ Key: 'tag-key', Values: ['eam'] }]), []);
    // Negation on secrets with at most one tag (how AWS negates over several tags is unrecorded).
    const single = ['lstag-1', 'lstag-2', 'lstag-4'];
    assert.deepEqual(sorted(await shown(sm, single, [{ Key: 'tag-key', Values: ['!Team'] }])), ['lstag-2', 'lstag-4']);
  });

  test('tag-value', async () => {
    assert.deepEqual(sorted(await shown(sm, mine, [{ Key: 'tag-value', Values: ['pay'] }])), ['lstag-1']);
    assert.deepEqual(sorted(await shown(sm, mine, [{ Key: 'tag-value', Values: ['Pay', 'prod'] }])), ['lstag-2', 'lstag-3']);
    assert.deepEqual(sorted(await shown(sm, ['lstag-1', 'lstag-2', 'lstag-4'], [{ Key: 'tag-value', Values: ['!p'] }])), ['lstag-2', 'lstag-4']);
  });

  test('a tag-key and a tag-value filter are ANDed, not paired', async () => {
    // lstag-3 has key "Team" and (on another tag) value "prod": both filters match it.
    assert.deepEqual(sorted(await shown(sm, mine, [{ Key: 'tag-key', Values: ['Team'] }, { Key: 'tag-value', Values: ['prod'] }])), ['lstag-3']);
    assert.deepEqual(sorted(await shown(sm, mine, [{ Key: 'tag-key', Values: ['Team'] }, { Key: 'tag-value', Values: ['Payments'] }])), []);
  });
});

describe('all filter: name, description, tag keys and values, word-based', () => {
  const secrets = [
    { Name: 'lsall-foo' },
    { Name: 'lsall-bar', Description: 'Foo things' },
    { Name: 'lsall-baz', Tags: [{ Key: 'fooKey', Value: '1' }] },
    { Name: 'lsall-qux', Tags: [{ Key: '1', Value: 'FOOD' }] },
    { Name: 'lsall-none', Description: 'nothing', Tags: [{ Key: 'x', Value: 'y' }] },
  ];
  const mine = secrets.map((s) => s.Name);
  const all = (...Values: string[]) => shown(sm, mine, [{ Key: 'all', Values }]).then(sorted);
  before(() => createAll(sm, secrets));

  test('a value matches any of the attributes, ignoring case', async () => {
    assert.deepEqual(await all('foo'), ['lsall-bar', 'lsall-baz', 'lsall-foo', 'lsall-qux']);
    assert.deepEqual(await all('FOO'), ['lsall-bar', 'lsall-baz', 'lsall-foo', 'lsall-qux']);
  });

  test('words of the name count (split at "-"), not its inner letters', async () => {
    assert.deepEqual(await all('lsall'), mine.slice().sort());
    assert.deepEqual(await all('none'), ['lsall-none']);
    assert.deepEqual(await all('sall'), []);
  });

  test('negation and several values', async () => {
    // A secret none of whose attributes matches passes the negation.
    assert.ok((await all('!foo')).includes('lsall-none'));
    assert.deepEqual(await all('nothing', 'key'), ['lsall-baz', 'lsall-none']);
  });
});

describe('primary-region and owning-service filters', () => {
  // Secrets made through the API are neither replicas nor owned by another service.
  const mine = ['lsreg-1', 'lsreg-2'];
  before(() => createAll(sm, mine.map((Name) => ({ Name }))));

  test('a value no region starts with matches nothing; its negation matches everything', async () => {
    assert.deepEqual(await shown(sm, mine, [{ Key: 'primary-region', Values: ['zz-'] }]), []);
    assert.deepEqual(sorted(await shown(sm, mine, [{ Key: 'primary-region', Values: ['!zz-'] }])), mine);
  });

  test('owning-service matches only service-owned secrets', async () => {
    assert.deepEqual(await shown(sm, mine, [{ Key: 'owning-service', Values: ['rds'] }]), []);
    assert.deepEqual(sorted(await shown(sm, mine, [{ Key: 'owning-service', Values: ['!rds'] }])), mine);
  });
});

describe('several filters are ANDed', () => {
  const secrets = [
    { Name: 'lsand-foo', Description: 'one two' },
    { Name: 'lsand-bar', Description: 'one' },
    { Name: 'lsand-baz', Description: 'two' },
    { Name: 'lsand-qux', Description: 'unrelated', Tags: [{ Key: 'k', Value: 'v' }] },
  ];
  const mine = secrets.map((s) => s.Name);
  before(() => createAll(sm, secrets));

  test('repeats of the same key', async () => {
    assert.deepEqual(await shown(sm, mine, [{ Key: 'description', Values: ['one'] }, { Key: 'description', Values: ['two'] }]), ['lsand-foo']);
    assert.deepEqual(await shown(sm, mine, [{ Key: 'name', Values: ['lsand-'] }, { Key: 'name', Values: ['!lsand-b'] }]).then(sorted), ['lsand-foo', 'lsand-qux']);
  });

  test('different keys', async () => {
    assert.deepEqual(await shown(sm, mine, [{ Key: 'name', Values: ['lsand-b'] }, { Key: 'description', Values: ['two'] }]), ['lsand-baz']);
    assert.deepEqual(await shown(sm, mine, [{ Key: 'description', Values: ['one'] }, { Key: 'name', Values: ['one'] }]), []);
    assert.deepEqual(await shown(sm, mine, [{ Key: 'tag-key', Values: ['k'] }, { Key: 'tag-value', Values: ['v'] }, { Key: 'all', Values: ['unrelated'] }]), ['lsand-qux']);
  });
});

describe('filter validation', () => {
  test('an unknown key is a ValidationException listing the enum', async () => {
    const err = await rejectsWith(sm.send(new ListSecretsCommand({ Filters: [{ Key: 'invalid' as never, Values: ['foo'] }] })), 'ValidationException');
    assert.match(err.message, /^1 validation error detected: Value 'invalid' at 'filters\.1\.member\.key' failed to satisfy constraint: Member must satisfy enum value set: \[/);
    for (const key of ['all', 'name', 'tag-key', 'description', 'tag-value', 'primary-region', 'owning-service']) {
      assert.ok(err.message.includes(key), `enum lists ${key}: ${err.message}`);
    }
    assert.equal(err.$metadata?.httpStatusCode, 400);
  });

  test('the position of the bad filter is reported', async () => {
    const err = await rejectsWith(sm.send(new ListSecretsCommand({
      Filters: [{ Key: 'name', Values: ['x'] }, { Key: 'Name' as never, Values: ['y'] }],
    })), 'ValidationException');
    assert.match(err.message, /Value 'Name' at 'filters\.2\.member\.key'/);
  });

  test('a filter without Key or Values is an InvalidParameterException', async () => {
    await rejectsWith(sm.send(new ListSecretsCommand({ Filters: [{ Values: ['foo'] }] })), 'InvalidParameterException', 'Invalid filter key');
    await rejectsWith(sm.send(new ListSecretsCommand({ Filters: [{ Key: 'description' }] })), 'InvalidParameterException',
      'Invalid filter values for key: description');
  });

  test('values outside the model pattern or count are ValidationExceptions', async () => {
    const err = await rejectsWith(sm.send(new ListSecretsCommand({ Filters: [{ Key: 'name', Values: ['a*b'] }] })), 'ValidationException',
      /^1 validation error detected: Value '\[?a\*b\]?' at 'filters\.1\.member\.values/);
    assert.ok(err.message.includes('regular expression pattern: ^\\!?[a-zA-Z0-9 :_@\\/\\+\\=\\.\\-\\!]*$'), err.message);
    await rejectsWith(sm.send(new ListSecretsCommand({ Filters: [{ Key: 'name', Values: [] }] })), 'ValidationException',
      /Member must have length greater than or equal to 1/);
    await rejectsWith(sm.send(new ListSecretsCommand({ Filters: [{ Key: 'name', Values: Array.from({ length: 11 }, (_, i) => `v${i}`) }] })),
      'ValidationException', /Member must have length less than or equal to 10/);
    const eleven = Array.from({ length: 11 }, () => ({ Key: 'name' as const, Values: ['x'] }));
    await rejectsWith(sm.send(new ListSecretsCommand({ Filters: eleven })), 'ValidationException', /at 'filters' failed to satisfy constraint: Member must have length less than or equal to 10/);
  });

  test('the characters the model allows are accepted', async () => {
    await sm.send(new ListSecretsCommand({ Filters: [{ Key: 'all', Values: ['a b:c_d@e/f+g=h.i-j!k'] }] }));
  });
});

describe('sorting', () => {
  // Created in reverse alphabetical order, so creation order and name order differ.
  const mine = ['lssort-c', 'lssort-b', 'lssort-a'];
  const filters = [{ Key: 'name' as const, Values: ['lssort-'] }];
  before(async () => {
    for (const Name of mine) {
      await sm.send(new CreateSecretCommand({ Name, SecretString: 'v' }));
      await tick();
    }
  });

  test('the default order is by CreatedDate, oldest first', async () => {
    const list = await listAll(sm, { Filters: filters });
    assert.deepEqual(list.map((s) => s.Name), mine);
    const dates = list.map((s) => s.CreatedDate!.getTime());
    assert.deepEqual(dates, [...dates].sort((a, b) => a - b));
  });

  test('SortOrder asc and desc', async () => {
    assert.deepEqual((await listAll(sm, { Filters: filters, SortOrder: 'asc' })).map((s) => s.Name), mine);
    assert.deepEqual((await listAll(sm, { Filters: filters, SortOrder: 'desc' })).map((s) => s.Name), [...mine].reverse());
  });

  test('SortBy name', async () => {
    assert.deepEqual((await listAll(sm, { Filters: filters, SortBy: 'name' })).map((s) => s.Name), ['lssort-a', 'lssort-b', 'lssort-c']);
    assert.deepEqual((await listAll(sm, { Filters: filters, SortBy: 'name', SortOrder: 'desc' })).map((s) => s.Name), ['lssort-c', 'lssort-b', 'lssort-a']);
  });

  test('SortBy last-changed-date follows the latest change', async () => {
    const names = ['lssortchg-1', 'lssortchg-2', 'lssortchg-3'];
    for (const Name of names) {
      await sm.send(new CreateSecretCommand({ Name, SecretString: 'v' }));
      await tick();
    }
    await sm.send(new UpdateSecretCommand({ SecretId: 'lssortchg-1', Description: 'changed' }));
    const f = [{ Key: 'name' as const, Values: ['lssortchg-'] }];
    assert.deepEqual((await listAll(sm, { Filters: f, SortBy: 'last-changed-date' })).map((s) => s.Name), ['lssortchg-2', 'lssortchg-3', 'lssortchg-1']);
    assert.deepEqual((await listAll(sm, { Filters: f, SortBy: 'created-date' })).map((s) => s.Name), names);
  });

  test('SortBy last-accessed-date is accepted', async () => {
    await sm.send(new GetSecretValueCommand({ SecretId: 'lssort-b' }));
    const list = await listAll(sm, { Filters: filters, SortBy: 'last-accessed-date' });
    assert.deepEqual(sorted(list.map((s) => s.Name!)), ['lssort-a', 'lssort-b', 'lssort-c']);
  });

  test('an unknown SortOrder or SortBy is a ValidationException', async () => {
    await rejectsWith(sm.send(new ListSecretsCommand({ SortOrder: 'up' as never })), 'ValidationException',
      "1 validation error detected: Value 'up' at 'sortOrder' failed to satisfy constraint: Member must satisfy enum value set: [asc, desc]");
    await rejectsWith(sm.send(new ListSecretsCommand({ SortBy: 'size' as never })), 'ValidationException',
      /^1 validation error detected: Value 'size' at 'sortBy' failed to satisfy constraint: Member must satisfy enum value set: \[/);
  });
});

describe('IncludePlannedDeletion', () => {
  test('secrets scheduled for deletion are hidden unless asked for, and then show DeletedDate', async () => {
    const mine = await createAll(sm, [{ Name: 'lsdel-kept' }, { Name: 'lsdel-gone' }]);
    await sm.send(new DeleteSecretCommand({ SecretId: 'lsdel-gone', RecoveryWindowInDays: 7 }));
    const f = [{ Key: 'name' as const, Values: ['lsdel-'] }];
    assert.deepEqual(await shown(sm, mine, f), ['lsdel-kept']);
    assert.deepEqual(await shown(sm, mine, f, { IncludePlannedDeletion: false }), ['lsdel-kept']);
    const withDeleted = await listAll(sm, { Filters: f, IncludePlannedDeletion: true });
    assert.deepEqual(withDeleted.map((s) => s.Name), ['lsdel-kept', 'lsdel-gone']);
    assert.equal(withDeleted[0]!.DeletedDate, undefined);
    assert.ok(withDeleted[1]!.DeletedDate instanceof Date);
  });
});

describe('paging', () => {
  const mine = Array.from({ length: 7 }, (_, i) => `lspage-${i}`);
  const filters = [{ Key: 'name' as const, Values: ['lspage-'] }];
  before(async () => {
    for (const Name of mine) {
      await sm.send(new CreateSecretCommand({ Name, SecretString: 'v' }));
      await tick();
    }
  });

  test('MaxResults pages through every secret once, in order', async () => {
    for (const MaxResults of [1, 2, 3, 7, 100]) {
      const pages: string[][] = [];
      let NextToken: string | undefined;
      do {
        const out = await sm.send(new ListSecretsCommand({ Filters: filters, MaxResults, NextToken }));
        pages.push(out.SecretList!.map((s) => s.Name!));
        assert.ok(out.SecretList!.length <= MaxResults);
        NextToken = out.NextToken;
      } while (NextToken);
      assert.deepEqual(pages.flat(), mine, `MaxResults ${MaxResults}`);
      assert.equal(pages.length, Math.ceil(mine.length / MaxResults), `MaxResults ${MaxResults}`);
    }
  });

  test('the last page carries no NextToken', async () => {
    const out = await sm.send(new ListSecretsCommand({ Filters: filters, MaxResults: 7 }));
    assert.equal(out.SecretList!.length, 7);
    assert.equal(out.NextToken, undefined);
  });

  test('paging is stable when secrets are created or deleted between pages', async () => {
    const names = ['lsstable-a', 'lsstable-b', 'lsstable-c', 'lsstable-d', 'lsstable-e'];
    for (const Name of names) {
      await sm.send(new CreateSecretCommand({ Name, SecretString: 'v' }));
      await tick();
    }
    const f = [{ Key: 'name' as const, Values: ['lsstable-'] }];
    for (const SortOrder of ['asc', 'desc'] as const) {
      const first = await sm.send(new ListSecretsCommand({ Filters: f, MaxResults: 2, SortOrder }));
      const seen = first.SecretList!.map((s) => s.Name!);
      // Remove one already listed, and add one that sorts after everything (asc) or before (desc).
      await sm.send(new DeleteSecretCommand({ SecretId: seen[0], ForceDeleteWithoutRecovery: true }));
      const added = `lsstable-new-${SortOrder}`;
      await sm.send(new CreateSecretCommand({ Name: added, SecretString: 'v' }));
      let NextToken = first.NextToken;
      while (NextToken) {
        const out = await sm.send(new ListSecretsCommand({ Filters: f, MaxResults: 2, SortOrder, NextToken }));
        seen.push(...out.SecretList!.map((s) => s.Name!));
        NextToken = out.NextToken;
      }
      assert.equal(new Set(seen).size, seen.length, `no secret listed twice (${SortOrder}): ${seen.join(' ')}`);
      const remaining = names.filter((n) => n !== seen[0] && n !== 'lsstable-new-asc' && n !== 'lsstable-new-desc');
      for (const n of remaining) assert.ok(seen.includes(n), `${n} listed (${SortOrder}): ${seen.join(' ')}`);
      names.splice(names.indexOf(seen[0]!), 1);
      names.push(added);
      await tick();
    }
  });

  test('MaxResults outside 1–100 is a ValidationException', async () => {
    await rejectsWith(sm.send(new ListSecretsCommand({ MaxResults: 0 })), 'ValidationException',
      "1 validation error detected: Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1");
    await rejectsWith(sm.send(new ListSecretsCommand({ MaxResults: 101 })), 'ValidationException',
      "1 validation error detected: Value '101' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100");
  });

  test('a NextToken that was never issued is an InvalidNextTokenException', async () => {
    for (const NextToken of ['garbage', 'eyJrIjoiTGlzdFNlY3JldHMiLCJvIjotMX0', Buffer.from('{"k":"ListSecrets"}').toString('base64url')]) {
      await rejectsWith(sm.send(new ListSecretsCommand({ NextToken })), 'InvalidNextTokenException');
    }
  });

  test('a NextToken from another listing is an InvalidNextTokenException', async () => {
    const name = 'lspage-versions';
    await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'v1' }));
    await sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'v2' }));
    const versions = await sm.send(new ListSecretVersionIdsCommand({ SecretId: name, MaxResults: 1 }));
    assert.ok(versions.NextToken);
    await rejectsWith(sm.send(new ListSecretsCommand({ NextToken: versions.NextToken })), 'InvalidNextTokenException');
  });

  test('a NextToken is bound to the sort it was issued for', async () => {
    const first = await sm.send(new ListSecretsCommand({ Filters: filters, MaxResults: 2 }));
    await rejectsWith(sm.send(new ListSecretsCommand({ Filters: filters, MaxResults: 2, SortOrder: 'desc', NextToken: first.NextToken })),
      'InvalidNextTokenException');
  });
});

describe('what an entry holds', () => {
  test('the fields of DescribeSecret, with SecretVersionsToStages and no ReplicationStatus', async () => {
    const name = 'lsentry-full';
    await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'v1', Description: 'entry', Tags: [{ Key: 'a', Value: 'b' }] }));
    await sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'v2' }));
    await sm.send(new GetSecretValueCommand({ SecretId: name }));
    const [entry] = await listAll(sm, { Filters: [{ Key: 'name', Values: [name] }] });
    const { $metadata: _m, VersionIdsToStages, ReplicationStatus: _r, ...described } = await sm.send(new DescribeSecretCommand({ SecretId: name }));
    const { SecretVersionsToStages, ...rest } = entry!;
    assert.deepEqual(rest, described);
    assert.deepEqual(SecretVersionsToStages, VersionIdsToStages);
    assert.equal(Object.keys(SecretVersionsToStages!).length, 2);
    assert.ok(rest.LastAccessedDate instanceof Date);
  });

  test('on the wire: no VersionIdsToStages, ReplicationStatus, KmsKeyId or nulls; dates are epoch seconds', async () => {
    const name = 'lsentry-wire';
    await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'v' }));
    const res = await signedRequest(server, {
      target: 'secretsmanager.ListSecrets',
      body: JSON.stringify({ Filters: [{ Key: 'name', Values: [name] }] }),
    });
    assert.equal(res.status, 200);
    const entry = res.json.SecretList[0];
    assert.deepEqual(Object.keys(entry).sort(), ['ARN', 'CreatedDate', 'LastChangedDate', 'Name', 'SecretVersionsToStages']);
    assert.equal(typeof entry.CreatedDate, 'number');
    assert.ok(Math.abs(entry.CreatedDate * 1000 - Date.now()) < 600_000);
    assert.equal(res.json.NextToken, undefined);
    const hasNull = (v: unknown): boolean => v === null || (typeof v === 'object' && Object.values(v as object).some(hasNull));
    assert.ok(!hasNull(res.json), res.body);
  });

  test('a secret without a value has no SecretVersionsToStages; deprecated versions are left out', async () => {
    await sm.send(new CreateSecretCommand({ Name: 'lsentry-empty' }));
    const name = 'lsentry-deprecated';
    await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'v1' }));
    const v2 = await sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'v2' }));
    const v3 = await sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'v3' }));
    await sm.send(new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'AWSPREVIOUS', RemoveFromVersionId: v2.VersionId }));
    const list = await listAll(sm, { Filters: [{ Key: 'name', Values: ['lsentry-empty', name] }] });
    const byName = new Map(list.map((s) => [s.Name, s]));
    assert.equal(byName.get('lsentry-empty')!.SecretVersionsToStages, undefined);
    assert.deepEqual(byName.get(name)!.SecretVersionsToStages, { [v3.VersionId!]: ['AWSCURRENT'] });
  });
});

describe('the AWS CLI', () => {
  const mine = Array.from({ length: 5 }, (_, i) => `lscli-${i}`);
  before(async () => {
    for (const Name of mine) {
      await sm.send(new CreateSecretCommand({ Name, SecretString: 'v', Description: `cli secret ${Name}` }));
      await tick();
    }
  });

  test('list-secrets follows NextToken by itself', async () => {
    const r = await awsCli(server, ['secretsmanager', 'list-secrets', '--filters', 'Key=name,Values=lscli-', '--page-size', '2']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.json.SecretList.map((s: { Name: string }) => s.Name), mine);
    assert.equal(r.json.NextToken, undefined);
    for (const s of r.json.SecretList) {
      assert.ok(s.SecretVersionsToStages);
      assert.equal(s.ReplicationStatus, undefined);
    }
  });

  test('--max-items stops early and hands back a token the CLI resumes from', async () => {
    const first = await awsCli(server, ['secretsmanager', 'list-secrets', '--filters', 'Key=name,Values=lscli-', '--page-size', '2', '--max-items', '3']);
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual(first.json.SecretList.map((s: { Name: string }) => s.Name), mine.slice(0, 3));
    assert.ok(first.json.NextToken);
    const rest = await awsCli(server, ['secretsmanager', 'list-secrets', '--filters', 'Key=name,Values=lscli-', '--page-size', '2', '--starting-token', first.json.NextToken]);
    assert.equal(rest.code, 0, rest.stderr);
    assert.deepEqual(rest.json.SecretList.map((s: { Name: string }) => s.Name), mine.slice(3));
  });

  test('filters, --sort-order and a validation error through the CLI', async () => {
    const r = await awsCli(server, ['secretsmanager', 'list-secrets', '--filters', 'Key=description,Values=CLI', 'Key=name,Values=lscli-', '--sort-order', 'desc']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.json.SecretList.map((s: { Name: string }) => s.Name), [...mine].reverse());
    const bad = await awsCli(server, ['secretsmanager', 'list-secrets', '--filters', 'Key=name,Values=a*']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /ValidationException/);
  });
});
