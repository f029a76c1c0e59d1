import { useContext, useEffect } from 'react';
import { SessionContext } from '../session.tsx';
import { errorFacts, isExpired, isRevoked, whyHref } from './errors.ts';

/**
 * An AWS error as the console shows it: code, message and request id, and for access denials
 * a "Why?" link to the explanation page. `action`/`resource` override what the message names
 * (useful when the caller knows better, e.g. AccessDenied texts without a resource).
 */
export function ErrorBanner(props: { error: unknown; action?: string; resource?: string; onDismiss?: () => void }) {
  const session = useContext(SessionContext);
  // Expired credentials: back to sign-in with a message, whichever page noticed.
  useEffect(() => {
    if (session && isExpired(props.error)) session.signOut('Your session has expired. Sign in again.');
    else if (session && isRevoked(props.error)) session.signOut('Your session has ended. Sign in again.');
  }, [session, props.error]);
  if (props.error === undefined || props.error === null) return null;
  const f = errorFacts(props.error);
  const action = f.action ?? props.action;
  const resource = f.resource ?? props.resource;
  return (
    <div className="banner banner-error" role="alert" data-testid="error-banner">
      <div>
        <strong className="error-code">{f.name}</strong>: <span className="error-message">{f.message}</span>
        {f.requestId && <div className="muted small">Request ID: <code>{f.requestId}</code></div>}
      </div>
      <div className="banner-actions">
        {f.denied && <a className="why-link" href={whyHref({ action, resource, principal: f.principal })}>Why?</a>}
        {props.onDismiss && <button type="button" className="btn btn-link" onClick={props.onDismiss} aria-label="Dismiss error">×</button>}
      </div>
    </div>
  );
}

export function Notice(props: { kind?: 'info' | 'success' | 'warning'; children: React.ReactNode }) {
  return <div className={`banner banner-${props.kind ?? 'info'}`} role="status">{props.children}</div>;
}
