// Tests for the bridges exercise, one suite per TODO in the order you write them. Each checks one idea on inputs
// small enough to reason about; the failure message says what was expected and the usual cause.
import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { expectNoTensorLeak, expectShape, expectTensorClose } from '../../../lab/testing';
import {
  Seeds,
  addPositions,
  block,
  causalMask,
  createBlock,
  embed,
  finalNorm,
  forward,
  head,
  layerNorm,
  selfAttention,
  type LanguageModel,
} from '../../../lab/lm';
import { mulberry32 } from '../../../lab/shapes';
import { patchFeatures, type VisionEncoder } from '../../../lab/vision';
import { frozenWeights, withFrozenParts } from '../../../lab/vlmTesting';
import {
  createAttention,
  crossAttend,
  imageBeforeEveryToken,
  mediaMask,
  type Attention,
  type MediaMask,
} from '../attention';
import { trainStep } from '../bridge';
import { disposeBatch, vqaBatch } from '../data';
import {
  createFlamingo,
  flamingoBridge,
  flamingoLogits,
  flamingoTrainableVariables,
  flamingoWeights,
  gateValues,
  withStartToken,
  type Flamingo,
} from '../flamingo';
import { createGatedXattnDense, gatedXattnDense } from '../gatedXattn';
import { createLlava, llavaBridge } from '../llava';
import { createResampler, feedForward, resample, type Resampler } from '../resampler';

let lm: LanguageModel;
let encoder: VisionEncoder;
withFrozenParts((parts) => ({ lm, encoder } = parts));

const randn = (shape: number[], seed: number): tf.Tensor => tf.randomNormal(shape, 0, 1, 'float32', seed);
/** How many values differ at all, and by how much at most: for the "exactly unchanged" tests. */
async function bitwiseDiff(a: tf.Tensor, b: tf.Tensor): Promise<{ differ: number; worst: number }> {
  const [x, y] = await Promise.all([a.data(), b.data()]);
  let differ = 0,
    worst = 0;
  for (let i = 0; i < x.length; i++)
    if (x[i] !== y[i]) {
      differ++;
      worst = Math.max(worst, Math.abs(x[i] - y[i]));
    }
  return { differ, worst };
}
/** The largest |a − b|, read back. */
async function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  const gap = tf.max(tf.abs(tf.sub(a, b)));
  const value = (await gap.data())[0];
  gap.dispose();
  return value;
}
const smallFlamingo = (seed = 3): Flamingo =>
  createFlamingo(lm, encoder.config.width, { latents: 4, resamplerDepth: 1, heads: 4, mlpRatio: 2 }, seed);
const openGates = (f: Flamingo): void =>
  f.layers.forEach((g, i) => {
    g.attentionGate.assign(tf.scalar(0.8 - 0.3 * i));
    g.ffwGate.assign(tf.scalar(-0.5 + 0.2 * i));
  });

