/**
 * The one seeded random generator of the course: data sets, batches and sampling noise draw from it, so a run is a
 * pure function of its seeds (and no data has to ship).
 *
 *   const rng = mulberry32(7);   // floats in [0, 1); the same seed gives the same sequence
 *   randInt(rng, 10);            // a whole number in [0, 10)
 *   pick(rng, ['a', 'b']);       // one element
 */

/** A stream of floats in [0, 1). */
export type Rng = () => number;

/** mulberry32: a small, fast 32-bit PRNG (Tommy Ettinger's). Good enough for data and noise; not for secrets. */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A whole number in [0, n). */
export const randInt = (rng: Rng, n: number): number => Math.floor(rng() * n);

/** One element of `xs`, uniformly. */
export const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[randInt(rng, xs.length)];
