// Versions with their staging labels (ListSecretVersionIds), and moving a label to another
// version (UpdateSecretVersionStage with the version that holds it now), or removing one.
import { useState } from 'react';
import { ListSecretVersionIdsCommand, UpdateSecretVersionStageCommand, type DescribeSecretResponse, type SecretVersionsListEntry } from '@aws-sdk/client-secrets-manager';
import { useSession } from '../../session.tsx';
import { Button, ErrorBanner, Loading, Notice, SelectField, Table, TextField, formatDate, useAction, useAsync, type Column } from '../../components/index.ts';

export function VersionsTab(props: { secret: DescribeSecretResponse; onChanged: () => void }) {
  const { clients } = useSession();
  const s = props.secret;
  const versions = useAsync(async () => {
    const all: SecretVersionsListEntry[] = [];
    let token: string | undefined;
    do {
      const out = await clients.secretsManager.send(new ListSecretVersionIdsCommand({ SecretId: s.ARN, IncludeDeprecated: true, NextToken: token, MaxResults: 100 }));
      all.push(...(out.Versions ?? []));
      token = out.NextToken;
    } while (token);
    return all.sort((a, b) => (b.CreatedDate?.getTime() ?? 0) - (a.CreatedDate?.getTime() ?? 0));
  }, [s.ARN, s.LastChangedDate?.getTime()]);
  const [label, setLabel] = useState('AWSCURRENT');
  const [custom, setCustom] = useState('');
  const [target, setTarget] = useState('');
  const action = useAction();
  const [done, setDone] = useState<string>();

  const rows = versions.data ?? [];
  const stage = label === '__custom' ? custom.trim() : label;
  const holder = rows.find((v) => v.VersionStages?.includes(stage))?.VersionId;

  const move = (to: string | undefined) => {
    setDone(undefined);
    return action.run('move', () => clients.secretsManager.send(new UpdateSecretVersionStageCommand({
      SecretId: s.ARN, VersionStage: stage,
      ...(to ? { MoveToVersionId: to } : {}),
      ...(holder ? { RemoveFromVersionId: holder } : {}),
    })), () => {
      setDone(to ? `${stage} now labels version ${to}.` : `${stage} removed from version ${holder}.`);
      versions.reload();
      props.onChanged();
    });
  };

  const columns: Column<SecretVersionsListEntry>[] = [
    { key: 'id', header: 'Version ID', render: (v) => <code>{v.VersionId}</code> },
    { key: 'stages', header: 'Staging labels', render: (v) => (v.VersionStages?.length ? v.VersionStages.map((l) => <span key={l} className={`badge${l === 'AWSCURRENT' ? ' badge-ok' : ''}`}>{l}</span>) : <span className="muted">deprecated</span>) },
    { key: 'created', header: 'Created', render: (v) => formatDate(v.CreatedDate) },
    { key: 'accessed', header: 'Last retrieved', render: (v) => formatDate(v.LastAccessedDate) },
  ];

  return (
    <div>
      <ErrorBanner error={versions.error ?? action.error} action="secretsmanager:ListSecretVersionIds" resource={s.ARN} />
      {done && <Notice kind="success">{done}</Notice>}
      {versions.loading && !versions.data ? <Loading /> : <Table caption="Versions" columns={columns} rows={rows} rowKey={(v) => v.VersionId!} />}
      <h2>Move a staging label</h2>
      <div className="toolbar">
        <SelectField label="Label" value={label} onChange={(e) => setLabel(e.target.value)}
          options={[...['AWSCURRENT', 'AWSPREVIOUS', 'AWSPENDING'].map((l) => ({ value: l, label: l })), { value: '__custom', label: 'Another label…' }]} />
        {label === '__custom' && <TextField label="Label name" value={custom} onChange={(e) => setCustom(e.target.value)} maxLength={256} />}
        <SelectField label="To version" value={target} onChange={(e) => setTarget(e.target.value)}
          options={[{ value: '', label: 'Choose a version' }, ...rows.map((v) => ({ value: v.VersionId!, label: `${v.VersionId!.slice(0, 8)}… ${v.VersionStages?.join(', ') ?? ''}` }))]} />
        <Button variant="primary" busy={action.busy === 'move'} disabled={!stage || !target || target === holder} onClick={() => void move(target)}>Move label</Button>
        {holder && stage !== 'AWSCURRENT' && <Button busy={action.busy === 'move'} onClick={() => void move(undefined)}>Remove {stage}</Button>}
      </div>
      {holder && <p className="muted small">{stage} is on version <code>{holder}</code> now.</p>}
    </div>
  );
}
