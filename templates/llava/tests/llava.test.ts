// Tests for the LLaVA exercise, one suite per TODO in the order you write them. Each checks one idea on inputs
// small enough to work out by hand; the failure message says what was expected and the usual cause.
import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { expectNoTensorLeak, expectShape, expectTensorClose } from '../../../lab/testing';
import { EOT_ID, Seeds, decodeText, embed, gelu, linear, type LanguageModel } from '../../../lab/lm';
import { mulberry32 } from '../../../lab/shapes';
import { numPatches, type VisionEncoder } from '../../../lab/vision';
import { frozenWeights, withFrozenParts } from '../../../lab/vlmTesting';
import { TEXT_LENGTH, disposeBatch, vqaBatch } from '../data';
import { answerLoss, answerMask, nextWordTargets } from '../loss';
import { createVlm, disposeProjection, spliceImageTokens } from '../model';
import { projectLinear, projectMlp, projectionVariables } from '../projection';
import { trainStep, trainableVariables } from '../step';

let lm: LanguageModel;
let encoder: VisionEncoder;
withFrozenParts((parts) => ({ lm, encoder } = parts));

const rows = async (t: tf.Tensor): Promise<number[][]> => (await t.array()) as number[][];

describe('TODO(1): linear projection (LLaVA Eq. 1)', () => {
  it('maps [B, N, Dv] patch features to [B, N, D] image tokens', async () => {
    const layer = linear(new Seeds(1), 6, 4);
    await expectShape(
      projectLinear(tf.zeros([2, 9, 6]) as tf.Tensor3D, layer),
      [2, 9, 4],
      'projectLinear(2 images × 9 patches × 6 features) with W [6, 4]',
    );
  });

  it('projects every patch on its own: token n = patch n · W + b', async () => {
    const layer = {
      w: tf.variable(
        tf.tensor2d([
          [1, 0, 1],
          [0, 1, 1],
        ]),
      ),
      b: tf.variable(tf.tensor1d([0.5, 0, 0])),
    };
    const patches = tf.tensor3d([
      [
        [1, 2],
        [3, 4],
      ],
    ]); // one image, two patches of two features
    await expectTensorClose(
      projectLinear(patches, layer),
      tf.tensor3d([
        [
          [1.5, 2, 3],
          [3.5, 4, 7],
        ],
      ]),
      { atol: 1e-5 },
      'patches [[1, 2], [3, 4]] with W = [[1, 0, 1], [0, 1, 1]] and b = [0.5, 0, 0] should give [[1.5, 2, 3], [3.5, 4, 7]] — ' +
        'multiply each patch (a row) by W, then add b; did you forget the bias, or multiply W·x instead of x·W?',
    );
  });
});

describe('TODO(2): MLP projection (LLaVA-1.5)', () => {
  it('maps [B, N, Dv] to [B, N, D] through a hidden layer of width D', async () => {
    const seeds = new Seeds(2);
    await expectShape(
      projectMlp(tf.zeros([2, 9, 6]) as tf.Tensor3D, [linear(seeds, 6, 4), linear(seeds, 4, 4)]),
      [2, 9, 4],
      'projectMlp(2 × 9 × 6) with W₁ [6, 4], W₂ [4, 4]',
    );
  });

  it('computes GELU(Z·W₁ + b₁)·W₂ + b₂', async () => {
    const seeds = new Seeds(3);
    const layers = [linear(seeds, 5, 4), linear(seeds, 4, 4)];
    const z = tf.randomNormal([2, 3, 5], 0, 1, 'float32', 4) as tf.Tensor3D;
    const hidden = gelu(tf.add(tf.matMul(tf.reshape(z, [6, 5]), layers[0].w), layers[0].b));
    const expected = tf.reshape(tf.add(tf.matMul(hidden, layers[1].w), layers[1].b), [2, 3, 4]);
    const linearOnly = tf.reshape(
      tf.add(tf.matMul(tf.add(tf.matMul(tf.reshape(z, [6, 5]), layers[0].w), layers[0].b), layers[1].w), layers[1].b),
      [2, 3, 4],
    );
    const got = projectMlp(z, layers);
    const close = async (a: tf.Tensor, b: tf.Tensor): Promise<boolean> => {
      const gap = tf.max(tf.abs(tf.sub(a, b)));
      const value = (await gap.data())[0];
      gap.dispose();
      return value < 1e-4;
    };
    assert.ok(
      !(await close(got, linearOnly)) || (await close(expected, linearOnly)),
      'projectMlp returned two linear layers with no non-linearity between them: that is one linear map, no more expressive than TODO(1). Apply gelu (from lab/lm) to the hidden layer.',
    );
    await expectTensorClose(
      got,
      expected,
      { atol: 1e-4 },
      'projectMlp should be gelu(Z·W₁ + b₁)·W₂ + b₂ with `gelu` from lab/lm (the sigmoid form x·σ(1.702x)); check the order of the layers and where the biases go',
    );
  });
});

