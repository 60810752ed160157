/**
 * Turns stored series into what one chart draws: the visible step range, downsampled per pixel column, smoothed,
 * log-filtered, and aligned on one x array (uPlot's data shape). Absent points are `undefined` (uPlot spans over
 * them: another series had a point there) and real gaps are `null` (NaN/Infinity logged, or hidden by a log axis).
 */
import { minMaxDownsample, upperBound, visibleRange, type XY } from './downsample';
import { axisMap, positiveOnly } from './logAxis';
import type { RunDivergence } from '../../../src/protocol/runFiles';
import type { SeriesStore } from './seriesStore';

export interface ChartSeriesInput {
  readonly store: SeriesStore;
  readonly label: string;
  readonly runIndex: number;
  readonly metric: string;
  /** The run's divergence, when this series is the metric that went non-finite (the chart marks the step). */
  readonly divergence?: RunDivergence;
}

export interface ChartOptions {
  readonly smoothing: number;
  readonly logX: boolean;
  readonly logY: boolean;
  /** Zoomed step range, or null for everything. */
  readonly zoom: readonly [number, number] | null;
  /** Plot width in pixels: one bucket per column. */
  readonly width: number;
}

export interface ChartSeriesOut {
  readonly label: string;
  readonly runIndex: number;
  readonly metric: string;
  /** The faint raw points behind a smoothed line. */
  readonly raw: boolean;
}

export interface ChartData {
  readonly data: (number | null | undefined)[][];
  readonly series: ChartSeriesOut[];
  /** Points not drawn because a log axis cannot show them (≤ 0). */
  readonly hiddenByLog: number;
  readonly xRange: readonly [number, number] | null;
}

/**
 * Series shorter than this are drawn raw, whatever the slider says: a debiased EMA of 0.6 over 5 evaluation points
 * still lags the last one by a lot (issue 19: the bold line read ~14% where the true WER was 11.6%).
 */
export const MIN_POINTS_TO_SMOOTH = 20;

/** The last logged point of a series as it was logged (null for a non-finite value), or undefined when empty. */
export function lastRawValue(s: SeriesStore): { step: number; value: number | null } | undefined {
  if (s.length === 0) return undefined;
  const v = s.values[s.length - 1];
  return { step: s.steps[s.length - 1], value: Number.isFinite(v) ? v : null };
}

/** Builds one chart's data. */
export function buildChartData(inputs: readonly ChartSeriesInput[], o: ChartOptions): ChartData {
  const extent = stepExtent(inputs, o.logX);
  const xRange = o.zoom ?? extent;
  const map = axisMap(o.logX);
  const columns: XY[] = [];
  const series: ChartSeriesOut[] = [];
  let hiddenByLog = 0;
  for (const input of inputs) {
    const s = input.store;
    if (s.length === 0 || !xRange) continue;
    let [from, to] = visibleRange(s.steps, s.length, xRange[0], xRange[1]);
    if (o.logX) {
      const firstPositive = upperBound(s.steps, 0, s.length);
      if (from < firstPositive) hiddenByLog += firstPositive - from;
      from = Math.max(from, firstPositive);
    }
    to = Math.max(from, to);
    const smoothing = o.smoothing > 0 && s.length >= MIN_POINTS_TO_SMOOTH;
    const out: Array<[Float64Array, boolean]> = smoothing
      ? [
          [s.values, true],
          [s.smoothed(o.smoothing), false],
        ]
      : [[s.values, false]];
    for (const [ys, raw] of out) {
      const ds = minMaxDownsample(s.steps, ys, from, to, o.width, xRange[0], xRange[1], map);
      let y = ds.y;
      if (o.logY) {
        const f = positiveOnly(y);
        y = f.values;
        if (!raw) hiddenByLog += f.hidden;
      }
      columns.push({ x: ds.x, y });
      series.push({
        label: raw ? `${input.label} (raw)` : input.label,
        runIndex: input.runIndex,
        metric: input.metric,
        raw,
      });
    }
  }
  return { data: align(columns), series, hiddenByLog, xRange };
}

/** Min and max step over all series (on a log axis, the smallest positive step). */
export function stepExtent(inputs: readonly ChartSeriesInput[], logX: boolean): [number, number] | null {
  let lo = Infinity,
    hi = -Infinity;
  for (const { store: s } of inputs) {
    if (s.length === 0) continue;
    const first = logX ? upperBound(s.steps, 0, s.length) : 0;
    if (first < s.length) lo = Math.min(lo, s.steps[first]);
    hi = Math.max(hi, s.steps[s.length - 1]);
  }
  if (!(hi >= lo)) return null;
  return hi > lo ? [lo, hi] : [lo, lo + 1];
}

/** Aligns series on the union of their x values (sorted merge). */
export function align(columns: readonly XY[]): (number | null | undefined)[][] {
  let total = 0;
  for (const c of columns) total += c.x.length;
  const all = new Float64Array(total);
  let o = 0;
  for (const c of columns) {
    all.set(c.x, o);
    o += c.x.length;
  }
  all.sort();
  const xs: number[] = [];
  for (let i = 0; i < all.length; i++) if (i === 0 || all[i] !== all[i - 1]) xs.push(all[i]);
  const out: (number | null | undefined)[][] = [xs];
  for (const c of columns) {
    const ys: (number | null | undefined)[] = new Array(xs.length);
    let j = 0;
    for (let i = 0; i < c.x.length; i++) {
      while (xs[j] < c.x[i]) j++;
      // A min/max bucket can emit two points at one step; the later one wins (they are equal steps).
      ys[j] = Number.isNaN(c.y[i]) ? null : c.y[i];
    }
    out.push(ys);
  }
  return out;
}
