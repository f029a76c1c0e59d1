/**
 * A user's security credentials: access keys (the secret shown once, at creation, never
 * again), the console password (login profile), and a virtual MFA device — its QR code drawn
 * from CreateVirtualMFADevice's QRCodePNG, enabled with two consecutive codes.
 */
import { useEffect, useRef, useState, type FormEvent, type ReactElement } from 'react';
import {
  CreateAccessKeyCommand, CreateLoginProfileCommand, CreateVirtualMFADeviceCommand, DeactivateMFADeviceCommand, DeleteAccessKeyCommand,
  DeleteLoginProfileCommand, DeleteVirtualMFADeviceCommand, EnableMFADeviceCommand, GetLoginProfileCommand, ListAccessKeysCommand,
  ListMFADevicesCommand, UpdateAccessKeyCommand, UpdateLoginProfileCommand, type AccessKeyMetadata, type MFADevice, type VirtualMFADevice,
} from '@aws-sdk/client-iam';
import { useSession } from '../../session.tsx';
import { Button, Checkbox, CopyButton, ErrorBanner, Loading, Table, TextField, formatDateUtc, useAction, useAsync, type Column } from '../../components/index.ts';
import { drawPng } from './iam-calls.ts';
import './iam.css';

export function SecurityCredentials({ userName }: { userName: string }): ReactElement {
  return (
    <>
      <AccessKeys userName={userName} />
      <ConsolePassword userName={userName} />
      <MfaDevices userName={userName} />
    </>
  );
}

function AccessKeys({ userName }: { userName: string }): ReactElement {
  const { clients } = useSession();
  const keys = useAsync(() => clients.iam.send(new ListAccessKeysCommand({ UserName: userName })), [userName]);
  const action = useAction();
  // The new key's secret lives only in this component's state until the user dismisses it.
  const [created, setCreated] = useState<{ id: string; secret: string }>();
  const columns: Column<AccessKeyMetadata>[] = [
    { key: 'id', header: 'Access key ID', render: (k) => <code>{k.AccessKeyId}</code> },
    { key: 'status', header: 'Status', render: (k) => <span className={`badge ${k.Status === 'Active' ? 'badge-ok' : 'badge-warn'}`}>{k.Status}</span> },
    { key: 'created', header: 'Created', render: (k) => formatDateUtc(k.CreateDate) },
    {
      key: 'actions', header: '', render: (k) => {
        const next = k.Status === 'Active' ? 'Inactive' : 'Active';
        return (
          <>
            <Button busy={action.busy === `status ${k.AccessKeyId}`} aria-label={`${next === 'Inactive' ? 'Deactivate' : 'Activate'} ${k.AccessKeyId}`}
              onClick={() => void action.run(`status ${k.AccessKeyId}`, () => clients.iam.send(new UpdateAccessKeyCommand({ UserName: userName, AccessKeyId: k.AccessKeyId, Status: next })), keys.reload)}>
              {next === 'Inactive' ? 'Deactivate' : 'Activate'}
            </Button>
            <Button variant="danger" busy={action.busy === `delete ${k.AccessKeyId}`} aria-label={`Delete ${k.AccessKeyId}`}
              onClick={() => void action.run(`delete ${k.AccessKeyId}`, () => clients.iam.send(new DeleteAccessKeyCommand({ UserName: userName, AccessKeyId: k.AccessKeyId })), keys.reload)}>Delete</Button>
          </>
        );
      },
    },
  ];
  return (
    <section aria-label="Access keys">
      <h2>Access keys</h2>
      <ErrorBanner error={keys.error ?? action.error} />
      {created && (
        <div className="banner banner-warning" role="status" data-testid="new-access-key">
          <div>
            <p><strong>This is the only time the secret access key can be viewed or copied.</strong> Store it safely now.</p>
            <p>Access key ID: <code>{created.id}</code> <CopyButton value={() => created.id} label="Copy key ID" /></p>
            <p>Secret access key: <code data-testid="new-secret-key">{created.secret}</code> <CopyButton value={() => created.secret} label="Copy secret" /></p>
          </div>
          <Button onClick={() => setCreated(undefined)}>Done</Button>
        </div>
      )}
      {keys.loading && !keys.data ? <Loading /> : <Table caption="Access keys" columns={columns} rows={keys.data?.AccessKeyMetadata ?? []} rowKey={(k) => k.AccessKeyId!} empty="No access keys." />}
      <Button variant="primary" busy={action.busy === 'create'} disabled={(keys.data?.AccessKeyMetadata?.length ?? 0) >= 2}
        onClick={() => void action.run('create', async () => {
          const out = await clients.iam.send(new CreateAccessKeyCommand({ UserName: userName }));
          setCreated({ id: out.AccessKey!.AccessKeyId!, secret: out.AccessKey!.SecretAccessKey! });
        }, keys.reload)}>Create access key</Button>
    </section>
  );
}