describe('TODO(3): splice the image tokens into the sequence', () => {
  const B = 2,
    N = 9;
  const imageTokens = (): tf.Tensor3D => tf.randomNormal([B, N, 64], 0, 1, 'float32', 5) as tf.Tensor3D;
  const text = (): tf.Tensor2D =>
    tf.tensor2d(
      [
        [30, 31, 32, 0],
        [33, 34, 0, 0],
      ],
      [B, 4],
      'int32',
    );

  it('gives [B, 1 + N + T, D]: a start token, N image tokens, T words', async () => {
    await expectShape(
      spliceImageTokens(lm, imageTokens(), text()),
      [B, 1 + N + 4, lm.config.width],
      'spliceImageTokens(2 × 9 image tokens, 2 × 4 words)',
    );
  });

  it('starts with the <eot> embedding, then the image tokens unchanged, then the word embeddings', async () => {
    const tokens = imageTokens(),
      ids = text();
    const x = spliceImageTokens(lm, tokens, ids);
    const D = lm.config.width;
    const start = tf.reshape(tf.slice(lm.tokenEmbedding, [EOT_ID, 0], [1, D]), [1, 1, D]);
    await expectTensorClose(
      tf.slice(x, [0, 0, 0], [B, 1, D]),
      tf.tile(start, [B, 1, 1]),
      { atol: 1e-6 },
      'position 0 should be the embedding of <eot> (EOT_ID), the token every pretraining text started with, for every row',
    );
    await expectTensorClose(
      tf.slice(x, [0, 1, 0], [B, N, D]),
      tokens,
      { atol: 1e-6 },
      'positions 1…N should be the image tokens exactly as given — no positions added yet (forwardEmbeddings adds them to the whole sequence)',
    );
    await expectTensorClose(
      tf.slice(x, [0, 1 + N, 0], [B, 4, D]),
      embed(lm, ids),
      { atol: 1e-6 },
      'positions N+1… should be embed(lm, text): the word embeddings, in order, after the image',
    );
  });
});

describe('TODO(4): the loss counts the answer only', () => {
  it('marks the positions that predict answer words', async () => {
    // N = 2 image tokens, T = 6 words. Row 0: prompt of 3 words, answer of 2 (word + <eot>); row 1: prompt 2, answer 1.
    const mask = answerMask([3, 2], [2, 1], 2, 6);
    await expectShape(mask, [2, 9], 'answerMask with N = 2 and T = 6 (L = 1 + N + T)');
    const expected = [
      [0, 0, 0, 0, 0, 1, 1, 0, 0],
      [0, 0, 0, 0, 1, 0, 0, 0, 0],
    ];
    const got = await rows(mask);
    assert.deepEqual(
      got,
      expected,
      `expected ${JSON.stringify(expected)}, got ${JSON.stringify(got)}. Position p predicts the token at p + 1; text word j sits ` +
        'at 1 + N + j, so answer word j = P is predicted from position N + P. One place too far right means you masked the answer ' +
        'tokens themselves instead of the positions that predict them.',
    );
  });

  it('on a real batch, the masked targets are exactly each answer and its <eot>', async () => {
    const batch = vqaBatch(lm, mulberry32(11), 16, encoder.config.imageSize);
    const N = numPatches(encoder.config);
    const targets = await rows(nextWordTargets(batch.text, N));
    const mask = await rows(answerMask(batch.promptLength, batch.answerLength, N, TEXT_LENGTH));
    batch.qa.forEach((qa, b) => {
      const picked = targets[b].filter((_, p) => mask[b][p] === 1);
      assert.equal(
        decodeText(lm, picked, true),
        `${qa.answer} <eot>`,
        `example ${b} ("${qa.question}" → "${qa.answer}"): the mask picks the targets "${decodeText(lm, picked, true)}"; it should pick the answer words and the closing <eot>, nothing of the question`,
      );
    });
    disposeBatch(batch);
  });

  it('averages −log p(target) over the masked positions only', async () => {
    // V = 4, L = 3; position 0 is junk (masked out), position 1 is uniform (−log ¼ = 1.386), position 2 is certain (0).
    const logits = tf.tensor3d([
      [
        [9, -9, 9, -9],
        [0, 0, 0, 0],
        [-30, -30, 30, -30],
      ],
    ]);
    const targets = tf.tensor2d([[1, 1, 2]], [1, 3], 'int32');
    const mask = tf.tensor2d([[0, 1, 1]]);
    const loss = answerLoss(logits, targets, mask);
    await expectTensorClose(
      loss,
      Math.log(4) / 2,
      { atol: 1e-3 },
      'expected (1.386 + 0) / 2 = 0.693: the mean over the 2 masked positions. 0.462 means you divided by all 3 positions; ' +
        'a much larger value means the masked-out position 0 (a confident wrong guess) was counted',
    );
  });

  it('weights every answer token alike across a batch whose answers differ in length (B = 2)', async () => {
    // V = 4, L = 3. Example 0 has one masked position, uniform (−log ¼ = 1.386); example 1 has three, all certain (0).
    const uniform = [0, 0, 0, 0];
    const certain = [-30, -30, 30, -30];
    const logits = tf.tensor3d([
      [uniform, uniform, uniform],
      [certain, certain, certain],
    ]);
    const targets = tf.tensor2d(
      [
        [1, 1, 1],
        [2, 2, 2],
      ],
      [2, 3],
      'int32',
    );
    const mask = tf.tensor2d([
      [0, 0, 1],
      [1, 1, 1],
    ]);
    await expectTensorClose(
      answerLoss(logits, targets, mask),
      Math.log(4) / 4,
      { atol: 1e-3 },
      'expected (1.386 + 0 + 0 + 0) / 4 = 0.347: one mean over all 4 answer tokens of the batch (LLaVA Eq. 3 sums over ' +
        "tokens). 0.693 is the mean of each example's mean, which weights a one-word answer like three words",
    );
  });
});

