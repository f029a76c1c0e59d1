/** `--throttle on|off`, `--throttle-rate SERVICE:OPERATION=RATE` (repeatable), `--throttle-burst SECONDS`. */
import { UsageError } from '../config.ts';
import { DEFAULT_THROTTLE, parseRateOverride, type ThrottleConfig } from './throttle.ts';

export const THROTTLE_FLAGS = ['throttle', 'throttle-rate', 'throttle-burst'];

export function parseThrottleOptions(
  one: (name: string, envName: string) => string | undefined,
  /** Every value of a repeatable option (COFFER_THROTTLE_RATES is comma-separated). */
  many: (name: string, envName: string) => string[],
): ThrottleConfig {
  const onOff = one('throttle', 'COFFER_THROTTLE') ?? 'on';
  if (onOff !== 'on' && onOff !== 'off') throw new UsageError(`--throttle must be on or off, got '${onOff}'`);
  const burstRaw = one('throttle-burst', 'COFFER_THROTTLE_BURST');
  const burstSeconds = burstRaw === undefined ? DEFAULT_THROTTLE.burstSeconds : Number(burstRaw);
  if (!Number.isFinite(burstSeconds) || burstSeconds <= 0) throw new UsageError(`--throttle-burst must be a number of seconds above 0, got '${burstRaw}'`);
  const overrides = many('throttle-rate', 'COFFER_THROTTLE_RATES').flatMap((v) => v.split(',')).filter((v) => v.trim() !== '').map((v) => {
    try {
      return parseRateOverride(v);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  });
  return { enabled: onOff === 'on', burstSeconds, overrides };
}
