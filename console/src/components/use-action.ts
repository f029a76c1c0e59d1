/**
 * Runs one user action (a button's API calls) with a busy label and keeps its error for an
 * ErrorBanner (which links denials to "Why?"); `done` runs after success (usually a reload).
 * Every page's buttons use it, so busy, error and retry behave alike everywhere.
 */
import { useCallback, useState } from 'react';

export interface Action {
  /** The label of the action running now (`busy === 'save'` lights that button only). */
  busy: string | undefined;
  error: unknown;
  /** Resolves true when `work` succeeded; a failure is kept in `error`, never thrown. */
  run(label: string, work: () => Promise<unknown>, done?: () => void): Promise<boolean>;
  clear(): void;
}

export function useAction(): Action {
  const [busy, setBusy] = useState<string>();
  const [error, setError] = useState<unknown>();
  const run = useCallback(async (label: string, work: () => Promise<unknown>, done?: () => void) => {
    setBusy(label);
    setError(undefined);
    try {
      await work();
      done?.();
      return true;
    } catch (e) {
      setError(e);
      return false;
    } finally {
      setBusy(undefined);
    }
  }, []);
  const clear = useCallback(() => setError(undefined), []);
  return { busy, error, run, clear };
}
