/**
 * The training loss of both bridges (provided; exercise 3's TODO(4)): next-word cross-entropy on the answer only
 * (LLaVA, Liu et al. 2023, §4.2, Eq. 3; Flamingo, Alayrac et al. 2022, Eq. 1, is the same likelihood).
 *
 * Position p of the LM's sequence predicts the token at p + 1. The sequence is <eot>, then C image tokens in the
 * context (LLaVA: C = N patches; Flamingo: C = 0, the image arrives through cross-attention), then the T words, so
 * text word j sits at position 1 + C + j and is predicted from position C + j:
 *
 *   position      0 … C−1        C … C+P−1             C+P … C+P+A−1        the rest
 *   predicts      image tokens   word₀ … word_{P−1}    answer words, <eot>  <pad>
 *   counts?       no             no (the prompt)       YES                  no
 */
import * as tf from '@tensorflow/tfjs';
import { PAD_ID } from '../../lab/lm';

/** The word each position predicts: text word p − C at positions C … C+T−1, <pad> elsewhere.  → [B, 1 + C + T] */
export function nextWordTargets(text: tf.Tensor2D, contextImageTokens: number): tf.Tensor2D {
  return tf.tidy(() => {
    const B = text.shape[0];
    const before = tf.fill([B, contextImageTokens], PAD_ID, 'int32'); // positions 0 … C−1 predict image tokens
    const after = tf.fill([B, 1], PAD_ID, 'int32'); // the last position predicts nothing
    return tf.concat([before, text, after], 1) as tf.Tensor2D; // [B, C + T + 1]
  });
}

/** 1 where position p predicts an answer word or the answer's closing <eot>, else 0.  → [B, 1 + C + T] float32 */
export function answerMask(
  promptLength: number[],
  answerLength: number[],
  contextImageTokens: number,
  textLength: number,
): tf.Tensor2D {
  const L = 1 + contextImageTokens + textLength;
  const rows = promptLength.map((P, b) => {
    const first = contextImageTokens + P; // the position that predicts the first answer word
    return Array.from({ length: L }, (_, p) => (p >= first && p < first + answerLength[b] ? 1 : 0));
  });
  return tf.tensor2d(rows, [promptLength.length, L], 'float32');
}

/** −log p(target) averaged over the positions where mask = 1.  logits [B, L, V], targets [B, L], mask [B, L] → scalar */
export function answerLoss(logits: tf.Tensor3D, targets: tf.Tensor2D, mask: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const V = logits.shape[2];
    const logp = tf.logSoftmax(logits); // [B, L, V]
    const picked = tf.sum(tf.mul(logp, tf.oneHot(targets, V)), -1); // [B, L]: log p(target) at each position
    return tf.div(tf.neg(tf.sum(tf.mul(picked, mask))), tf.maximum(tf.sum(mask), 1)) as tf.Scalar;
  });
}