describe('TODO(5): only the projection trains', function () {
  this.timeout(60000); // a real training step through the frozen LM
  it("lists exactly the projection's variables as trainable", () => {
    const vlm = createVlm(encoder, lm, 'mlp');
    const got = trainableVariables(vlm)
      .map((v) => v.name)
      .sort();
    const want = projectionVariables(vlm.projection)
      .map((v) => v.name)
      .sort();
    const frozen = new Set(frozenWeights(lm, encoder).map((v) => v.name));
    const leaked = got.filter((n) => frozen.has(n)).length;
    assert.equal(
      leaked,
      0,
      `${leaked} of the ${got.length} variables you return belong to the frozen LM or vision encoder; LLaVA's stage 1 trains the projection W only`,
    );
    assert.deepEqual(got, want, `expected the ${want.length} projection variables (W₁, b₁, W₂, b₂), got ${got.length}`);
    disposeProjection(vlm);
  });

  it('a training step moves the projection and leaves every frozen weight exactly as loaded', async () => {
    const vlm = createVlm(encoder, lm, 'mlp');
    const frozen = frozenWeights(lm, encoder);
    const values = (ws: tf.Tensor[]): Promise<number[][]> =>
      Promise.all(ws.map(async (w) => Array.from(await w.data())));
    const changed = (now: number[][], then: number[][]): number =>
      now.filter((v, i) => v.some((x, k) => x !== then[i][k])).length; // tensors that moved
    const before = await values(frozen);
    const projBefore = await values(projectionVariables(vlm.projection));
    const optimizer = tf.train.adam(0.01);
    const batch = vqaBatch(lm, mulberry32(12), 8, encoder.config.imageSize);
    await trainStep(vlm, optimizer, batch);
    const moved = changed(await values(frozen), before);
    assert.equal(
      moved,
      0,
      `${moved} frozen weight tensors changed in one step: the optimizer updated the LM or the encoder. Return only the projection's variables from trainableVariables.`,
    );
    const projMoved = changed(await values(projectionVariables(vlm.projection)), projBefore);
    assert.ok(
      projMoved > 0,
      'no projection weight changed in a step with lr 0.01: the gradient does not reach the projection',
    );
    disposeBatch(batch);
    optimizer.dispose();
    disposeProjection(vlm);
  });

  it('a training step does not leak tensors', async () => {
    const vlm = createVlm(encoder, lm, 'mlp');
    const optimizer = tf.train.adam(1e-3);
    const batch = vqaBatch(lm, mulberry32(13), 8, encoder.config.imageSize);
    await trainStep(vlm, optimizer, batch); // the first step makes Adam's moment estimates
    await expectNoTensorLeak(() => trainStep(vlm, optimizer, batch), 'trainStep');
    disposeBatch(batch);
    optimizer.dispose();
    disposeProjection(vlm);
  });
});
