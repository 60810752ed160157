/**
 * Display-only downsampling for line charts: per pixel-column bucket keep the first point, the minimum, the
 * maximum and the last point (in step order). A single spike among 100k points still reaches the screen — LTTB
 * keeps "visually significant" points but can drop a lone spike next to a bigger one; min/max never does.
 * Storage is never downsampled; this runs on every redraw over the visible range only.
 */
export interface XY {
  readonly x: Float64Array;
  readonly y: Float64Array;
}

export type AxisMap = (x: number) => number;

/**
 * Downsamples points `[from, to)` of a step-sorted series into at most `buckets` columns between `xMin` and `xMax`
 * (the visible range, already mapped by `map`, e.g. Math.log10 for a log step axis). Gaps (NaN) are kept, once per
 * bucket, so a line breaks where the data does. Small inputs come back unchanged.
 */
export function minMaxDownsample(
  xs: ArrayLike<number>,
  ys: ArrayLike<number>,
  from: number,
  to: number,
  buckets: number,
  xMin: number,
  xMax: number,
  map: AxisMap = identity,
): XY {
  const n = Math.max(0, to - from);
  const cols = Math.max(1, Math.floor(buckets));
  if (n <= cols * 4 || !(xMax > xMin)) return slice(xs, ys, from, to);
  const ox = new Float64Array(cols * 5);
  const oy = new Float64Array(cols * 5);
  let o = 0;
  const scale = cols / (map(xMax) - map(xMin));
  const base = map(xMin);
  let i = from;
  while (i < to) {
    const col = Math.floor((map(xs[i]) - base) * scale);
    const first = i;
    let last = i,
      minI = -1,
      maxI = -1,
      gap = -1;
    for (; i < to && Math.floor((map(xs[i]) - base) * scale) === col; i++) {
      const y = ys[i];
      last = i;
      if (Number.isNaN(y)) {
        if (gap < 0) gap = i;
        continue;
      }
      if (minI < 0 || y < ys[minI]) minI = i;
      if (maxI < 0 || y > ys[maxI]) maxI = i;
    }
    // Emit the kept indices in step order so the line is drawn left to right.
    const keep = sortedUnique([first, minI, maxI, gap, last]);
    for (const k of keep) {
      ox[o] = xs[k];
      oy[o] = ys[k];
      o++;
    }
  }
  return { x: ox.subarray(0, o), y: oy.subarray(0, o) };
}

/** First index with xs[i] >= x in a sorted array (binary search). */
export function lowerBound(xs: ArrayLike<number>, x: number, length = xs.length): number {
  let lo = 0,
    hi = length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index with xs[i] > x in a sorted array. */
export function upperBound(xs: ArrayLike<number>, x: number, length = xs.length): number {
  let lo = 0,
    hi = length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The index range to draw for a visible range: the points inside plus one neighbour each side, so lines reach the
 * edges.
 */
export function visibleRange(xs: ArrayLike<number>, length: number, xMin: number, xMax: number): [number, number] {
  return [Math.max(0, lowerBound(xs, xMin, length) - 1), Math.min(length, upperBound(xs, xMax, length) + 1)];
}

function identity(x: number): number {
  return x;
}

function sortedUnique(idx: number[]): number[] {
  const out: number[] = [];
  for (const i of idx.filter((v) => v >= 0).sort((a, b) => a - b)) if (out[out.length - 1] !== i) out.push(i);
  return out;
}

function slice(xs: ArrayLike<number>, ys: ArrayLike<number>, from: number, to: number): XY {
  const n = Math.max(0, to - from);
  const x = new Float64Array(n),
    y = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    x[k] = xs[from + k];
    y[k] = ys[from + k];
  }
  return { x, y };
}
