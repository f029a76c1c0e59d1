// The forced password change after signing in with PasswordResetRequired or with a password
// older than the account policy's MaxPasswordAge: IAM ChangePassword with the new session (it
// clears the flag and restarts the password's age), as AWS's console asks before going on.
import { useState, type FormEvent } from 'react';
import { ChangePasswordCommand } from '@aws-sdk/client-iam';
import { useSession } from '../session.tsx';
import { Button, ErrorBanner, TextField } from '../components/index.ts';

export function ChangePassword(props: { reason: 'reset' | 'expired'; onDone: () => void }) {
  const s = useSession();
  const [oldPassword, setOld] = useState('');
  const [newPassword, setNew] = useState('');
  const [confirm, setConfirm] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (newPassword !== confirm) { setError(new Error('The new passwords do not match.')); return; }
    setBusy(true);
    setError(undefined);
    try {
      await s.clients.iam.send(new ChangePasswordCommand({ OldPassword: oldPassword, NewPassword: newPassword }));
      props.onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="signin" id="main">
      <div className="signin-card">
        <h1>Choose a new password</h1>
        <p data-testid="change-password-reason">{props.reason === 'expired'
          ? 'Your password has expired. Choose a new password to go on.'
          : 'Your administrator requires you to change your password before you go on.'}</p>
        <ErrorBanner error={error} />
        <form onSubmit={(e) => void submit(e)}>
          <TextField label="Current password" type="password" value={oldPassword} onChange={(e) => setOld(e.target.value)} autoComplete="current-password" required />
          <TextField label="New password" type="password" value={newPassword} onChange={(e) => setNew(e.target.value)} autoComplete="new-password" required />
          <TextField label="Confirm new password" type="password" value={confirm} onChange={(e) => setConfirm(e.target.value)} autoComplete="new-password" required />
          <div className="form-actions">
            <Button onClick={() => void s.signOutAndRevoke()}>Sign out</Button>
            <Button type="submit" variant="primary" busy={busy}>Change password</Button>
          </div>
        </form>
      </div>
    </main>
  );
}
