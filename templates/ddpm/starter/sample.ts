/**
 * Ancestral sampling — Ho et al. 2020, Algorithm 2:
 *
 *   x_T ~ N(0, I)
 *   for t = T … 1:   z ~ N(0, I) if t > 1 else z = 0
 *                    x_{t−1} = 1/√α_t · ( x_t − β_t/√(1 − ᾱ_t) · ε_θ(x_t, t) ) + σ_t z,   σ_t = √β_t
 *   return x_0
 *
 * Every one of the T steps runs the network once: there is no shortcut in DDPM (DDIM, another paper, adds one).
 */
import * as tf from '@tensorflow/tfjs';
import type { Schedule } from './schedule';
import type { EpsModel } from '../../lab/diffusion/unet';

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
  // TODO(5): x = noise(shape) is x_T. For t = T−1 down to 0 (0-based): ε̂ = model(x, t as int32 [N]);
  //          x ← (x − β_t/√(1 − ᾱ_t)·ε̂)/√α_t, plus √β_t·noise(shape) except at t = 0. Dispose the old x each step
  //          (tf.tidy around the step) and call options.onStep?.(t, x) after it.
  throw new Error(
    'TODO(5): implement sample — Algorithm 2: T reverse steps from x_T ~ N(0, I), no noise on the last step (README §Sampling)',
  );
}
