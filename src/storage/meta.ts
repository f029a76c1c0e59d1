/**
 * The `meta` table: a few facts about the installation that every node must agree on (the
 * default account id, the root key check). Values are set once, by whichever node gets there
 * first; later writers read the winner's value instead of overwriting it.
 */
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

export async function readMeta(db: Kysely<Database>, key: string): Promise<string | undefined> {
  const row = await db.selectFrom('meta').select('value').where('key', '=', key).executeTakeFirst();
  return row?.value;
}

/** Sets `key` unless it is set; returns the stored value, this writer's or an earlier one's. */
export async function initMeta(db: Kysely<Database>, key: string, value: string): Promise<string> {
  await db.insertInto('meta').values({ key, value }).onConflict((oc) => oc.column('key').doNothing()).execute();
  return (await readMeta(db, key))!;
}
