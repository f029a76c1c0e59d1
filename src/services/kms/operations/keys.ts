/**
 * Keys and their lifecycle: CreateKey, DescribeKey, ListKeys, UpdateKeyDescription,
 * EnableKey/DisableKey, ScheduleKeyDeletion/CancelKeyDeletion. States follow AWS's key-state
 * table: a key pending deletion refuses everything but reads and CancelKeyDeletion.
 */
import { randomUUID } from 'node:crypto';
import { AwsError, validationError } from '../../../errors.ts';
import { operation } from '../../../protocol/operation.ts';
import type { RequestContext } from '../../../auth/request-context.ts';
import type { KmsDeps } from '../deps.ts';
import { findKey, keyArn, requireNotPendingDeletion, stateOf, type FoundKey } from '../key-lookup.ts';
import { keyMetadata } from '../key-views.ts';
import { onAccount, onKey, requestTagConditions } from '../authorization.ts';
import { checkKeyPolicy, defaultKeyPolicy, LOCKOUT } from '../key-policy.ts';
import { tagsFromRequest, type TagInput } from '../tags.ts';
import { byKey, page } from '../paging.ts';
import { DAY_MS } from '../key-store.ts';

interface CreateKeyInput {
  Policy?: string;
  Description?: string;
  KeyUsage?: string;
  CustomerMasterKeySpec?: string;
  KeySpec?: string;
  Origin?: string;
  CustomKeyStoreId?: string;
  BypassPolicyLockoutSafetyCheck?: boolean;
  Tags?: TagInput[];
  MultiRegion?: boolean;
  XksKeyId?: string;
}

interface KeyIdInput {
  KeyId: string;
}

const SPEC = 'SYMMETRIC_DEFAULT';

/**
 * coffer offers one key spec, as an AWS Region offers a subset of specs: AWS refuses a spec
 * the Region does not offer with the enum failure listing the ones it does.
 */
function checkKeySpec(input: CreateKeyInput): void {
  if (input.KeySpec !== undefined && input.CustomerMasterKeySpec !== undefined) {
    throw validationError('You cannot specify KeySpec and CustomerMasterKeySpec in the same request. CustomerMasterKeySpec is deprecated.');
  }
  const [member, spec] = input.KeySpec !== undefined ? ['keySpec', input.KeySpec] : ['customerMasterKeySpec', input.CustomerMasterKeySpec];
  if (spec !== undefined && spec !== SPEC) {
    throw validationError(`1 validation error detected: Value '${spec}' at '${member}' failed to satisfy constraint: Member must satisfy enum value set: [${SPEC}]`);
  }
  if (input.KeyUsage !== undefined && input.KeyUsage !== 'ENCRYPT_DECRYPT') {
    throw validationError(`KeyUsage ${input.KeyUsage} is not compatible with KeySpec ${SPEC}`);
  }
  if (input.Origin !== undefined && input.Origin !== 'AWS_KMS') {
    throw new AwsError('UnsupportedOperationException', `Origin ${input.Origin} is not supported: coffer generates the key material of every key (Origin AWS_KMS).`);
  }
  if (input.MultiRegion === true) {
    throw new AwsError('UnsupportedOperationException', 'Multi-Region keys are not supported: coffer keys belong to one Region.');
  }
  if (input.CustomKeyStoreId !== undefined || input.XksKeyId !== undefined) {
    throw new AwsError('CustomKeyStoreNotFoundException', 'coffer has no custom key stores.');
  }
}

/**
 * The lock-out safety check: the principal making the request must be allowed to call
 * PutKeyPolicy under the new policy, or it could never change the policy again.
 */
export async function checkLockout(ctx: RequestContext, arn: string, accountId: string, policy: string): Promise<void> {
  const decision = await ctx.decide({
    action: 'kms:PutKeyPolicy', resource: arn, resourcePolicy: policy, resourcePolicyRequired: true, resourceAccountId: accountId,
    conditions: { 'kms:CallerAccount': ctx.principal.accountId, 'kms:BypassPolicyLockoutSafetyCheck': false },
  });
  if (!decision.allowed) throw new AwsError('MalformedPolicyDocumentException', LOCKOUT);
}

export const createKey = (deps: KmsDeps) => operation({
  async plan(ctx, input: CreateKeyInput) {
    checkKeySpec(input);
    const tags = tagsFromRequest(input.Tags);
    const conditions = {
      'kms:KeySpec': SPEC, 'kms:KeyUsage': 'ENCRYPT_DECRYPT', 'kms:KeyOrigin': 'AWS_KMS', 'kms:MultiRegion': false,
      'kms:BypassPolicyLockoutSafetyCheck': input.BypassPolicyLockoutSafetyCheck === true,
      ...requestTagConditions(input.Tags ? tags : undefined),
    };
    const authorization = [onAccount(ctx, 'kms:CreateKey', conditions)];
    // Tags on CreateKey need kms:TagResource too (AWS: "in an IAM policy").
    if (Object.keys(tags).length > 0) authorization.push(onAccount(ctx, 'kms:TagResource', requestTagConditions(tags)));
    return { authorization, state: tags };
  },
  async run(ctx, input: CreateKeyInput, tags) {
    const accountId = ctx.principal.accountId;
    const keyId = randomUUID();
    const arn = keyArn(ctx.region, accountId, keyId);
    let policy = defaultKeyPolicy(accountId);
    if (input.Policy !== undefined) {
      await checkKeyPolicy(input.Policy, deps.principalExists);
      if (input.BypassPolicyLockoutSafetyCheck !== true) await checkLockout(ctx, arn, accountId, input.Policy);
      policy = input.Policy;
    }
    await deps.writer.createKey({ keyId, accountId, region: ctx.region, policy, description: input.Description ?? '', tags, now: deps.now() });
    const key = await deps.keys.getKey(keyId);
    return { KeyMetadata: keyMetadata(key!) };
  },
});

