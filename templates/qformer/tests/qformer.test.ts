// Tests for the Q-Former exercise, one suite per TODO in the order you write them. Each checks one idea of BLIP-2 on
// inputs small enough to reason about; the failure message says what was expected and the usual cause.
import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { expectNoTensorLeak, expectShape, expectTensorClose } from '../../../lab/testing';
import {
  EOT_ID,
  PAD_ID,
  dense,
  embed,
  forwardEmbeddings,
  layerNorm,
  mlp,
  selfAttention,
  type LanguageModel,
} from '../../../lab/lm';
import { mulberry32 } from '../../../lab/random';
import { patchFeatures, type VisionEncoder } from '../../../lab/vision';
import { frozenWeights, withFrozenParts } from '../../../lab/vlmTesting';
import { trainStep } from '../bridge';
import { captionIds, disposeBatch, vqaBatch } from '../data';
import { BLOCKED, attentionMask, paddingMask } from '../masks';
import {
  createQFormer,
  crossAttend,
  qformer,
  qformerWeights,
  textEmbeddings,
  type QFormer,
  type QFormerConfig,
} from '../qformer';
import { itcLogits, itmLogits, itmLoss, contrastiveLoss, hardNegatives, itcForward, stage1Step } from '../stage1';
import { createQFormerVlm, qformerBridge, qformerLogits, stage2Variables } from '../stage2';

let lm: LanguageModel;
let encoder: VisionEncoder;
withFrozenParts((parts) => ({ lm, encoder } = parts));

const randn = (shape: number[], seed: number): tf.Tensor => tf.randomNormal(shape, 0, 1, 'float32', seed);
const X = BLOCKED;
/** The largest |a − b|, read back. */
async function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  const gap = tf.max(tf.abs(tf.sub(a, b)));
  const value = (await gap.data())[0];
  gap.dispose();
  return value;
}
/** A small Q-Former: 3 queries of width 8, 4 layers (cross-attention in layers 0 and 2), image features of width 6. */
const SMALL: QFormerConfig = {
  queries: 3,
  width: 8,
  depth: 4,
  heads: 2,
  mlpRatio: 2,
  crossEvery: 2,
  vocabSize: 12,
  maxText: 8,
  embedDim: 4,
};
const DV = 6;
const small = (seed = 3): QFormer => createQFormer(SMALL, DV, seed);
const words = (rows: number[][]): tf.Tensor2D => tf.tensor2d(rows, undefined, 'int32');

describe('TODO(1): the attention masks of the three objectives', () => {
  it("'itc' is uni-modal: queries see only queries, words only words", async () => {
    const want = [
      [0, 0, X, X, X],
      [0, 0, X, X, X],
      [X, X, 0, 0, 0],
      [X, X, 0, 0, 0],
      [X, X, 0, 0, 0],
    ];
    const got = attentionMask('itc', 2, 3);
    await expectShape(got, [1, 1, 5, 5], "attentionMask('itc', Q = 2, T = 3)");
    assert.deepEqual(
      ((await got.array()) as number[][][][])[0][0],
      want,
      `expected ${JSON.stringify(want)} (rows attend, columns are attended to; queries first): under ITC neither side ` +
        'may see the other, or the caption would leak into the image embedding it is compared with (BLIP-2 Fig. 2)',
    );
  });

  it("'itm' is bi-directional: every token sees every token", async () => {
    const got = ((await attentionMask('itm', 2, 3).array()) as number[][][][])[0][0];
    assert.deepEqual(
      got,
      Array.from({ length: 5 }, () => new Array<number>(5).fill(0)),
      'ITM asks whether image and caption match, so the queries must read the words and the words the queries: all 0',
    );
  });

  it("'itg' is multi-modal causal: queries see queries; each word sees every query and the words up to itself", async () => {
    const want = [
      [0, 0, X, X, X],
      [0, 0, X, X, X],
      [0, 0, 0, X, X],
      [0, 0, 0, 0, X],
      [0, 0, 0, 0, 0],
    ];
    assert.deepEqual(
      ((await attentionMask('itg', 2, 3).array()) as number[][][][])[0][0],
      want,
      `expected ${JSON.stringify(want)}: a word that generates the caption may read the image (all queries) and the words ` +
        'before it, never a later word; the queries never see the words, so the image reaches the text only through them',
    );
  });
});

