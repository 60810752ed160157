/**
 * The numbers behind the Histograms view, TensorBoard's distribution view: per step, the quantiles of the binned
 * values (linear within a bucket, since only bucket counts are kept), as one array per percentile for uPlot, whose
 * `bands` fill between pairs of them (0–100, 7–93, 16–84, 31–69, around the median); and the current step's buckets
 * as bars. Pure: no DOM.
 */

/** What a histogram entry carries (HistogramLine): equal-width buckets over [min, max], the last one closed. */
export interface Buckets {
  readonly step: number;
  readonly min: number;
  readonly max: number;
  readonly counts: readonly number[];
}

/** TensorBoard's distribution percentiles: ±0, 1, 1.5, 2 standard deviations of a normal, and the extremes. */
export const PERCENTILES = [0, 7, 16, 31, 50, 69, 84, 93, 100] as const;
export const MEDIAN_INDEX = PERCENTILES.indexOf(50);

/**
 * The values at percentiles `ps` (0–100) of the binned values, assuming each bucket's values spread evenly over it;
 * undefined when nothing was binned. The 0th is the first non-empty bucket's low edge, the 100th the last one's high.
 */
export function quantiles(h: Buckets, ps: readonly number[]): number[] | undefined {
  const buckets = h.counts.length;
  let total = 0;
  for (const c of h.counts) total += Math.max(0, c);
  if (total <= 0 || buckets === 0) return undefined;
  if (!(h.max > h.min)) return ps.map(() => h.min);
  const width = (h.max - h.min) / buckets;
  return ps.map((p) => {
    const rank = (Math.min(100, Math.max(0, p)) / 100) * total;
    let below = 0;
    for (let i = 0; i < buckets; i++) {
      const c = Math.max(0, h.counts[i]);
      if (c === 0) continue;
      // The 0th percentile stops at the first bucket with values; the others at the bucket whose span holds the rank.
      if (rank <= below + c) return h.min + width * (i + Math.max(0, rank - below) / c);
      below += c;
    }
    return h.max;
  });
}

export interface BandData {
  /** x: the steps. */
  readonly steps: number[];
  /** One array per PERCENTILES entry, aligned with `steps`; null at a step that binned nothing (a gap). */
  readonly series: Array<Array<number | null>>;
}

/**
 * The quantile series over `entries` (sorted by step), one array per percentile, for uPlot's aligned data; `of`
 * computes an entry's quantiles (the view passes a cached one).
 */
export function bandSeries<B extends Buckets>(
  entries: readonly B[],
  of: (e: B, ps: readonly number[]) => number[] | undefined = quantiles,
): BandData {
  const steps = entries.map((e) => e.step);
  const series = PERCENTILES.map(() => new Array<number | null>(entries.length).fill(null));
  entries.forEach((e, k) => {
    const q = of(e, PERCENTILES);
    if (q) q.forEach((v, i) => (series[i][k] = v));
  });
  return { steps, series };
}

/**
 * uPlot's `bands`: [upper, lower] series indices (1-based, series 0 is x) of each nested band, outermost first,
 * with its depth (0 outermost) for the fill's opacity.
 */
export function bandPairs(): Array<{ series: [number, number]; depth: number }> {
  const pairs: Array<{ series: [number, number]; depth: number }> = [];
  for (let lo = 0, hi = PERCENTILES.length - 1; lo < hi - 1; lo++, hi--)
    pairs.push({ series: [hi + 1, lo + 1], depth: lo });
  return pairs;
}

/** The current step's buckets as bars: each bucket's centre and count (one bar at `min` when min = max). */
export function bucketBars(h: Buckets): { centres: number[]; counts: number[] } {
  if (!(h.max > h.min)) return { centres: [h.min], counts: [h.counts.reduce((a, b) => a + Math.max(0, b), 0)] };
  const width = (h.max - h.min) / h.counts.length;
  return { centres: h.counts.map((_, i) => h.min + width * (i + 0.5)), counts: h.counts.map((c) => Math.max(0, c)) };
}
