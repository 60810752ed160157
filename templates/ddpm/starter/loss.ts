/**
 * The simplified training objective of DDPM (Ho et al. 2020, eq. 14 and Algorithm 1):
 *
 *   L_simple = E_{t, x_0, ε} ‖ ε − ε_θ(√ᾱ_t x_0 + √(1 − ᾱ_t) ε, t) ‖²,   t ~ Uniform{1 … T}, ε ~ N(0, I)
 *
 * Regress the noise that was mixed in, at a random noise level per image.
 */
import * as tf from '@tensorflow/tfjs';
import { qSample, type Schedule } from './schedule';
import type { EpsModel } from '../../lab/diffusion/unet';

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
  // TODO(4): t ~ Uniform{0 … T−1} (int32, one per image) and ε ~ N(0, I) unless `fixed` gives them;
  //          x_t = qSample(x0, t, ε); return mean((ε − model(x_t, t))²). Wrap it in tf.tidy.
  throw new Error(
    'TODO(4): implement diffusionLoss — noise x0 at a random t with qSample and regress the noise: mean((ε − ε_θ(x_t, t))²) (README eq. 14)',
  );
}
