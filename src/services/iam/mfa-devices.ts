/**
 * Virtual MFA devices: CreateVirtualMFADevice, EnableMFADevice, ResyncMFADevice,
 * DeactivateMFADevice, DeleteVirtualMFADevice, ListMFADevices, ListVirtualMFADevices. A device
 * is created unassigned (its seed returned once, as base32 text and as a QR code PNG), enabled
 * for one user with two consecutive TOTP codes, and can be deleted only once deactivated. A
 * code is accepted once, whichever operation uses it (mfa-store.ts).
 */
import { AwsError } from '../../errors.ts';
import { operation } from '../../protocol/operation.ts';
import { transaction } from '../../storage/transaction.ts';
import type { IamDeps } from './deps.ts';
import {
  checkTagKeysUnique, deleteConflict, entityAlreadyExists, invalidInput, noSuchEntity, limitExceeded, MAX_TAGS, nameKey, pageOf, readTags,
  requestTagConditions, type Tag,
} from './entities.ts';
import { callerUser, findUser, noSuchUser, requireUser, userOutput, type UserRow } from './identity-store.ts';
import { onUser } from './user-auth.ts';
import {
  consecutiveCodesStep, findDeviceBySerial, newSeed, noSuchDevice, sealSeed, seedBase32, stepAt, type MfaDeviceRow, type Sealer,
} from './mfa-store.ts';
import { otpauthUri, qrCodePng } from './mfa-qr-code.ts';

const mfaArn = (accountId: string, path: string, name: string) => `arn:aws:iam::${accountId}:mfa${path}${name}`;
const invalidCode = () => new AwsError('InvalidAuthenticationCode', 'Authentication code for device is not valid.', 403);

function sealerOf(deps: IamDeps): Sealer {
  // The server always provides one; without it a seed could not be kept secret, so refuse.
  if (!deps.sealer) throw new AwsError('ServiceFailure', 'MFA devices are not available on this server.', 500);
  return deps.sealer;
}

interface CreateInput { VirtualMFADeviceName: string; Path?: string; Tags?: Tag[] }

export function createVirtualMfaDevice(deps: IamDeps) {
  return operation<CreateInput, { VirtualMFADevice: Record<string, unknown> }, undefined>({
    async plan(ctx, input) {
      const path = input.Path ?? '/';
      return { authorization: { action: 'iam:CreateVirtualMFADevice', resource: mfaArn(ctx.principal.accountId, path, input.VirtualMFADeviceName), conditions: requestTagConditions(input.Tags) }, state: undefined };
    },
    async run(ctx, input) {
      const sealer = sealerOf(deps);
      const accountId = ctx.principal.accountId;
      const path = input.Path ?? '/';
      const tags = (input.Tags ?? []).map((t) => ({ Key: t.Key, Value: t.Value ?? '' }));
      checkTagKeysUnique(tags);
      if (tags.length > MAX_TAGS) throw limitExceeded(`The number of tags has reached the maximum limit of ${MAX_TAGS}.`);
      const serialNumber = mfaArn(accountId, path, input.VirtualMFADeviceName);
      const seed = newSeed();
      const exists = () => entityAlreadyExists('MFADevice entity at the same path and name already exists.');
      const key = nameKey(input.VirtualMFADeviceName);
      const found = () => deps.db.selectFrom('iam_mfa_devices').select('device_key').where('account_id', '=', accountId).where('device_key', '=', key).executeTakeFirst();
      if (await found()) throw exists();
      try {
        await deps.db.insertInto('iam_mfa_devices').values({
          account_id: accountId, device_key: key, device_name: input.VirtualMFADeviceName, path, serial_number: serialNumber,
          seed_sealed: sealSeed(sealer, serialNumber, seed), tags: JSON.stringify(tags), user_key: null, enabled_at: null, created_at: deps.now(),
        }).execute();
      } catch (err) {
        if (await found()) throw exists();
        throw err;
      }
      deps.changed();
      // Blobs on the wire (base64-encoded by the serializer), as AWS sends them: the base32
      // text's bytes, and the PNG of the otpauth:// URI holding the same seed.
      const base32 = seedBase32(seed);
      const png = await qrCodePng(otpauthUri(input.VirtualMFADeviceName, accountId, base32));
      return {
        VirtualMFADevice: {
          SerialNumber: serialNumber, Base32StringSeed: Buffer.from(base32, 'ascii'), QRCodePNG: png, ...(tags.length ? { Tags: tags } : {}),
        },
      };
    },
  });
}

interface EnableInput { UserName: string; SerialNumber: string; AuthenticationCode1: string; AuthenticationCode2: string }

