import type { ButtonHTMLAttributes } from 'react';

type Variant = 'primary' | 'secondary' | 'danger' | 'link';

/** A button; `busy` disables it and shows a spinner while an action runs. */
export function Button({ variant = 'secondary', busy, children, className, ...rest }: ButtonHTMLAttributes<HTMLButtonElement> & { variant?: Variant; busy?: boolean }) {
  return (
    <button type="button" {...rest} disabled={rest.disabled || busy} aria-busy={busy || undefined} className={`btn btn-${variant}${className ? ` ${className}` : ''}`}>
      {busy && <span className="spinner" aria-hidden="true" />}
      {children}
    </button>
  );
}
