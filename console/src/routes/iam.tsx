// Helper H2's pages (iam). Add routes here; the router and the navigation pick them up.
import type { ConsoleRoute } from '../router.tsx';
import { GroupsList, PoliciesList, RolesList, UsersList } from '../pages/iam/IamLists.tsx';
import { GroupPage, RolePage, UserPage } from '../pages/iam/EntityPages.tsx';
import { CreatePolicyPage, InlinePolicyPage, ManagedPolicyPage } from '../pages/iam/PolicyPages.tsx';

export const routes: ConsoleRoute[] = [
  { path: '/iam/users', title: 'Users', nav: 'IAM', element: <UsersList /> },
  { path: '/iam/users/:name', title: 'User', element: <UserPage /> },
  { path: '/iam/users/:name/inline', title: 'Inline policy', element: <InlinePolicyPage plural="users" /> },
  { path: '/iam/groups', title: 'User groups', nav: 'IAM', element: <GroupsList /> },
  { path: '/iam/groups/:name', title: 'User group', element: <GroupPage /> },
  { path: '/iam/groups/:name/inline', title: 'Inline policy', element: <InlinePolicyPage plural="groups" /> },
  { path: '/iam/roles', title: 'Roles', nav: 'IAM', element: <RolesList /> },
  { path: '/iam/roles/:name', title: 'Role', element: <RolePage /> },
  { path: '/iam/roles/:name/inline', title: 'Inline policy', element: <InlinePolicyPage plural="roles" /> },
  { path: '/iam/policies', title: 'Policies', nav: 'IAM', element: <PoliciesList /> },
  { path: '/iam/policies/new', title: 'Create policy', element: <CreatePolicyPage /> },
  { path: '/iam/policy/:arn', title: 'Policy', element: <ManagedPolicyPage /> },
];
