/** TagRole, UntagRole, ListRoleTags: tags keyed case-insensitively, at most 50 per role. */
import { operation } from '../../protocol/operation.ts';
import type { IamDeps } from './deps.ts';
import { checkTagKeysUnique, limitExceeded, MAX_TAGS, mergeTags, pageOf, readTags, removeTags, requestTagConditions, type Tag } from './entities.ts';
import { findRole, noSuchRole, onRole, type RoleRow } from './role-store.ts';

export function tagRole(deps: IamDeps) {
  return operation<{ RoleName: string; Tags: Tag[] }, Record<string, never>, RoleRow | undefined>({
    async plan(ctx, input) {
      const row = await findRole(deps.db, ctx.principal.accountId, input.RoleName);
      return { authorization: onRole('iam:TagRole', ctx.principal.accountId, input.RoleName, row, requestTagConditions(input.Tags)), state: row };
    },
    async run(ctx, input, planned) {
      if (!planned) throw noSuchRole(input.RoleName);
      checkTagKeysUnique(input.Tags ?? []);
      const tags = mergeTags(readTags(planned.tags), input.Tags ?? []);
      if (tags.length > MAX_TAGS) throw limitExceeded(`Cannot exceed quota for TagsPerRole: ${MAX_TAGS}`);
      await deps.db.updateTable('iam_roles').set({ tags: JSON.stringify(tags) })
        .where('account_id', '=', ctx.principal.accountId).where('role_key', '=', planned.role_key).execute();
      deps.changed();
      return {};
    },
  });
}

export function untagRole(deps: IamDeps) {
  return operation<{ RoleName: string; TagKeys: string[] }, Record<string, never>, RoleRow | undefined>({
    async plan(ctx, input) {
      const row = await findRole(deps.db, ctx.principal.accountId, input.RoleName);
      return { authorization: onRole('iam:UntagRole', ctx.principal.accountId, input.RoleName, row, { 'aws:TagKeys': input.TagKeys ?? [] }), state: row };
    },
    async run(ctx, input, planned) {
      if (!planned) throw noSuchRole(input.RoleName);
      const tags = removeTags(readTags(planned.tags), input.TagKeys ?? []);
      await deps.db.updateTable('iam_roles').set({ tags: JSON.stringify(tags) })
        .where('account_id', '=', ctx.principal.accountId).where('role_key', '=', planned.role_key).execute();
      deps.changed();
      return {};
    },
  });
}

export function listRoleTags(deps: IamDeps) {
  return operation<{ RoleName: string; Marker?: string; MaxItems?: number }, Record<string, unknown>, RoleRow | undefined>({
    async plan(ctx, input) {
      const row = await findRole(deps.db, ctx.principal.accountId, input.RoleName);
      return { authorization: onRole('iam:ListRoleTags', ctx.principal.accountId, input.RoleName, row), state: row };
    },
    async run(_ctx, input, planned) {
      if (!planned) throw noSuchRole(input.RoleName);
      // Tags keep the order they were set in; the marker is the position, padded to sort as text.
      const tags = readTags(planned.tags).map((tag, i) => ({ tag, key: String(i).padStart(4, '0') }));
      const { page, ...paging } = pageOf(tags, (t) => t.key, input.Marker, input.MaxItems);
      return { Tags: page.map((t) => t.tag), ...paging };
    },
  });
}
