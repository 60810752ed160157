// The adjoint identity, a reference-free check of a gradient kernel against its own forward kernel. For an op
// linear in x, y = A x, the gradient with upstream dy is Aᵀ dy, so ⟨∇x, x⟩ = ⟨Aᵀ dy, x⟩ = ⟨dy, A x⟩ = ⟨dy, y⟩.
// A gradient that routes even one value to the wrong place breaks it; a gradient that is right for another
// backend's forward but not for this one (an index computed in float64 here and float32 there) breaks it too,
// which a comparison between backends cannot see. Runs on whatever backend is active.
import * as assert from 'node:assert/strict';
import { tf } from './backends';
import { randomArray, rng, type Input } from './gradcheck';

export type Op = (xs: tf.Tensor[]) => tf.Tensor;

export interface AdjointCase {
  label: string;
  op: Op;
  inputs: Input[];
  /**
   * 'each' (default): linear in each input with the others held fixed (conv, matMul: ⟨∇w, w⟩ = ⟨dy, y⟩ too).
   * 'joint': linear in all inputs together only (concat: Σₖ ⟨∇xₖ, xₖ⟩ = ⟨dy, y⟩).
   */
  linear?: 'each' | 'joint';
  /** Inputs to differentiate (default all); the others are constants of the op (ids, segment ids). */
  wrt?: number[];
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

const norm = (a: ArrayLike<number>): number => Math.sqrt(dot(a, a));

/**
 * |⟨∇x, x⟩ − ⟨dy, y⟩| over its Cauchy–Schwarz scale ‖∇x‖‖x‖ + ‖dy‖‖y‖ (the worst input for 'each'), on the
 * active backend, with a random dy drawn from `seed`. Sums are taken in float64, so only the kernels' own
 * float32 rounding (≈ 1e-7) remains when the gradient belongs to the forward.
 */
export function adjointResidual(c: AdjointCase, seed: number): number {
  return tf.tidy(() => {
    const xs = c.inputs.map((i) => tf.tensor(i.values, i.shape));
    const wrt = c.wrt ?? xs.map((_, i) => i);
    const y = c.op(xs);
    const yv = y.dataSync();
    const dyv = randomArray(yv.length, rng(seed));
    const f = (...ts: tf.Tensor[]): tf.Tensor => c.op(xs.map((x, i) => (wrt.includes(i) ? ts[wrt.indexOf(i)] : x)));
    const grads = tf
      .grads(f)(
        wrt.map((i) => xs[i]),
        tf.tensor(dyv, y.shape),
      )
      .map((g) => g.dataSync());
    const rhs = dot(dyv, yv);
    const rhsScale = norm(dyv) * norm(yv);
    const terms = wrt.map((i, k) => ({
      lhs: dot(grads[k], c.inputs[i].values),
      scale: norm(grads[k]) * norm(c.inputs[i].values),
    }));
    const rel = (lhs: number, scale: number): number => Math.abs(lhs - rhs) / (scale + rhsScale + 1e-30);
    if (c.linear === 'joint') {
      return rel(
        terms.reduce((s, t) => s + t.lhs, 0),
        terms.reduce((s, t) => s + t.scale, 0),
      );
    }
    return Math.max(...terms.map((t) => rel(t.lhs, t.scale)));
  });
}

export interface AdjointSummary {
  cases: number;
  worst: number;
}

/**
 * Checks every case on the active backend and fails with the count and the worst cases when any residual
 * exceeds `tol` or a gradient throws. Returns the worst residual seen, for the test's own record.
 */
export function checkAdjoint(cases: Iterable<AdjointCase>, tol = 1e-6, seed = 11): AdjointSummary {
  const failures: Array<{ label: string; residual: number; error?: string }> = [];
  let n = 0;
  let worst = 0;
  for (const c of cases) {
    n++;
    try {
      const r = adjointResidual(c, seed + n);
      if (!(r <= tol)) failures.push({ label: c.label, residual: r });
      else worst = Math.max(worst, r);
    } catch (e) {
      failures.push({ label: c.label, residual: NaN, error: (e as Error).message.split('\n')[0] });
    }
  }
  failures.sort((a, b) => (Number.isNaN(b.residual) ? 1 : b.residual) - (Number.isNaN(a.residual) ? 1 : a.residual));
  const shown = failures
    .slice(0, 8)
    .map((f) => `  ${f.label}: ${f.error ? `threw ${f.error}` : `residual ${f.residual.toExponential(2)}`}`);
  assert.ok(n > 0, 'no cases');
  // ADJOINT_REPORT=1 prints the margin each check keeps (its worst passing residual against tol).
  if (process.env.ADJOINT_REPORT)
    console.log(
      `    ${tf.getBackend()}: ${n} cases, ${failures.length} failing, worst passing residual ${worst.toExponential(2)}`,
    );
  assert.equal(
    failures.length,
    0,
    `${failures.length} of ${n} cases break ⟨∇x, x⟩ = ⟨dy, y⟩ on ${tf.getBackend()} (tol ${tol}):\n${shown.join('\n')}`,
  );
  return { cases: n, worst };
}