describe('TODO(2): the Q-Former', () => {
  const features = (B: number, N: number, seed: number): tf.Tensor3D => randn([B, N, DV], seed) as tf.Tensor3D;
  const caption = (): tf.Tensor2D =>
    words([
      [1, 5, 6, 7, 0],
      [1, 8, 9, 0, 0],
    ]);

  it('gives Q query outputs whatever the number of patch features, and one output per word', async () => {
    const qf = small();
    for (const N of [1, 9, 30]) {
      const out = qformer(qf, features(2, N, 10 + N), caption(), 'itm');
      await expectShape(out.queries, [2, 3, 8], `qformer(2 images × ${N} features).queries with 3 queries`);
      await expectShape(out.text as tf.Tensor, [2, 5, 8], `qformer(…, 2 × 5 words).text`);
    }
    const alone = qformer(qf, features(2, 9, 20), null, 'itm');
    await expectShape(alone.queries, [2, 3, 8], 'qformer(…, text null).queries');
    assert.equal(alone.text, undefined, 'without text the output has no `text`');
  });

  it('computes each layer as BLIP-2 §3.1: shared self-attention, cross-attention every other layer, own feed-forwards', async () => {
    const qf = small();
    const feats = features(2, 5, 21),
      text = caption();
    const got = qformer(qf, feats, text, 'itg'); // first, so that the starter fails here at TODO(2)
    const Q = 3,
      T = 5;
    let x = tf.concat([tf.tile(tf.expandDims(qf.queries, 0), [2, 1, 1]), textEmbeddings(qf, text)], 1) as tf.Tensor3D;
    const mask = tf.add(attentionMask('itg', Q, T), paddingMask(text, Q));
    for (const layer of qf.layers) {
      x = tf.add(x, selfAttention(layerNorm(x, layer.block.ln1), layer.block, 2, mask));
      let q = tf.slice(x, [0, 0, 0], [2, Q, 8]) as tf.Tensor3D;
      if (layer.cross) q = tf.add(q, crossAttend(layerNorm(q, layer.cross.norm), feats, layer.cross, 2));
      q = tf.add(q, mlp(q, layer.block));
      const t = tf.slice(x, [0, Q, 0], [2, T, 8]) as tf.Tensor3D;
      x = tf.concat([q, tf.add(t, mlp(t, layer.textMlp))], 1) as tf.Tensor3D;
    }
    const out = layerNorm(x, qf.finalNorm);
    await expectTensorClose(
      got.queries,
      tf.slice(out, [0, 0, 0], [2, Q, 8]),
      { atol: 1e-4 },
      'the query outputs differ from: x = [queries; textEmbeddings]; per layer x += selfAttention(LN₁(x), mask + paddingMask); ' +
        'queries += crossAttend(LN(queries), features) where layer.cross exists; queries += mlp(queries, block); ' +
        'words += mlp(words, textMlp); finally finalNorm. Common slips: cross-attention in every layer, the words ' +
        'cross-attending too, or one feed-forward for both',
    );
    await expectTensorClose(
      got.text as tf.Tensor,
      tf.slice(out, [0, Q, 0], [2, T, 8]),
      { atol: 1e-4 },
      "the text outputs differ: the words go through the shared self-attention and their own feed-forward (textMlp), never the image's cross-attention",
    );
  });

  it('reads the image only through the cross-attention of layers 0 and 2 (every other block)', async () => {
    const qf = small();
    const a = features(2, 4, 22),
      b = features(2, 4, 23);
    const shut = (i: number): void => {
      const cross = qf.layers[i].cross;
      assert.ok(cross, `createQFormer gives layer ${i} cross-attention`);
      cross.out.w.assign(tf.zerosLike(cross.out.w));
    };
    shut(0);
    const onlyLayer2 = await maxAbsDiff(qformer(qf, a, null, 'itm').queries, qformer(qf, b, null, 'itm').queries);
    assert.ok(
      onlyLayer2 > 1e-3,
      "with layer 0's cross-attention shut, another image gave the same queries: layer 2's cross-attention is not used " +
        '(BLIP-2 inserts it every other block, not only in the first)',
    );
    shut(2);
    const none = await maxAbsDiff(qformer(qf, a, null, 'itm').queries, qformer(qf, b, null, 'itm').queries);
    assert.equal(
      none,
      0,
      `with the cross-attention of layers 0 and 2 shut the image still changed the queries (by ${none}): the image ` +
        'must enter only through the queries’ cross-attention',
    );
  });

  it("under 'itc' the two sides do not see each other; under 'itm' they do", async () => {
    const qf = small();
    const feats = features(2, 4, 24),
      other = features(2, 4, 25);
    const text = caption(),
      otherText = words([
        [1, 3, 4, 10, 0],
        [1, 2, 11, 0, 0],
      ]);
    const itcQueries = await maxAbsDiff(
      qformer(qf, feats, text, 'itc').queries,
      qformer(qf, feats, otherText, 'itc').queries,
    );
    assert.equal(
      itcQueries,
      0,
      `under 'itc' another caption changed the query outputs (by ${itcQueries}): use attentionMask(objective)`,
    );
    const itcText = await maxAbsDiff(
      qformer(qf, feats, text, 'itc').text as tf.Tensor,
      qformer(qf, other, text, 'itc').text as tf.Tensor,
    );
    assert.equal(itcText, 0, `under 'itc' another image changed the text outputs (by ${itcText})`);
    const itmQueries = await maxAbsDiff(
      qformer(qf, feats, text, 'itm').queries,
      qformer(qf, feats, otherText, 'itm').queries,
    );
    assert.ok(
      itmQueries > 1e-3,
      "under 'itm' the caption did not reach the queries: are queries and words one sequence?",
    );
  });

  it('ignores the padding: more <pad> at the end changes no output', async () => {
    const qf = small();
    const feats = features(1, 4, 26);
    const short = qformer(qf, feats, words([[1, 5, 6]]), 'itm');
    const padded = qformer(qf, feats, words([[1, 5, 6, PAD_ID, PAD_ID]]), 'itm');
    await expectTensorClose(
      padded.queries,
      short.queries,
      { atol: 1e-5 },
      'two <pad> tokens after the caption changed the query outputs: add paddingMask(text, Q) to the attention mask',
    );
  });
});

