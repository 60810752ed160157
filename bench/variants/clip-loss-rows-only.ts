/**
 * A variant of exercise 1's loss for one measured run (bench/exercises.ts --file): the image→text direction alone,
 * the "rows only" loss of the contrastive-loss quiz. Each row of the [B, B] logits is a softmax over the batch's
 * texts; the columns (text→image) are left out. Everything else is the reference solution, copied beside it as
 * symmetricLoss.ts by the same command:
 *
 *   npx tsx bench/exercises.ts clip --file symmetricLoss.ts=templates/clip/solution/loss.ts \
 *     --file loss.ts=bench/variants/clip-loss-rows-only.ts --tag rows-only
 */
import * as tf from '@tensorflow/tfjs';

export { MAX_LOGIT_SCALE, clampLogitScale, clipLogits } from './symmetricLoss';

/** Mean image→text cross-entropy over the rows of [B, B] logits, labels on the diagonal.  [B, B] → [] */
export function contrastiveLoss(logits: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const B = logits.shape[0];
    return tf.losses.softmaxCrossEntropy(tf.oneHot(tf.range(0, B, 1, 'int32'), B), logits) as tf.Scalar;
  });
}
