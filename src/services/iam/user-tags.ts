/** TagUser, UntagUser, ListUserTags. Tag keys are case-insensitive in IAM; at most 50 per user. */
import { operation } from '../../protocol/operation.ts';
import { transaction } from '../../storage/transaction.ts';
import type { IamDeps } from './deps.ts';
import {
  checkTagKeysUnique, limitExceeded, MAX_TAGS, mergeTags, pageOf, readTags, removeTags, requestTagConditions, type Tag,
} from './entities.ts';
import { findUser, noSuchUser, requireUser, type UserRow } from './identity-store.ts';
import { onUser } from './user-auth.ts';

async function writeTags(deps: IamDeps, accountId: string, userName: string, change: (tags: Tag[]) => Tag[]): Promise<void> {
  await transaction(deps.db, async (trx) => {
    const row = await requireUser(trx, accountId, userName);
    const tags = change(readTags(row.tags));
    if (tags.length > MAX_TAGS) throw limitExceeded(`The number of tags has reached the maximum limit of ${MAX_TAGS}.`);
    await trx.updateTable('iam_users').set({ tags: JSON.stringify(tags) })
      .where('account_id', '=', accountId).where('user_key', '=', row.user_key).execute();
  });
  deps.changed();
}

export function tagUser(deps: IamDeps) {
  return operation<{ UserName: string; Tags: Tag[] }, Record<string, never>, UserRow | undefined>({
    async plan(ctx, input) {
      const row = await findUser(deps.db, ctx.principal.accountId, input.UserName);
      return { authorization: onUser('iam:TagUser', ctx.principal.accountId, input.UserName, row, { extra: requestTagConditions(input.Tags) }), state: row };
    },
    async run(ctx, input, row) {
      if (!row) throw noSuchUser(input.UserName);
      checkTagKeysUnique(input.Tags);
      await writeTags(deps, ctx.principal.accountId, input.UserName, (tags) => mergeTags(tags, input.Tags));
      return {};
    },
  });
}

export function untagUser(deps: IamDeps) {
  return operation<{ UserName: string; TagKeys: string[] }, Record<string, never>, UserRow | undefined>({
    async plan(ctx, input) {
      const row = await findUser(deps.db, ctx.principal.accountId, input.UserName);
      return { authorization: onUser('iam:UntagUser', ctx.principal.accountId, input.UserName, row, { extra: { 'aws:TagKeys': input.TagKeys } }), state: row };
    },
    async run(ctx, input, row) {
      if (!row) throw noSuchUser(input.UserName);
      await writeTags(deps, ctx.principal.accountId, input.UserName, (tags) => removeTags(tags, input.TagKeys));
      return {};
    },
  });
}

export function listUserTags(deps: IamDeps) {
  return operation<{ UserName: string; Marker?: string; MaxItems?: number }, Record<string, unknown>, UserRow | undefined>({
    async plan(ctx, input) {
      const row = await findUser(deps.db, ctx.principal.accountId, input.UserName);
      return { authorization: onUser('iam:ListUserTags', ctx.principal.accountId, input.UserName, row), state: row };
    },
    async run(_ctx, input, row) {
      if (!row) throw noSuchUser(input.UserName);
      // Tags keep the order they were added in; the marker is the position.
      const tags = readTags(row.tags).map((t, i) => ({ t, k: String(i).padStart(4, '0') }));
      const { page, ...paging } = pageOf(tags, (x) => x.k, input.Marker, input.MaxItems);
      return { Tags: page.map((x) => x.t), ...paging };
    },
  });
}
