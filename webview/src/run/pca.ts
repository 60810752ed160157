/**
 * A deterministic 2-D PCA for the Embeddings view: the top two principal components by power iteration with
 * deflation, started from a fixed pseudo-random vector so the same data always gives the same picture. The operator
 * iterated on is the cheapest of three for the data's shape: the D×D covariance (few dimensions), the N×N Gram matrix
 * (fewer points than dimensions), or XᵀX applied through the centred data without forming it (many of both, e.g.
 * 5,000 CLIP embeddings of 512 dimensions, where forming the covariance alone would take a second).
 * Each component's sign is fixed (its largest-|loading| coordinate positive), so the picture does not flip between
 * steps whose data barely changed. Pure: no DOM.
 */

export interface Projection {
  /** The points' coordinates on the first and second components (scores), in input order. */
  readonly x: Float64Array;
  readonly y: Float64Array;
  /** Each component's share of the total variance, 0–1. */
  readonly explained: readonly [number, number];
  /** The two unit loading vectors (length D). */
  readonly components: readonly [Float64Array, Float64Array];
}

export type PcaMethod = 'covariance' | 'gram' | 'implicit';

/**
 * Enough for a clear gap between eigenvalues; data with no clear second direction (isotropic noise) stops here with
 * an axis that is as good as any other, instead of iterating for seconds.
 */
const MAX_ITERATIONS = 60;
/** Stop when the unit vector moves less than this, or its eigenvalue (which converges twice as fast) settles. */
const VECTOR_TOLERANCE = 1e-7;
const VALUE_TOLERANCE = 1e-8;
/**
 * The basis is found from at most this many evenly spaced points (all points are projected onto it): 5,000 × 512
 * would take over a second to iterate on, and a two-axis picture of so many points does not change visibly.
 */
export const BASIS_SAMPLE = 1000;
/** Below this many rows of the smaller side, forming its matrix is cheaper than iterating through the data. */
const FORM_LIMIT = 160;

/** The method `pca2` picks for N points in D dimensions. */
export function pcaMethod(n: number, d: number): PcaMethod {
  if (Math.min(n, d) > FORM_LIMIT) return 'implicit';
  return n < d ? 'gram' : 'covariance';
}

/**
 * Projects `n` points of `d` dimensions (`vectors` row-major) onto their top two principal components.
 * `method` forces one operator (tests compare them); by default the cheapest for the shape.
 */
export function pca2(vectors: ArrayLike<number>, n: number, d: number, method = pcaMethod(n, d)): Projection {
  if (vectors.length !== n * d) throw new Error(`pca2: ${vectors.length} values for ${n} points of ${d} dimensions`);
  // The data is never copied centred: at 5,000 × 512 the copy's fresh pages alone cost more than the iteration.
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0, o = i * d; j < d; j++) mean[j] += vectors[o + j];
  for (let j = 0; j < d; j++) mean[j] /= n;
  const data: Centred = { vectors, d, mean, rows: sampleRows(n) };
  const components =
    method === 'gram'
      ? gramBasis(data)
      : topTwo(method === 'covariance' ? covarianceTimes(data) : (v, out) => centredGramTimes(data, v, out), d);
  for (const c of components) fixSign(c);
  const [c1, c2] = components;
  const x = new Float64Array(n),
    y = new Float64Array(n);
  const m1 = dot(mean, c1),
    m2 = dot(mean, c2);
  let total = 0,
    along1 = 0,
    along2 = 0;
  for (let i = 0; i < n; i++) {
    let a = 0,
      b = 0;
    for (let j = 0, o = i * d; j < d; j++) {
      const v = vectors[o + j];
      const c = v - mean[j];
      total += c * c;
      a += v * c1[j];
      b += v * c2[j];
    }
    x[i] = a - m1;
    y[i] = b - m2;
    along1 += x[i] * x[i];
    along2 += y[i] * y[i];
  }
  const share = (v: number): number => (total > 0 ? Math.min(1, Math.max(0, v / total)) : 0);
  // An unconverged pair (no clear gap) may come out in either order; the first axis is the one that shows more.
  return along2 > along1
    ? { x: y, y: x, explained: [share(along2), share(along1)], components: [c2, c1] }
    : { x, y, explained: [share(along1), share(along2)], components: [c1, c2] };
}

/** The data as the operators see it: rows `rows` of `vectors`, minus `mean`. */
interface Centred {
  readonly vectors: ArrayLike<number>;
  readonly d: number;
  readonly mean: Float64Array;
  readonly rows: Int32Array;
}

/** Evenly spaced row indices (all rows when there are few), so both ends of data ordered by group are represented. */
function sampleRows(n: number): Int32Array {
  const m = Math.min(n, BASIS_SAMPLE);
  const rows = new Int32Array(m);
  for (let k = 0; k < m; k++) rows[k] = Math.floor((k * n) / m);
  return rows;
}

function centredRow({ vectors, d, mean }: Centred, i: number, out: Float64Array): Float64Array {
  for (let j = 0, o = i * d; j < d; j++) out[j] = vectors[o + j] - mean[j];
  return out;
}

