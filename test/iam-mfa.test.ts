/**
 * Virtual MFA devices end to end through @aws-sdk/client-iam and @aws-sdk/client-sts: create
 * (seed returned as AWS returns it), enable with two consecutive codes computed here with
 * otpauth, GetSessionToken with SerialNumber/TokenCode giving a session that satisfies
 * `aws:MultiFactorAuthPresent`, wrong codes refused as AWS refuses them, the conflicts that
 * keep an enabled device (and its user) from being deleted, listing, deactivate and delete.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Secret, TOTP } from 'otpauth';
import {
  CreateVirtualMFADeviceCommand, DeactivateMFADeviceCommand, DeleteAccessKeyCommand, DeleteUserCommand, DeleteVirtualMFADeviceCommand,
  EnableMFADeviceCommand, ListAccessKeysCommand, ListMFADevicesCommand, ListVirtualMFADevicesCommand, PutUserPolicyCommand, type IAMClient,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetSessionTokenCommand } from '@aws-sdk/client-sts';
import { CreateSecretCommand, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { startServer, type Credentials, type TestServer } from './helpers/server.ts';
import { secretsManager } from './helpers/clients.ts';
import { iamClient, stsClient, userWithKey } from './helpers/iam.ts';
import { rejectsWith as rejects } from './helpers/secrets.ts';

const STEP = 30_000;

function totpOf(seed: Uint8Array | undefined): TOTP {
  assert.ok(seed);
  // Base32StringSeed is the base32 text (a blob on the wire, base64-decoded by the SDK).
  const base32 = Buffer.from(seed).toString('ascii');
  assert.match(base32, /^[A-Z2-7]+=*$/);
  return new TOTP({ secret: Secret.fromBase32(base32), algorithm: 'SHA1', digits: 6, period: 30 });
}

/** A six-digit code that is none of the device's codes around now. */
function wrongCode(totp: TOTP): string {
  const now = Date.now();
  const valid = new Set([-2, -1, 0, 1, 2].map((k) => totp.generate({ timestamp: now + k * STEP })));
  for (let n = 0; ; n++) {
    const code = String(n).padStart(6, '0');
    if (!valid.has(code)) return code;
  }
}

