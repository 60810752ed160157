/**
 * The simplified training objective of DDPM (Ho et al. 2020, eq. 14 and Algorithm 1):
 *
 *   L_simple = E_{t, x_0, ε} ‖ ε − ε_θ(√ᾱ_t x_0 + √(1 − ᾱ_t) ε, t) ‖²,   t ~ Uniform{1 … T}, ε ~ N(0, I)
 *
 * Regress the noise that was mixed in, at a random noise level per image.
 *
 * PROVIDED from exercise 7 on (exercise 2 has you write it): exercise 2's reference answer.
 * Single source: templates/ddpm/solution/loss.ts (course repository); the content suite keeps them equal.
 */
import * as tf from '@tensorflow/tfjs';
import { qSample, type Schedule } from './schedule';
import type { EpsModel } from './unet';

/** Fixed noise for a test: the timesteps [B] (int32) and the noise [B, H, W, C] to use instead of random ones. */
export interface FixedNoise {
  t: tf.Tensor1D;
  eps: tf.Tensor4D;
}

/**
 * The mean squared error between the true noise and the model's prediction, averaged over every pixel of every
 * image. `x0` [B, H, W, C] in [-1, 1]. Draws t and ε itself unless `fixed` gives them.
 */
export function diffusionLoss(model: EpsModel, x0: tf.Tensor4D, schedule: Schedule, fixed?: FixedNoise): tf.Scalar {
  return tf.tidy(() => {
    const B = x0.shape[0];
    const t = fixed?.t ?? tf.randomUniform<tf.Rank.R1>([B], 0, schedule.T, 'int32'); // [B] in 0 … T−1
    const eps = fixed?.eps ?? tf.randomNormal<tf.Rank.R4>(x0.shape); // [B, H, W, C]
    const xt = qSample(x0, t, eps, schedule); // [B, H, W, C]
    const predicted = model(xt, t); // [B, H, W, C]
    return tf.mean<tf.Scalar>(tf.square(tf.sub(eps, predicted)));
  });
}
