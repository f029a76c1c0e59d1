// Secrets Manager's pages.
import type { ConsoleRoute } from '../router.tsx';
import { SecretsList } from '../pages/secrets/SecretsList.tsx';
import { SecretPage } from '../pages/secrets/SecretPage.tsx';
import { CreateSecret } from '../pages/secrets/CreateSecret.tsx';

export const routes: ConsoleRoute[] = [
  { path: '/secrets', title: 'Secrets', nav: 'Secrets Manager', element: <SecretsList /> },
  { path: '/secrets/new', title: 'Store a new secret', nav: 'Secrets Manager', navLabel: 'Store a new secret', element: <CreateSecret /> },
  { path: '/secrets/:id', title: 'Secret', element: <SecretPage /> },
];