function ConsolePassword({ userName }: { userName: string }): ReactElement {
  const { clients } = useSession();
  // NoSuchEntity means "no console password", not an error to show.
  const profile = useAsync(async () => {
    try {
      return (await clients.iam.send(new GetLoginProfileCommand({ UserName: userName }))).LoginProfile ?? null;
    } catch (e) {
      if ((e as Error).name === 'NoSuchEntityException' || (e as Error).name === 'NoSuchEntity') return null;
      throw e;
    }
  }, [userName]);
  const [password, setPassword] = useState('');
  const [reset, setReset] = useState(false);
  const action = useAction();
  const exists = profile.data != null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const input = { UserName: userName, Password: password, PasswordResetRequired: reset };
    void action.run('save', () => exists ? clients.iam.send(new UpdateLoginProfileCommand(input)) : clients.iam.send(new CreateLoginProfileCommand(input)), () => { setPassword(''); profile.reload(); });
  };
  return (
    <section aria-label="Console password">
      <h2>Console password</h2>
      <ErrorBanner error={profile.error ?? action.error} />
      {profile.loading && profile.data === undefined ? <Loading /> : (
        <>
          <p data-testid="login-profile-status">{exists
            ? `Enabled since ${formatDateUtc(profile.data!.CreateDate)}${profile.data!.PasswordResetRequired ? '; a new password is required at next sign-in' : ''}.`
            : 'Not enabled: this user cannot sign in to the console with a password.'}</p>
          <form className="toolbar" onSubmit={submit} aria-label={exists ? 'Change console password' : 'Enable console password'}>
            <TextField label={exists ? 'New password' : 'Password'} type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
            <Checkbox label="User must create a new password at next sign-in" checked={reset} onChange={(e) => setReset(e.target.checked)} />
            <Button type="submit" variant="primary" busy={action.busy === 'save'}>{exists ? 'Change password' : 'Enable console password'}</Button>
            {exists && <Button variant="danger" busy={action.busy === 'delete'} onClick={() => void action.run('delete', () => clients.iam.send(new DeleteLoginProfileCommand({ UserName: userName })), profile.reload)}>Disable console password</Button>}
          </form>
        </>
      )}
    </section>
  );
}

