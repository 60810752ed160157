/**
 * Cross-attention and Flamingo's media mask (Alayrac et al. 2022, §2.3, Fig. 7 and Appendix A.1.3; Vaswani et al. 2017,
 * §3.2).
 *
 * Self-attention lets a sequence look at itself. Cross-attention lets one sequence (the queries: latents, or the
 * LM's words) look at another (the keys and values: image features), which may be of any length and width:
 *
 *   Q = x·W_q  [B, Tq, D]      K = c·W_k, V = c·W_v  [B, Tk, D]      Attention(Q, K, V) = softmax(QKᵀ/√d_h + M)·V
 *
 * split into H heads of width d_h = D / H. M is an additive mask: 0 where a query may look at a key, −10⁹ where it
 * may not (after the softmax that weight is exactly 0).
 *
 * Flamingo's mask: in a sequence that interleaves images and text, each text token cross-attends only to the visual
 * tokens of the image that came last before it (earlier images still reach it through the LM's own self-attention).
 * A token with no image before it attends to nothing: its cross-attention output is zero.
 */
import * as tf from '@tensorflow/tfjs';
import { dense, linear, type Linear, type Seeds } from '../../lab/lm';

export interface Attention {
  q: Linear; // [D, D]
  k: Linear; // [Dc, D]
  v: Linear; // [Dc, D]
  out: Linear; // [D, D]
}

/** Weights of a cross-attention from width `dModel` queries to width `dContext` keys/values (provided). */
export function createAttention(seeds: Seeds, dModel: number, dContext: number): Attention {
  return {
    q: linear(seeds, dModel, dModel),
    k: linear(seeds, dContext, dModel),
    v: linear(seeds, dContext, dModel),
    out: linear(seeds, dModel, dModel),
  };
}

/**
 * TODO(1): multi-head cross-attention: queries from `x`, keys and values from `context`, `mask` (if given) added to
 * the scores [B, H, Tq, Tk] before the softmax over the keys, then the heads concatenated and `p.out` applied.
 * [B, Tq, D] queries, [B, Tk, Dc] context → [B, Tq, D]
 */
export function crossAttend(
  x: tf.Tensor3D,
  context: tf.Tensor3D,
  p: Attention,
  heads: number,
  mask?: tf.Tensor,
): tf.Tensor3D {
  return tf.tidy(() => {
    const [B, Tq, D] = x.shape;
    const Tk = context.shape[1];
    const dh = D / heads;
    const toHeads = (t: tf.Tensor, T: number): tf.Tensor4D =>
      tf.transpose(tf.reshape(t, [B, T, heads, dh]), [0, 2, 1, 3]); // [B, H, T, dh]
    const q = toHeads(dense(x, p.q), Tq); // [B, H, Tq, dh]
    const k = toHeads(dense(context, p.k), Tk); // [B, H, Tk, dh]
    const v = toHeads(dense(context, p.v), Tk); // [B, H, Tk, dh]
    let scores = tf.div(tf.matMul(q, k, false, true), Math.sqrt(dh)); // [B, H, Tq, Tk]
    if (mask) scores = tf.add(scores, mask);
    const attended = tf.matMul(tf.softmax(scores, -1), v); // [B, H, Tq, dh]: each query's weighted mean of the values
    return dense(tf.reshape(tf.transpose(attended, [0, 2, 1, 3]), [B, Tq, D]), p.out); // [B, Tq, D]
  });
}

export interface MediaMask {
  scores: tf.Tensor4D; // [B, 1, T, M·R] additive: 0 where token t may look at visual token j, −1e9 elsewhere
  seesImage: tf.Tensor3D; // [B, T, 1]: 1 where token t has an image before it, 0 where it has none
}

/**
 * TODO(2): Flamingo's media mask. `imageOfToken[b][t]` is the index of the last image before token t (−1: none yet);
 * the visual tokens are M images × R tokens each, image m at columns m·R … m·R + R − 1.
 */
export function mediaMask(imageOfToken: number[][], tokensPerImage: number, numImages: number): MediaMask {
  const B = imageOfToken.length,
    T = imageOfToken[0].length,
    R = tokensPerImage;
  const scores = imageOfToken.map((row) =>
    row.map((m) => Array.from({ length: numImages * R }, (_, j) => (m >= 0 && Math.floor(j / R) === m ? 0 : -1e9))),
  );
  return {
    scores: tf.tensor4d(
      scores.map((rows) => [rows]),
      [B, 1, T, numImages * R],
    ),
    seesImage: tf.tensor3d(
      imageOfToken.map((row) => row.map((m) => [m >= 0 ? 1 : 0])),
      [B, T, 1],
    ),
  };
}

/** The mask for this exercise's data (provided): one image, shown before the whole text, so every token sees it. */
export function imageBeforeEveryToken(B: number, T: number, tokensPerImage: number): MediaMask {
  return mediaMask(
    Array.from({ length: B }, () => new Array<number>(T).fill(0)),
    tokensPerImage,
    1,
  );
}

export function disposeMediaMask(mask: MediaMask): void {
  tf.dispose([mask.scores, mask.seesImage]);
}
