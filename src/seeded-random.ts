/**
 * A seeded pseudo-random generator for tests and tools that must reproduce a run from its seed
 * (the IAM differential harness, scripts/fuzz.ts). Not for anything secret: use node:crypto.
 */

/** Returns a number in [0, 1), like Math.random. */
export type Rand = () => number;

/** mulberry32: small, fast, and reproducible from a 32-bit seed. */
export function mulberry32(seed: number): Rand {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
