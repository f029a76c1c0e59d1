// Helper H2's pages (why). Add routes here; the router and the navigation pick them up.
import type { ReactElement } from 'react';
import type { ConsoleRoute } from '../router.tsx';
import { navigate, useRoute } from '../router.tsx';
import { useSession } from '../session.tsx';
import { WhyPage } from '../pages/why/WhyPage.tsx';
import { queryFromQuestion } from '../pages/why/simulate-call.ts';

function Why(): ReactElement {
  const { query } = useRoute();
  const session = useSession();
  return <WhyPage query={query.toString()} principalArn={session.principalArn} clients={session.clients}
    onAsk={(q) => navigate(`#/why?${queryFromQuestion(q)}`)} />;
}

export const routes: ConsoleRoute[] = [
  { path: '/why', title: 'Why?', nav: 'Access', navLabel: 'Why? (explain access)', element: <Why /> },
];
