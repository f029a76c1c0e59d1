/**
 * Policy documents in the policy editor: an inline policy of a user, group or role
 * (`#/iam/users/alice/inline?policy=read`; no `policy` creates one), a customer managed
 * policy's page (versions, set default, new version, where it is attached) and the create
 * policy page. AWS managed policies open read-only.
 */
import { useEffect, useState, type FormEvent, type ReactElement } from 'react';
import {
  CreatePolicyCommand, CreatePolicyVersionCommand, DeletePolicyCommand, DeletePolicyVersionCommand, GetPolicyCommand, GetPolicyVersionCommand,
  ListEntitiesForPolicyCommand, ListPolicyVersionsCommand, SetDefaultPolicyVersionCommand, type PolicyVersion,
} from '@aws-sdk/client-iam';
import { useSession } from '../../session.tsx';
import { href, navigate, useRoute } from '../../router.tsx';
import { Button, ErrorBanner, Loading, PageHeader, Table, TextField, Checkbox, formatDateUtc, useAction, useAsync, type Column } from '../../components/index.ts';
import { PolicyEditor } from '../../policy/PolicyEditor.tsx';
import { analyzePolicy } from '../../policy/diagnostics.ts';
import { decodeDocument, getInlinePolicy, prettyDocument, putInlinePolicy, type EntityKind } from './iam-calls.ts';

const EMPTY_IDENTITY_POLICY = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: [], Resource: '*' }] }, null, 2);
const KIND_OF: Record<string, EntityKind> = { users: 'user', groups: 'group', roles: 'role' };

export function InlinePolicyPage({ plural }: { plural: 'users' | 'groups' | 'roles' }): ReactElement {
  const { clients, accountId, region } = useSession();
  const { params, query } = useRoute();
  const kind = KIND_OF[plural]!;
  const owner = params.name ?? '';
  const existing = query.get('policy') ?? undefined;
  const [policyName, setPolicyName] = useState(existing ?? '');
  const [text, setText] = useState<string>();
  const loaded = useAsync(() => (existing === undefined ? Promise.resolve(EMPTY_IDENTITY_POLICY) : getInlinePolicy(clients.iam, kind, owner, existing)), [kind, owner, existing]);
  useEffect(() => { if (loaded.data !== undefined) setText(loaded.data); }, [loaded.data]);
  const action = useAction();
  const [saved, setSaved] = useState(false);
  const ownerHref = href(`/iam/${plural}/:name`, { name: owner });

  const save = (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    void action.run('save', () => putInlinePolicy(clients.iam, kind, owner, policyName, text ?? ''), () => {
      setSaved(true);
      if (existing === undefined) navigate(href(`/iam/${plural}/:name/inline`, { name: owner }, { policy: policyName }));
    });
  };

  return (
    <>
      <PageHeader title={existing ? `Inline policy ${existing}` : 'New inline policy'}
        crumbs={[{ label: plural[0]!.toUpperCase() + plural.slice(1), href: href(`/iam/${plural}`) }, { label: owner, href: ownerHref }]} />
      <ErrorBanner error={loaded.error ?? action.error} />
      {saved && <div className="banner banner-success" role="status">Policy {policyName} saved.</div>}
      {text === undefined ? <Loading /> : (
        <form onSubmit={save} aria-label="Inline policy">
          <TextField label="Policy name" value={policyName} onChange={(e) => setPolicyName(e.target.value)} readOnly={existing !== undefined} required />
          <PolicyEditor kind="identity" label="Policy document" value={text} onChange={(t) => { setText(t); setSaved(false); }} accountId={accountId} region={region} />
          <div className="form-actions">
            <a className="btn" href={ownerHref}>Back</a>
            <Button type="submit" variant="primary" busy={action.busy === 'save'} disabled={!analyzePolicy(text, 'identity').valid}>Save policy</Button>
          </div>
        </form>
      )}
    </>
  );
}

export function CreatePolicyPage(): ReactElement {
  const { clients, accountId, region } = useSession();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [text, setText] = useState(EMPTY_IDENTITY_POLICY);
  const action = useAction();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void action.run('create', async () => {
      const out = await clients.iam.send(new CreatePolicyCommand({ PolicyName: name, Description: description || undefined, PolicyDocument: text }));
      navigate(href('/iam/policy/:arn', { arn: out.Policy!.Arn! }));
    });
  };
  return (
    <>
      <PageHeader title="Create policy" crumbs={[{ label: 'Policies', href: href('/iam/policies') }]} />
      <ErrorBanner error={action.error} action="iam:CreatePolicy" />
      <form onSubmit={submit} aria-label="Create policy">
        <PolicyEditor kind="identity" label="Policy document" value={text} onChange={setText} accountId={accountId} region={region} />
        <TextField label="Policy name" value={name} onChange={(e) => setName(e.target.value)} required />
        <TextField label="Description" value={description} onChange={(e) => setDescription(e.target.value)} />
        <div className="form-actions">
          <Button type="submit" variant="primary" busy={action.busy === 'create'} disabled={!analyzePolicy(text, 'identity').valid}>Create policy</Button>
        </div>
      </form>
    </>
  );
}

