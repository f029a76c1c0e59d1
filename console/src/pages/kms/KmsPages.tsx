/**
 * KMS: the customer managed keys list (create a symmetric key) and a key's page — description,
 * enable/disable, schedule/cancel deletion, automatic rotation and rotate now, aliases, and the
 * key policy in the policy editor (a resource policy: statements name a Principal).
 */
import { useEffect, useState, type FormEvent, type ReactElement } from 'react';
import {
  CancelKeyDeletionCommand, CreateAliasCommand, CreateKeyCommand, DeleteAliasCommand, DescribeKeyCommand, DisableKeyCommand,
  DisableKeyRotationCommand, EnableKeyCommand, EnableKeyRotationCommand, GetKeyPolicyCommand, GetKeyRotationStatusCommand,
  ListAliasesCommand, ListKeysCommand, PutKeyPolicyCommand, RotateKeyOnDemandCommand, ScheduleKeyDeletionCommand,
  UpdateKeyDescriptionCommand, type AliasListEntry, type KeyMetadata, type KMSClient,
} from '@aws-sdk/client-kms';
import { useSession } from '../../session.tsx';
import { href, navigate, useRoute } from '../../router.tsx';
import { Button, Checkbox, ErrorBanner, Loading, PageHeader, SelectField, Table, TextField, formatDateUtc, useAction, useAsync, type Column } from '../../components/index.ts';
import { PolicyEditor } from '../../policy/PolicyEditor.tsx';
import { analyzePolicy } from '../../policy/diagnostics.ts';
import { prettyDocument } from '../iam/iam-calls.ts';
import '../iam/iam.css';

async function allAliases(kms: KMSClient, KeyId?: string): Promise<AliasListEntry[]> {
  const out: AliasListEntry[] = [];
  let Marker: string | undefined;
  do {
    const page = await kms.send(new ListAliasesCommand({ KeyId, Marker }));
    out.push(...(page.Aliases ?? []));
    Marker = page.Truncated ? page.NextMarker : undefined;
  } while (Marker !== undefined);
  return out;
}

interface KeyRow { meta: KeyMetadata; aliases: string[] }

export function KeysList(): ReactElement {
  const { clients } = useSession();
  const kms = clients.kms;
  const keys = useAsync(async (): Promise<KeyRow[]> => {
    const ids: string[] = [];
    let Marker: string | undefined;
    do {
      const page = await kms.send(new ListKeysCommand({ Marker }));
      ids.push(...(page.Keys ?? []).map((k) => k.KeyId!));
      Marker = page.Truncated ? page.NextMarker : undefined;
    } while (Marker !== undefined);
    const aliases = await allAliases(kms);
    const metas = await Promise.all(ids.map((KeyId) => kms.send(new DescribeKeyCommand({ KeyId }))));
    return metas.map((m) => ({ meta: m.KeyMetadata!, aliases: aliases.filter((a) => a.TargetKeyId === m.KeyMetadata!.KeyId).map((a) => a.AliasName!) }))
      .filter((r) => r.meta.KeyManager !== 'AWS');
  }, []);
  const [description, setDescription] = useState('');
  const [alias, setAlias] = useState('');
  const action = useAction();
  const create = (e: FormEvent) => {
    e.preventDefault();
    void action.run('create', async () => {
      const out = await kms.send(new CreateKeyCommand({ Description: description || undefined }));
      const keyId = out.KeyMetadata!.KeyId!;
      if (alias !== '') await kms.send(new CreateAliasCommand({ AliasName: alias.startsWith('alias/') ? alias : `alias/${alias}`, TargetKeyId: keyId }));
      navigate(href('/kms/keys/:id', { id: keyId }));
    });
  };
  const columns: Column<KeyRow>[] = [
    { key: 'aliases', header: 'Aliases', render: (r) => r.aliases.join(', ') || '—' },
    { key: 'id', header: 'Key ID', render: (r) => <a href={href('/kms/keys/:id', { id: r.meta.KeyId! })}>{r.meta.KeyId}</a> },
    { key: 'state', header: 'Status', render: (r) => <KeyState meta={r.meta} /> },
    { key: 'description', header: 'Description', render: (r) => r.meta.Description ?? '' },
    { key: 'created', header: 'Created', render: (r) => formatDateUtc(r.meta.CreationDate) },
  ];
  return (
    <>
      <PageHeader title="Customer managed keys" />
      <ErrorBanner error={keys.error ?? action.error} action="kms:ListKeys" />
      <form className="toolbar" onSubmit={create} aria-label="Create key">
        <TextField label="Alias (optional)" value={alias} onChange={(e) => setAlias(e.target.value)} placeholder="alias/my-key" />
        <TextField label="Description" value={description} onChange={(e) => setDescription(e.target.value)} />
        <Button type="submit" variant="primary" busy={action.busy === 'create'}>Create symmetric key</Button>
      </form>
      {keys.loading && !keys.data ? <Loading /> : <Table caption="Keys" columns={columns} rows={keys.data ?? []} rowKey={(r) => r.meta.KeyId!} empty="No customer managed keys." />}
    </>
  );
}