/** Applies XᵀX (D×D, X the centred rows), formed once. Unscaled: eigenvalues are sums of squares. */
function covarianceTimes(data: Centred): (v: Float64Array, out: Float64Array) => void {
  const d = data.d;
  const cov = new Float64Array(d * d);
  const row = new Float64Array(d);
  for (const i of data.rows) {
    centredRow(data, i, row);
    for (let a = 0; a < d; a++) {
      const xa = row[a];
      if (xa === 0) continue;
      for (let b = a, o = a * d; b < d; b++) cov[o + b] += xa * row[b];
    }
  }
  for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) cov[a * d + b] = cov[b * d + a];
  return (v, out) => symmetricTimes(cov, d, v, out);
}

/** Power iteration on X Xᵀ (N×N): X Xᵀ u = s² u, and the loading is v = Xᵀ u / s, as the covariance path finds. */
function gramBasis(data: Centred): Float64Array[] {
  const { d, rows } = data;
  const n = rows.length;
  const x = new Float64Array(n * d);
  rows.forEach((i, k) => centredRow(data, i, x.subarray(k * d, (k + 1) * d)));
  const gram = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let k = i; k < n; k++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += x[i * d + j] * x[k * d + j];
      gram[i * n + k] = gram[k * n + i] = s;
    }
  return topTwo((v, out) => symmetricTimes(gram, n, v, out), n).map((u) => {
    const v = new Float64Array(d);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) v[j] += x[i * d + j] * u[i];
    normalise(v);
    return v;
  });
}

function symmetricTimes(m: Float64Array, size: number, v: Float64Array, out: Float64Array): void {
  for (let a = 0; a < size; a++) {
    let s = 0;
    for (let b = 0, o = a * size; b < size; b++) s += m[o + b] * v[b];
    out[a] = s;
  }
}

/** out = XᵀX v in one pass over the rows, X the centred rows: (x − μ)·v = x·v − μ·v. */
function centredGramTimes({ vectors, d, mean, rows }: Centred, v: Float64Array, out: Float64Array): void {
  out.fill(0);
  const mv = dot(mean, v);
  let sum = 0;
  for (const i of rows) {
    const o = i * d;
    let s = -mv;
    for (let j = 0; j < d; j++) s += vectors[o + j] * v[j];
    sum += s;
    for (let j = 0; j < d; j++) out[j] += s * vectors[o + j];
  }
  for (let j = 0; j < d; j++) out[j] -= sum * mean[j];
}

/** The two leading unit eigenvectors of a symmetric positive semi-definite operator (power iteration, deflation). */
function topTwo(apply: (v: Float64Array, out: Float64Array) => void, size: number): Float64Array[] {
  const found: Float64Array[] = [];
  for (let k = 0; k < 2; k++) {
    const v = startVector(size, k + 1);
    const next = new Float64Array(size);
    let value = 0,
      previous = 0;
    for (let it = 0; it < MAX_ITERATIONS; it++) {
      // Deflate by projecting the found components out of the iterate (cheaper than subtracting λ·uuᵀ from a matrix
      // that the implicit path never forms).
      for (const f of found) orthogonalise(v, f);
      if (normalise(v) === 0) break;
      apply(v, next);
      for (const f of found) orthogonalise(next, f);
      value = dot(v, next);
      const norm = normalise(next);
      if (norm === 0) {
        value = 0;
        break;
      }
      let change = 0;
      for (let j = 0; j < size; j++) change = Math.max(change, Math.abs(next[j] - v[j]));
      v.set(next);
      const settled = it > 0 && Math.abs(value - previous) <= VALUE_TOLERANCE * Math.abs(value);
      previous = value;
      if (change < VECTOR_TOLERANCE || settled) break;
    }
    found.push(v);
  }
  return found;
}

/** A fixed pseudo-random start (a small LCG): never orthogonal to the answer by accident, the same on every call. */
function startVector(size: number, seed: number): Float64Array {
  const v = new Float64Array(size);
  let s = (seed * 2654435761) >>> 0;
  for (let j = 0; j < size; j++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    v[j] = s / 2 ** 32 - 0.5;
  }
  return v;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += a[j] * b[j];
  return s;
}

function orthogonalise(v: Float64Array, unit: Float64Array): void {
  const p = dot(v, unit);
  for (let j = 0; j < v.length; j++) v[j] -= p * unit[j];
}

/** Scales `v` to unit length in place; returns its former length (0 leaves it as is). */
function normalise(v: Float64Array): number {
  const norm = Math.sqrt(dot(v, v));
  if (norm > 0) for (let j = 0; j < v.length; j++) v[j] /= norm;
  return norm;
}

/** Makes the coordinate of largest magnitude positive (ties: the first), so the axis keeps its direction. */
function fixSign(v: Float64Array): void {
  let best = 0;
  for (let j = 1; j < v.length; j++) if (Math.abs(v[j]) > Math.abs(v[best]) + 1e-12) best = j;
  if (v[best] < 0) for (let j = 0; j < v.length; j++) v[j] = -v[j];
}