describe('TODO(1): multi-head cross-attention', () => {
  it('maps Tq queries of width D over Tk context tokens of width Dc to [B, Tq, D]', async () => {
    const p = createAttention(new Seeds(1), 8, 6);
    await expectShape(
      crossAttend(randn([2, 3, 8], 2) as tf.Tensor3D, randn([2, 5, 6], 3) as tf.Tensor3D, p, 2),
      [2, 3, 8],
      'crossAttend(queries [2, 3, 8], context [2, 5, 6], 2 heads)',
    );
  });

  it("attending a sequence to itself, under the causal mask, is exactly the LM's self-attention", async () => {
    const D = 8,
      heads = 2;
    const b = createBlock(new Seeds(4), D, 2, 1);
    const part = (i: number) => ({
      w: tf.variable(tf.slice(b.qkv.w, [0, i * D], [D, D])),
      b: tf.variable(tf.slice(b.qkv.b, [i * D], [D])),
    });
    const p: Attention = { q: part(0), k: part(1), v: part(2), out: b.out };
    const x = randn([2, 5, D], 5) as tf.Tensor3D;
    await expectTensorClose(
      crossAttend(x, x, p, heads, causalMask(5)),
      selfAttention(x, b, heads, causalMask(5)),
      { atol: 1e-5 },
      "crossAttend(x, x) with W_q, W_k, W_v cut from a block's fused qkv should equal that block's selfAttention (lab/lm). " +
        'Check: scores divided by √d_h with d_h = D / heads (not √D); softmax over the last axis (the keys); the mask added before the softmax; ' +
        'heads split as reshape [B, T, H, d_h] then transpose to [B, H, T, d_h], and merged back the same way before p.out',
    );
  });

  it('reads keys and values from the context, and a −1e9 mask removes a context token completely', async () => {
    const p = createAttention(new Seeds(6), 8, 6);
    const x = randn([1, 3, 8], 7) as tf.Tensor3D,
      context = randn([1, 4, 6], 8) as tf.Tensor3D;
    const mask = tf.tensor4d([0, 0, 0, -1e9], [1, 1, 1, 4]); // hide context token 3 from every query
    const without = tf.slice(context, [0, 0, 0], [1, 3, 6]) as tf.Tensor3D;
    await expectTensorClose(
      crossAttend(x, context, p, 2, mask),
      crossAttend(x, without, p, 2),
      { atol: 1e-5 },
      'masking context token 3 should give the same result as leaving it out of the context; if not, the mask is not added ' +
        'to the scores [B, H, Tq, Tk] before the softmax over the keys, or the keys/values are not taken from `context`',
    );
  });
});

describe("TODO(2): Flamingo's media mask", () => {
  it('lets each token see the visual tokens of the last image before it, and nothing before the first image', async () => {
    // 1 sequence of 4 tokens; 2 images × 2 visual tokens. Token 0 comes before any image, tokens 1–2 follow image 0,
    // token 3 image 1.
    const { scores, seesImage } = mediaMask([[-1, 0, 0, 1]], 2, 2);
    await expectShape(scores, [1, 1, 4, 4], 'mediaMask(B = 1, T = 4; R = 2, M = 2).scores');
    const X = -1e9;
    const want = [
      [X, X, X, X],
      [0, 0, X, X],
      [0, 0, X, X],
      [X, X, 0, 0],
    ];
    assert.deepEqual(
      ((await scores.array()) as number[][][][])[0][0],
      want,
      `expected the rows ${JSON.stringify(want)}: token t sees exactly the R columns of image imageOfToken[t] (image m is columns m·R … m·R + R − 1), ` +
        'not every earlier image (Flamingo: "only the immediately preceding image"); −1 sees none',
    );
    assert.deepEqual(
      ((await seesImage.array()) as number[][][])[0].map((r) => r[0]),
      [0, 1, 1, 1],
      'seesImage should be 1 for the tokens that have an image before them and 0 for token 0, which has none',
    );
  });

  it("under the mask, a token's cross-attention does not change when another image changes", async () => {
    const p = createAttention(new Seeds(9), 8, 8);
    const mask = mediaMask([[0, 0, 1, 1, 1]], 3, 2);
    const words = randn([1, 5, 8], 10) as tf.Tensor3D;
    const image0 = randn([1, 3, 8], 11),
      image1 = randn([1, 3, 8], 12),
      other0 = randn([1, 3, 8], 13);
    const a = crossAttend(words, tf.concat([image0, image1], 1) as tf.Tensor3D, p, 2, mask.scores);
    const b = crossAttend(words, tf.concat([other0, image1], 1) as tf.Tensor3D, p, 2, mask.scores);
    const after1 = (t: tf.Tensor): tf.Tensor => tf.slice(t, [0, 2, 0], [1, 3, 8]);
    await expectTensorClose(
      after1(b),
      after1(a),
      { atol: 0 },
      "tokens 2–4 follow image 1; replacing image 0 changed their cross-attention, so they can still see image 0 — check the mask's columns",
    );
    const change = await maxAbsDiff(tf.slice(a, [0, 0, 0], [1, 2, 8]), tf.slice(b, [0, 0, 0], [1, 2, 8]));
    assert.ok(
      change > 1e-3,
      'tokens 0–1 follow image 0, yet replacing image 0 did not change their cross-attention: they are masked from their own image',
    );
  });
});

