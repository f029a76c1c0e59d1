/**
 * Runs one user action (a button's API calls) with a busy flag and keeps its error for an
 * ErrorBanner; `done` runs after success (usually a reload). Shared by the IAM and KMS pages.
 */
import { useCallback, useState } from 'react';

export interface Action {
  busy: string | undefined;
  error: unknown;
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
  return { busy, error, run, clear: () => setError(undefined) };
}

export function formatDate(d: Date | undefined): string {
  return d === undefined ? '—' : d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}
