/**
 * The Q-Former's self-attention masks (BLIP-2, Li et al. 2023, §3.2 and Fig. 2, right).
 *
 * The learned queries and the text tokens run through the same self-attention layers as one sequence
 * [q₁ … q_Q; w₁ … w_T]. What each may look at is set by an additive mask, one per stage-1 objective, so the three
 * objectives train the same weights and differ only in who sees whom:
 *
 *                         queries see            text sees                        used by
 *   'itc'  uni-modal      the queries only       the text only                    image–text contrastive
 *   'itm'  bi-directional everything             everything                       image–text matching
 *   'itg'  multi-modal    the queries only       all queries and the words ≤ it   image-grounded generation
 *          causal
 *
 * Under 'itc' the two halves cannot see each other, so one pass computes the image's query outputs and the
 * caption's [CLS] output independently of each other: nothing leaks from the caption into the image side, which is
 * what a contrastive objective needs. Under 'itm' every query sees every word (and the reverse), so the queries can
 * compare image and text. Under 'itg' the words see the queries but the queries never see the words: the image
 * information must pass through the queries to reach the text.
 *
 * Each mask is 0 where a row (the attending token) may look at a column (the token attended to) and −1e9 where it
 * may not; it is added to the scores [B, H, Q + T, Q + T] before the softmax.
 */
import * as tf from '@tensorflow/tfjs';
import { PAD_ID } from '../../lab/lm';

export type Objective = 'itc' | 'itm' | 'itg';

/** Additive masks: 0 lets a query see a key, BLOCKED hides it (after the softmax its weight is exactly 0). */
export const BLOCKED = -1e9;

/**
 * TODO(1): the self-attention mask of `objective` for Q queries followed by T text tokens (see the table above).
 * Rows are the attending tokens (queries 0 … Q−1, then words Q … Q+T−1), columns the tokens they look at.
 * → [1, 1, Q + T, Q + T]
 */
export function attentionMask(objective: Objective, Q: number, T: number): tf.Tensor4D {
  throw new Error(
    'TODO(1): build [1, 1, Q + T, Q + T] with 0 where the row token may see the column token under this objective (queries first, then words) and BLOCKED elsewhere',
  );
}

/**
 * Hides the captions' padding from every token (provided): 0 for the Q query columns and the words, BLOCKED for
 * the <pad> columns.  [B, T] word ids → [B, 1, 1, Q + T], added to an attention mask it broadcasts over the rows.
 */
export function paddingMask(text: tf.Tensor2D, Q: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [B, T] = text.shape;
    const pad = tf.mul(tf.cast(tf.equal(text, PAD_ID), 'float32'), BLOCKED); // [B, T]
    return tf.reshape(tf.concat([tf.zeros([B, Q]), pad], 1), [B, 1, 1, Q + T]) as tf.Tensor4D;
  });
}
