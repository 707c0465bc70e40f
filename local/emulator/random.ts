/**
 * A small seeded pseudo-random generator (mulberry32) returning numbers in [0, 1).
 *
 * Fault injection draws from it instead of `Math.random` so that a test with a given seed sees the
 * same faults on every run.
 *
 * @param seed any 32-bit integer; other numbers are truncated to one
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
