// Tests for the curation exercise, one suite per TODO in the order you write them. Each checks one idea on inputs
// small enough to work out by hand; the failure message says what was expected and the usual cause.
import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { expectNoTensorLeak, expectShape, expectTensorClose } from '../../../lab/testing';
import { VOCAB, mulberry32 } from '../../../lab/shapes';
import { clipScores, dedupe, filterPrecisionRecall, keepTopFraction } from '../curate';
import { disposeBatch, disposePairSet, gatherBatch, pairSet, sampleBatch } from '../data';
import { embedImages, embedTokens } from '../evaluate';
import { createClip, disposeClip, type ClipConfig } from '../model';
import { noisySet } from '../noisy';
import { ScheduledAdam, trainStep } from '../step';

/** A CLIP small enough to run in milliseconds: 8×8 images in 4 patches of 4×4, width 8, joint space of 6. */
const tiny: ClipConfig = {
  imageSize: 8,
  patch: 4,
  visionWidth: 8,
  visionDepth: 1,
  visionHeads: 2,
  textLength: 12,
  vocabSize: VOCAB.length,
  textWidth: 8,
  textDepth: 1,
  textHeads: 2,
  mlpRatio: 2,
  embedDim: 6,
};

/** A unit vector in the plane at `degrees` from the x axis, scaled by `length`. */
const at = (degrees: number, length = 1): number[] => [
  length * Math.cos((degrees * Math.PI) / 180),
  length * Math.sin((degrees * Math.PI) / 180),
];

describe('TODO(1): clipScores', () => {
  it('is the cosine similarity of each image with its own caption, [N, E] × [N, E] → [N]', async () => {
    const images = tf.tensor2d([[1, 0], [0, 2], at(60, 3)]);
    const texts = tf.tensor2d([[5, 0], [0, -3], at(0, 0.5)]);
    const scores = clipScores(images, texts);
    await expectShape(scores, [3], 'clipScores of 3 pairs: one score per pair');
    await expectTensorClose(
      scores,
      [1, -1, 0.5],
      { atol: 1e-4 },
      'scores of pairs at 0°, 180° and 60° apart (cos = 1, −1, 0.5) with rows of lengths 1–5: normalise both rows ' +
        'before the dot product, or the score grows with the length of the embeddings',
    );
    tf.dispose([images, texts, scores]);
  });

  it('scores a pair by its own caption (the diagonal), not by the best caption in the set', async () => {
    // Image 0 matches caption 1 and image 1 matches caption 0: both pairs are mismatched.
    const images = tf.tensor2d([
      [1, 0],
      [0, 1],
    ]);
    const texts = tf.tensor2d([
      [0, 1],
      [1, 0],
    ]);
    const scores = clipScores(images, texts);
    await expectTensorClose(
      scores,
      [0, 0],
      { atol: 1e-4 },
      'two swapped captions: each pair scores cos 90° = 0. A score of 1 means you took the best match over all ' +
        'captions (a max over a row of the similarity matrix): the filter could then never catch a mismatch',
    );
    tf.dispose([images, texts, scores]);
  });

  it('scores a whole noisy set with a CLIP after a training step, and leaks no tensor', async () => {
    const data = noisySet({ size: 40, noise: 0.5, duplicates: 0.1, seed: 3 });
    const set = pairSet(data.scenes, data.captions, tiny.imageSize, tiny.textLength, mulberry32(1));
    const model = createClip(tiny);
    const optimizer = new ScheduledAdam(1e-3);
    const batch = gatherBatch(set, sampleBatch(mulberry32(2), set, [...data.scenes.keys()], 16));
    await trainStep(model, optimizer, batch); // the first step creates Adam's moments: they stay
    await expectNoTensorLeak(async () => {
      await trainStep(model, optimizer, batch);
      const scores = tf.tidy(() => clipScores(embedImages(model, set.images), embedTokens(model, set.tokens)));
      await expectShape(scores, [40], 'the CLIP scores of 40 pairs');
      const values = Array.from(await scores.data());
      scores.dispose();
      assert.ok(
        values.every((s) => s >= -1 - 1e-4 && s <= 1 + 1e-4),
        `CLIP scores are cosines, in [−1, 1]; got ${values.map((s) => s.toFixed(2)).join(', ')}`,
      );
    }, 'a training step and clipScores of the set');
    disposeBatch(batch);
    optimizer.dispose();
    disposeClip(model);
    disposePairSet(set);
  });
});

