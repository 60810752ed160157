/**
 * The training loss (provided): next-word cross-entropy on the answer only (LLaVA, Liu et al. 2023, §4.2, Eq. 3 —
 * the "green" tokens of Table 2 are the only ones that count).
 *
 * Position p of the spliced sequence predicts the token at p + 1. The text starts at position s (= N + 3: the
 * start token, <im_start>, N image tokens, <im_end>), so text word j sits at s + j and is predicted from s − 1 + j:
 *
 *   position      0 … s−2              s−1 … s+P−2          s+P−1 … s+P+A−2       the rest
 *   predicts      <im_start> … <im_end> word₀ … word_{P−1}   answer words, <eot>  <pad>
 *   counts?       no                   no (the prompt)      YES                  no
 *
 * where P is the prompt length and A the answer length (its <eot> included).
 */
import * as tf from '@tensorflow/tfjs';
import { PAD_ID } from '../../lab/lm';

/** The word each position predicts: text word p − s + 1 at positions s − 1 … s + T − 2, <pad> elsewhere.  → [B, s + T] */
export function nextWordTargets(text: tf.Tensor2D, textStart: number): tf.Tensor2D {
  return tf.tidy(() => {
    const B = text.shape[0];
    const before = tf.fill([B, textStart - 1], PAD_ID, 'int32'); // positions 0 … s−2 predict the bridge's tokens
    const after = tf.fill([B, 1], PAD_ID, 'int32'); // the last position predicts nothing
    return tf.concat([before, text, after], 1) as tf.Tensor2D; // [B, s + T]
  });
}

/** 1 on the positions that predict an answer word or the answer's closing <eot>, else 0.  → [B, s + T] float32 */
export function answerMask(
  promptLength: number[],
  answerLength: number[],
  textStart: number,
  textLength: number,
): tf.Tensor2D {
  const L = textStart + textLength;
  const rows = promptLength.map((P, b) => {
    const first = textStart - 1 + P; // the position that predicts the first answer word
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
    return tf.div(tf.neg(tf.sum(tf.mul(picked, mask))), tf.maximum(tf.sum(mask), 1)) as tf.Scalar; // mean over answer positions
  });
}
