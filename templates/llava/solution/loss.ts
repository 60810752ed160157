/**
 * The training loss: next-word cross-entropy on the answer only (LLaVA, Liu et al. 2023, §4.2, Eq. 3 — the
 * "green" tokens of Table 2 are the only ones that count).
 *
 * Position p of the spliced sequence predicts the token at p + 1. With N image tokens, text word j sits at
 * position 1 + N + j, so it is predicted from position N + j:
 *
 *   position      0      1 … N         N … N+P−1             N+P … N+P+A−1       the rest
 *   predicts      img₁   img₂ … word₀  word₁ … word_P        answer words, <eot>  <pad>
 *   counts?       no     no            no (the prompt)       YES                  no
 *
 * where P is the prompt length and A the answer length (its <eot> included). The question is given, not
 * predicted; the image tokens are not words at all.
 */
import * as tf from '@tensorflow/tfjs';
import { PAD_ID } from '../../lab/lm';

/**
 * The word each position predicts (provided): text word p − N at positions N … N+T−1, <pad> elsewhere. → [B, 1 + N + T]
 */
export function nextWordTargets(text: tf.Tensor2D, numImageTokens: number): tf.Tensor2D {
  return tf.tidy(() => {
    const B = text.shape[0];
    const before = tf.fill([B, numImageTokens], PAD_ID, 'int32'); // positions 0 … N−1 predict image tokens
    const after = tf.fill([B, 1], PAD_ID, 'int32'); // the last position predicts nothing
    return tf.concat([before, text, after], 1) as tf.Tensor2D; // [B, N + T + 1]
  });
}

/**
 * TODO(4): which positions count. mask[b][p] = 1 where position p predicts an answer word or the answer's
 * closing <eot> (p from N + promptLength[b] to N + promptLength[b] + answerLength[b] − 1), else 0.
 * → [B, 1 + N + T] float32
 */
export function answerMask(
  promptLength: number[],
  answerLength: number[],
  numImageTokens: number,
  textLength: number,
): tf.Tensor2D {
  const L = 1 + numImageTokens + textLength;
  const rows = promptLength.map((P, b) => {
    const first = numImageTokens + P; // the position that predicts the first answer word
    return Array.from({ length: L }, (_, p) => (p >= first && p < first + answerLength[b] ? 1 : 0));
  });
  return tf.tensor2d(rows, [promptLength.length, L], 'float32');
}

/**
 * TODO(4): the masked cross-entropy: −log p(target) averaged over the positions where mask = 1 only.
 * logits [B, L, V], targets [B, L] int32, mask [B, L] → scalar
 */
export function answerLoss(logits: tf.Tensor3D, targets: tf.Tensor2D, mask: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const V = logits.shape[2];
    const logp = tf.logSoftmax(logits); // [B, L, V]
    const picked = tf.sum(tf.mul(logp, tf.oneHot(targets, V)), -1); // [B, L]: log p(target) at each position
    // mean over answer positions
    return tf.div(tf.neg(tf.sum(tf.mul(picked, mask))), tf.maximum(tf.sum(mask), 1)) as tf.Scalar;
  });
}