describe('TODO(3): the Perceiver Resampler', () => {
  const D = 8;
  const make = (): Resampler => createResampler(new Seeds(14), D, 3, 2, 2, 2);

  it('gives R visual tokens whatever the number of input features', async () => {
    const r = make();
    for (const N of [1, 9, 30])
      await expectShape(
        resample(r, randn([2, N, D], 15 + N) as tf.Tensor3D),
        [2, 3, D],
        `resample(2 images × ${N} features) with 3 latents`,
      );
  });

  it("computes Flamingo's Fig. 5: latents attend to concat([features, latents]), then a feed-forward, each residual", async () => {
    const r = make();
    const features = randn([2, 5, D], 16) as tf.Tensor3D;
    const got = resample(r, features); // first, so that the starter fails here at TODO(3)
    let x = tf.tile(tf.reshape(r.latents, [1, 3, D]), [2, 1, 1]) as tf.Tensor3D;
    for (const l of r.layers) {
      const q = layerNorm(x, l.normLatents);
      x = tf.add(
        x,
        crossAttend(q, tf.concat([layerNorm(features, l.normFeatures), q], 1) as tf.Tensor3D, l.attention, r.heads),
      ) as tf.Tensor3D;
      x = tf.add(x, feedForward(l.ffw, x)) as tf.Tensor3D;
    }
    await expectTensorClose(
      got,
      layerNorm(x, r.finalNorm),
      { atol: 1e-4 },
      "resample should follow Flamingo's Fig. 5 layer by layer: x = x + crossAttend(LN_l(x), concat([LN_f(features), LN_l(x)])); " +
        'x = x + feedForward(x); then finalNorm. Common slips: keys from the features only (Flamingo also lets the latents attend to ' +
        'themselves), a missing residual, or the norms swapped',
    );
  });

  it('does not care about the order of the features (the encoder already put positions in them)', async () => {
    const r = make();
    const features = randn([1, 6, D], 17) as tf.Tensor3D;
    const reversed = tf.reverse(features, 1) as tf.Tensor3D;
    await expectTensorClose(
      resample(r, reversed),
      resample(r, features),
      { atol: 1e-4 },
      'reversing the 6 features changed the resampled tokens: attention pools over its keys, so the order should not matter. ' +
        'Did you add position information, or read the features by index?',
    );
  });
});

