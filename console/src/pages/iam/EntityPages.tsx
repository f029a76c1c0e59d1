/**
 * The pages of one user, group or role: summary, permissions (PermissionsPanel), and what is
 * particular to each — a user's groups and security credentials, a group's members, a role's
 * trust policy in the policy editor.
 */
import { useEffect, useState, type ReactElement } from 'react';
import {
  AddUserToGroupCommand, DeleteGroupCommand, DeleteRoleCommand, GetGroupCommand, GetRoleCommand, GetUserCommand, ListGroupsCommand,
  ListGroupsForUserCommand, RemoveUserFromGroupCommand, UpdateAssumeRolePolicyCommand, ListUsersCommand, type Group, type User,
} from '@aws-sdk/client-iam';
import { useSession } from '../../session.tsx';
import { href, navigate, useRoute } from '../../router.tsx';
import { Button, Confirm, ErrorBanner, Loading, PageHeader, SelectField, Table, Tabs, TabPanel, formatDateUtc, useAction, useAsync, type Column } from '../../components/index.ts';
import { PolicyEditor } from '../../policy/PolicyEditor.tsx';
import { analyzePolicy } from '../../policy/diagnostics.ts';
import { PermissionsPanel } from './PermissionsPanel.tsx';
import { SecurityCredentials } from './SecurityCredentials.tsx';
import { decodeDocument, deleteUserCompletely, listAll, prettyDocument } from './iam-calls.ts';

function useTab(initial: string): [string, (id: string) => void] {
  const { query } = useRoute();
  const [tab, setTab] = useState(query.get('tab') ?? initial);
  return [tab, setTab];
}

export function UserPage(): ReactElement {
  const { clients } = useSession();
  const name = useRoute().params.name ?? '';
  const user = useAsync(() => clients.iam.send(new GetUserCommand({ UserName: name })), [name]);
  const [tab, setTab] = useTab('permissions');
  const [confirm, setConfirm] = useState(false);
  const action = useAction();
  const u = user.data?.User;
  return (
    <>
      <PageHeader title={name} crumbs={[{ label: 'Users', href: href('/iam/users') }]}
        actions={<Button variant="danger" onClick={() => setConfirm(true)}>Delete user</Button>} />
      <ErrorBanner error={user.error ?? action.error} />
      {u && (
        <dl className="card props">
          <dt>ARN</dt><dd><code>{u.Arn}</code></dd>
          <dt>Created</dt><dd>{formatDateUtc(u.CreateDate)}</dd>
          <dt>Console password last used</dt><dd>{formatDateUtc(u.PasswordLastUsed)}</dd>
        </dl>
      )}
      <Tabs label="User" selected={tab} onSelect={setTab} tabs={[
        { id: 'permissions', label: 'Permissions' }, { id: 'groups', label: 'Groups' }, { id: 'credentials', label: 'Security credentials' },
      ]} />
      <TabPanel id={tab}>
        {tab === 'permissions' && <PermissionsPanel kind="user" name={name} />}
        {tab === 'groups' && <UserGroups userName={name} />}
        {tab === 'credentials' && <SecurityCredentials userName={name} />}
      </TabPanel>
      <Confirm open={confirm} title={`Delete user ${name}?`} confirmLabel="Delete user" danger busy={action.busy === 'delete'}
        onCancel={() => setConfirm(false)}
        onConfirm={() => void action.run('delete', () => deleteUserCompletely(clients.iam, name), () => navigate(href('/iam/users'))).then(() => setConfirm(false))}>
        <p>This deletes the user with its access keys, console password, MFA devices, group memberships and policies. It cannot be undone.</p>
      </Confirm>
    </>
  );
}

