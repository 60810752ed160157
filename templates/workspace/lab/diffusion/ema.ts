/**
 * An exponential moving average of the weights, θ_ema ← d·θ_ema + (1 − d)·θ after every step (Ho et al. 2020,
 * Appendix B, decay 0.9999). Sampling with the averaged weights gives visibly cleaner digits than the last step's
 * weights, which still jitter with each batch's noise. PROVIDED.
 */
import * as tf from '@tensorflow/tfjs';
import { mapVariables, variables } from './unet';

export interface Ema<P extends object> {
  /** The averaged parameters, the same tree as the trained ones (pass them to `apply` to sample). */
  params: P;
  update(from: P): void;
  dispose(): void;
}

/** Starts the average at a copy of `params`. A short warm-up uses min(decay, (1 + n) / (10 + n)) at update n. */
export function createEma<P extends object>(params: P, decay: number): Ema<P> {
  const avg = mapVariables(params, (v) => tf.tidy(() => tf.variable(v.clone(), false)));
  const averaged = variables(avg);
  let n = 0;
  return {
    params: avg,
    update(from: P): void {
      const d = Math.min(decay, (1 + n) / (10 + n));
      n++;
      const current = variables(from);
      tf.tidy(() => averaged.forEach((a, i) => a.assign(tf.add(tf.mul(a, d), tf.mul(current[i], 1 - d)))));
    },
    dispose(): void {
      tf.dispose(averaged);
    },
  };
}
