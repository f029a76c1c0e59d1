/**
 * The IAM lists: users, groups, roles and policies (customer managed and AWS managed), each
 * with its create form. Every call is the signed-in user's own, so IAM decides what they see.
 */
import { useState, type FormEvent, type ReactElement } from 'react';
import {
  CreateGroupCommand, CreateRoleCommand, CreateUserCommand, ListGroupsCommand, ListPoliciesCommand, ListRolesCommand, ListUsersCommand,
  type Group, type Policy, type PolicyScopeType, type Role, type User,
} from '@aws-sdk/client-iam';
import { useSession } from '../../session.tsx';
import { href, navigate } from '../../router.tsx';
import { Button, ErrorBanner, Loading, PageHeader, SelectField, Table, TextField, formatDateUtc, useAction, useAsync, type Column } from '../../components/index.ts';
import { PolicyEditor } from '../../policy/PolicyEditor.tsx';
import { analyzePolicy } from '../../policy/diagnostics.ts';
import { listAll } from './iam-calls.ts';
import './iam.css';

export function UsersList(): ReactElement {
  const { clients } = useSession();
  const users = useAsync(() => listAll((Marker) => clients.iam.send(new ListUsersCommand({ Marker })), (o) => o.Users), []);
  const [name, setName] = useState('');
  const action = useAction();
  const create = (e: FormEvent) => {
    e.preventDefault();
    void action.run('create', () => clients.iam.send(new CreateUserCommand({ UserName: name })), () => navigate(href('/iam/users/:name', { name })));
  };
  const columns: Column<User>[] = [
    { key: 'name', header: 'User name', render: (u) => <a href={href('/iam/users/:name', { name: u.UserName! })}>{u.UserName}</a> },
    { key: 'arn', header: 'ARN', render: (u) => <code>{u.Arn}</code> },
    { key: 'created', header: 'Created', render: (u) => formatDateUtc(u.CreateDate) },
    { key: 'used', header: 'Password last used', render: (u) => formatDateUtc(u.PasswordLastUsed) },
  ];
  return (
    <>
      <PageHeader title="Users" />
      <ErrorBanner error={users.error ?? action.error} action="iam:ListUsers" />
      <form className="toolbar" onSubmit={create} aria-label="Create user">
        <TextField label="New user name" value={name} onChange={(e) => setName(e.target.value)} required />
        <Button type="submit" variant="primary" busy={action.busy === 'create'}>Create user</Button>
      </form>
      {users.loading && !users.data ? <Loading /> : <Table caption="Users" columns={columns} rows={users.data ?? []} rowKey={(u) => u.UserId!} empty="No users yet." />}
    </>
  );
}

export function GroupsList(): ReactElement {
  const { clients } = useSession();
  const groups = useAsync(() => listAll((Marker) => clients.iam.send(new ListGroupsCommand({ Marker })), (o) => o.Groups), []);
  const [name, setName] = useState('');
  const action = useAction();
  const create = (e: FormEvent) => {
    e.preventDefault();
    void action.run('create', () => clients.iam.send(new CreateGroupCommand({ GroupName: name })), () => navigate(href('/iam/groups/:name', { name })));
  };
  const columns: Column<Group>[] = [
    { key: 'name', header: 'Group name', render: (g) => <a href={href('/iam/groups/:name', { name: g.GroupName! })}>{g.GroupName}</a> },
    { key: 'arn', header: 'ARN', render: (g) => <code>{g.Arn}</code> },
    { key: 'created', header: 'Created', render: (g) => formatDateUtc(g.CreateDate) },
  ];
  return (
    <>
      <PageHeader title="User groups" />
      <ErrorBanner error={groups.error ?? action.error} action="iam:ListGroups" />
      <form className="toolbar" onSubmit={create} aria-label="Create group">
        <TextField label="New group name" value={name} onChange={(e) => setName(e.target.value)} required />
        <Button type="submit" variant="primary" busy={action.busy === 'create'}>Create group</Button>
      </form>
      {groups.loading && !groups.data ? <Loading /> : <Table caption="Groups" columns={columns} rows={groups.data ?? []} rowKey={(g) => g.GroupId!} empty="No groups yet." />}
    </>
  );
}

