// Numeric helpers the kernel tests (wasm, test/kernels) and the webgpu tests (test/webgpu) share; no backend here,
// so each suite keeps its own tfjs set-up.

/** Uniform values in [lo, hi). */
export function randomArray(n: number, next: () => number, lo = -1, hi = 1): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * next();
  return out;
}

/** Uniform values in [lo, hi) for a tensor of `shape`. */
export function randomValues(shape: number[], next: () => number, lo = -1, hi = 1): Float32Array {
  return randomArray(
    shape.reduce((a, b) => a * b, 1),
    next,
    lo,
    hi,
  );
}

/** max |a − b| / (1 + max |b|): relative to the scale of the reference. */
export function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} against ${b.length}`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / (1 + scale);
}

/** An NHWC conv's explicit padding: `top`/`bottom` rows and `left`/`right` columns, none on batch or channels. */
export type ExplicitPad = [[number, number], [number, number], [number, number], [number, number]];

/** The explicit padding tf.conv2d takes for `top`, `bottom`, `left`, `right`. */
export function explicitPad(top: number, bottom: number, left: number, right: number): ExplicitPad {
  return [
    [0, 0],
    [top, bottom],
    [left, right],
    [0, 0],
  ];
}
