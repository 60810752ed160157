/**
 * PROVIDED. The DDPM loss of exercise 2 with a class label and condition dropout (Ho & Salimans 2022,
 * Algorithm 1): with probability p_uncond the label becomes NULL_LABEL, so the same network also learns the
 * unconditional ε_θ(x_t, t, ∅) that guidance needs.
 *
 *   L = E ‖ ε − ε_θ(√ᾱ_t x_0 + √(1 − ᾱ_t) ε, t, c̃) ‖²,   c̃ = ∅ with probability p_uncond, else c
 */
import * as tf from '@tensorflow/tfjs';
import { qSample, type Schedule } from '../../lab/diffusion/schedule';
import type { CondEpsModel } from '../../lab/diffusion/unet';
import { dropLabels } from './conditioning';

/** x0 [B, H, W, C] in [-1, 1] with their digits `labels` [B]; `random` drives the condition dropout. */
export function conditionalLoss(
  model: CondEpsModel,
  x0: tf.Tensor4D,
  labels: Int32Array,
  schedule: Schedule,
  pUncond: number,
  random: () => number = Math.random,
): tf.Scalar {
  const kept = dropLabels(labels, pUncond, random); // [B], some replaced by NULL_LABEL
  return tf.tidy(() => {
    const B = x0.shape[0];
    const t = tf.randomUniform<tf.Rank.R1>([B], 0, schedule.T, 'int32'); // [B]
    const eps = tf.randomNormal<tf.Rank.R4>(x0.shape); // [B, H, W, C]
    const xt = qSample(x0, t, eps, schedule);
    const predicted = model(xt, t, tf.tensor1d(kept, 'int32')); // [B, H, W, C]
    return tf.mean<tf.Scalar>(tf.square(tf.sub(eps, predicted)));
  });
}