const LAMBDA_TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
}, null, 2);

export function RolesList(): ReactElement {
  const { clients, accountId, region } = useSession();
  const roles = useAsync(() => listAll((Marker) => clients.iam.send(new ListRolesCommand({ Marker })), (o) => o.Roles), []);
  const [name, setName] = useState('');
  const [trust, setTrust] = useState(LAMBDA_TRUST);
  const [open, setOpen] = useState(false);
  const action = useAction();
  const valid = analyzePolicy(trust, 'trust').valid;
  const create = (e: FormEvent) => {
    e.preventDefault();
    void action.run('create', () => clients.iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trust })), () => navigate(href('/iam/roles/:name', { name })));
  };
  const columns: Column<Role>[] = [
    { key: 'name', header: 'Role name', render: (r) => <a href={href('/iam/roles/:name', { name: r.RoleName! })}>{r.RoleName}</a> },
    { key: 'arn', header: 'ARN', render: (r) => <code>{r.Arn}</code> },
    { key: 'description', header: 'Description', render: (r) => r.Description ?? '' },
    { key: 'created', header: 'Created', render: (r) => formatDateUtc(r.CreateDate) },
  ];
  return (
    <>
      <PageHeader title="Roles" actions={<Button variant="primary" onClick={() => setOpen(!open)} aria-expanded={open}>New role</Button>} />
      <ErrorBanner error={roles.error ?? action.error} action="iam:ListRoles" />
      {open && (
        <form className="card" onSubmit={create} aria-label="Create role">
          <TextField label="Role name" value={name} onChange={(e) => setName(e.target.value)} required />
          <PolicyEditor kind="trust" label="Trust policy" value={trust} onChange={setTrust} accountId={accountId} region={region} />
          <div className="form-actions">
            <Button type="submit" variant="primary" busy={action.busy === 'create'} disabled={!valid}>Create role</Button>
          </div>
        </form>
      )}
      {roles.loading && !roles.data ? <Loading /> : <Table caption="Roles" columns={columns} rows={roles.data ?? []} rowKey={(r) => r.RoleId!} empty="No roles yet." />}
    </>
  );
}

export function PoliciesList(): ReactElement {
  const { clients } = useSession();
  const [scope, setScope] = useState<PolicyScopeType>('Local');
  const policies = useAsync(() => listAll((Marker) => clients.iam.send(new ListPoliciesCommand({ Scope: scope, Marker })), (o) => o.Policies), [scope]);
  const columns: Column<Policy>[] = [
    { key: 'name', header: 'Policy name', render: (p) => <a href={href('/iam/policy/:arn', { arn: p.Arn! })}>{p.PolicyName}</a> },
    { key: 'type', header: 'Type', render: (p) => (p.Arn?.startsWith('arn:aws:iam::aws:') ? 'AWS managed' : 'Customer managed') },
    { key: 'attached', header: 'Attached to', render: (p) => String(p.AttachmentCount ?? 0) },
    { key: 'version', header: 'Default version', render: (p) => p.DefaultVersionId ?? '' },
    { key: 'description', header: 'Description', render: (p) => p.Description ?? '' },
  ];
  return (
    <>
      <PageHeader title="Policies" actions={<a className="btn btn-primary" href={href('/iam/policies/new')}>Create policy</a>} />
      <ErrorBanner error={policies.error} action="iam:ListPolicies" />
      <div className="toolbar">
        <SelectField label="Show" value={scope} onChange={(e) => setScope(e.target.value as PolicyScopeType)}
          options={[{ value: 'Local', label: 'Customer managed' }, { value: 'AWS', label: 'AWS managed' }, { value: 'All', label: 'All policies' }]} />
      </div>
      {policies.loading && !policies.data ? <Loading /> : <Table caption="Policies" columns={columns} rows={policies.data ?? []} rowKey={(p) => p.Arn!} empty="No policies." />}
    </>
  );
}
