/** Where `/metrics` is served: `--metrics-listen same|off|HOST:PORT` (docs/operations.md, "Metrics"). */
import { UsageError } from '../config.ts';

export type MetricsListen = 'same' | 'off' | { host: string; port: number };

export function parseMetricsListen(value: string | undefined, parseListen: (value: string) => { host: string; port: number }): MetricsListen {
  if (value === undefined || value === 'same') return 'same';
  if (value === 'off') return 'off';
  try {
    return parseListen(value);
  } catch (err) {
    if (err instanceof UsageError) throw new UsageError(`--metrics-listen must be same, off or HOST:PORT, got '${value}'`);
    throw err;
  }
}
