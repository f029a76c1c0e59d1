/**
 * Output values to awsJson1.1: Dates become epoch seconds with a millisecond fraction,
 * Buffers become base64, and absent members are omitted (AWS never sends null).
 */
export function toWire(value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  if (value instanceof Date) return value.getTime() / 1000;
  if (Buffer.isBuffer(value)) return value.toString('base64');
  if (Array.isArray(value)) return value.map(toWire);
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (v === undefined || v === null) continue;
      out[k] = toWire(v);
    }
    return out;
  }
  return value;
}
