/**
 * Exercise 1's loss (provided, with its answers). CLIP's training objective: a symmetric cross-entropy (InfoNCE)
 * over the B×B matrix of image–text similarities.
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
 * The similarity logits. Row i, column j is how well image i matches text j: the cosine similarity
 * (the embeddings are already L2-normalised) times the logit scale exp(logScale). No clamp here: a clamp in the
 * forward pass has a zero gradient above the cap, so a scale that overshoots would stick there. The cap is kept
 * on the parameter after each step instead (`clampLogitScale`).
 *   imageEmb [B, E], textEmb [B, E], logScale [] → [B, B]
 */
export function clipLogits(imageEmb: tf.Tensor2D, textEmb: tf.Tensor2D, logScale: tf.Scalar): tf.Tensor2D {
  return tf.tidy(() => tf.mul<tf.Tensor2D>(tf.matMul(imageEmb, textEmb, false, true), tf.exp(logScale))); // [B, B]
}

/**
 * Keep the learned temperature in range after an optimiser step, as OpenCLIP does
 * (`logit_scale.clamp_(0, math.log(100))` after `optimizer.step()`): logScale in [0, ln 100], so 1 ≤ 1/τ ≤ 100.
 * In place: assign the clipped value to the variable itself.
 */
export function clampLogitScale(logScale: tf.Variable): void {
  tf.tidy(() => logScale.assign(tf.clipByValue(logScale, 0, Math.log(MAX_LOGIT_SCALE))));
}

/**
 * The symmetric InfoNCE loss on [B, B] logits whose diagonal holds the matching pairs: the mean of the
 * image→text cross-entropy (each row is a softmax over texts) and the text→image one (each column a softmax over
 * images), both with labels 0, 1, …, B−1.  [B, B] → []
 */
export function contrastiveLoss(logits: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const B = logits.shape[0];
    const labels = tf.oneHot(tf.range(0, B, 1, 'int32'), B); // [B, B] identity: pair i is the answer for row i
    const imageToText = tf.losses.softmaxCrossEntropy(labels, logits); // rows: softmax over texts
    const textToImage = tf.losses.softmaxCrossEntropy(labels, tf.transpose(logits)); // columns: softmax over images
    return tf.div<tf.Scalar>(tf.add(imageToText, textToImage), 2);
  });
}
