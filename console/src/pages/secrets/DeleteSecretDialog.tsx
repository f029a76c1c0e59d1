// DeleteSecret with a recovery window (7–30 days, AWS's default 30), or at once when the user
// asks for it explicitly (ForceDeleteWithoutRecovery) and types the secret's name.
import { useState } from 'react';
import { DeleteSecretCommand } from '@aws-sdk/client-secrets-manager';
import { useSession } from '../../session.tsx';
import { Button, Checkbox, Dialog, ErrorBanner, TextField, useAction } from '../../components/index.ts';

export function DeleteSecretDialog(props: { open: boolean; secretId: string; name: string; onClose: () => void; onDeleted: (deletionDate?: Date) => void }) {
  const { clients } = useSession();
  const [days, setDays] = useState('30');
  const [force, setForce] = useState(false);
  const [confirm, setConfirm] = useState('');
  const action = useAction();
  const del = () => action.run('delete', async () => {
    const out = await clients.secretsManager.send(new DeleteSecretCommand(force
      ? { SecretId: props.secretId, ForceDeleteWithoutRecovery: true }
      : { SecretId: props.secretId, RecoveryWindowInDays: Number(days) }));
    props.onDeleted(out.DeletionDate);
  });
  return (
    <Dialog open={props.open} title={`Delete ${props.name}`} onClose={props.onClose}
      footer={<>
        <Button onClick={props.onClose}>Cancel</Button>
        <Button variant="danger" busy={action.busy === 'delete'} disabled={force && confirm !== props.name} onClick={() => void del()}>{force ? 'Delete now' : 'Schedule deletion'}</Button>
      </>}>
      <ErrorBanner error={action.error} />
      {!force && <TextField label="Waiting period (days)" type="number" min={7} max={30} value={days} onChange={(e) => setDays(e.target.value)} hint="7 to 30 days. Until then you can cancel the deletion." />}
      <Checkbox label="Delete immediately, without a recovery window" checked={force} onChange={(e) => setForce(e.target.checked)} />
      {force && <TextField label={`Type ${props.name} to confirm`} value={confirm} onChange={(e) => setConfirm(e.target.value)} />}
    </Dialog>
  );
}