describe('TODO(3): ITC with the per-query maximum', () => {
  // image 0's queries point along each axis; image 1's both at (0.6, 0.8). Captions along x and along y.
  const images = (): tf.Tensor3D =>
    tf.tensor3d([
      [
        [1, 0],
        [0, 1],
      ],
      [
        [0.6, 0.8],
        [0.6, 0.8],
      ],
    ]);
  const texts = (): tf.Tensor2D =>
    tf.tensor2d([
      [1, 0],
      [0, 1],
    ]);

  it('takes the best query for each caption, divided by τ: [Bi, Bt]', async () => {
    const got = itcLogits(images(), texts(), tf.scalar(0.5));
    await expectShape(got, [2, 2], 'itcLogits(2 images × 2 queries, 2 captions)');
    await expectTensorClose(
      got,
      [
        [2, 2],
        [1.2, 1.6],
      ],
      { atol: 1e-5 },
      'expected s(I, T) = max over queries of z_q · t, over τ = 0.5: image 0 has a query for each caption (1 / 0.5 = 2 each). ' +
        'A mean over the queries gives [[1, 1], …]: BLIP-2 keeps the highest query similarity (§3.2)',
    );
  });

  it('is the contrastive loss of exercise 1 on those logits: low when each image has its own caption', async () => {
    const matched = tf.tensor3d([
      [
        [1, 0],
        [1, 0],
      ],
      [
        [0, 1],
        [0, 1],
      ],
    ]);
    const loss = contrastiveLoss(itcLogits(matched, texts(), tf.scalar(0.1)));
    const value = (await loss.data())[0];
    assert.ok(value < 1e-3, `images that match their captions exactly should give a near-zero ITC loss; got ${value}`);
  });
});

