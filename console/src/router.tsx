// A small hash router: routes are `#/path?query`, so the server's SPA fallback is needed only
// for /console/ itself and the browser's back/forward work. Routes come from routes/*.tsx.
import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';

export interface ConsoleRoute {
  /** A pattern: `/secrets`, `/secrets/:id` (a `:name` segment matches one URL-encoded segment). */
  path: string;
  /** The page title (document title and heading when the page has none of its own). */
  title: string;
  /** When set, the route appears in the navigation under this section (e.g. "Secrets Manager", "IAM", "KMS"). */
  nav?: string;
  /** The navigation entry's label; defaults to `title`. */
  navLabel?: string;
  /** Rendered when the route matches; pages read parameters with `useRoute()`. */
  element: ReactNode;
}

export interface RouteState {
  /** The path part of the hash, e.g. `/secrets/prod%2Fdb` → `/secrets/prod%2Fdb`. */
  path: string;
  /** Decoded `:name` parameters of the matched route. */
  params: Record<string, string>;
  /** The hash's query string. */
  query: URLSearchParams;
}

export function currentHash(): { path: string; query: URLSearchParams } {
  const raw = window.location.hash.replace(/^#/, '') || '/';
  const q = raw.indexOf('?');
  return { path: q < 0 ? raw : raw.slice(0, q), query: new URLSearchParams(q < 0 ? '' : raw.slice(q + 1)) };
}

export function matchPath(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split('/').filter(Boolean);
  const got = path.split('/').filter(Boolean);
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    let g: string;
    try { g = decodeURIComponent(got[i]!); } catch { return undefined; }
    if (w.startsWith(':')) params[w.slice(1)] = g;
    else if (w !== g) return undefined;
  }
  return params;
}

/** A link target: `href('/secrets/:id', { id: 'prod/db' }, { tab: 'value' })` → `#/secrets/prod%2Fdb?tab=value`. */
export function href(pattern: string, params: Record<string, string> = {}, query?: Record<string, string | undefined>): string {
  const path = pattern.split('/').map((seg) => (seg.startsWith(':') ? encodeURIComponent(params[seg.slice(1)] ?? '') : seg)).join('/');
  const q = query ? new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined) as [string, string][]).toString() : '';
  return `#${path}${q ? `?${q}` : ''}`;
}

export function navigate(to: string): void {
  window.location.hash = to.startsWith('#') ? to.slice(1) : to;
}

export const RouteContext = createContext<RouteState>({ path: '/', params: {}, query: new URLSearchParams() });

/** The current route's path, parameters and query. */
export function useRoute(): RouteState {
  return useContext(RouteContext);
}

/** Re-renders on every hash change. */
export function useHash(): { path: string; query: URLSearchParams } {
  const [state, setState] = useState(currentHash);
  useEffect(() => {
    const onChange = () => setState(currentHash());
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return state;
}

export function findRoute(routes: ConsoleRoute[], path: string): { route: ConsoleRoute; params: Record<string, string> } | undefined {
  for (const route of routes) {
    const params = matchPath(route.path, path);
    if (params) return { route, params };
  }
  return undefined;
}
