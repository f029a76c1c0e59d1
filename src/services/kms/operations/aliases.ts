/**
 * Aliases: CreateAlias, UpdateAlias, DeleteAlias, ListAliases. An alias is its own resource:
 * changing one needs the action on the alias (IAM policy) and on each key involved (key
 * policy), as AWS requires. Names under `alias/aws/` belong to AWS managed keys.
 */
import { AwsError, validationError } from '../../../errors.ts';
import { operation } from '../../../protocol/operation.ts';
import type { KmsDeps } from '../deps.ts';
import { aliasArn, findKey, notFound, requireNotPendingDeletion, type FoundKey } from '../key-lookup.ts';
import { onAccount, onAlias, onKey } from '../authorization.ts';
import { SECRETS_MANAGER_ALIAS, type KmsKey } from '../key-store.ts';
import { byKey, page } from '../paging.ts';
import type { RequestContext } from '../../../auth/request-context.ts';

interface AliasInput {
  AliasName: string;
  TargetKeyId: string;
}

const NAME = /^alias\/[a-zA-Z0-9/_-]+$/;

/** The checks AWS makes on an alias name before anything else. */
function checkAliasName(name: string): void {
  if (!name.startsWith('alias/')) {
    throw validationError('Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html');
  }
  // The reserved prefix is refused without a message, as AWS does.
  if (name.startsWith('alias/aws/')) throw new AwsError('NotAuthorizedException', '');
  if (!NAME.test(name)) throw new AwsError('InvalidAliasNameException', `${name} contains invalid characters for an alias`);
}

/** TargetKeyId names a key by id or key ARN; an alias cannot point at an alias. */
async function targetKey(deps: KmsDeps, ctx: RequestContext, ref: string): Promise<FoundKey> {
  if (ref.startsWith('alias/') || /^arn:aws:kms:[^:]*:[^:]*:alias\//.test(ref)) throw validationError('Aliases must refer to keys. Not aliases');
  return findKey(deps.keys, ctx, ref);
}

/** The key an existing alias of the caller's account points at, or NotFoundException. */
async function aliasedKey(deps: KmsDeps, ctx: RequestContext, name: string): Promise<FoundKey> {
  const arn = aliasArn(ctx.region, ctx.principal.accountId, name);
  const key = await deps.keys.resolve(ctx.principal.accountId, ctx.region, arn);
  if (!key) throw notFound(`Alias ${arn} is not found.`);
  return { key };
}

export const createAlias = (deps: KmsDeps) => operation({
  async plan(ctx, input: AliasInput) {
    checkAliasName(input.AliasName);
    const found = await targetKey(deps, ctx, input.TargetKeyId);
    return {
      authorization: [onAlias(ctx, input.AliasName, 'kms:CreateAlias'), onKey(ctx, found, 'kms:CreateAlias')],
      state: found,
    };
  },
  async run(ctx, input: AliasInput, found: FoundKey) {
    requireNotPendingDeletion(found.key);
    const created = await deps.writer.createAlias(ctx.principal.accountId, ctx.region, input.AliasName, found.key.keyId, deps.now());
    if (!created) {
      throw new AwsError('AlreadyExistsException', `An alias with the name ${aliasArn(ctx.region, ctx.principal.accountId, input.AliasName)} already exists`);
    }
    return {};
  },
});

export const updateAlias = (deps: KmsDeps) => operation({
  async plan(ctx, input: AliasInput) {
    checkAliasName(input.AliasName);
    const from = await aliasedKey(deps, ctx, input.AliasName);
    const to = await targetKey(deps, ctx, input.TargetKeyId);
    return {
      authorization: [onAlias(ctx, input.AliasName, 'kms:UpdateAlias'), onKey(ctx, from, 'kms:UpdateAlias'), onKey(ctx, to, 'kms:UpdateAlias')],
      state: { from: from.key, to: to.key },
    };
  },
  async run(ctx, input: AliasInput, { from, to }: { from: KmsKey; to: KmsKey }) {
    // The alias may leave a key pending deletion, not point at one.
    requireNotPendingDeletion(to);
    const updated = await deps.writer.updateAlias(ctx.principal.accountId, ctx.region, input.AliasName, from.keyId, to.keyId, deps.now());
    if (!updated) throw notFound(`Alias ${aliasArn(ctx.region, ctx.principal.accountId, input.AliasName)} is not found.`);
    return {};
  },
});

interface DeleteAliasInput {
  AliasName: string;
}

export const deleteAlias = (deps: KmsDeps) => operation({
  async plan(ctx, input: DeleteAliasInput) {
    checkAliasName(input.AliasName);
    const found = await aliasedKey(deps, ctx, input.AliasName);
    return { authorization: [onAlias(ctx, input.AliasName, 'kms:DeleteAlias'), onKey(ctx, found, 'kms:DeleteAlias')], state: found };
  },
  async run(ctx, input: DeleteAliasInput, found: FoundKey) {
    const deleted = await deps.writer.deleteAlias(ctx.principal.accountId, ctx.region, input.AliasName, found.key.keyId);
    if (!deleted) throw notFound(`Alias ${aliasArn(ctx.region, ctx.principal.accountId, input.AliasName)} is not found.`);
    return {};
  },
});

interface ListAliasesInput {
  KeyId?: string;
  Limit?: number;
  Marker?: string;
}

interface AliasEntry {
  AliasName: string;
  AliasArn: string;
  TargetKeyId?: string;
  CreationDate?: Date;
  LastUpdatedDate?: Date;
}

export const listAliases = (deps: KmsDeps) => operation({
  async plan(ctx, input: ListAliasesInput) {
    const found = input.KeyId === undefined ? undefined : await findKey(deps.keys, ctx, input.KeyId);
    return { authorization: onAccount(ctx, 'kms:ListAliases'), state: found };
  },
  async run(ctx, input: ListAliasesInput, found: FoundKey | undefined) {
    let query = deps.keys.database.selectFrom('kms_aliases').selectAll()
      .where('account_id', '=', ctx.principal.accountId).where('region', '=', ctx.region);
    if (found) query = query.where('key_id', '=', found.key.keyId);
    const entries: AliasEntry[] = (await query.execute()).map((a) => ({
      AliasName: a.alias_name,
      AliasArn: aliasArn(ctx.region, ctx.principal.accountId, a.alias_name),
      TargetKeyId: a.key_id,
      CreationDate: new Date(Number(a.created_at)),
      LastUpdatedDate: new Date(Number(a.updated_at ?? a.created_at)),
    }));
    // AWS lists predefined aliases of AWS managed keys not created yet, without a target.
    if (!found && !entries.some((e) => e.AliasName === SECRETS_MANAGER_ALIAS)) {
      entries.push({ AliasName: SECRETS_MANAGER_ALIAS, AliasArn: aliasArn(ctx.region, ctx.principal.accountId, SECRETS_MANAGER_ALIAS) });
    }
    entries.sort(byKey((e) => e.AliasName));
    const result = page(entries, (e) => e.AliasName, input.Limit, input.Marker, 50);
    return { Aliases: result.items, NextMarker: result.NextMarker, Truncated: result.Truncated };
  },
});