export const describeKey = (deps: KmsDeps) => operation({
  async plan(ctx, input: KeyIdInput) {
    const found = await findKey(deps.keys, ctx, input.KeyId, { crossAccount: true });
    return { authorization: onKey(ctx, found, 'kms:DescribeKey'), state: found };
  },
  async run(_ctx, _input: KeyIdInput, found: FoundKey) {
    return { KeyMetadata: keyMetadata(found.key) };
  },
});

interface ListKeysInput {
  Limit?: number;
  Marker?: string;
}

export const listKeys = (deps: KmsDeps) => operation({
  async plan(ctx, _input: ListKeysInput) {
    return { authorization: onAccount(ctx, 'kms:ListKeys'), state: undefined };
  },
  async run(ctx, input: ListKeysInput) {
    const rows = await deps.keys.database.selectFrom('kms_keys').select(['key_id', 'arn'])
      .where('account_id', '=', ctx.principal.accountId).where('region', '=', ctx.region).execute();
    rows.sort(byKey((r) => r.key_id));
    const result = page(rows, (r) => r.key_id, input.Limit, input.Marker, 100);
    return { Keys: result.items.map((r) => ({ KeyId: r.key_id, KeyArn: r.arn })), NextMarker: result.NextMarker, Truncated: result.Truncated };
  },
});

interface UpdateKeyDescriptionInput {
  KeyId: string;
  Description: string;
}

export const updateKeyDescription = (deps: KmsDeps) => operation({
  async plan(ctx, input: UpdateKeyDescriptionInput) {
    const found = await findKey(deps.keys, ctx, input.KeyId);
    return { authorization: onKey(ctx, found, 'kms:UpdateKeyDescription'), state: found };
  },
  async run(_ctx, input: UpdateKeyDescriptionInput, found: FoundKey) {
    await deps.writer.update(found.key.keyId, (row) => {
      requireNotPendingDeletion(stateOf(row));
      return { description: input.Description };
    });
    return {};
  },
});

/** Enable/Disable: a key pending deletion must first have its deletion cancelled. */
const setEnabled = (deps: KmsDeps, enabled: boolean) => operation({
  async plan(ctx, input: KeyIdInput) {
    const found = await findKey(deps.keys, ctx, input.KeyId);
    return { authorization: onKey(ctx, found, enabled ? 'kms:EnableKey' : 'kms:DisableKey'), state: found };
  },
  async run(_ctx, _input: KeyIdInput, found: FoundKey) {
    await deps.writer.update(found.key.keyId, (row) => {
      requireNotPendingDeletion(stateOf(row));
      return { key_state: enabled ? 'Enabled' : 'Disabled' };
    });
    return {};
  },
});

export const enableKey = (deps: KmsDeps) => setEnabled(deps, true);
export const disableKey = (deps: KmsDeps) => setEnabled(deps, false);

interface ScheduleKeyDeletionInput {
  KeyId: string;
  PendingWindowInDays?: number;
}

export const scheduleKeyDeletion = (deps: KmsDeps) => operation({
  async plan(ctx, input: ScheduleKeyDeletionInput) {
    const days = input.PendingWindowInDays ?? 30;
    if (days < 7 || days > 30) throw validationError(`PendingWindowInDays should be between 7 and 30, but it is ${days}`);
    const found = await findKey(deps.keys, ctx, input.KeyId);
    return { authorization: onKey(ctx, found, 'kms:ScheduleKeyDeletion'), state: found };
  },
  async run(_ctx, input: ScheduleKeyDeletionInput, found: FoundKey) {
    const days = input.PendingWindowInDays ?? 30;
    const deletionDate = deps.now() + days * DAY_MS;
    await deps.writer.update(found.key.keyId, (row) => {
      requireNotPendingDeletion(stateOf(row));
      return { key_state: 'PendingDeletion', deletion_date: deletionDate, pending_window_days: days };
    });
    return { KeyId: found.key.arn, DeletionDate: new Date(deletionDate), KeyState: 'PendingDeletion', PendingWindowInDays: days };
  },
});

export const cancelKeyDeletion = (deps: KmsDeps) => operation({
  async plan(ctx, input: KeyIdInput) {
    const found = await findKey(deps.keys, ctx, input.KeyId);
    return { authorization: onKey(ctx, found, 'kms:CancelKeyDeletion'), state: found };
  },
  async run(_ctx, _input: KeyIdInput, found: FoundKey) {
    await deps.writer.update(found.key.keyId, (row) => {
      if (row.key_state !== 'PendingDeletion') throw new AwsError('KMSInvalidStateException', `${row.arn} is not pending deletion.`);
      // AWS leaves a key whose deletion was cancelled Disabled.
      return { key_state: 'Disabled', deletion_date: null, pending_window_days: null };
    });
    return { KeyId: found.key.arn };
  },
});
