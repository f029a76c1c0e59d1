// The secret value as a key/value table: a flat JSON object of strings (numbers and booleans
// are shown as text and written back as they were typed).

export type Pair = { key: string; value: string; kind: 'string' | 'number' | 'boolean' | 'null' };

/** The pairs of a flat JSON object, or undefined when the text is not one (then plaintext only). */
export function toPairs(text: string): Pair[] | undefined {
  let parsed: unknown;
  try { parsed = JSON.parse(text); } catch { return undefined; }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  const pairs: Pair[] = [];
  for (const [key, v] of Object.entries(parsed as Record<string, unknown>)) {
    if (v === null) pairs.push({ key, value: '', kind: 'null' });
    else if (typeof v === 'string') pairs.push({ key, value: v, kind: 'string' });
    else if (typeof v === 'number') pairs.push({ key, value: String(v), kind: 'number' });
    else if (typeof v === 'boolean') pairs.push({ key, value: String(v), kind: 'boolean' });
    else return undefined;
  }
  return pairs;
}

/** The JSON text of pairs; a number or boolean stays one while its text still parses as one. */
export function fromPairs(pairs: Pair[]): string {
  const out: Record<string, unknown> = {};
  for (const p of pairs) {
    if (!p.key) continue;
    if (p.kind === 'number' && p.value.trim() !== '' && Number.isFinite(Number(p.value))) out[p.key] = Number(p.value);
    else if (p.kind === 'boolean' && (p.value === 'true' || p.value === 'false')) out[p.key] = p.value === 'true';
    else if (p.kind === 'null' && p.value === '') out[p.key] = null;
    else out[p.key] = p.value;
  }
  return JSON.stringify(out);
}

export function duplicateKeys(pairs: Pair[]): string[] {
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const p of pairs) { if (p.key && seen.has(p.key)) dup.add(p.key); seen.add(p.key); }
  return [...dup];
}
