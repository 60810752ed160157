/**
 * An exponential moving average of the weights, θ_ema ← d·θ_ema + (1 − d)·θ after every step (Ho et al. 2020,
 * Appendix B, decay 0.9999). Sampling with the averaged weights gives visibly cleaner digits than the last step's
 * weights, which still jitter with each batch's noise.
 */
import * as tf from '@tensorflow/tfjs';
import type { Weights } from './unet';

export interface Ema {
  weights: Weights;
  update(from: Weights): void;
  dispose(): void;
}

/** Starts the average at a copy of `weights`. A short warm-up uses min(decay, (1 + n) / (10 + n)) at update n. */
export function createEma(weights: Weights, decay: number): Ema {
  const avg: Weights = {};
  for (const [name, v] of Object.entries(weights)) avg[name] = tf.tidy(() => tf.variable(v.clone(), false));
  let n = 0;
  return {
    weights: avg,
    update(from: Weights): void {
      const d = Math.min(decay, (1 + n) / (10 + n));
      n++;
      tf.tidy(() => {
        for (const [name, v] of Object.entries(from)) avg[name].assign(tf.add(tf.mul(avg[name], d), tf.mul(v, 1 - d)));
      });
    },
    dispose(): void {
      for (const v of Object.values(avg)) v.dispose();
    },
  };
}
