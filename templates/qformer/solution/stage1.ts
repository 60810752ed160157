/**
 * Stage 1: vision–language representation learning against the frozen image encoder (BLIP-2, Li et al. 2023, §3.2
 * and Fig. 2). The Q-Former learns to pull out of the image what the text is about, before any LM is attached.
 * Two of the paper's three objectives train here, on the same weights, each under its own attention mask
 * (masks.ts):
 *
 *   ITC, image–text contrastive ('itc' mask). Each query output z_q is projected and normalised, as is the
 *   caption's [CLS] output t. The image–text similarity is the best-matching query's:
 *       s(I, T) = max_q  z_q · t        (§3.2: "select the highest one as the image-text similarity")
 *   and a symmetric InfoNCE over the batch's B×B similarities / τ pulls matching pairs together (in-batch
 *   negatives; BLIP-2 drops BLIP's momentum queue: the frozen encoder makes large batches affordable).
 *
 *   ITM, image–text matching ('itm' mask). A binary classifier, match or not, on the query outputs of a pair
 *   whose queries and words see each other; its logits are averaged over the queries. The negatives are hard
 *   ones (§3.2, after Li et al. 2021): for each image a caption drawn with probability ∝ exp(s/τ) among the others,
 *   so captions the ITC already confuses with the right one are drawn most often; the same for each caption's
 *   image.
 *
 * The third objective, ITG (image-grounded text generation, under the 'itg' mask), is left out here to keep the
 * run short; its mask is in masks.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { dense } from '../../lab/lm';
import type { Rng } from '../../lab/random';
import { qformer, qformerWeights, type QFormer } from './qformer';

/** Unit-length vectors along the last axis.  [..., E] → [..., E] */
export function l2Normalize<R extends tf.Rank>(x: tf.Tensor<R>): tf.Tensor<R> {
  return tf.tidy(() => tf.div(x, tf.add(tf.norm(x, 'euclidean', -1, true), 1e-6)));
}

/** τ kept in [0.001, 0.5], as BLIP-2 clamps it. */
export const temperatureOf = (qf: QFormer): tf.Scalar => tf.clipByValue(qf.temperature, 0.001, 0.5) as tf.Scalar;

/**
 * TODO(3): ITC's similarity logits. For image i and caption j, the dot product of each of image i's Q query
 * embeddings with caption j's embedding; the highest of the Q is their similarity; divided by τ.
 * [Bi, Q, E] query embeddings, [Bt, E] caption embeddings (both normalised), τ → [Bi, Bt]
 */
export function itcLogits(imageEmbeds: tf.Tensor3D, textEmbeds: tf.Tensor2D, temperature: tf.Scalar): tf.Tensor2D {
  return tf.tidy(() => {
    const [Bi, Q, E] = imageEmbeds.shape;
    const Bt = textEmbeds.shape[0];
    const perQuery = tf.matMul(tf.reshape(imageEmbeds, [Bi * Q, E]), textEmbeds, false, true); // [Bi·Q, Bt]
    const best = tf.max(tf.reshape(perQuery, [Bi, Q, Bt]), 1); // [Bi, Bt]: the best query for each caption
    return tf.div(best, temperature) as tf.Tensor2D;
  });
}

/**
 * ITC's logits for a batch of images and their captions (provided): one Q-Former pass under the uni-modal mask,
 * the query outputs and the [CLS] output (the caption's first position) projected and normalised.
 * [B, N, Dv], [B, T] → [B, B]: row i is image i against every caption
 */
export function itcForward(qf: QFormer, features: tf.Tensor3D, captions: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const out = qformer(qf, features, captions, 'itc');
    const text = out.text as tf.Tensor3D; // [B, T, D]
    const [B, , D] = text.shape;
    const cls = tf.reshape(tf.slice(text, [0, 0, 0], [B, 1, D]), [B, D]) as tf.Tensor2D; // [B, D]: the [CLS] output
    const imageEmbeds = l2Normalize(dense(out.queries, qf.itcImage)); // [B, Q, E]
    const textEmbeds = l2Normalize(dense(cls, qf.itcText)); // [B, E]
    return itcLogits(imageEmbeds, textEmbeds, temperatureOf(qf));
  });
}

/** The symmetric InfoNCE loss over similarity logits whose matching pairs are on the diagonal (provided). */
export function contrastiveLoss(logits: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const B = logits.shape[0];
    const diagonal = tf.oneHot(tf.range(0, B, 1, 'int32'), B); // [B, B]
    const imageToText = tf.losses.softmaxCrossEntropy(diagonal, logits); // rows: each image over the captions
    const textToImage = tf.losses.softmaxCrossEntropy(diagonal, tf.transpose(logits)); // columns
    return tf.div(tf.add(imageToText, textToImage), 2) as tf.Scalar;
  });
}

