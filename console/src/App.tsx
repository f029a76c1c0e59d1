// The console shell: sign-in until there is a session, then the header, the navigation built
// from the route registry (routes/*.tsx) and the matched page.
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { SignedIn } from './api.ts';
import { makeSession, SessionContext, useSession, type Session } from './session.tsx';
import { SignIn } from './pages/SignIn.tsx';
import { ChangePassword } from './pages/ChangePassword.tsx';
import { ALL_ROUTES, NAV_SECTIONS } from './routes/index.ts';
import { findRoute, RouteContext, useHash, type ConsoleRoute } from './router.tsx';

export const EXPIRED_MESSAGE = 'Your session has expired. Sign in again.';

// setTimeout takes at most 2^31-1 ms; longer sessions re-arm.
const MAX_TIMER = 2 ** 31 - 1;

export function App() {
  const [session, setSession] = useState<Session>();
  const [message, setMessage] = useState<string>();
  /** Why the user must choose a new password before going on, if they must. */
  const [mustChangePassword, setMustChangePassword] = useState<'reset' | 'expired'>();

  const signOut = useCallback((msg?: string) => {
    // Dropping the session drops the clients and the credentials they hold.
    setSession(undefined);
    setMustChangePassword(undefined);
    setMessage(msg);
  }, []);

  const signedIn = useCallback((a: SignedIn, region: string) => {
    setMessage(undefined);
    setMustChangePassword(!a.passwordChangeRequired ? undefined : a.passwordExpired ? 'expired' : 'reset');
    setSession(makeSession(a.identity, a.credentials, region, a.mfa, signOut));
  }, [signOut]);

  useEffect(() => {
    if (!session) return;
    let timer: ReturnType<typeof setTimeout>;
    const arm = () => {
      const left = session.expiresAt.getTime() - Date.now();
      if (left <= 0) { signOut(EXPIRED_MESSAGE); return; }
      timer = setTimeout(arm, Math.min(left, MAX_TIMER));
    };
    arm();
    return () => clearTimeout(timer);
  }, [session, signOut]);

  if (!session) return <SignIn message={message} onSignedIn={signedIn} />;
  return (
    <SessionContext.Provider value={session}>
      {mustChangePassword ? <ChangePassword reason={mustChangePassword} onDone={() => setMustChangePassword(undefined)} /> : <Shell />}
    </SessionContext.Provider>
  );
}

function Nav(props: { routes: ConsoleRoute[]; current: string; onNavigate: () => void }) {
  const sections = useMemo(() => {
    const names = [...NAV_SECTIONS];
    for (const r of props.routes) if (r.nav && !names.includes(r.nav)) names.push(r.nav);
    return names.map((name) => ({ name, routes: props.routes.filter((r) => r.nav === name) })).filter((s) => s.routes.length > 0);
  }, [props.routes]);
  // The most specific entry is current: /secrets/new is "Store a new secret", not "Secrets".
  const active = props.routes.filter((r) => r.nav && (props.current === r.path || props.current.startsWith(`${r.path}/`)))
    .sort((a, b) => b.path.length - a.path.length)[0]?.path;
  return (
    <nav aria-label="Console" className="sidenav">
      {sections.map((s) => (
        <div key={s.name} className="nav-section">
          <h2>{s.name}</h2>
          <ul>
            {s.routes.map((r) => {
              return <li key={r.path}><a href={`#${r.path}`} aria-current={active === r.path ? 'page' : undefined} onClick={props.onNavigate}>{r.navLabel ?? r.title}</a></li>;
            })}
          </ul>
        </div>
      ))}
    </nav>
  );
}

function Shell() {
  const { path, query } = useHash();
  const [menuOpen, setMenuOpen] = useState(false);
  const session = useSession();
  const found = path === '/' ? findRoute(ALL_ROUTES, '/secrets') : findRoute(ALL_ROUTES, path);
  useEffect(() => {
    document.title = found ? `${found.route.title} · coffer` : 'coffer console';
  }, [found?.route.title]);
  const who = session.isRoot ? `root (${session.accountId})` : `${session.userName} @ ${session.accountId}`;
  return (
    <div className={`shell${menuOpen ? ' menu-open' : ''}`}>
      <a className="skip-link" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>Skip to content</a>
      <header className="topbar">
        <button type="button" className="btn btn-link menu-button" aria-expanded={menuOpen} aria-controls="sidenav" onClick={() => setMenuOpen(!menuOpen)}>☰<span className="visually-hidden"> Menu</span></button>
        <a href="#/secrets" className="brand"><span className="logo" aria-hidden="true">▣</span> coffer</a>
        <div className="topbar-right">
          <span className="who" data-testid="signed-in-as" title={session.principalArn}>{who}{session.mfa ? ' · MFA' : ''}</span>
          <span className="region">{session.region}</span>
          <button type="button" className="btn btn-secondary" onClick={() => void session.signOutAndRevoke()}>Sign out</button>
        </div>
      </header>
      <div className="body">
        <div id="sidenav" className="sidenav-wrap"><Nav routes={ALL_ROUTES} current={path} onNavigate={() => setMenuOpen(false)} /></div>
        <main id="main" tabIndex={-1} className="content">
          <RouteContext.Provider value={{ path, params: found?.params ?? {}, query }}>
            {found ? found.route.element : <NotFound path={path} />}
          </RouteContext.Provider>
        </main>
      </div>
    </div>
  );
}

function NotFound(props: { path: string }) {
  return <div><h1>Page not found</h1><p>No console page at <code>{props.path}</code>. <a href="#/secrets">Go to secrets</a>.</p></div>;
}