describe('TODO(4): hard negatives from the ITC similarities', () => {
  it('never picks the matching pair itself', async () => {
    const rng = mulberry32(1);
    const logits = tf.tensor2d([
      [9, 0, 0, 0],
      [0, 9, 0, 0],
      [0, 0, 9, 0],
      [0, 0, 0, 9],
    ]);
    for (let draw = 0; draw < 50; draw++) {
      const { textForImage, imageForText } = await hardNegatives(logits, rng);
      assert.ok(
        textForImage.every((j, i) => j !== i) && imageForText.every((i, j) => i !== j),
        `drew ${JSON.stringify({ textForImage, imageForText })}: a negative must not be the matching caption or image — ` +
          'leave the diagonal out of the softmax',
      );
    }
  });

  it('draws captions by their row and images by their column, ∝ exp(similarity)', async () => {
    // Image 0's closest other caption is 2 (8 against 0); caption 0's closest other image is 1 (9 against 0).
    const logits = tf.tensor2d([
      [10, 0, 8],
      [9, 10, 0],
      [0, 0, 10],
    ]);
    const rng = mulberry32(2);
    let text2 = 0,
      image1 = 0;
    for (let draw = 0; draw < 200; draw++) {
      const n = await hardNegatives(logits, rng);
      text2 += n.textForImage[0] === 2 ? 1 : 0;
      image1 += n.imageForText[0] === 1 ? 1 : 0;
    }
    assert.ok(
      text2 > 190 && image1 > 190,
      `image 0 drew caption 2 in ${text2} of 200 draws and caption 0 drew image 1 in ${image1} (both ≈ 200 expected): ` +
        "image i's negative caption comes from row i, caption j's negative image from column j",
    );
  });

  it('is a draw, not the arg-max: a close second is drawn as often as its softmax says', async () => {
    const logits = tf.tensor2d([
      [5, 1, 0],
      [0, 5, 0],
      [0, 0, 5],
    ]);
    const rng = mulberry32(3);
    let picks = 0;
    const draws = 2000;
    for (let d = 0; d < draws; d++) picks += (await hardNegatives(logits, rng)).textForImage[0] === 1 ? 1 : 0;
    const want = Math.E / (Math.E + 1); // 0.731
    assert.ok(
      Math.abs(picks / draws - want) < 0.04,
      `image 0 drew caption 1 in ${((100 * picks) / draws).toFixed(1)}% of draws; its softmax weight without the diagonal is ` +
        `e¹/(e¹ + e⁰) = ${(100 * want).toFixed(1)}%. Always the hardest (100%) or uniform (50%) is not BLIP-2's sampling`,
    );
  });
});

