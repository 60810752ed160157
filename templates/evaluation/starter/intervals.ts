/**
 * How sure is a measured rate? A confidence interval for a proportion: k successes in n independent trials.
 *
 * The textbook (Wald) interval p̂ ± z·√(p̂(1 − p̂)/n) breaks exactly where evaluations live: at p̂ = 0 or 1 it has
 * width 0 (0 hallucinations in 20 probes would "prove" a rate of 0), and for small n it leaves [0, 1]. The Wilson
 * score interval (Wilson 1927; Brown, Cai & DasGupta 2001 recommend it) inverts the score test instead:
 *
 *   centre = (p̂ + z²/2n) / (1 + z²/n)
 *   half   = z / (1 + z²/n) · √( p̂(1 − p̂)/n + z²/4n² )
 *   [centre − half, centre + half]       z = 1.96 for 95%
 *
 * It stays inside [0, 1] and is never empty: 0 of 20 gives [0, 0.16].
 */

/** 95% by default. */
export const Z95 = 1.96;

export interface Interval {
  estimate: number; // k / n
  low: number;
  high: number;
  n: number;
}

/** TODO(3): the Wilson score interval for `k` successes in `n` trials (n > 0), with the equations above. */
export function wilson(k: number, n: number, z = Z95): Interval {
  throw new Error(`TODO(3): the Wilson score interval: centre and half-width (README §Confidence intervals)`);
}