/** For each image the index of a negative caption, and for each caption the index of a negative image. */
export interface HardNegatives {
  textForImage: number[]; // [B]
  imageForText: number[]; // [B]
}

/**
 * TODO(4): hard negatives from ITC's logits [B, B] (row i: image i against every caption). For image i, draw a
 * caption j ≠ i with probability ∝ exp(logits[i][j]) (a softmax over its row without the diagonal); for caption j,
 * an image i ≠ j the same way from column j. Draw with `rng` (uniform in [0, 1)), one number per draw.
 */
export async function hardNegatives(logits: tf.Tensor2D, rng: Rng): Promise<HardNegatives> {
  const rows = (await logits.array()) as number[][];
  const B = rows.length;
  const draw = (score: (k: number) => number, self: number): number => {
    const top = Math.max(...Array.from({ length: B }, (_, k) => (k === self ? -Infinity : score(k))));
    const weights = Array.from({ length: B }, (_, k) => (k === self ? 0 : Math.exp(score(k) - top)));
    let u = rng() * weights.reduce((a, b) => a + b, 0);
    for (let k = 0; k < B; k++) {
      if (weights[k] === 0) continue;
      u -= weights[k];
      if (u < 0) return k;
    }
    return self === B - 1 ? B - 2 : B - 1; // u landed on the total by rounding: the last candidate
  };
  return {
    textForImage: rows.map((_, i) => draw((j) => rows[i][j], i)),
    imageForText: rows.map((_, j) => draw((i) => rows[i][j], j)),
  };
}

/**
 * TODO(5): ITM's logits for 3B pairs, in this order: the B matching pairs (image i, caption i); then (image
 * imageForText[j], caption j); then (image i, caption textForImage[i]). One Q-Former pass under the bi-directional
 * mask; each query output goes through itmHead, and the pair's logits are the mean over its Q queries.
 * [B, N, Dv], [B, T], negatives → [3B, 2] (column 1: "match")
 */
export function itmLogits(
  qf: QFormer,
  features: tf.Tensor3D,
  captions: tf.Tensor2D,
  negatives: HardNegatives,
): tf.Tensor2D {
  return tf.tidy(() => {
    const images = tf.concat([features, tf.gather(features, negatives.imageForText), features]) as tf.Tensor3D;
    const texts = tf.concat([captions, captions, tf.gather(captions, negatives.textForImage)]) as tf.Tensor2D;
    const out = qformer(qf, images, texts, 'itm'); // queries [3B, Q, D], having seen the caption
    return tf.mean(dense(out.queries, qf.itmHead), 1) as tf.Tensor2D; // [3B, 2]
  });
}

/** ITM's labels for itmLogits' order (provided): B matches, then 2B non-matches.  → [3B] int32 */
export function itmLabels(B: number): tf.Tensor1D {
  return tf.tensor1d([...new Array<number>(B).fill(1), ...new Array<number>(2 * B).fill(0)], 'int32');
}

/** ITM's cross-entropy (provided).  [3B, 2] → scalar */
export function itmLoss(logits: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => tf.losses.softmaxCrossEntropy(tf.oneHot(itmLabels(logits.shape[0] / 3), 2), logits));
}

/** Stage 1 trains every weight of the Q-Former, its text side, heads and temperature included (provided). */
export function stage1Variables(qf: QFormer): tf.Variable[] {
  return Object.values(qformerWeights(qf)) as tf.Variable[];
}

export interface Stage1Losses {
  itc: number;
  itm: number;
  total: number;
}

/**
 * One stage-1 step (provided): the ITC logits once without gradients to draw the hard negatives, then one Adam step
 * on ITC + ITM. Resolves to the losses, read asynchronously (which works on every backend).
 */
export async function stage1Step(
  qf: QFormer,
  optimizer: tf.Optimizer,
  features: tf.Tensor3D,
  captions: tf.Tensor2D,
  rng: Rng,
): Promise<Stage1Losses> {
  const probe = itcForward(qf, features, captions); // [B, B]
  const negatives = await hardNegatives(probe, rng);
  probe.dispose();
  let parts: tf.Scalar[] = [];
  const total = optimizer.minimize(
    () => {
      const itc = contrastiveLoss(itcForward(qf, features, captions));
      const itm = itmLoss(itmLogits(qf, features, captions, negatives));
      parts = [tf.keep(itc), tf.keep(itm)];
      return tf.add(itc, itm) as tf.Scalar;
    },
    true,
    stage1Variables(qf),
  );
  const [itc, itm, sum] = await Promise.all([...parts, total as tf.Scalar].map(async (t) => (await t.data())[0]));
  tf.dispose([...parts, total as tf.Scalar]);
  return { itc, itm, total: sum };
}