export function enableMfaDevice(deps: IamDeps) {
  return operation<EnableInput, Record<string, never>, UserRow | undefined>({
    async plan(ctx, input) {
      const row = await findUser(deps.db, ctx.principal.accountId, input.UserName);
      return { authorization: onUser('iam:EnableMFADevice', ctx.principal.accountId, input.UserName, row), state: row };
    },
    async run(ctx, input, planned) {
      if (!planned) throw noSuchUser(input.UserName);
      const sealer = sealerOf(deps);
      const accountId = ctx.principal.accountId;
      await transaction(deps.db, async (trx) => {
        const user = await requireUser(trx, accountId, input.UserName);
        const device = await findDeviceBySerial(trx, accountId, input.SerialNumber);
        if (!device) throw noSuchDevice(input.SerialNumber);
        if (device.user_key !== null) throw entityAlreadyExists('MFA Device is already in use.');
        const step = consecutiveCodesStep(sealer, device, input.AuthenticationCode1, input.AuthenticationCode2, deps.now());
        if (step === undefined) throw invalidCode();
        // The second code's step is used up with the assignment: neither code works again.
        const updated = await trx.updateTable('iam_mfa_devices').set({ user_key: user.user_key, enabled_at: deps.now(), last_used_step: step, drift_steps: null })
          .where('account_id', '=', accountId).where('device_key', '=', device.device_key).where('user_key', 'is', null)
          .where((eb) => eb.or([eb('last_used_step', 'is', null), eb('last_used_step', '<', step)]))
          .executeTakeFirst();
        if (Number(updated.numUpdatedRows) !== 1) throw entityAlreadyExists('MFA Device is already in use.');
      });
      deps.changed();
      return {};
    },
  });
}

/** How far ResyncMFADevice looks for the pair of codes: an hour either side of the server's clock. */
const RESYNC_STEPS = 120;

export function resyncMfaDevice(deps: IamDeps) {
  return operation<EnableInput, Record<string, never>, UserRow | undefined>({
    async plan(ctx, input) {
      const row = await findUser(deps.db, ctx.principal.accountId, input.UserName);
      return { authorization: onUser('iam:ResyncMFADevice', ctx.principal.accountId, input.UserName, row), state: row };
    },
    async run(ctx, input, planned) {
      if (!planned) throw noSuchUser(input.UserName);
      const sealer = sealerOf(deps);
      const accountId = ctx.principal.accountId;
      await transaction(deps.db, async (trx) => {
        const user = await requireUser(trx, accountId, input.UserName);
        const device = await findDeviceBySerial(trx, accountId, input.SerialNumber);
        if (!device || device.user_key !== user.user_key) throw noSuchDevice(input.SerialNumber);
        const now = deps.now();
        const step = consecutiveCodesStep(sealer, device, input.AuthenticationCode1, input.AuthenticationCode2, now, -RESYNC_STEPS, RESYNC_STEPS);
        if (step === undefined) throw invalidCode();
        // The device's clock is `step - now` steps off ours; later codes are checked with that offset.
        const updated = await trx.updateTable('iam_mfa_devices').set({ last_used_step: step, drift_steps: step - stepAt(now) })
          .where('account_id', '=', accountId).where('device_key', '=', device.device_key).where('user_key', '=', user.user_key)
          .where((eb) => eb.or([eb('last_used_step', 'is', null), eb('last_used_step', '<', step)]))
          .executeTakeFirst();
        if (Number(updated.numUpdatedRows) !== 1) throw invalidCode();
      });
      deps.changed();
      return {};
    },
  });
}

export function deactivateMfaDevice(deps: IamDeps) {
  return operation<{ UserName?: string; SerialNumber: string }, Record<string, never>, UserRow | undefined>({
    async plan(ctx, input) {
      const accountId = ctx.principal.accountId;
      const row = input.UserName === undefined ? await callerUser(deps.db, ctx) : await findUser(deps.db, accountId, input.UserName);
      return { authorization: onUser('iam:DeactivateMFADevice', accountId, input.UserName ?? row!.user_name, row), state: row };
    },
    async run(ctx, input, user) {
      if (!user) throw noSuchUser(input.UserName!);
      const accountId = ctx.principal.accountId;
      const updated = await deps.db.updateTable('iam_mfa_devices').set({ user_key: null, enabled_at: null })
        .where('account_id', '=', accountId).where('serial_number', '=', input.SerialNumber).where('user_key', '=', user.user_key).executeTakeFirst();
      if (Number(updated.numUpdatedRows) !== 1) throw noSuchEntity(`MFA Device with serial number ${input.SerialNumber} does not exist.`);
      deps.changed();
      return {};
    },
  });
}

