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
  // TODO(1): look up each label's row of `table` (the null label 10 is just the last row) and add it to temb.
  throw new Error(
    'TODO(1): implement addLabelEmbedding — temb + table[labels], with row NULL_LABEL = 10 as the learned "no class" (README §Conditioning)',
  );
}

/**
 * Condition dropout: each label is replaced by NULL_LABEL with probability `pUncond`, drawing one `random()` per
 * label (uniform in [0, 1)). Returns a new array; `labels` is left as it was.
 */
export function dropLabels(labels: Int32Array, pUncond: number, random: () => number = Math.random): Int32Array {
  // TODO(2): copy labels into a new Int32Array, replacing each by NULL_LABEL when random() < pUncond.
  throw new Error(
    'TODO(2): implement dropLabels — replace each label by NULL_LABEL with probability pUncond, one random() per label (README §Condition dropout)',
  );
}
