/**
 * Data curation with a CLIP: score every pair, keep the best-scored fraction, and drop near-duplicates.
 *
 * Schuhmann et al. 2021 (LAION-400M) and 2022 (LAION-5B, §3.1) kept a Common Crawl image–alt-text pair only if the
 * cosine similarity of its CLIP image and text embeddings was above a threshold (0.28–0.3). Gadre et al. 2023
 * (DataComp, arXiv:2304.14108, §3.3 and Table 3) made the comparison controlled: the same training recipe and
 * compute on each filtered pool; their strong CLIP-score baseline keeps the top 30% of the pool by that score.
 * Abbas et al. 2023 (SemDeDup) remove near-duplicates whose embeddings are closer than a threshold.
 */
import * as tf from '@tensorflow/tfjs';

/**
 * The CLIP score of each pair: the cosine similarity of row i of `imageEmb` with row i of `textEmb` (the
 * pair's own caption, not the others: this is the diagonal of the similarity matrix). Normalise both yourself: do
 * not assume the rows have length 1.
 *   imageEmb [N, E], textEmb [N, E] → [N], each in [−1, 1]
 */
export function clipScores(imageEmb: tf.Tensor2D, textEmb: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => {
    const u = tf.div(imageEmb, tf.norm(imageEmb, 'euclidean', 1, true)); // [N, E], rows of length 1
    const v = tf.div(textEmb, tf.norm(textEmb, 'euclidean', 1, true)); // [N, E]
    return tf.sum(tf.mul(u, v), 1) as tf.Tensor1D; // [N]: row i · row i, the diagonal of u vᵀ
  });
}

/**
 * The CLIP-score filter. The indices of the `Math.round(fraction · N)` best-scored pairs, best first (on a
 * tie, the lower index first). `fraction` 0.3 is DataComp's "top 30%".
 */
export function keepTopFraction(scores: readonly number[], fraction: number): number[] {
  const byScore = scores.map((_, i) => i).sort((a, b) => scores[b] - scores[a] || a - b);
  return byScore.slice(0, Math.round(fraction * scores.length));
}

/**
 * Greedy near-duplicate removal. Walk `order` (indices into the rows of `embeddings`, best first) and keep
 * an index unless the cosine similarity of its row with a row already kept is ≥ `threshold`. Returns the kept
 * indices in walk order. Read the similarities once (`await x.data()`), then walk in plain TypeScript.
 *   embeddings [N, E]
 */
export async function dedupe(embeddings: tf.Tensor2D, order: readonly number[], threshold: number): Promise<number[]> {
  const similarity = tf.tidy(() => {
    const unit = tf.div(embeddings, tf.norm(embeddings, 'euclidean', 1, true)); // [N, E]
    return tf.matMul(unit, unit, false, true); // [N, N] cosines
  });
  const n = embeddings.shape[0];
  const cos = await similarity.data();
  similarity.dispose();
  const kept: number[] = [];
  for (const i of order) if (kept.every((j) => cos[i * n + j] < threshold)) kept.push(i);
  return kept;
}

export interface PrecisionRecall {
  precision: number; // of the pairs the filter removed, the fraction that were truly mismatched
  recall: number; // of the truly mismatched pairs, the fraction the filter removed
}

/**
 * The filter as a detector of bad pairs. `kept` holds the indices the filter kept out of
 * `mismatched.length`; every other index was removed. Precision = |removed ∩ mismatched| / |removed|,
 * recall = |removed ∩ mismatched| / |mismatched|; a 0/0 counts as 0.
 */
export function filterPrecisionRecall(kept: readonly number[], mismatched: readonly boolean[]): PrecisionRecall {
  const keptSet = new Set(kept);
  const removed = mismatched.map((_, i) => i).filter((i) => !keptSet.has(i));
  const caught = removed.filter((i) => mismatched[i]).length;
  const bad = mismatched.filter(Boolean).length;
  return { precision: removed.length ? caught / removed.length : 0, recall: bad ? caught / bad : 0 };
}

/**
 * What deduplication compares (provided): a pair's image and caption embeddings side by side, scaled by 1/√2, so the
 * dot product of two pairs is the mean of their image cosine and their caption cosine. Two renders of one scene with
 * the same caption score ≈ 1; the same scene with another caption, or a different scene, scores lower.
 *   imageEmb [N, E], textEmb [N, E] (rows of length 1) → [N, 2E], rows of length 1
 */
export function pairEmbeddings(imageEmb: tf.Tensor2D, textEmb: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.mul(tf.concat([imageEmb, textEmb], 1), Math.SQRT1_2));
}
