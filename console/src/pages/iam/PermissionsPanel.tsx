/**
 * A user's, group's or role's permissions: attached managed policies (customer and AWS
 * managed; attach / detach) and inline policies (open in the policy editor, add, delete).
 */
import { useState, type ReactElement } from 'react';
import { ListPoliciesCommand, type AttachedPolicy } from '@aws-sdk/client-iam';
import { useSession } from '../../session.tsx';
import { href } from '../../router.tsx';
import { Button, ErrorBanner, Loading, SelectField, Table, useAction, useAsync, type Column } from '../../components/index.ts';
import { attachPolicy, deleteInlinePolicy, detachPolicy, listAll, listEntityPolicies, type EntityKind } from './iam-calls.ts';

const PLURAL: Record<EntityKind, string> = { user: 'users', group: 'groups', role: 'roles' };

export function PermissionsPanel({ kind, name }: { kind: EntityKind; name: string }): ReactElement {
  const { clients } = useSession();
  const iam = clients.iam;
  const policies = useAsync(() => listEntityPolicies(iam, kind, name), [kind, name]);
  const available = useAsync(() => listAll((Marker) => iam.send(new ListPoliciesCommand({ Scope: 'All', Marker })), (o) => o.Policies), []);
  const [chosen, setChosen] = useState('');
  const action = useAction();
  const attachedArns = new Set(policies.data?.attached.map((p) => p.PolicyArn));
  const choices = (available.data ?? []).filter((p) => !attachedArns.has(p.Arn));

  const attachedColumns: Column<AttachedPolicy>[] = [
    { key: 'name', header: 'Policy', render: (p) => <a href={href('/iam/policy/:arn', { arn: p.PolicyArn! })}>{p.PolicyName}</a> },
    { key: 'type', header: 'Type', render: (p) => (p.PolicyArn?.startsWith('arn:aws:iam::aws:') ? 'AWS managed' : 'Customer managed') },
    {
      key: 'detach', header: '', render: (p) => (
        <Button variant="danger" busy={action.busy === `detach ${p.PolicyArn}`} aria-label={`Detach ${p.PolicyName}`}
          onClick={() => void action.run(`detach ${p.PolicyArn}`, () => detachPolicy(iam, kind, name, p.PolicyArn!), policies.reload)}>Detach</Button>
      ),
    },
  ];
  const inlineColumns: Column<string>[] = [
    { key: 'name', header: 'Inline policy', render: (p) => <a href={href(`/iam/${PLURAL[kind]}/:name/inline`, { name }, { policy: p })}>{p}</a> },
    {
      key: 'delete', header: '', render: (p) => (
        <Button variant="danger" busy={action.busy === `delete ${p}`} aria-label={`Delete inline policy ${p}`}
          onClick={() => void action.run(`delete ${p}`, () => deleteInlinePolicy(iam, kind, name, p), policies.reload)}>Delete</Button>
      ),
    },
  ];

  return (
    <section aria-label="Permissions">
      <ErrorBanner error={policies.error ?? action.error} />
      <h2>Attached managed policies</h2>
      {policies.loading && !policies.data ? <Loading /> : (
        <Table caption="Attached policies" columns={attachedColumns} rows={policies.data?.attached ?? []} rowKey={(p) => p.PolicyArn!} empty="No managed policies attached." />
      )}
      <div className="toolbar">
        <SelectField label="Policy to attach" value={chosen} onChange={(e) => setChosen(e.target.value)}
          options={[{ value: '', label: available.error ? 'Cannot list policies' : 'Choose a policy…' }, ...choices.map((p) => ({ value: p.Arn!, label: `${p.PolicyName}${p.Arn!.startsWith('arn:aws:iam::aws:') ? ' (AWS managed)' : ''}` }))]} />
        <Button variant="primary" disabled={chosen === ''} busy={action.busy === 'attach'}
          onClick={() => void action.run('attach', () => attachPolicy(iam, kind, name, chosen), () => { setChosen(''); policies.reload(); })}>Attach policy</Button>
      </div>
      <h2>Inline policies</h2>
      {policies.data && <Table caption="Inline policies" columns={inlineColumns} rows={policies.data.inline} rowKey={(p) => p} empty="No inline policies." />}
      <a className="btn" href={href(`/iam/${PLURAL[kind]}/:name/inline`, { name })}>Add inline policy</a>
    </section>
  );
}
