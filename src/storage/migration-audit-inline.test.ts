import { test } from 'node:test';
import assert from 'node:assert/strict';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import { auditMigration } from './migration-audit.ts';
import { auditInlineMigration } from './migration-audit-inline.ts';
import { postgresConnection, type Dialect } from './database.ts';
import type { Database } from './schema.ts';
import { AuditStore } from '../audit/audit-store.ts';
import { dropPostgresSchema, newPostgresSchema, TEST_DATABASE } from '../../test/helpers/server.ts';

const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db-a1b2c3';

/** 0011's tables with three events in them (two resources, one, none), then 0016. */
async function upgrade(db: Kysely<Database>, dialect: Dialect): Promise<void> {
  await auditMigration.up(db as Kysely<unknown>);
  const event = (seq: number, id: string) => ({
    chain_id: 'c', seq, event_id: id, event_time: 1000 + seq, account_id: '111122223333', region: 'us-east-1',
    event_name: 'GetSecretValue', event_source: 'secretsmanager.amazonaws.com', username: null, access_key_id: null,
    read_only: 1, event: '{}', prev_hash: 'p', hash: `h${seq}`,
  });
  const old = db as unknown as Kysely<Record<string, Record<string, unknown>>>;
  await old.insertInto('audit_events').values([event(1, 'e1'), event(2, 'e2'), event(3, 'e3')]).execute();
  await old.insertInto('audit_event_resources').values([
    { event_id: 'e1', resource_type: 'AWS::IAM::User', resource_name: 'alice "the" admin', resource_arn: null },
    { event_id: 'e1', resource_type: 'AWS::IAM::Policy', resource_name: 'p', resource_arn: 'arn:aws:iam::111122223333:policy/p' },
    { event_id: 'e2', resource_type: 'AWS::SecretsManager::Secret', resource_name: 'prod/db', resource_arn: SECRET_ARN },
  ]).execute();
  await auditInlineMigration(dialect).up(db as Kysely<unknown>);
}

async function check(db: Kysely<Database>, dialect: Dialect): Promise<void> {
  const rows = await db.selectFrom('audit_events').select(['event_id', 'resources', 'seal']).orderBy('seq').execute();
  const e1 = JSON.parse(rows[0]!.resources!) as unknown[];
  assert.deepEqual(e1.sort(), [['AWS::IAM::Policy', 'p', 'arn:aws:iam::111122223333:policy/p'], ['AWS::IAM::User', 'alice "the" admin', null]]);
  // The trail's own spelling (JSON.stringify), so lookups and verify read both alike.
  assert.equal(rows[1]!.resources, JSON.stringify([['AWS::SecretsManager::Secret', 'prod/db', SECRET_ARN]]));
  assert.equal(rows[2]!.resources, null);
  assert.ok(rows.every((r) => r.seal === null));
  const store = new AuditStore(db, dialect);
  const ids = async (key: 'ResourceName' | 'ResourceType', value: string) =>
    (await store.lookup({ accountId: '111122223333', region: 'us-east-1', attribute: { key, value }, limit: 10 })).map((e) => e.row.event_id);
  assert.deepEqual(await ids('ResourceName', 'prod/db'), ['e2']);
  assert.deepEqual(await ids('ResourceName', SECRET_ARN), ['e2']);
  assert.deepEqual(await ids('ResourceName', 'alice "the" admin'), ['e1']);
  assert.deepEqual(await ids('ResourceName', 'prod'), []);
  assert.deepEqual(await ids('ResourceName', 'AWS::IAM::User'), []);
  assert.deepEqual(await ids('ResourceType', 'AWS::IAM::Policy'), ['e1']);
  assert.deepEqual(await ids('ResourceType', 'p'), []);
}

test('0016 moves audit_event_resources into audit_events.resources (SQLite)', async () => {
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: new SQLite(':memory:') }) });
  try {
    await upgrade(db, 'sqlite');
    await check(db, 'sqlite');
  } finally {
    await db.destroy();
  }
});

test('0016 moves audit_event_resources into audit_events.resources (PostgreSQL)', { skip: TEST_DATABASE !== 'postgres' && 'PostgreSQL only' }, async () => {
  const url = await newPostgresSchema();
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: new pg.Pool(postgresConnection(url)) }) });
  try {
    await upgrade(db, 'postgres');
    await check(db, 'postgres');
  } finally {
    await db.destroy();
    await dropPostgresSchema(url);
  }
});
