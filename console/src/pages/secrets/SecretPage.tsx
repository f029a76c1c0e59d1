// A secret's page: overview, value, versions, resource policy and rotation tabs, and delete /
// restore. Every call is the signed-in user's own, so what they may not do shows as a denial.
import { useState } from 'react';
import { DescribeSecretCommand, RestoreSecretCommand } from '@aws-sdk/client-secrets-manager';
import { useSession } from '../../session.tsx';
import { href, navigate, useRoute } from '../../router.tsx';
import { Button, ErrorBanner, Loading, Notice, PageHeader, TabPanel, Tabs, formatDate, useAction, useAsync } from '../../components/index.ts';
import { Overview } from './Overview.tsx';
import { ValueTab } from './ValueTab.tsx';
import { VersionsTab } from './VersionsTab.tsx';
import { PolicyTab } from './PolicyTab.tsx';
import { RotationTab } from './RotationTab.tsx';
import { DeleteSecretDialog } from './DeleteSecretDialog.tsx';

const TABS = [
  { id: 'overview', label: 'Overview' },
  { id: 'value', label: 'Secret value' },
  { id: 'versions', label: 'Versions' },
  { id: 'policy', label: 'Resource policy' },
  { id: 'rotation', label: 'Rotation' },
];

export function SecretPage() {
  const { clients } = useSession();
  const { params, query } = useRoute();
  const id = params.id!;
  const tab = TABS.some((t) => t.id === query.get('tab')) ? query.get('tab')! : 'overview';
  const secret = useAsync(() => clients.secretsManager.send(new DescribeSecretCommand({ SecretId: id })), [id]);
  const [deleting, setDeleting] = useState(false);
  const [deletionDate, setDeletionDate] = useState<Date>();
  const action = useAction();

  const restore = () => action.run('restore', () => clients.secretsManager.send(new RestoreSecretCommand({ SecretId: id })), () => {
    setDeletionDate(undefined);
    secret.reload();
  });

  if (secret.loading && !secret.data) return <Loading />;
  if (!secret.data) {
    return <div><PageHeader title="Secret" crumbs={[{ label: 'Secrets', href: '#/secrets' }]} /><ErrorBanner error={secret.error} action="secretsmanager:DescribeSecret" resource={id} /></div>;
  }
  const s = secret.data;
  const select = (t: string) => navigate(href('/secrets/:id', { id }, { tab: t }));
  return (
    <div>
      <PageHeader title={s.Name ?? id} crumbs={[{ label: 'Secrets', href: '#/secrets' }]}
        actions={s.DeletedDate
          ? <Button variant="primary" busy={action.busy === 'restore'} onClick={() => void restore()}>Cancel deletion</Button>
          : <Button variant="danger" onClick={() => setDeleting(true)}>Delete secret</Button>} />
      {s.DeletedDate && (
        <Notice kind="warning">
          <span data-testid="deletion-scheduled">
            {deletionDate ? `This secret will be deleted on ${formatDate(deletionDate)}.` : `This secret was deleted on ${formatDate(s.DeletedDate)} and is removed when its recovery window ends.`}
            {' '}Cancel the deletion to use it again.
          </span>
        </Notice>
      )}
      <ErrorBanner error={action.error ?? secret.error} onDismiss={action.clear} />
      <Tabs label="Secret details" tabs={TABS} selected={tab} onSelect={select} />
      {/* Keyed by the secret: opening another one starts its tabs afresh (no notice or form state carried over). */}
      <TabPanel id={tab} key={s.ARN}>
        {tab === 'overview' && <Overview secret={s} onChanged={secret.reload} />}
        {tab === 'value' && <ValueTab secret={s} onChanged={secret.reload} />}
        {tab === 'versions' && <VersionsTab secret={s} onChanged={secret.reload} />}
        {tab === 'policy' && <PolicyTab secret={s} />}
        {tab === 'rotation' && <RotationTab secret={s} onChanged={secret.reload} />}
      </TabPanel>
      <DeleteSecretDialog open={deleting} secretId={s.ARN!} name={s.Name!} onClose={() => setDeleting(false)} onDeleted={(date) => { setDeleting(false); setDeletionDate(date); secret.reload(); }} />
    </div>
  );
}
