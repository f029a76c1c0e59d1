/**
 * Virtual MFA codes are good once, and devices come with their QR code:
 * - CreateVirtualMFADevice returns QRCodePNG, a real PNG whose QR code (decoded here with an
 *   independent reader, @paulmillr/qr) is AWS's `otpauth://totp/<name>@<account>?secret=<seed>`,
 *   the same seed as Base32StringSeed; the AWS CLI writes either to a file (--bootstrap-method);
 * - a code accepted by EnableMFADevice, ResyncMFADevice, GetSessionToken or AssumeRole is
 *   refused when presented again, also concurrently, by a second server on the same database,
 *   and after a restart;
 * - ResyncMFADevice finds a device whose clock drifted and checks later codes with that offset.
 * Codes are computed here with otpauth from the seed the API returned.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Secret, TOTP } from 'otpauth';
import { PNG } from 'pngjs';
import decodeQR from '@paulmillr/qr/decode.js';
import {
  CreateRoleCommand, CreateVirtualMFADeviceCommand, DeactivateMFADeviceCommand, EnableMFADeviceCommand, PutUserPolicyCommand,
  ResyncMFADeviceCommand, type IAMClient,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetSessionTokenCommand } from '@aws-sdk/client-sts';
import { startServer, type Credentials, type TestServer } from './helpers/server.ts';
import { awsCli } from './helpers/clients.ts';
import { iamClient, stsClient, userWithKey } from './helpers/iam.ts';
import { rejectsWith as rejects } from './helpers/secrets.ts';

const STEP = 30_000;
const BAD_CODE = 'MultiFactorAuthentication failed with invalid MFA one time pass code. ';
const INVALID_AUTH_CODE = 'Authentication code for device is not valid.';

const totpOf = (base32: string) => new TOTP({ secret: Secret.fromBase32(base32), algorithm: 'SHA1', digits: 6, period: 30 });
/** The code of the 30-second step `k` steps from now. */
const codeAt = (t: TOTP, k: number) => t.generate({ timestamp: Date.now() + k * STEP });

function decodePng(png: Uint8Array): string {
  const image = PNG.sync.read(Buffer.from(png));
  return decodeQR({ width: image.width, height: image.height, data: image.data });
}