export function ManagedPolicyPage(): ReactElement {
  const { clients, accountId, region } = useSession();
  const arn = useRoute().params.arn ?? '';
  const awsManaged = arn.startsWith('arn:aws:iam::aws:');
  const policy = useAsync(() => clients.iam.send(new GetPolicyCommand({ PolicyArn: arn })), [arn]);
  const versions = useAsync(() => clients.iam.send(new ListPolicyVersionsCommand({ PolicyArn: arn })), [arn]);
  const entities = useAsync(() => clients.iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: arn })), [arn]);
  const [shown, setShown] = useState<string>();
  const defaultVersion = policy.data?.Policy?.DefaultVersionId;
  const versionId = shown ?? defaultVersion;
  const document = useAsync(async () => {
    if (versionId === undefined) return undefined;
    const out = await clients.iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: versionId }));
    return prettyDocument(decodeDocument(out.PolicyVersion?.Document));
  }, [arn, versionId]);
  const [draft, setDraft] = useState<string>();
  const [asDefault, setAsDefault] = useState(true);
  const action = useAction();
  const reload = () => { policy.reload(); versions.reload(); document.reload(); };
  const text = draft ?? document.data ?? '';

  const columns: Column<PolicyVersion>[] = [
    { key: 'id', header: 'Version', render: (v) => <Button variant="link" onClick={() => { setShown(v.VersionId); setDraft(undefined); }} aria-pressed={v.VersionId === versionId}>{v.VersionId}</Button> },
    { key: 'default', header: 'Default', render: (v) => (v.IsDefaultVersion ? 'Default' : '') },
    { key: 'created', header: 'Created', render: (v) => formatDateUtc(v.CreateDate) },
    {
      key: 'actions', header: '', render: (v) => (awsManaged || v.IsDefaultVersion ? null : (
        <>
          <Button busy={action.busy === `default ${v.VersionId}`} onClick={() => void action.run(`default ${v.VersionId}`, () => clients.iam.send(new SetDefaultPolicyVersionCommand({ PolicyArn: arn, VersionId: v.VersionId })), reload)}>Set as default</Button>
          <Button variant="danger" busy={action.busy === `delete ${v.VersionId}`} onClick={() => void action.run(`delete ${v.VersionId}`, () => clients.iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: v.VersionId })), () => { setShown(undefined); reload(); })}>Delete version</Button>
        </>
      )),
    },
  ];

  const attached = [
    ...(entities.data?.PolicyUsers ?? []).map((u) => ({ key: `u-${u.UserName}`, label: `User ${u.UserName}`, link: href('/iam/users/:name', { name: u.UserName! }) })),
    ...(entities.data?.PolicyGroups ?? []).map((g) => ({ key: `g-${g.GroupName}`, label: `Group ${g.GroupName}`, link: href('/iam/groups/:name', { name: g.GroupName! }) })),
    ...(entities.data?.PolicyRoles ?? []).map((r) => ({ key: `r-${r.RoleName}`, label: `Role ${r.RoleName}`, link: href('/iam/roles/:name', { name: r.RoleName! }) })),
  ];

  return (
    <>
      <PageHeader title={policy.data?.Policy?.PolicyName ?? 'Policy'} crumbs={[{ label: 'Policies', href: href('/iam/policies') }]}
        actions={!awsManaged && attached.length === 0 && (versions.data?.Versions?.length ?? 0) <= 1 ? (
          <Button variant="danger" busy={action.busy === 'delete'} onClick={() => void action.run('delete', () => clients.iam.send(new DeletePolicyCommand({ PolicyArn: arn })), () => navigate(href('/iam/policies')))}>Delete policy</Button>
        ) : undefined} />
      <ErrorBanner error={policy.error ?? versions.error ?? document.error ?? action.error} resource={arn} />
      <dl className="card props">
        <dt>ARN</dt><dd><code>{arn}</code></dd>
        <dt>Type</dt><dd>{awsManaged ? 'AWS managed' : 'Customer managed'}</dd>
        {policy.data?.Policy?.Description && <><dt>Description</dt><dd>{policy.data.Policy.Description}</dd></>}
        <dt>Attached to</dt><dd>{entities.error ? 'cannot list' : attached.length === 0 ? 'nothing' : attached.map((a) => <a key={a.key} href={a.link}>{a.label} </a>)}</dd>
      </dl>
      <h2>Versions</h2>
      {versions.data && <Table caption="Policy versions" columns={columns} rows={versions.data.Versions ?? []} rowKey={(v) => v.VersionId!} />}
      <h2>{draft !== undefined ? 'New version' : `Version ${versionId ?? ''}`}</h2>
      {document.loading && document.data === undefined ? <Loading /> : (
        <form aria-label="Policy version" onSubmit={(e) => {
          e.preventDefault();
          void action.run('version', () => clients.iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: text, SetAsDefault: asDefault })), () => { setDraft(undefined); setShown(undefined); reload(); });
        }}>
          <PolicyEditor kind="identity" label="Policy document" value={text} onChange={setDraft} readOnly={awsManaged} accountId={accountId} region={region} />
          {!awsManaged && (
            <div className="form-actions">
              <Checkbox label="Set as the default version" checked={asDefault} onChange={(e) => setAsDefault(e.target.checked)} />
              <Button type="submit" variant="primary" busy={action.busy === 'version'} disabled={draft === undefined || !analyzePolicy(text, 'identity').valid}>Save as new version</Button>
            </div>
          )}
        </form>
      )}
    </>
  );
}