describe('TODO(5): image–text matching', function () {
  this.timeout(60000);
  it('scores the B pairs, then (imageForText[j], caption j), then (image i, textForImage[i]): the mean over queries', async () => {
    const qf = small();
    const feats = randn([3, 4, DV], 30) as tf.Tensor3D;
    const text = words([
      [1, 5, 6, 0],
      [1, 7, 0, 0],
      [1, 8, 9, 10],
    ]);
    const negatives = { textForImage: [2, 0, 1], imageForText: [1, 2, 0] };
    const got = itmLogits(qf, feats, text, negatives); // first, so that the starter fails here at TODO(5)
    await expectShape(got, [9, 2], 'itmLogits(B = 3)');
    const pair = (image: number, caption: number): tf.Tensor => {
      const out = qformer(qf, tf.slice(feats, [image, 0, 0], [1, 4, DV]), tf.slice(text, [caption, 0], [1, 4]), 'itm');
      return tf.mean(dense(out.queries, qf.itmHead), 1); // [1, 2]
    };
    const want = tf.concat([
      ...[0, 1, 2].map((i) => pair(i, i)),
      ...[0, 1, 2].map((j) => pair(negatives.imageForText[j], j)),
      ...[0, 1, 2].map((i) => pair(i, negatives.textForImage[i])),
    ]);
    await expectTensorClose(
      got,
      want,
      { atol: 1e-4 },
      'each row should be one (image, caption) pair under the bi-directional mask, itmHead applied to each query output and ' +
        'averaged over the queries; rows 0–2 the matches, 3–5 each caption with its negative image, 6–8 each image with ' +
        "its negative caption. Wrong rows in the right places mean the order; every row wrong: the 'itc' mask or the head",
    );
  });

  it('a few stage-1 steps on one batch lower ITC + ITM and leak no tensor', async () => {
    const qf = createQFormer({ ...SMALL, width: 16, vocabSize: lm.config.vocabSize, maxText: 12 }, 64, 4);
    const batch = vqaBatch(lm, mulberry32(31), 8, encoder.config.imageSize);
    const feats = patchFeatures(encoder, batch.images);
    const captions = captionIds(lm, batch.scenes);
    const fixed = { textForImage: [1, 2, 3, 4, 5, 6, 7, 0], imageForText: [7, 0, 1, 2, 3, 4, 5, 6] };
    const lossNow = async (): Promise<number> => {
      const l = tf.tidy(() => {
        const itm = itmLoss(itmLogits(qf, feats, captions, fixed)); // ITM first: the starter fails here at TODO(5)
        return tf.add(itm, contrastiveLoss(itcForward(qf, feats, captions)));
      });
      const v = (await l.data())[0];
      l.dispose();
      return v;
    };
    const before = await lossNow();
    const optimizer = tf.train.adam(3e-3);
    const rng = mulberry32(32);
    await stage1Step(qf, optimizer, feats, captions, rng); // Adam's moments
    await expectNoTensorLeak(() => stage1Step(qf, optimizer, feats, captions, rng), 'stage1Step');
    for (let s = 0; s < 8; s++) await stage1Step(qf, optimizer, feats, captions, rng);
    const after = await lossNow();
    assert.ok(
      after < before,
      `ten stage-1 steps on one batch moved ITC + ITM from ${before.toFixed(3)} to ${after.toFixed(3)}`,
    );
    optimizer.dispose();
    disposeBatch(batch);
    tf.dispose([feats, captions]);
  });
});

