// Helper H2's pages (kms). Add routes here; the router and the navigation pick them up.
import type { ConsoleRoute } from '../router.tsx';
import { KeyPage, KeysList } from '../pages/kms/KmsPages.tsx';

export const routes: ConsoleRoute[] = [
  { path: '/kms/keys', title: 'Customer managed keys', nav: 'KMS', navLabel: 'Keys', element: <KeysList /> },
  { path: '/kms/keys/:id', title: 'Key', element: <KeyPage /> },
];