function KeyState({ meta }: { meta: KeyMetadata }): ReactElement {
  const kind = meta.KeyState === 'Enabled' ? 'badge-ok' : meta.KeyState === 'PendingDeletion' ? 'badge-bad' : 'badge-warn';
  return <span className={`badge ${kind}`} data-testid="key-state">{meta.KeyState}</span>;
}

export function KeyPage(): ReactElement {
  const { clients, accountId, region } = useSession();
  const kms = clients.kms;
  const keyId = useRoute().params.id ?? '';
  const key = useAsync(() => kms.send(new DescribeKeyCommand({ KeyId: keyId })), [keyId]);
  const rotation = useAsync(() => kms.send(new GetKeyRotationStatusCommand({ KeyId: keyId })), [keyId]);
  const aliases = useAsync(() => allAliases(kms, keyId), [keyId]);
  const policy = useAsync(async () => prettyDocument((await kms.send(new GetKeyPolicyCommand({ KeyId: keyId, PolicyName: 'default' }))).Policy ?? ''), [keyId]);
  const action = useAction();
  const meta = key.data?.KeyMetadata;
  const [description, setDescription] = useState<string>();
  const [days, setDays] = useState('30');
  const [period, setPeriod] = useState('365');
  const [newAlias, setNewAlias] = useState('');
  const [draft, setDraft] = useState<string>();
  const [saved, setSaved] = useState(false);
  useEffect(() => { setDraft(undefined); }, [policy.data]);
  const reload = () => { key.reload(); rotation.reload(); aliases.reload(); };
  const run = (label: string, work: () => Promise<unknown>, done: () => void = reload) => void action.run(label, work, done);
  const pending = meta?.KeyState === 'PendingDeletion';
  const policyText = draft ?? policy.data ?? '';

  return (
    <>
      <PageHeader title={aliases.data?.[0]?.AliasName ?? keyId} crumbs={[{ label: 'Customer managed keys', href: href('/kms/keys') }]} />
      <ErrorBanner error={key.error ?? action.error} resource={meta?.Arn} />
      {!meta ? <Loading /> : (
        <>
          <dl className="card props">
            <dt>ARN</dt><dd><code>{meta.Arn}</code></dd>
            <dt>Status</dt><dd><KeyState meta={meta} />{pending && ` — deletion on ${formatDateUtc(meta.DeletionDate)}`}</dd>
            <dt>Key spec</dt><dd>{meta.KeySpec} ({meta.KeyUsage})</dd>
            <dt>Created</dt><dd>{formatDateUtc(meta.CreationDate)}</dd>
          </dl>
          <section aria-label="Key actions" className="toolbar">
            {meta.KeyState === 'Enabled' && <Button busy={action.busy === 'disable'} onClick={() => run('disable', () => kms.send(new DisableKeyCommand({ KeyId: keyId })))}>Disable key</Button>}
            {meta.KeyState === 'Disabled' && <Button variant="primary" busy={action.busy === 'enable'} onClick={() => run('enable', () => kms.send(new EnableKeyCommand({ KeyId: keyId })))}>Enable key</Button>}
            {pending ? (
              <Button variant="primary" busy={action.busy === 'cancel'} onClick={() => run('cancel', () => kms.send(new CancelKeyDeletionCommand({ KeyId: keyId })))}>Cancel key deletion</Button>
            ) : (
              <>
                <SelectField label="Waiting period (days)" value={days} onChange={(e) => setDays(e.target.value)}
                  options={Array.from({ length: 24 }, (_, i) => String(i + 7)).map((d) => ({ value: d, label: d }))} />
                <Button variant="danger" busy={action.busy === 'schedule'} onClick={() => run('schedule', () => kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: Number(days) })))}>Schedule key deletion</Button>
              </>
            )}
          </section>

          <h2>Description</h2>
          <form className="toolbar" aria-label="Key description" onSubmit={(e) => { e.preventDefault(); run('description', () => kms.send(new UpdateKeyDescriptionCommand({ KeyId: keyId, Description: description ?? '' })), () => { setDescription(undefined); reload(); }); }}>
            <TextField label="Description" value={description ?? meta.Description ?? ''} onChange={(e) => setDescription(e.target.value)} />
            <Button type="submit" busy={action.busy === 'description'} disabled={description === undefined}>Save description</Button>
          </form>

          <h2>Key rotation</h2>
          {rotation.error ? <ErrorBanner error={rotation.error} /> : rotation.data && (
            <div className="toolbar" aria-label="Key rotation">
              <Checkbox label="Automatically rotate this key" checked={rotation.data.KeyRotationEnabled ?? false} disabled={pending || action.busy !== undefined}
                onChange={(e) => run('rotation', () => kms.send(e.target.checked
                  ? new EnableKeyRotationCommand({ KeyId: keyId, RotationPeriodInDays: Number(period) })
                  : new DisableKeyRotationCommand({ KeyId: keyId })))} />
              <TextField label="Rotation period (days, 90–2560)" type="number" min={90} max={2560} value={period} onChange={(e) => setPeriod(e.target.value)} />
              {rotation.data.NextRotationDate && <span>Next rotation: {formatDateUtc(rotation.data.NextRotationDate)}</span>}
              <Button busy={action.busy === 'rotate'} disabled={meta.KeyState !== 'Enabled'} onClick={() => run('rotate', () => kms.send(new RotateKeyOnDemandCommand({ KeyId: keyId })))}>Rotate now</Button>
            </div>
          )}

          <h2>Aliases</h2>
          <ul aria-label="Aliases">
            {(aliases.data ?? []).map((a) => (
              <li key={a.AliasName}><code>{a.AliasName}</code>{' '}
                <Button variant="danger" busy={action.busy === `alias ${a.AliasName}`} aria-label={`Delete ${a.AliasName}`}
                  onClick={() => run(`alias ${a.AliasName}`, () => kms.send(new DeleteAliasCommand({ AliasName: a.AliasName })))}>Delete</Button>
              </li>
            ))}
          </ul>
          <form className="toolbar" aria-label="Create alias" onSubmit={(e) => {
            e.preventDefault();
            run('alias', () => kms.send(new CreateAliasCommand({ AliasName: newAlias.startsWith('alias/') ? newAlias : `alias/${newAlias}`, TargetKeyId: keyId })), () => { setNewAlias(''); reload(); });
          }}>
            <TextField label="New alias" placeholder="alias/my-key" value={newAlias} onChange={(e) => setNewAlias(e.target.value)} required />
            <Button type="submit" busy={action.busy === 'alias'}>Add alias</Button>
          </form>

          <h2>Key policy</h2>
          {policy.error ? <ErrorBanner error={policy.error} resource={meta.Arn} /> : policy.data === undefined ? <Loading /> : (
            <form aria-label="Key policy" onSubmit={(e) => {
              e.preventDefault();
              setSaved(false);
              void action.run('policy', () => kms.send(new PutKeyPolicyCommand({ KeyId: keyId, PolicyName: 'default', Policy: policyText })), () => { setSaved(true); policy.reload(); });
            }}>
              {saved && <div className="banner banner-success" role="status">Key policy saved.</div>}
              <PolicyEditor kind="resource" label="Key policy" value={policyText} onChange={(t) => { setDraft(t); setSaved(false); }} accountId={accountId} region={region} />
              <div className="form-actions">
                <Button type="submit" variant="primary" busy={action.busy === 'policy'} disabled={draft === undefined || !analyzePolicy(policyText, 'resource').valid}>Save key policy</Button>
              </div>
            </form>
          )}
        </>
      )}
    </>
  );
}
