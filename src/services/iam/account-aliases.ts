/**
 * CreateAccountAlias, DeleteAccountAlias, ListAccountAliases: a friendly name for the account,
 * which the console's sign-in page takes instead of the 12-digit account id.
 *
 * As in AWS: an account has at most one alias, and creating another replaces it; an alias is
 * unique across the server's accounts (AWS: across the partition), so another account's alias
 * is `EntityAlreadyExists`; deleting an alias the account does not have is `NoSuchEntity`.
 * All three are authorized as `iam:<Operation>` on `*` (no resource type in the Service
 * Authorization Reference). Beyond AWS: a 12-digit alias is refused, since sign-in would read
 * it as an account id.
 */
import { operation } from '../../protocol/operation.ts';
import type { IamDeps } from './deps.ts';
import { entityAlreadyExists, invalidInput, noSuchEntity } from './entities.ts';
import type { Db } from './identity-store.ts';

const aliasTaken = (alias: string) => entityAlreadyExists(`The account alias ${alias} already exists.`);
const noSuchAlias = (alias: string) => noSuchEntity(`The account alias ${alias} cannot be found.`);

/** The account's alias, if it has one. */
export async function findAccountAlias(db: Db, accountId: string): Promise<string | undefined> {
  const row = await db.selectFrom('iam_account_aliases').select('alias').where('account_id', '=', accountId).executeTakeFirst();
  return row?.alias;
}

/**
 * What the sign-in page's "account" field names: a 12-digit id as typed, or the account whose
 * alias it is (aliases are lowercase; the field is matched without regard to case).
 * Undefined when it is neither; whether the id exists is not checked here.
 */
export async function accountOf(db: Db, idOrAlias: string): Promise<string | undefined> {
  if (/^\d{12}$/.test(idOrAlias)) return idOrAlias;
  if (!/^[a-zA-Z0-9-]{3,63}$/.test(idOrAlias)) return undefined;
  const row = await db.selectFrom('iam_account_aliases').select('account_id').where('alias', '=', idOrAlias.toLowerCase()).executeTakeFirst();
  return row?.account_id;
}

export function createAccountAlias(deps: IamDeps) {
  return operation<{ AccountAlias: string }, Record<string, never>, undefined>({
    async plan() {
      return { authorization: { action: 'iam:CreateAccountAlias', resource: '*' }, state: undefined };
    },
    async run(ctx, input) {
      const accountId = ctx.principal.accountId;
      const alias = input.AccountAlias;
      if (/^\d{12}$/.test(alias)) throw invalidInput(`The account alias ${alias} looks like an account ID; choose an alias with a letter or a dash in it.`);
      const owner = await deps.db.selectFrom('iam_account_aliases').select('account_id').where('alias', '=', alias).executeTakeFirst();
      if (owner) {
        if (owner.account_id === accountId) return {};
        throw aliasTaken(alias);
      }
      try {
        await deps.db.insertInto('iam_account_aliases').values({ account_id: accountId, alias, created_at: deps.now() })
          .onConflict((oc) => oc.column('account_id').doUpdateSet({ alias, created_at: deps.now() })).execute();
      } catch (err) {
        // Another account took the alias meanwhile: the unique constraint decided.
        const taken = await deps.db.selectFrom('iam_account_aliases').select('account_id').where('alias', '=', alias).executeTakeFirst();
        if (taken && taken.account_id !== accountId) throw aliasTaken(alias);
        throw err;
      }
      return {};
    },
  });
}

export function deleteAccountAlias(deps: IamDeps) {
  return operation<{ AccountAlias: string }, Record<string, never>, undefined>({
    async plan() {
      return { authorization: { action: 'iam:DeleteAccountAlias', resource: '*' }, state: undefined };
    },
    async run(ctx, input) {
      const deleted = await deps.db.deleteFrom('iam_account_aliases')
        .where('account_id', '=', ctx.principal.accountId).where('alias', '=', input.AccountAlias).executeTakeFirst();
      if (Number(deleted.numDeletedRows) === 0) throw noSuchAlias(input.AccountAlias);
      return {};
    },
  });
}

export function listAccountAliases(deps: IamDeps) {
  return operation<{ Marker?: string; MaxItems?: number }, { AccountAliases: string[]; IsTruncated: boolean }, undefined>({
    async plan() {
      return { authorization: { action: 'iam:ListAccountAliases', resource: '*' }, state: undefined };
    },
    async run(ctx) {
      // One alias at most: a single page, whatever MaxItems says.
      const alias = await findAccountAlias(deps.db, ctx.principal.accountId);
      return { AccountAliases: alias ? [alias] : [], IsTruncated: false };
    },
  });
}

export function accountAliasOperations(deps: IamDeps) {
  return {
    CreateAccountAlias: createAccountAlias(deps),
    DeleteAccountAlias: deleteAccountAlias(deps),
    ListAccountAliases: listAccountAliases(deps),
  };
}