function MfaDevices({ userName }: { userName: string }): ReactElement {
  const { clients } = useSession();
  const devices = useAsync(() => clients.iam.send(new ListMFADevicesCommand({ UserName: userName })), [userName]);
  const action = useAction();
  const [pending, setPending] = useState<VirtualMFADevice>();
  const [deviceName, setDeviceName] = useState(userName);
  const columns: Column<MFADevice>[] = [
    { key: 'serial', header: 'Identifier', render: (d) => <code>{d.SerialNumber}</code> },
    { key: 'enabled', header: 'Enabled', render: (d) => formatDateUtc(d.EnableDate) },
    {
      key: 'remove', header: '', render: (d) => (
        <Button variant="danger" busy={action.busy === `remove ${d.SerialNumber}`} onClick={() => void action.run(`remove ${d.SerialNumber}`, async () => {
          await clients.iam.send(new DeactivateMFADeviceCommand({ UserName: userName, SerialNumber: d.SerialNumber }));
          await clients.iam.send(new DeleteVirtualMFADeviceCommand({ SerialNumber: d.SerialNumber }));
        }, devices.reload)}>Remove</Button>
      ),
    },
  ];
  return (
    <section aria-label="MFA devices">
      <h2>Multi-factor authentication (MFA)</h2>
      <ErrorBanner error={devices.error ?? action.error} />
      {devices.data && <Table caption="MFA devices" columns={columns} rows={devices.data.MFADevices ?? []} rowKey={(d) => d.SerialNumber!} empty="No MFA device." />}
      {pending ? (
        <EnableDevice userName={userName} device={pending} onDone={() => { setPending(undefined); devices.reload(); }} />
      ) : (
        <form className="toolbar" aria-label="Assign MFA device" onSubmit={(e) => {
          e.preventDefault();
          void action.run('create', async () => {
            const out = await clients.iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: deviceName }));
            setPending(out.VirtualMFADevice);
          });
        }}>
          <TextField label="Device name" value={deviceName} onChange={(e) => setDeviceName(e.target.value)} required />
          <Button type="submit" variant="primary" busy={action.busy === 'create'}>Assign virtual MFA device</Button>
        </form>
      )}
    </section>
  );
}

function EnableDevice({ userName, device, onDone }: { userName: string; device: VirtualMFADevice; onDone(): void }): ReactElement {
  const { clients } = useSession();
  const canvas = useRef<HTMLCanvasElement>(null);
  const [code1, setCode1] = useState('');
  const [code2, setCode2] = useState('');
  const [showSeed, setShowSeed] = useState(false);
  const [drawError, setDrawError] = useState<unknown>();
  const [drawn, setDrawn] = useState(false);
  const action = useAction();
  useEffect(() => {
    if (canvas.current && device.QRCodePNG) drawPng(canvas.current, device.QRCodePNG).then(() => setDrawn(true), setDrawError);
  }, [device]);
  const seed = device.Base32StringSeed ? new TextDecoder().decode(device.Base32StringSeed) : '';
  const cancel = () => void action.run('cancel', () => clients.iam.send(new DeleteVirtualMFADeviceCommand({ SerialNumber: device.SerialNumber })), onDone);
  return (
    <div className="card" data-testid="mfa-setup">
      <h3>Set up the virtual MFA device</h3>
      <ol>
        <li>Open an authenticator app on your phone.</li>
        <li>Scan this QR code with the app (or type the secret key).
          <div><canvas ref={canvas} role="img" aria-label="QR code for the MFA device" data-testid="mfa-qr" data-drawn={drawn} className="mfa-qr" /></div>
          <Button variant="link" onClick={() => setShowSeed(!showSeed)} aria-expanded={showSeed}>{showSeed ? 'Hide secret key' : 'Show secret key'}</Button>
          {showSeed && <code data-testid="mfa-seed">{seed}</code>}
        </li>
        <li>Type two consecutive codes from the app.</li>
      </ol>
      <ErrorBanner error={drawError ?? action.error} />
      <form className="toolbar" aria-label="Enable MFA device" onSubmit={(e) => {
        e.preventDefault();
        void action.run('enable', () => clients.iam.send(new EnableMFADeviceCommand({ UserName: userName, SerialNumber: device.SerialNumber, AuthenticationCode1: code1, AuthenticationCode2: code2 })), onDone);
      }}>
        <TextField label="MFA code 1" inputMode="numeric" autoComplete="one-time-code" pattern="\d{6}" value={code1} onChange={(e) => setCode1(e.target.value.trim())} required />
        <TextField label="MFA code 2" inputMode="numeric" autoComplete="one-time-code" pattern="\d{6}" value={code2} onChange={(e) => setCode2(e.target.value.trim())} required />
        <Button type="submit" variant="primary" busy={action.busy === 'enable'}>Enable MFA</Button>
        <Button busy={action.busy === 'cancel'} onClick={cancel}>Cancel</Button>
      </form>
    </div>
  );
}