function UserGroups({ userName }: { userName: string }): ReactElement {
  const { clients } = useSession();
  const groups = useAsync(() => listAll((Marker) => clients.iam.send(new ListGroupsForUserCommand({ UserName: userName, Marker })), (o) => o.Groups), [userName]);
  const all = useAsync(() => listAll((Marker) => clients.iam.send(new ListGroupsCommand({ Marker })), (o) => o.Groups), []);
  const [chosen, setChosen] = useState('');
  const action = useAction();
  const member = new Set(groups.data?.map((g) => g.GroupName));
  const columns: Column<Group>[] = [
    { key: 'name', header: 'Group', render: (g) => <a href={href('/iam/groups/:name', { name: g.GroupName! })}>{g.GroupName}</a> },
    {
      key: 'remove', header: '', render: (g) => (
        <Button variant="danger" busy={action.busy === `remove ${g.GroupName}`} aria-label={`Remove from ${g.GroupName}`}
          onClick={() => void action.run(`remove ${g.GroupName}`, () => clients.iam.send(new RemoveUserFromGroupCommand({ UserName: userName, GroupName: g.GroupName })), groups.reload)}>Remove</Button>
      ),
    },
  ];
  return (
    <section aria-label="Groups">
      <ErrorBanner error={groups.error ?? action.error} />
      {groups.loading && !groups.data ? <Loading /> : <Table caption="Groups of this user" columns={columns} rows={groups.data ?? []} rowKey={(g) => g.GroupId!} empty="Not in any group." />}
      <div className="toolbar">
        <SelectField label="Group to join" value={chosen} onChange={(e) => setChosen(e.target.value)}
          options={[{ value: '', label: 'Choose a group…' }, ...(all.data ?? []).filter((g) => !member.has(g.GroupName)).map((g) => ({ value: g.GroupName!, label: g.GroupName! }))]} />
        <Button variant="primary" disabled={chosen === ''} busy={action.busy === 'add'}
          onClick={() => void action.run('add', () => clients.iam.send(new AddUserToGroupCommand({ UserName: userName, GroupName: chosen })), () => { setChosen(''); groups.reload(); })}>Add to group</Button>
      </div>
    </section>
  );
}

export function GroupPage(): ReactElement {
  const { clients } = useSession();
  const name = useRoute().params.name ?? '';
  const group = useAsync(() => clients.iam.send(new GetGroupCommand({ GroupName: name })), [name]);
  const users = useAsync(() => listAll((Marker) => clients.iam.send(new ListUsersCommand({ Marker })), (o) => o.Users), []);
  const [tab, setTab] = useTab('members');
  const [chosen, setChosen] = useState('');
  const action = useAction();
  const members = group.data?.Users ?? [];
  const memberNames = new Set(members.map((u) => u.UserName));
  const columns: Column<User>[] = [
    { key: 'name', header: 'User', render: (u) => <a href={href('/iam/users/:name', { name: u.UserName! })}>{u.UserName}</a> },
    {
      key: 'remove', header: '', render: (u) => (
        <Button variant="danger" busy={action.busy === `remove ${u.UserName}`} aria-label={`Remove ${u.UserName}`}
          onClick={() => void action.run(`remove ${u.UserName}`, () => clients.iam.send(new RemoveUserFromGroupCommand({ UserName: u.UserName, GroupName: name })), group.reload)}>Remove</Button>
      ),
    },
  ];
  return (
    <>
      <PageHeader title={name} crumbs={[{ label: 'User groups', href: href('/iam/groups') }]}
        actions={<Button variant="danger" busy={action.busy === 'delete'} onClick={() => void action.run('delete', () => clients.iam.send(new DeleteGroupCommand({ GroupName: name })), () => navigate(href('/iam/groups')))}>Delete group</Button>} />
      <ErrorBanner error={group.error ?? action.error} />
      {group.data?.Group && <dl className="card props"><dt>ARN</dt><dd><code>{group.data.Group.Arn}</code></dd><dt>Created</dt><dd>{formatDateUtc(group.data.Group.CreateDate)}</dd></dl>}
      <Tabs label="Group" selected={tab} onSelect={setTab} tabs={[{ id: 'members', label: 'Users' }, { id: 'permissions', label: 'Permissions' }]} />
      <TabPanel id={tab}>
        {tab === 'permissions' && <PermissionsPanel kind="group" name={name} />}
        {tab === 'members' && (
          <>
            {group.loading && !group.data ? <Loading /> : <Table caption="Members" columns={columns} rows={members} rowKey={(u) => u.UserId!} empty="No users in this group." />}
            <div className="toolbar">
              <SelectField label="User to add" value={chosen} onChange={(e) => setChosen(e.target.value)}
                options={[{ value: '', label: 'Choose a user…' }, ...(users.data ?? []).filter((u) => !memberNames.has(u.UserName)).map((u) => ({ value: u.UserName!, label: u.UserName! }))]} />
              <Button variant="primary" disabled={chosen === ''} busy={action.busy === 'add'}
                onClick={() => void action.run('add', () => clients.iam.send(new AddUserToGroupCommand({ UserName: chosen, GroupName: name })), () => { setChosen(''); group.reload(); })}>Add user</Button>
            </div>
          </>
        )}
      </TabPanel>
    </>
  );
}

