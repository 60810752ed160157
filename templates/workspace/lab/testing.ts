/**
 * Assertions for exercise tests. On a mismatch they throw a `TensorAssertionError` that carries what the
 * runner shows next to the failing line: expected/actual as text (for the diff view) and a summary of each
 * tensor (shape, dtype, min/max/mean).
 *
 *   await expectShape(logits, [B, B], 'CLIP logits')
 *   await expectTensorClose(loss, 2.07, { atol: 1e-3 }, 'symmetric InfoNCE loss')
 *   await expectNoTensorLeak(() => trainStep(batch), 'one training step')
 *
 * Every assertion is async and must be awaited (in an `async` test): it reads tensors with `await t.data()`,
 * because a GPU backend in Node cannot read synchronously (`t.dataSync()` throws there). An assertion that is not
 * awaited cannot fail the test it is in.
 */
import * as tf from '@tensorflow/tfjs';

/** Shape, dtype and statistics of a tensor; mirrors `TensorSummary` in the extension's src/protocol/runner.ts. */
export interface TensorSummary {
  shape: number[];
  dtype: string;
  min: number;
  max: number;
  mean: number;
}

/** An assertion failure in mocha's format (`expected`/`actual` strings, `showDiff`), plus tensor summaries. */
export class TensorAssertionError extends Error {
  readonly code = 'ERR_ASSERTION';
  readonly showDiff = true;
  constructor(
    message: string,
    readonly expected: string,
    readonly actual: string,
    readonly tensors?: { expected?: TensorSummary; actual?: TensorSummary },
  ) {
    super(message);
    this.name = 'AssertionError';
  }
}

/** Shape, dtype, min, max and mean of `t` (reads the values, so call it on small tensors or in tests). */
export async function summarizeTensor(t: tf.Tensor): Promise<TensorSummary> {
  const v = await t.data();
  let min = Infinity,
    max = -Infinity,
    sum = 0;
  for (let i = 0; i < v.length; i++) {
    const x = Number(v[i]);
    if (x < min) min = x;
    if (x > max) max = x;
    sum += x;
  }
  return { shape: [...t.shape], dtype: t.dtype, min, max, mean: v.length ? sum / v.length : NaN };
}

const fmtShape = (s: readonly (number | null)[]): string => `[${s.map((d) => (d === null ? '*' : d)).join(', ')}]`;

/** Asserts `t` has `shape`; `null` matches any size on that axis. */
export async function expectShape(t: tf.Tensor, shape: readonly (number | null)[], what: string): Promise<void> {
  const ok = t.shape.length === shape.length && shape.every((d, i) => d === null || d === t.shape[i]);
  if (!ok) {
    throw new TensorAssertionError(
      `${what}: expected shape ${fmtShape(shape)}, got ${fmtShape(t.shape)}. Check the shape comments in your code, line by line.`,
      fmtShape(shape),
      fmtShape(t.shape),
      { actual: await summarizeTensor(t) },
    );
  }
}

export interface Tolerance {
  /** Absolute tolerance (default 1e-5). */
  atol?: number;
  /** Relative tolerance (default 1e-5). */
  rtol?: number;
}

function preview(values: ArrayLike<number>, max = 8): string {
  const shown = Array.from(values)
    .slice(0, max)
    .map((x) => Number(x).toPrecision(5));
  return `[${shown.join(', ')}${values.length > max ? `, … (${values.length} values)` : ''}]`;
}

/**
 * Asserts |actual − expected| ≤ atol + rtol·|expected| element-wise (numpy's `allclose`). `expected` may be a
 * tensor, a number (a scalar) or a nested array.
 */
export async function expectTensorClose(
  actual: tf.Tensor,
  expected: tf.Tensor | number | number[] | number[][],
  tolerance: Tolerance,
  message: string,
): Promise<void> {
  const exp = expected instanceof tf.Tensor ? expected : tf.tensor(expected as number[]);
  try {
    const atol = tolerance.atol ?? 1e-5,
      rtol = tolerance.rtol ?? 1e-5;
    const sizesMatch = actual.size === exp.size && (exp.rank === 0 || actual.shape.join() === exp.shape.join());
    if (!sizesMatch) {
      throw new TensorAssertionError(
        `${message}: expected shape ${fmtShape(exp.shape)}, got ${fmtShape(actual.shape)}.`,
        fmtShape(exp.shape),
        fmtShape(actual.shape),
        { expected: await summarizeTensor(exp), actual: await summarizeTensor(actual) },
      );
    }
    const [a, e] = await Promise.all([actual.data(), exp.data()]);
    let worst = -1,
      worstExcess = 0;
    for (let i = 0; i < a.length; i++) {
      const excess = Math.abs(Number(a[i]) - Number(e[i])) - (atol + rtol * Math.abs(Number(e[i])));
      if (!(excess <= 0) && (worst < 0 || !(excess <= worstExcess))) {
        worst = i;
        worstExcess = excess;
      }
    }
    if (worst >= 0) {
      throw new TensorAssertionError(
        `${message}: values differ, worst at flat index ${worst}: got ${a[worst]}, expected ${e[worst]} ` +
          `(atol ${atol}, rtol ${rtol}).`,
        preview(e),
        preview(a),
        { expected: await summarizeTensor(exp), actual: await summarizeTensor(actual) },
      );
    }
  } finally {
    if (exp !== expected) exp.dispose();
  }
}

/**
 * Asserts that `fn` leaves no tensor behind: `tf.memory().numTensors` is the same before and after. Wrap the
 * intermediate work in `tf.tidy` or dispose it, and return (or dispose) only what you keep.
 */
export async function expectNoTensorLeak(fn: () => unknown, what = 'the code under test'): Promise<void> {
  const before = tf.memory().numTensors;
  const result = await fn();
  if (result instanceof tf.Tensor) result.dispose();
  const after = tf.memory().numTensors;
  if (after > before) {
    throw new TensorAssertionError(
      `${what} leaked ${after - before} tensor(s): tf.memory().numTensors went from ${before} to ${after}. ` +
        'Wrap the work in tf.tidy(() => …) or call .dispose() on intermediates.',
      `${before} tensors`,
      `${after} tensors`,
    );
  }
}

/** Mean and (population) variance of a list of numbers. */
export function moments(values: ArrayLike<number>): { mean: number; variance: number } {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  const mean = sum / values.length;
  let sq = 0;
  for (let i = 0; i < values.length; i++) sq += (values[i] - mean) ** 2;
  return { mean, variance: sq / values.length };
}
