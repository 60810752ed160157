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
  // TODO(3): ε_c = model(x_t, t, labels), ε_∅ = model(x_t, t, NULL_LABEL for every image);
  //          return ε_∅ + w·(ε_c − ε_∅). (Tip: one model call on the doubled batch [x_t; x_t] is faster.)
  throw new Error(
    'TODO(3): implement guidedEps — ε_∅ + w·(ε_c − ε_∅), with the null label 10 for the unconditional branch (README eq. guidance)',
  );
}
