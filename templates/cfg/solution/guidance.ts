/**
 * Classifier-free guidance — Ho & Salimans 2022, eq. 6, in the common "guidance scale" form:
 *
 *   ε̃ = ε_θ(x_t, t, ∅) + w · (ε_θ(x_t, t, c) − ε_θ(x_t, t, ∅))
 *
 * w = 0 is the unconditional model, w = 1 the plain conditional model, w > 1 pushes the sample further
 * toward what makes it look like class c. (The paper writes ε̃ = (1 + w')·ε_c − w'·ε_∅, i.e. w = 1 + w'.)
 */
import * as tf from '@tensorflow/tfjs';
import type { CondEpsModel } from '../../lab/diffusion/unet';
import { NULL_LABEL } from './conditioning';

/** The guided noise prediction for x_t [B, H, W, C] at timesteps t [B] (int32) toward classes `labels` [B] (int32). */
export function guidedEps(
  model: CondEpsModel,
  xt: tf.Tensor4D,
  t: tf.Tensor1D,
  labels: tf.Tensor1D,
  w: number,
): tf.Tensor4D {
  return tf.tidy(() => {
    const B = xt.shape[0];
    // Both branches in one batch: [x_t; x_t] with [c; ∅] — one network call instead of two.
    const nulls = tf.fill<tf.Rank.R1>([B], NULL_LABEL, 'int32');
    const eps = model(tf.concat([xt, xt]), tf.concat([t, t]), tf.concat([labels, nulls])); // [2B, H, W, C]
    const [cond, uncond] = tf.split(eps, 2); // each [B, H, W, C]
    return tf.add<tf.Tensor4D>(uncond, tf.mul(tf.sub(cond, uncond), w));
  });
}
