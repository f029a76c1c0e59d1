/**
 * Key rotation: EnableKeyRotation/DisableKeyRotation/GetKeyRotationStatus, RotateKeyOnDemand
 * and ListKeyRotations. Rotating adds key material and makes it current; every older version
 * stays, so what was encrypted before still decrypts. Automatic rotations are made by the
 * maintenance task (key-maintenance.ts) when NextRotationDate comes.
 */
import { AwsError } from '../../../errors.ts';
import { operation } from '../../../protocol/operation.ts';
import type { KmsDeps } from '../deps.ts';
import { findKey, requireUsable, stateOf, type FoundKey } from '../key-lookup.ts';
import { onKey } from '../authorization.ts';
import { DAY_MS } from '../key-store.ts';
import { keyMaterialId } from '../key-crypto.ts';
import { page } from '../paging.ts';

/** AWS allows ten on-demand rotations per key. */
export const ON_DEMAND_LIMIT = 10;
const DEFAULT_PERIOD_DAYS = 365;

interface KeyIdInput {
  KeyId: string;
}

interface EnableKeyRotationInput {
  KeyId: string;
  RotationPeriodInDays?: number;
}

export const enableKeyRotation = (deps: KmsDeps) => operation({
  async plan(ctx, input: EnableKeyRotationInput) {
    const found = await findKey(deps.keys, ctx, input.KeyId);
    return { authorization: onKey(ctx, found, 'kms:EnableKeyRotation'), state: found };
  },
  async run(_ctx, input: EnableKeyRotationInput, found: FoundKey) {
    const now = deps.now();
    await deps.writer.update(found.key.keyId, (row) => {
      requireUsable(stateOf(row));
      const period = input.RotationPeriodInDays ?? row.rotation_period_days ?? DEFAULT_PERIOD_DAYS;
      // Already on with the same period: the schedule stands. Otherwise it starts now.
      if (row.rotation_enabled === 1 && row.rotation_period_days === period) return {};
      return { rotation_enabled: 1, rotation_period_days: period, next_rotation_at: now + period * DAY_MS };
    });
    return {};
  },
});

export const disableKeyRotation = (deps: KmsDeps) => operation({
  async plan(ctx, input: KeyIdInput) {
    const found = await findKey(deps.keys, ctx, input.KeyId);
    return { authorization: onKey(ctx, found, 'kms:DisableKeyRotation'), state: found };
  },
  async run(_ctx, _input: KeyIdInput, found: FoundKey) {
    await deps.writer.update(found.key.keyId, (row) => {
      requireUsable(stateOf(row));
      return { rotation_enabled: 0, rotation_period_days: null, next_rotation_at: null };
    });
    return {};
  },
});

export const getKeyRotationStatus = (deps: KmsDeps) => operation({
  async plan(ctx, input: KeyIdInput) {
    const found = await findKey(deps.keys, ctx, input.KeyId, { crossAccount: true });
    return { authorization: onKey(ctx, found, 'kms:GetKeyRotationStatus'), state: found };
  },
  async run(_ctx, _input: KeyIdInput, { key }: FoundKey) {
    return {
      KeyRotationEnabled: key.rotationEnabled,
      KeyId: key.arn,
      RotationPeriodInDays: key.rotationEnabled ? key.rotationPeriodDays : undefined,
      NextRotationDate: key.rotationEnabled && key.nextRotationAt !== undefined ? new Date(key.nextRotationAt) : undefined,
    };
  },
});

export const rotateKeyOnDemand = (deps: KmsDeps) => operation({
  async plan(ctx, input: KeyIdInput) {
    const found = await findKey(deps.keys, ctx, input.KeyId);
    return { authorization: onKey(ctx, found, 'kms:RotateKeyOnDemand'), state: found };
  },
  async run(_ctx, _input: KeyIdInput, found: FoundKey) {
    await deps.writer.rotate(found.key.keyId, 'ON_DEMAND', deps.now(), async (row, trx) => {
      requireUsable(stateOf(row));
      const done = await trx.selectFrom('kms_key_materials').select((eb) => eb.fn.countAll<number>().as('n'))
        .where('key_id', '=', row.key_id).where('rotation_type', '=', 'ON_DEMAND').executeTakeFirst();
      if (Number(done?.n ?? 0) >= ON_DEMAND_LIMIT) {
        throw new AwsError('LimitExceededException',
          `The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be performed for this key: ${row.arn}`);
      }
    });
    return { KeyId: found.key.arn };
  },
});

interface ListKeyRotationsInput {
  KeyId: string;
  IncludeKeyMaterial?: 'ALL_KEY_MATERIAL' | 'ROTATIONS_ONLY';
  Limit?: number;
  Marker?: string;
}

export const listKeyRotations = (deps: KmsDeps) => operation({
  async plan(ctx, input: ListKeyRotationsInput) {
    const found = await findKey(deps.keys, ctx, input.KeyId);
    return { authorization: onKey(ctx, found, 'kms:ListKeyRotations'), state: found };
  },
  async run(_ctx, input: ListKeyRotationsInput, { key }: FoundKey) {
    const rows = await deps.keys.database.selectFrom('kms_key_materials').select(['material_version', 'created_at', 'rotation_type'])
      .where('key_id', '=', key.keyId).orderBy('material_version').execute();
    const listed = input.IncludeKeyMaterial === 'ALL_KEY_MATERIAL' ? rows : rows.filter((r) => r.rotation_type !== null);
    // Versions sort as fixed-width text so the marker comparison follows their order.
    const sortKey = (r: { material_version: number }) => String(r.material_version).padStart(10, '0');
    const result = page(listed, sortKey, input.Limit, input.Marker, 100);
    return {
      Rotations: result.items.map((r) => ({
        KeyId: key.arn,
        KeyMaterialId: keyMaterialId(key.keyId, r.material_version),
        KeyMaterialState: r.material_version === key.currentMaterial ? 'CURRENT' : 'NON_CURRENT',
        RotationDate: r.rotation_type === null ? undefined : new Date(Number(r.created_at)),
        RotationType: r.rotation_type ?? undefined,
      })),
      NextMarker: result.NextMarker,
      Truncated: result.Truncated,
    };
  },
});
