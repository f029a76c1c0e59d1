import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';

/**
 * Runs `load` on mount and whenever `deps` change; `reload()` runs it again. Errors are kept
 * for an ErrorBanner. Results of a superseded run are dropped.
 */
export function useAsync<T>(load: () => Promise<T>, deps: unknown[]): { data?: T; error?: unknown; loading: boolean; reload: () => void } {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  const run = useRef(0);
  const go = useCallback(() => {
    const mine = ++run.current;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => { if (mine === run.current) setState({ data, loading: false }); },
      (error) => { if (mine === run.current) setState({ error, loading: false }); },
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  useEffect(() => { go(); }, [go]);
  return { ...state, reload: go };
}

/** A page's heading with optional breadcrumbs and actions on the right. */
export function PageHeader(props: { title: string; crumbs?: { label: string; href: string }[]; actions?: ReactNode }) {
  return (
    <header className="page-header">
      {props.crumbs && props.crumbs.length > 0 && (
        <nav aria-label="Breadcrumb" className="crumbs">
          {props.crumbs.map((c) => <span key={c.href}><a href={c.href}>{c.label}</a> / </span>)}
        </nav>
      )}
      <div className="page-header-row">
        <h1>{props.title}</h1>
        {props.actions && <div className="page-actions">{props.actions}</div>}
      </div>
    </header>
  );
}
