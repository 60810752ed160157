/**
 * Class conditioning with a learned null label — Ho & Salimans 2022, "Classifier-Free Diffusion Guidance", §3.2.
 *
 * One network learns both ε_θ(x_t, t, c) and ε_θ(x_t, t) = ε_θ(x_t, t, ∅): the "no class" ∅ is just one more
 * row of the label-embedding table (index NULL_LABEL = 10), learned like the others. During training the class is
 * replaced by ∅ with probability p_uncond, so that row learns the unconditional model.
 */
import * as tf from '@tensorflow/tfjs';

export const NUM_CLASSES = 10;
/** The index of the learned "no class" embedding: one past the last digit. */
export const NULL_LABEL = NUM_CLASSES;

/**
 * Adds the label embedding to the time embedding: the conditioning vector every UNet block receives.
 *   temb   [B, D]           time embedding (after its MLP)
 *   table  [NUM_CLASSES + 1, D]  one learned row per digit plus the null row
 *   labels [B]              int32 in 0 … NUM_CLASSES (NULL_LABEL = unconditional)
 */
export function addLabelEmbedding(temb: tf.Tensor2D, table: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor2D {
  return tf.tidy(() => tf.add<tf.Tensor2D>(temb, tf.gather(table, labels))); // [B, D]
}

/**
 * Condition dropout: each label is replaced by NULL_LABEL with probability `pUncond`, drawing one `random()` per
 * label (uniform in [0, 1)). Returns a new array; `labels` is left as it was.
 */
export function dropLabels(labels: Int32Array, pUncond: number, random: () => number = Math.random): Int32Array {
  const out = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) out[i] = random() < pUncond ? NULL_LABEL : labels[i];
  return out;
}
