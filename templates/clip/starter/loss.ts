/**
 * CLIP's training objective: a symmetric cross-entropy (InfoNCE) over the B×B matrix of image–text similarities.
 *
 * Radford et al. 2021, §2.3 and Figure 3 (numpy pseudocode):
 *   logits = np.dot(I_e, T_e.T) * np.exp(t)
 *   labels = np.arange(n)
 *   loss_i = cross_entropy_loss(logits, labels, axis=0)
 *   loss_t = cross_entropy_loss(logits, labels, axis=1)
 *   loss   = (loss_i + loss_t) / 2
 * §2.5: "The learnable temperature parameter τ was initialized to the equivalent of 0.07 … and clipped to prevent
 * scaling the logits by more than 100."
 */
import * as tf from '@tensorflow/tfjs';

/** The largest logit scale 1/τ the paper allows. */
export const MAX_LOGIT_SCALE = 100;

/**
 * TODO(5): the similarity logits. Row i, column j is how well image i matches text j: the cosine similarity
 * (the embeddings are already L2-normalised) times the logit scale exp(logScale), clamped to at most 100.
 *   imageEmb [B, E], textEmb [B, E], logScale [] → [B, B]
 */
export function clipLogits(imageEmb: tf.Tensor2D, textEmb: tf.Tensor2D, logScale: tf.Scalar): tf.Tensor2D {
  throw new Error('TODO(5): implement clipLogits — cosine similarities times exp(logScale), the scale clamped at 100');
}

/**
 * TODO(5): the symmetric InfoNCE loss on [B, B] logits whose diagonal holds the matching pairs: the mean of the
 * image→text cross-entropy (each row is a softmax over texts) and the text→image one (each column a softmax over
 * images), both with labels 0, 1, …, B−1.  [B, B] → []
 */
export function contrastiveLoss(logits: tf.Tensor2D): tf.Scalar {
  throw new Error(
    'TODO(5): implement contrastiveLoss — the mean of the row-wise and column-wise cross-entropies with labels arange(B)',
  );
}
