/**
 * Ancestral sampling — Ho et al. 2020, Algorithm 2:
 *
 *   x_T ~ N(0, I)
 *   for t = T … 1:   z ~ N(0, I) if t > 1 else z = 0
 *                    x_{t−1} = 1/√α_t · ( x_t − β_t/√(1 − ᾱ_t) · ε_θ(x_t, t) ) + σ_t z,   σ_t = √β_t
 *   return x_0
 *
 *
 * PROVIDED from exercise 4 on (exercise 2 has you write it): exercise 2's reference answer.
 * Single source: templates/ddpm/solution/sample.ts (course repository); the content suite keeps them equal.
 *
 * Every one of the T steps runs the network once: there is no shortcut in DDPM (DDIM, another paper, adds one).
 */
import * as tf from '@tensorflow/tfjs';
import type { Schedule } from './schedule';
import type { EpsModel } from './unet';

export interface SampleOptions {
  /** Draws standard-normal noise of a shape (default tf.randomNormal); tests pass their own. */
  noise?: (shape: number[]) => tf.Tensor;
  /** Called after each step with the 0-based t just completed and x_t (valid only during the call). */
  onStep?: (t: number, x: tf.Tensor4D) => void;
}

/** Runs the reverse process from pure noise and returns x_0, [N, H, W, C]. */
export function sample(
  model: EpsModel,
  schedule: Schedule,
  shape: [number, number, number, number],
  options: SampleOptions = {},
): tf.Tensor4D {
  const noise = options.noise ?? ((s: number[]) => tf.randomNormal(s));
  const [N] = shape;
  let x = noise(shape) as tf.Tensor4D; // x_T  [N, H, W, C]
  for (let t = schedule.T - 1; t >= 0; t--) {
    const next = tf.tidy((): tf.Tensor4D => {
      const beta = schedule.betas[t],
        alpha = schedule.alphas[t],
        alphaBar = schedule.alphaBars[t];
      const eps = model(x, tf.fill<tf.Rank.R1>([N], t, 'int32')); // [N, H, W, C]
      const denoised = tf.sub(x, tf.mul(eps, beta / Math.sqrt(1 - alphaBar))); // [N, H, W, C]
      const mean: tf.Tensor4D = tf.mul(denoised, 1 / Math.sqrt(alpha));
      if (t === 0) return mean; // the last step adds no noise
      return tf.add(mean, tf.mul(noise(shape), Math.sqrt(beta)));
    });
    x.dispose();
    x = next;
    options.onStep?.(t, x);
  }
  return x;
}