describe('TODO(6): stage 2, the queries through one linear layer into the frozen LM', function () {
  this.timeout(120000);
  const config = (): QFormerConfig => ({
    ...SMALL,
    queries: 4,
    width: 16,
    depth: 2,
    vocabSize: lm.config.vocabSize,
    maxText: 12,
  });
  const text = (): tf.Tensor2D =>
    words([
      [30, 31, 32, 20, 0],
      [33, 34, 35, 0, 0],
    ]);

  it('puts Q soft visual prompts in the LM context, whatever the number of patches: [B, 1 + Q + T, V]', async () => {
    const vlm = createQFormerVlm(lm, createQFormer(config(), 64, 5), 6);
    for (const N of [9, 4])
      await expectShape(
        qformerLogits(vlm, randn([2, N, 64], 40 + N) as tf.Tensor3D, text()),
        [2, 1 + 4 + 5, lm.config.vocabSize],
        `qformerLogits(2 images × ${N} patch features, 2 × 5 words) with 4 queries`,
      );
  });

  it('is the frozen LM over [<eot>; W·Z + b; words], Z the query outputs of the image alone', async () => {
    const vlm = createQFormerVlm(lm, createQFormer(config(), 64, 5), 6);
    const feats = randn([2, 9, 64], 41) as tf.Tensor3D,
      ids = text();
    const got = qformerLogits(vlm, feats, ids);
    const Z = qformer(vlm.qformer, feats, null, 'itm').queries;
    const start = embed(lm, tf.fill([2, 1], EOT_ID, 'int32') as tf.Tensor2D);
    const want = forwardEmbeddings(lm, tf.concat([start, dense(Z, vlm.projection), embed(lm, ids)], 1) as tf.Tensor3D);
    await expectTensorClose(
      got,
      want,
      { atol: 1e-4 },
      'expected forwardEmbeddings(lm, [embed(<eot>); dense(Z, projection); embed(words)]), Z = qformer(…, features, null).queries ' +
        '(BLIP-2 Fig. 3: the Q-Former sees no text in stage 2). Check the order of the three parts and the one linear layer',
    );
  });

  it('trains the linear layer and the query path of the Q-Former only', () => {
    const vlm = createQFormerVlm(lm, createQFormer(config(), 64, 5), 6);
    const got = stage2Variables(vlm)
      .map((v) => v.name)
      .sort();
    const frozen = new Set(frozenWeights(lm, encoder).map((v) => v.name));
    assert.equal(
      got.filter((n) => frozen.has(n)).length,
      0,
      'some of the variables belong to the frozen LM or encoder',
    );
    const named = qformerWeights(vlm.qformer);
    const nameOf = new Map(Object.entries(named).map(([k, v]) => [(v as tf.Variable).name, k]));
    const want = Object.entries(named)
      .filter(([k]) => /^(queries|layers\.\d+\.(block|cross)\.|finalNorm\.)/.test(k))
      .map(([, v]) => (v as tf.Variable).name)
      .concat([vlm.projection.w.name, vlm.projection.b.name])
      .sort();
    const extra = got.filter((n) => !want.includes(n)).map((n) => nameOf.get(n) ?? n);
    const missing = want.filter((n) => !got.includes(n)).map((n) => nameOf.get(n) ?? 'projection');
    assert.deepEqual(
      { extra, missing },
      { extra: [], missing: [] },
      'stage 2 trains the projection and what the queries pass through: queries, each layer’s block (shared self-attention, ' +
        'the queries’ feed-forward) and cross-attention, finalNorm. Not the text side, the ITC/ITM heads or τ',
    );
  });

  it('a training step leaves the LM, the encoder and the text side exactly as they were, and leaks no tensor', async () => {
    const vlm = createQFormerVlm(lm, createQFormer(config(), 64, 5), 6);
    const bridge = qformerBridge(vlm, 'qformer');
    const kept = [...frozenWeights(lm, encoder), vlm.qformer.tokenEmbedding, vlm.qformer.itmHead.w];
    const values = (ws: tf.Tensor[]): Promise<number[][]> =>
      Promise.all(ws.map(async (w) => Array.from(await w.data())));
    const before = await values(kept);
    const queriesBefore = Array.from(await vlm.qformer.queries.data());
    const optimizer = tf.train.adam(0.01);
    const batch = vqaBatch(lm, mulberry32(42), 8, encoder.config.imageSize);
    const feats = patchFeatures(encoder, batch.images);
    await trainStep(bridge, optimizer, feats, batch);
    await expectNoTensorLeak(() => trainStep(bridge, optimizer, feats, batch), 'trainStep (qformer)');
    const moved = (await values(kept)).filter((now, i) => now.some((v, k) => v !== before[i][k])).length;
    assert.equal(moved, 0, `${moved} weight tensors that stage 2 must not train changed`);
    const queriesAfter = Array.from(await vlm.qformer.queries.data());
    assert.ok(
      queriesAfter.some((v, k) => v !== queriesBefore[k]),
      'the learned queries did not move: are they among the trainable variables?',
    );
    optimizer.dispose();
    disposeBatch(batch);
    feats.dispose();
    bridge.dispose();
  });
});