describe('TODO(4): GATED XATTN-DENSE', () => {
  const D = 8,
    Dv = 6;
  // Row 0: every token sees the image; row 1: token 0 comes before it. Written out, so these tests need no TODO(2).
  const handMask = (): MediaMask => ({
    scores: tf.tensor4d(
      [
        [
          [0, 0, 0],
          [0, 0, 0],
          [0, 0, 0],
          [0, 0, 0],
        ],
        [
          [-1e9, -1e9, -1e9],
          [0, 0, 0],
          [0, 0, 0],
          [0, 0, 0],
        ],
      ].map((r) => [r]),
      [2, 1, 4, 3],
    ),
    seesImage: tf.tensor3d([
      [[1], [1], [1], [1]],
      [[0], [1], [1], [1]],
    ]),
  });
  const setup = () => {
    const g = createGatedXattnDense(new Seeds(18), D, Dv, 2);
    return {
      g,
      y: randn([2, 4, D], 19) as tf.Tensor3D,
      visual: randn([2, 3, Dv], 20) as tf.Tensor3D,
      mask: handMask(),
    };
  };

  it('with both gates at 0 (as created) returns its input exactly', async () => {
    const { g, y, visual, mask } = setup();
    const { differ, worst } = await bitwiseDiff(gatedXattnDense(g, y, visual, mask, 2), y);
    assert.equal(
      differ,
      0,
      `${differ} of ${y.size} values changed (by up to ${worst}) with tanh(α) = 0: the layer must add exactly nothing at ` +
        'initialisation, so the model starts as the unchanged LM. Add the gated terms to y itself — do not normalise or replace y',
    );
  });

  it('with the gates open computes y + tanh(α_xattn)·attention, then + tanh(α_dense)·ffw, and no attention before the image', async () => {
    const { g, y, visual, mask } = setup();
    g.attentionGate.assign(tf.scalar(0.7));
    g.ffwGate.assign(tf.scalar(-0.4));
    const got = gatedXattnDense(g, y, visual, mask, 2);
    const attended = tf.mul(crossAttend(layerNorm(y, g.norm), visual, g.attention, 2, mask.scores), mask.seesImage);
    const h = tf.add(y, tf.mul(Math.tanh(0.7), attended)) as tf.Tensor3D;
    const want = tf.add(h, tf.mul(Math.tanh(-0.4), feedForward(g.ffw, h)));
    await expectTensorClose(
      got,
      want,
      { atol: 1e-4 },
      'expected h = y + tanh(α_xattn)·seesImage·crossAttend(LN(y), visual, mask.scores), then h + tanh(α_dense)·feedForward(h) ' +
        '(Flamingo Fig. 4). Check: tanh of the gate, not the raw α; the feed-forward reads h (after the attention), not y; ' +
        "the attention times mask.seesImage, so row 1's first token, which has no image, gets no attention",
    );
  });
});

describe('TODO(5): the gated layers between the frozen LM blocks', function () {
  this.timeout(60000);
  const text = (): tf.Tensor2D =>
    tf.tensor2d(
      [
        [30, 31, 32, 20, 0],
        [33, 34, 35, 0, 0],
      ],
      [2, 5],
      'int32',
    );
  const features = (seed: number): tf.Tensor3D =>
    patchFeatures(encoder, tf.randomUniform([2, 48, 48, 3], 0, 1, 'float32', seed) as tf.Tensor4D);

  it('gives next-word logits for [<eot>; text]: [B, 1 + T, V]', async () => {
    const f = smallFlamingo();
    await expectShape(
      flamingoLogits(f, features(21), text()),
      [2, 6, lm.config.vocabSize],
      'flamingoLogits(2 images, 2 × 5 words)',
    );
  });

  it('at initialisation (gates 0) is exactly the frozen LM, whatever the image', async () => {
    const f = smallFlamingo();
    const lmAlone = forward(lm, withStartToken(text())); // [B, 1 + T, V]
    for (const seed of [22, 23]) {
      const { differ, worst } = await bitwiseDiff(flamingoLogits(f, features(seed), text()), lmAlone);
      assert.equal(
        differ,
        0,
        `${differ} logits differ from the LM's own (by up to ${worst}) while every gate is 0. Flamingo starts as the ` +
          'unchanged LM: embed [<eot>; text] with embed + addPositions, run block(lm, i, h, causalMask(L)) exactly as the LM does, ' +
          'and finish with finalNorm and head; the gated layers must add exactly 0',
      );
    }
  });

  it('with the gates open, puts layers[i] in front of block i and reads the image', async () => {
    const f = smallFlamingo();
    openGates(f);
    const feats = features(24),
      ids = text();
    const got = flamingoLogits(f, feats, ids);
    const L = 6,
      mask = imageBeforeEveryToken(2, L, f.config.latents);
    const visual = resample(f.resampler, feats);
    let h = addPositions(lm, embed(lm, withStartToken(ids)));
    for (let i = 0; i < lm.blocks.length; i++)
      h = block(lm, i, gatedXattnDense(f.layers[i], h, visual, mask, f.config.heads), causalMask(L));
    await expectTensorClose(
      got,
      head(lm, finalNorm(lm, h)),
      { atol: 1e-4 },
      'expected, for each LM block i: h = gatedXattnDense(layers[i], h, resample(features)); h = block(lm, i, h) — the new layer ' +
        'in front of the frozen one (Flamingo Fig. 4), then finalNorm and head. After the block, or only once, gives other logits',
    );
    const change = await maxAbsDiff(flamingoLogits(f, feats, ids), flamingoLogits(f, features(25), ids));
    assert.ok(
      change > 1e-3,
      'with the gates open, another image gave the same logits: the visual tokens never reach the words',
    );
  });
});