export function RolePage(): ReactElement {
  const { clients, accountId, region } = useSession();
  const name = useRoute().params.name ?? '';
  const role = useAsync(() => clients.iam.send(new GetRoleCommand({ RoleName: name })), [name]);
  const [tab, setTab] = useTab('permissions');
  const [trust, setTrust] = useState<string>();
  const [saved, setSaved] = useState(false);
  const action = useAction();
  const stored = role.data?.Role?.AssumeRolePolicyDocument;
  useEffect(() => { if (stored !== undefined) setTrust(prettyDocument(decodeDocument(stored))); }, [stored]);
  const r = role.data?.Role;
  return (
    <>
      <PageHeader title={name} crumbs={[{ label: 'Roles', href: href('/iam/roles') }]}
        actions={<Button variant="danger" busy={action.busy === 'delete'} onClick={() => void action.run('delete', () => clients.iam.send(new DeleteRoleCommand({ RoleName: name })), () => navigate(href('/iam/roles')))}>Delete role</Button>} />
      <ErrorBanner error={role.error ?? action.error} />
      {r && (
        <dl className="card props">
          <dt>ARN</dt><dd><code>{r.Arn}</code></dd>
          {r.Description && <><dt>Description</dt><dd>{r.Description}</dd></>}
          <dt>Maximum session duration</dt><dd>{(r.MaxSessionDuration ?? 3600) / 3600} h</dd>
          <dt>Created</dt><dd>{formatDateUtc(r.CreateDate)}</dd>
        </dl>
      )}
      <Tabs label="Role" selected={tab} onSelect={setTab} tabs={[{ id: 'permissions', label: 'Permissions' }, { id: 'trust', label: 'Trust relationships' }]} />
      <TabPanel id={tab}>
        {tab === 'permissions' && <PermissionsPanel kind="role" name={name} />}
        {tab === 'trust' && (trust === undefined ? <Loading /> : (
          <form aria-label="Trust policy" onSubmit={(e) => {
            e.preventDefault();
            setSaved(false);
            void action.run('trust', () => clients.iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: name, PolicyDocument: trust })), () => { setSaved(true); role.reload(); });
          }}>
            {saved && <div className="banner banner-success" role="status">Trust policy saved.</div>}
            <PolicyEditor kind="trust" label="Trust policy" value={trust} onChange={(t) => { setTrust(t); setSaved(false); }} accountId={accountId} region={region} />
            <div className="form-actions">
              <Button type="submit" variant="primary" busy={action.busy === 'trust'} disabled={!analyzePolicy(trust, 'trust').valid}>Update trust policy</Button>
            </div>
          </form>
        ))}
      </TabPanel>
    </>
  );
}
