// Gradient checking for the kernel tests: the same op and the same data on wasm (with the training kernels)
// and on cpu, compared value by value, plus central finite differences on wasm for sampled coordinates.
// The scalar is L = Σ f(inputs) ⊙ R with a fixed random R, so every output element weighs in.
import * as assert from 'node:assert/strict';
import { tf, useBackend } from './backends';
import { randomArray, randomValues, relErr } from './numeric';

// The bench's seeded PRNG (mulberry32), so every run checks the same numbers; re-exported for the kernel tests.
import { rng } from '../../bench/training/layers';
export { rng };
export { explicitPad, randomArray, relErr, type ExplicitPad } from './numeric';

export interface Input {
  shape: number[];
  values: Float32Array;
}
type Op = (xs: tf.Tensor[]) => tf.Tensor;

interface Run {
  y: Float32Array;
  grads: Float32Array[];
}

function runOn(op: Op, inputs: Input[], r: Float32Array): Run {
  return tf.tidy(() => {
    const xs = inputs.map((i) => tf.tensor(i.values, i.shape));
    const y = op(xs);
    const weights = tf.tensor(r, y.shape);
    const grads = tf.grads((...ts: tf.Tensor[]) => tf.sum(tf.mul(op(ts), weights)))(xs);
    return { y: y.dataSync() as Float32Array, grads: grads.map((g) => g.dataSync() as Float32Array) };
  });
}

function lossOn(op: Op, inputs: Input[], r: Float32Array): number {
  const y = tf.tidy(() => op(inputs.map((i) => tf.tensor(i.values, i.shape))).dataSync());
  let sum = 0;
  for (let i = 0; i < y.length; i++) sum += y[i] * r[i];
  return sum;
}

export interface CheckOptions {
  seed?: number;
  /** Tolerance of wasm against cpu (relative to the largest value). */
  tol?: number;
  /** Finite-difference step; ops linear in their inputs are exact for any step. */
  eps?: number;
  fdTol?: number;
  /** Coordinates checked by finite differences per input. */
  samples?: number;
  /** Inputs (by index) to differentiate; default all. */
  wrt?: number[];
}

/** Checks forward values and gradients of `op` on wasm against cpu and against finite differences. */
export async function checkOp(op: Op, inputs: Input[], opts: CheckOptions = {}): Promise<void> {
  const next = rng(opts.seed ?? 7);
  await useBackend('cpu');
  const probe = tf.tidy(() => op(inputs.map((i) => tf.tensor(i.values, i.shape))).shape);
  const r = randomArray(
    probe.reduce((a, b) => a * b, 1),
    next,
  );
  const cpu = runOn(op, inputs, r);
  await useBackend('wasm');
  const wasm = runOn(op, inputs, r);
  const tol = opts.tol ?? 1e-5;
  assert.ok(relErr(wasm.y, cpu.y) <= tol, `forward differs from cpu: ${relErr(wasm.y, cpu.y)}`);
  const wrt = opts.wrt ?? inputs.map((_, i) => i);
  for (const k of wrt) {
    const e = relErr(wasm.grads[k], cpu.grads[k]);
    assert.ok(e <= tol, `gradient of input ${k} differs from cpu: rel err ${e}`);
  }
  const eps = opts.eps ?? 0.5;
  const samples = opts.samples ?? 12;
  for (const k of wrt) {
    const base = inputs[k].values;
    for (let s = 0; s < Math.min(samples, base.length); s++) {
      const idx = s === 0 ? 0 : s === 1 ? base.length - 1 : Math.floor(next() * base.length);
      const at = (delta: number): number => {
        const v = Float32Array.from(base);
        v[idx] += delta;
        return lossOn(
          op,
          inputs.map((inp, j) => (j === k ? { shape: inp.shape, values: v } : inp)),
          r,
        );
      };
      const fd = (at(eps) - at(-eps)) / (2 * eps);
      const g = wasm.grads[k][idx];
      assert.ok(
        Math.abs(fd - g) <= (opts.fdTol ?? 2e-3) * (1 + Math.abs(fd)),
        `input ${k}[${idx}]: gradient ${g} but finite differences give ${fd}`,
      );
    }
  }
}

/** A random input of the given shape. */
export function input(shape: number[], next: () => number, lo = -1, hi = 1): Input {
  return { shape, values: randomValues(shape, next, lo, hi) };
}