export function deleteVirtualMfaDevice(deps: IamDeps) {
  return operation<{ SerialNumber: string }, Record<string, never>, undefined>({
    async plan(_ctx, input) {
      return { authorization: { action: 'iam:DeleteVirtualMFADevice', resource: input.SerialNumber }, state: undefined };
    },
    async run(ctx, input) {
      const accountId = ctx.principal.accountId;
      await transaction(deps.db, async (trx) => {
        const device = await findDeviceBySerial(trx, accountId, input.SerialNumber);
        if (!device) throw noSuchDevice(input.SerialNumber);
        if (device.user_key !== null) throw deleteConflict('MFA VirtualDevice in use. Must deactivate first.');
        await trx.deleteFrom('iam_mfa_devices').where('account_id', '=', accountId).where('device_key', '=', device.device_key).execute();
      });
      deps.changed();
      return {};
    },
  });
}

export function listMfaDevices(deps: IamDeps) {
  return operation<{ UserName?: string; Marker?: string; MaxItems?: number }, Record<string, unknown>, UserRow | undefined>({
    async plan(ctx, input) {
      const accountId = ctx.principal.accountId;
      // The root user's own devices are not IAM entities coffer keeps: its list is empty.
      if (input.UserName === undefined && ctx.principal.type === 'Root') return { authorization: { action: 'iam:ListMFADevices', resource: ctx.principal.arn }, state: undefined };
      const row = input.UserName === undefined ? await callerUser(deps.db, ctx) : await findUser(deps.db, accountId, input.UserName);
      return { authorization: onUser('iam:ListMFADevices', accountId, input.UserName ?? row!.user_name, row), state: row };
    },
    async run(ctx, input, user) {
      if (!user) {
        if (input.UserName !== undefined) throw noSuchUser(input.UserName);
        return { MFADevices: [], IsTruncated: false };
      }
      const rows = await deps.db.selectFrom('iam_mfa_devices').selectAll()
        .where('account_id', '=', ctx.principal.accountId).where('user_key', '=', user.user_key).execute();
      const { page, ...paging } = pageOf(rows, (r) => r.serial_number, input.Marker, input.MaxItems);
      return {
        MFADevices: page.map((r) => ({ UserName: user.user_name, SerialNumber: r.serial_number, EnableDate: new Date(Number(r.enabled_at)) })),
        ...paging,
      };
    },
  });
}

type AssignmentStatus = 'Assigned' | 'Unassigned' | 'Any';

export function listVirtualMfaDevices(deps: IamDeps) {
  return operation<{ AssignmentStatus?: AssignmentStatus; Marker?: string; MaxItems?: number }, Record<string, unknown>, undefined>({
    async plan(ctx) {
      return { authorization: { action: 'iam:ListVirtualMFADevices', resource: `arn:aws:iam::${ctx.principal.accountId}:mfa/*` }, state: undefined };
    },
    async run(ctx, input) {
      const accountId = ctx.principal.accountId;
      const status = input.AssignmentStatus ?? 'Any';
      if (!['Assigned', 'Unassigned', 'Any'].includes(status)) throw invalidInput(`Invalid AssignmentStatus: ${status}`);
      let rows: MfaDeviceRow[] = await deps.db.selectFrom('iam_mfa_devices').selectAll().where('account_id', '=', accountId).execute();
      if (status !== 'Any') rows = rows.filter((r) => (r.user_key !== null) === (status === 'Assigned'));
      const users = new Map((await deps.db.selectFrom('iam_users').selectAll().where('account_id', '=', accountId).execute()).map((u) => [u.user_key, u]));
      const { page, ...paging } = pageOf(rows, (r) => r.serial_number, input.Marker, input.MaxItems);
      return {
        VirtualMFADevices: page.map((r) => {
          const user = r.user_key !== null ? users.get(r.user_key) : undefined;
          const tags = readTags(r.tags);
          return {
            SerialNumber: r.serial_number,
            ...(user ? { User: userOutput(user), EnableDate: new Date(Number(r.enabled_at)) } : {}),
            ...(tags.length ? { Tags: tags } : {}),
          };
        }),
        ...paging,
      };
    },
  });
}

export function mfaDeviceOperations(deps: IamDeps) {
  return {
    CreateVirtualMFADevice: createVirtualMfaDevice(deps),
    EnableMFADevice: enableMfaDevice(deps),
    ResyncMFADevice: resyncMfaDevice(deps),
    DeactivateMFADevice: deactivateMfaDevice(deps),
    DeleteVirtualMFADevice: deleteVirtualMfaDevice(deps),
    ListMFADevices: listMfaDevices(deps),
    ListVirtualMFADevices: listVirtualMfaDevices(deps),
  };
}