describe('virtual MFA: QR code and single-use codes', () => {
  let server: TestServer;
  let iam: IAMClient;

  before(async () => {
    server = await startServer();
    iam = iamClient(server);
  });
  after(() => server?.destroy());

  /** A user with a key and an enabled device (enabled with the two codes before the current one). */
  async function userWithDevice(name: string): Promise<{ credentials: Credentials; arn: string; serial: string; totp: TOTP }> {
    const user = await userWithKey(iam, name);
    const { VirtualMFADevice } = await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: `${name}-phone` }));
    const totp = totpOf(Buffer.from(VirtualMFADevice!.Base32StringSeed!).toString('ascii'));
    const serial = VirtualMFADevice!.SerialNumber!;
    await iam.send(new EnableMFADeviceCommand({ UserName: name, SerialNumber: serial, AuthenticationCode1: codeAt(totp, -2), AuthenticationCode2: codeAt(totp, -1) }));
    return { ...user, serial, totp };
  }

  test('QRCodePNG is a PNG of otpauth://totp/<name>@<account>?secret=<Base32StringSeed>', async () => {
    const { VirtualMFADevice } = await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'qr-phone' }));
    const base32 = Buffer.from(VirtualMFADevice!.Base32StringSeed!).toString('ascii');
    assert.match(base32, /^[A-Z2-7]{32}$/);
    const png = VirtualMFADevice!.QRCodePNG!;
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
    assert.equal(decodePng(png), `otpauth://totp/qr-phone@${server.accountId}?secret=${base32}`);
    // The seed in the picture is the device's: its codes enable it.
    const totp = totpOf(base32);
    await userWithKey(iam, 'qr-user');
    await iam.send(new EnableMFADeviceCommand({ UserName: 'qr-user', SerialNumber: VirtualMFADevice!.SerialNumber!, AuthenticationCode1: codeAt(totp, -2), AuthenticationCode2: codeAt(totp, -1) }));
  });

  test('the AWS CLI writes the QR code PNG or the seed to a file (--outfile, --bootstrap-method)', async () => {
    const pngFile = join(server.dataDir, 'cli-qr.png');
    const out = await awsCli(server, ['iam', 'create-virtual-mfa-device', '--virtual-mfa-device-name', 'cli-phone', '--outfile', pngFile, '--bootstrap-method', 'QRCodePNG']);
    assert.equal(out.code, 0, out.stderr);
    assert.equal(out.json.VirtualMFADevice.SerialNumber, `arn:aws:iam::${server.accountId}:mfa/cli-phone`);
    assert.match(decodePng(readFileSync(pngFile)), new RegExp(`^otpauth://totp/cli-phone@${server.accountId}\\?secret=[A-Z2-7]{32}$`));
    const seedFile = join(server.dataDir, 'cli-seed.txt');
    const seeded = await awsCli(server, ['iam', 'create-virtual-mfa-device', '--virtual-mfa-device-name', 'cli-phone-2', '--outfile', seedFile, '--bootstrap-method', 'Base32StringSeed']);
    assert.equal(seeded.code, 0, seeded.stderr);
    assert.match(readFileSync(seedFile, 'utf8'), /^[A-Z2-7]{32}$/);
  });

  test('GetSessionToken and AssumeRole: a code is accepted once; an earlier one is refused after it; the next one works', async () => {
    const bob = await userWithDevice('once-bob');
    await iam.send(new PutUserPolicyCommand({ UserName: 'once-bob', PolicyName: 'assume', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }] }) }));
    await iam.send(new CreateRoleCommand({
      RoleName: 'once-role',
      AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: bob.arn }, Action: 'sts:AssumeRole', Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } }] }),
    }));
    const sts = stsClient(server, bob.credentials);
    const now = codeAt(bob.totp, 0);
    await sts.send(new GetSessionTokenCommand({ SerialNumber: bob.serial, TokenCode: now }));
    await rejects(sts.send(new GetSessionTokenCommand({ SerialNumber: bob.serial, TokenCode: now })), 'AccessDenied', BAD_CODE, 403);
    const assume = (code: string) => sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${server.accountId}:role/once-role`, RoleSessionName: 'mfa', SerialNumber: bob.serial, TokenCode: code }));
    await rejects(assume(now), 'AccessDenied', BAD_CODE, 403);
    // The previous step's code is still in the clock-drift window, but older than the one used.
    await rejects(assume(codeAt(bob.totp, -1)), 'AccessDenied', BAD_CODE, 403);
    const next = codeAt(bob.totp, 1);
    assert.ok((await assume(next)).Credentials?.AccessKeyId);
    await rejects(sts.send(new GetSessionTokenCommand({ SerialNumber: bob.serial, TokenCode: next })), 'AccessDenied', BAD_CODE, 403);
  });

  test('concurrent requests with one code: exactly one succeeds', async () => {
    const carol = await userWithDevice('once-carol');
    const code = codeAt(carol.totp, 0);
    const sts = stsClient(server, carol.credentials);
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => sts.send(new GetSessionTokenCommand({ SerialNumber: carol.serial, TokenCode: code }))));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1, JSON.stringify(results.map((r) => r.status)));
    for (const r of results) if (r.status === 'rejected') assert.equal((r.reason as Error).message, BAD_CODE);
  });

  test('EnableMFADevice: the pair that enabled a device cannot enable it again, nor open a session', async () => {
    const user = await userWithKey(iam, 'once-dave');
    const { VirtualMFADevice } = await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'once-dave-phone' }));
    const totp = totpOf(Buffer.from(VirtualMFADevice!.Base32StringSeed!).toString('ascii'));
    const serial = VirtualMFADevice!.SerialNumber!;
    const pair = { UserName: 'once-dave', SerialNumber: serial, AuthenticationCode1: codeAt(totp, -1), AuthenticationCode2: codeAt(totp, 0) };
    await iam.send(new EnableMFADeviceCommand(pair));
    // The second code of the pair is used up by the enabling.
    await rejects(stsClient(server, user.credentials).send(new GetSessionTokenCommand({ SerialNumber: serial, TokenCode: pair.AuthenticationCode2 })), 'AccessDenied', BAD_CODE);
    await iam.send(new DeactivateMFADeviceCommand({ UserName: 'once-dave', SerialNumber: serial }));
    await rejects(iam.send(new EnableMFADeviceCommand(pair)), 'InvalidAuthenticationCodeException', INVALID_AUTH_CODE, 403);
  });

  test('ResyncMFADevice: finds a drifted clock, checks later codes with the offset, and refuses its own pair again', async () => {
    const erin = await userWithDevice('drift-erin');
    const sts = stsClient(server, erin.credentials);
    // The device runs ten minutes ahead: its current code is 20 steps away, outside the window.
    await rejects(sts.send(new GetSessionTokenCommand({ SerialNumber: erin.serial, TokenCode: codeAt(erin.totp, 20) })), 'AccessDenied', BAD_CODE);
    const resync = { UserName: 'drift-erin', SerialNumber: erin.serial, AuthenticationCode1: codeAt(erin.totp, 20), AuthenticationCode2: codeAt(erin.totp, 21) };
    await iam.send(new ResyncMFADeviceCommand(resync));
    assert.ok((await sts.send(new GetSessionTokenCommand({ SerialNumber: erin.serial, TokenCode: codeAt(erin.totp, 22) }))).Credentials);
    await rejects(iam.send(new ResyncMFADeviceCommand(resync)), 'InvalidAuthenticationCodeException', INVALID_AUTH_CODE, 403);
    await rejects(iam.send(new ResyncMFADeviceCommand({ ...resync, AuthenticationCode1: '000000', AuthenticationCode2: '000000' })), 'InvalidAuthenticationCodeException', INVALID_AUTH_CODE);
    await rejects(iam.send(new ResyncMFADeviceCommand({ ...resync, UserName: 'once-bob' })), 'NoSuchEntityException');

    const cli = await awsCli(server, ['iam', 'resync-mfa-device', '--user-name', 'drift-erin', '--serial-number', erin.serial,
      '--authentication-code1', codeAt(erin.totp, 23), '--authentication-code2', codeAt(erin.totp, 24)]);
    assert.equal(cli.code, 0, cli.stderr);
  });

  test('a used code is refused by a second server on the same database, and after a restart', async () => {
    const frank = await userWithDevice('restart-frank');
    const code = codeAt(frank.totp, 0);
    await stsClient(server, frank.credentials).send(new GetSessionTokenCommand({ SerialNumber: frank.serial, TokenCode: code }));
    const same = { dataDir: server.dataDir, databaseUrl: server.databaseUrl, root: server.root };

    if (process.env.COFFER_TEST_DATABASE !== 'postgres') {
      // The embedded SQLite database serves one node (a second `serve` is refused): the
      // restart is the only other server there is. This is the file's last test.
      await server.stop();
      const restarted = await startServer(same);
      try {
        await rejects(stsClient(restarted, frank.credentials).send(new GetSessionTokenCommand({ SerialNumber: frank.serial, TokenCode: code })), 'AccessDenied', BAD_CODE);
      } finally {
        await restarted.stop();
      }
      return;
    }
    const second = await startServer(same);
    try {
      await rejects(stsClient(second, frank.credentials).send(new GetSessionTokenCommand({ SerialNumber: frank.serial, TokenCode: code })), 'AccessDenied', BAD_CODE);
      const next = codeAt(frank.totp, 1);
      await stsClient(second, frank.credentials).send(new GetSessionTokenCommand({ SerialNumber: frank.serial, TokenCode: next }));
      await rejects(stsClient(server, frank.credentials).send(new GetSessionTokenCommand({ SerialNumber: frank.serial, TokenCode: next })), 'AccessDenied', BAD_CODE);
      // The first server stops; the second, still on the same database, is the restarted service.
      await second.stop();
      const restarted = await startServer(same);
      try {
        await rejects(stsClient(restarted, frank.credentials).send(new GetSessionTokenCommand({ SerialNumber: frank.serial, TokenCode: next })), 'AccessDenied', BAD_CODE);
      } finally {
        await restarted.stop();
      }
    } finally {
      await second.stop();
    }
  });
});