describe('virtual MFA devices', () => {
  let server: TestServer;
  let iam: IAMClient;

  before(async () => {
    server = await startServer();
    iam = iamClient(server);
  });
  after(async () => { await server?.destroy(); });

  async function device(name: string): Promise<{ serial: string; totp: TOTP }> {
    const { VirtualMFADevice } = await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: name }));
    assert.equal(VirtualMFADevice?.SerialNumber, `arn:aws:iam::${server.accountId}:mfa/${name}`);
    return { serial: VirtualMFADevice!.SerialNumber!, totp: totpOf(VirtualMFADevice?.Base32StringSeed) };
  }

  /**
   * Enables with the two codes before the current one (the pair may end two steps back), so the
   * current code is still unused for the test's next MFA call: a code is accepted once.
   */
  async function enable(userName: string, serial: string, totp: TOTP): Promise<void> {
    const now = Date.now();
    await iam.send(new EnableMFADeviceCommand({
      UserName: userName, SerialNumber: serial,
      AuthenticationCode1: totp.generate({ timestamp: now - 2 * STEP }), AuthenticationCode2: totp.generate({ timestamp: now - STEP }),
    }));
  }

  test('an MFA session satisfies aws:MultiFactorAuthPresent where the long-term key does not', async () => {
    const secretName = 'mfa/guarded';
    await secretsManager(server).send(new CreateSecretCommand({ Name: secretName, SecretString: 'behind-mfa' }));
    const alice = await userWithKey(iam, 'mfa-alice');
    await iam.send(new PutUserPolicyCommand({
      UserName: 'mfa-alice', PolicyName: 'needs-mfa',
      PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: '*', Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } }] }),
    }));
    const { serial, totp } = await device('mfa-alice-phone');
    await enable('mfa-alice', serial, totp);

    const read = (c: Credentials) => secretsManager(server, { credentials: c }).send(new GetSecretValueCommand({ SecretId: secretName }));
    await rejects(read(alice.credentials), 'AccessDeniedException');
    const plain = await stsClient(server, alice.credentials).send(new GetSessionTokenCommand({}));
    await rejects(read(sessionOf(plain.Credentials)), 'AccessDeniedException');

    const mfa = await stsClient(server, alice.credentials).send(new GetSessionTokenCommand({ SerialNumber: serial, TokenCode: totp.generate() }));
    assert.equal((await read(sessionOf(mfa.Credentials))).SecretString, 'behind-mfa');
  });

  test('wrong codes and unknown devices are refused', async () => {
    const bob = await userWithKey(iam, 'mfa-bob');
    const { serial, totp } = await device('mfa-bob-phone');
    const bad = wrongCode(totp);
    await rejects(iam.send(new EnableMFADeviceCommand({ UserName: 'mfa-bob', SerialNumber: serial, AuthenticationCode1: bad, AuthenticationCode2: bad })),
      'InvalidAuthenticationCodeException', 'Authentication code for device is not valid.');
    // Not enabled yet: STS does not know the device for this user.
    await rejects(stsClient(server, bob.credentials).send(new GetSessionTokenCommand({ SerialNumber: serial, TokenCode: totp.generate() })),
      'AccessDenied', /unable to validate MFA code/);
    await enable('mfa-bob', serial, totp);
    await rejects(enable('mfa-bob', serial, totp), 'EntityAlreadyExistsException');
    await rejects(stsClient(server, bob.credentials).send(new GetSessionTokenCommand({ SerialNumber: serial, TokenCode: bad })),
      'AccessDenied', /invalid MFA one time pass code/);
    // Another user's device is not this caller's.
    const carol = await userWithKey(iam, 'mfa-carol');
    await rejects(stsClient(server, carol.credentials).send(new GetSessionTokenCommand({ SerialNumber: serial, TokenCode: totp.generate() })),
      'AccessDenied', /unable to validate MFA code/);
    await rejects(stsClient(server, carol.credentials).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${server.accountId}:role/none`, RoleSessionName: 'mfa-session', SerialNumber: serial, TokenCode: totp.generate() })),
      'AccessDenied', /unable to validate MFA code/);
  });

  test('listing, conflicts while enabled, deactivate and delete', async () => {
    const dave = await userWithKey(iam, 'mfa-dave');
    const { serial, totp } = await device('mfa-dave-phone');
    const spare = await device('mfa-spare');
    await rejects(iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'MFA-SPARE' })), 'EntityAlreadyExistsException');
    await enable('mfa-dave', serial, totp);

    const listed = await iam.send(new ListMFADevicesCommand({ UserName: 'mfa-dave' }));
    assert.deepEqual(listed.MFADevices?.map((d) => [d.UserName, d.SerialNumber]), [['mfa-dave', serial]]);
    assert.ok(listed.MFADevices?.[0]?.EnableDate instanceof Date);
    const own = await iamClient(server, dave.credentials).send(new ListMFADevicesCommand({})).catch((e: Error) => e);
    // Dave has no IAM permissions: his own listing is denied, not answered for someone else.
    assert.ok(own instanceof Error);

    const assigned = await iam.send(new ListVirtualMFADevicesCommand({ AssignmentStatus: 'Assigned' }));
    const daveDevice = assigned.VirtualMFADevices?.find((d) => d.SerialNumber === serial);
    assert.equal(daveDevice?.User?.UserName, 'mfa-dave');
    assert.equal(assigned.VirtualMFADevices?.some((d) => d.SerialNumber === spare.serial), false);
    const unassigned = await iam.send(new ListVirtualMFADevicesCommand({ AssignmentStatus: 'Unassigned' }));
    assert.equal(unassigned.VirtualMFADevices?.some((d) => d.SerialNumber === spare.serial), true);
    assert.equal(unassigned.VirtualMFADevices?.some((d) => d.SerialNumber === serial), false);
    assert.equal(unassigned.VirtualMFADevices?.every((d) => d.Base32StringSeed === undefined), true);

    await rejects(iam.send(new DeleteVirtualMFADeviceCommand({ SerialNumber: serial })), 'DeleteConflictException');
    // Dave's access key goes first, so the MFA device is what is left in the way.
    const { AccessKeyMetadata } = await iam.send(new ListAccessKeysCommand({ UserName: 'mfa-dave' }));
    await iam.send(new DeleteAccessKeyCommand({ UserName: 'mfa-dave', AccessKeyId: AccessKeyMetadata![0]!.AccessKeyId! }));
    await rejects(iam.send(new DeleteUserCommand({ UserName: 'mfa-dave' })), 'DeleteConflictException', /MFA device/);

    await rejects(iam.send(new DeactivateMFADeviceCommand({ UserName: 'mfa-dave', SerialNumber: spare.serial })), 'NoSuchEntityException');
    await iam.send(new DeactivateMFADeviceCommand({ UserName: 'mfa-dave', SerialNumber: serial }));
    assert.deepEqual((await iam.send(new ListMFADevicesCommand({ UserName: 'mfa-dave' }))).MFADevices, []);
    await iam.send(new DeleteVirtualMFADeviceCommand({ SerialNumber: serial }));
    await rejects(iam.send(new DeleteVirtualMFADeviceCommand({ SerialNumber: serial })), 'NoSuchEntityException');
    await iam.send(new DeleteUserCommand({ UserName: 'mfa-dave' }));
    await iam.send(new DeleteVirtualMFADeviceCommand({ SerialNumber: spare.serial }));
  });
});

function sessionOf(c: { AccessKeyId?: string; SecretAccessKey?: string; SessionToken?: string } | undefined): Credentials {
  assert.ok(c?.AccessKeyId && c.SecretAccessKey && c.SessionToken);
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken } as Credentials;
}