describe('TODO(2): keepTopFraction', () => {
  it('keeps the indices of the best-scored fraction, best first', () => {
    const kept = keepTopFraction([0.1, 0.9, 0.5, 0.7], 0.5);
    assert.deepEqual(
      kept,
      [1, 3],
      `scores [0.1, 0.9, 0.5, 0.7], fraction 0.5: keep indices [1, 3] (scores 0.9 and 0.7); got [${kept}]. ` +
        'Return indices, not scores, sorted by score from the highest',
    );
  });

  it('keeps Math.round(fraction · N) pairs, ties to the lower index, and leaves the scores untouched', () => {
    const scores = [0.2, 0.5, 0.5, 0.1, 0.3, 0.5, 0.0, 0.4, 0.2, 0.1];
    const copy = [...scores];
    const kept = keepTopFraction(scores, 0.3);
    assert.deepEqual(kept, [1, 2, 5], `10 scores, fraction 0.3: the 3 tied at 0.5, lower index first; got [${kept}]`);
    assert.deepEqual(scores, copy, 'keepTopFraction sorted the scores array in place: sort a list of indices instead');
    assert.deepEqual(keepTopFraction(scores, 1), [1, 2, 5, 7, 4, 0, 8, 3, 9, 6], 'fraction 1 keeps all, best first');
  });
});

describe('TODO(3): dedupe', () => {
  it('drops an item whose embedding is too close to one already kept, and keeps the first in walk order', async () => {
    const emb = tf.tensor2d([at(0), at(5), at(90)]); // 0 and 1 are cos 5° ≈ 0.996 apart: near-duplicates
    const kept = await dedupe(emb, [0, 1, 2], 0.95);
    assert.deepEqual(kept, [0, 2], `embeddings at 0°, 5°, 90°, threshold 0.95: keep [0, 2]; got [${kept}]`);
    const reversed = await dedupe(emb, [1, 0, 2], 0.95);
    assert.deepEqual(
      reversed,
      [1, 2],
      `walking [1, 0, 2]: keep the better-scored copy, the first one walked (1); got [${reversed}]`,
    );
    const loose = await dedupe(emb, [0, 1, 2], 0.999);
    assert.deepEqual(loose, [0, 1, 2], `threshold 0.999: nothing is that close, keep all; got [${loose}]`);
    emb.dispose();
  });

  it('compares with the items kept so far, not with every item walked (a chain is not one cluster)', async () => {
    // 0° and 14° are cos 0.970 apart, 14° and 28° too, but 0° and 28° only cos 0.883.
    const emb = tf.tensor2d([at(0, 2), at(14, 0.5), at(28, 3)]); // lengths vary: normalise
    const kept = await dedupe(emb, [0, 1, 2], 0.95);
    assert.deepEqual(
      kept,
      [0, 2],
      `embeddings at 0°, 14°, 28° (lengths 2, 0.5, 3), threshold 0.95: 1 is a near-duplicate of 0, but 2 is not ` +
        `close to anything kept; got [${kept}]. [0] means you compared with dropped items too; [0, 1, 2] or [0, 1] ` +
        'means the rows were not normalised before their dot product',
    );
    await expectNoTensorLeak(() => dedupe(emb, [2, 1, 0], 0.95), 'dedupe');
    emb.dispose();
  });
});

describe('TODO(4): filterPrecisionRecall', () => {
  it('counts the removed pairs that were truly mismatched: precision over the removed, recall over the mismatched', () => {
    const mismatched = [true, true, false, false, true];
    const a = filterPrecisionRecall([2, 3, 4], mismatched); // removed 0 and 1, both mismatched; missed 4
    assert.ok(
      Math.abs(a.precision - 1) < 1e-9 && Math.abs(a.recall - 2 / 3) < 1e-9,
      `kept [2, 3, 4] of [bad, bad, ok, ok, bad]: removed 0, 1 (both bad) → precision 1, recall 2/3; got ` +
        `precision ${a.precision}, recall ${a.recall}. Precision divides by what was removed, recall by what was bad`,
    );
    const b = filterPrecisionRecall([0, 4], mismatched); // removed 1, 2, 3: one bad
    assert.ok(
      Math.abs(b.precision - 1 / 3) < 1e-9 && Math.abs(b.recall - 1 / 3) < 1e-9,
      `kept [0, 4]: removed 1, 2, 3, of which only 1 is bad → precision 1/3, recall 1/3; got ` +
        `precision ${b.precision}, recall ${b.recall}. The filter is judged on what it removed, not on what it kept`,
    );
  });

  it('gives 0, not NaN, when nothing was removed or nothing was mismatched', () => {
    const none = filterPrecisionRecall([0, 1, 2], [true, false, false]);
    assert.deepEqual(
      none,
      { precision: 0, recall: 0 },
      `nothing removed: 0/0 counts as 0; got ${JSON.stringify(none)}`,
    );
    const clean = filterPrecisionRecall([0], [false, false]);
    assert.deepEqual(clean, { precision: 0, recall: 0 }, `nothing mismatched: got ${JSON.stringify(clean)}`);
  });
});