describe('TODO(6): only the bridge trains', function () {
  this.timeout(120000); // real training steps through the frozen LM
  it("lists exactly the resampler's and the gated layers' variables", () => {
    const f = smallFlamingo();
    const got = flamingoTrainableVariables(f)
      .map((v) => v.name)
      .sort();
    const want = Object.values(flamingoWeights(f))
      .map((v) => (v as tf.Variable).name)
      .sort();
    const frozen = new Set(frozenWeights(lm, encoder).map((v) => v.name));
    const leaked = got.filter((n) => frozen.has(n)).length;
    assert.equal(
      leaked,
      0,
      `${leaked} of the ${got.length} variables you return belong to the frozen LM or the vision encoder; Flamingo keeps both frozen`,
    );
    assert.deepEqual(
      got,
      want,
      `expected the ${want.length} variables of flamingoWeights (latents, resampler layers, gated layers and their gates), got ${got.length}`,
    );
  });

  it('a training step opens the gates and leaves every frozen weight exactly as loaded', async () => {
    const f = smallFlamingo();
    const bridge = flamingoBridge(f);
    const frozen = frozenWeights(lm, encoder);
    const values = (ws: tf.Tensor[]): Promise<number[][]> =>
      Promise.all(ws.map(async (w) => Array.from(await w.data())));
    const before = await values(frozen);
    const optimizer = tf.train.adam(0.01);
    const batch = vqaBatch(lm, mulberry32(26), 8, encoder.config.imageSize);
    const feats = patchFeatures(encoder, batch.images);
    await trainStep(bridge, optimizer, feats, batch);
    const moved = (await values(frozen)).filter((now, i) => now.some((v, k) => v !== before[i][k])).length;
    assert.equal(
      moved,
      0,
      `${moved} frozen weight tensors changed in one step: the optimizer updated the LM or the encoder. Return only the bridge's variables.`,
    );
    const gates = await gateValues(f);
    assert.ok(
      [...gates.attention, ...gates.ffw].every((g) => g !== 0),
      `after one step with lr 0.01 the gates are ${JSON.stringify(gates)}: a gate still at exactly 0 got no update — are the gates among the trainable variables?`,
    );
    disposeBatch(batch);
    tf.dispose([feats]);
    optimizer.dispose();
    bridge.dispose();
  });

  it('a training step of either bridge does not leak tensors', async () => {
    const batch = vqaBatch(lm, mulberry32(27), 8, encoder.config.imageSize);
    const feats = patchFeatures(encoder, batch.images);
    for (const bridge of [flamingoBridge(smallFlamingo()), llavaBridge(createLlava(lm, encoder.config.width, 9))]) {
      const optimizer = tf.train.adam(1e-3);
      await trainStep(bridge, optimizer, feats, batch); // the first step makes Adam's moment estimates
      await expectNoTensorLeak(() => trainStep(bridge, optimizer, feats, batch), `trainStep (${bridge.name})`);
      optimizer.dispose();
      bridge.dispose();
    }
    disposeBatch(batch);
    feats.dispose();
  });
});
