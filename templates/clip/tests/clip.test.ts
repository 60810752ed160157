// Tests for the CLIP exercise, one suite per TODO in the order you write them. Each checks one idea on inputs
// small enough to work out by hand; the failure message says what was expected and the usual cause.
import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { expectNoTensorLeak, expectShape, expectTensorClose } from '../../../lab/testing';
import { EOT, VOCAB, mulberry32, tokenize } from '../../../lab/shapes';
import { trainBatch, disposeBatch } from '../data';
import { clampLogitScale, clipLogits, contrastiveLoss } from '../loss';
import { createClip, createTextTower, createVisionTower, disposeClip, projectToJoint, type ClipConfig } from '../model';
import { learningRate, ScheduledAdam, trainStep } from '../step';
import { encodeText } from '../text';
import { dense, layerNorm, transformerBlock } from '../transformer';
import { embedPatches, encodeImage, patchify } from '../vision';
import { classPrompts, zeroShotClassify } from '../zeroshot';

/** A model small enough to run in milliseconds: 8×8 images in 4 patches of 4×4, width 8, joint space of 6. */
const tiny: ClipConfig = {
  imageSize: 8,
  patch: 4,
  visionWidth: 8,
  visionDepth: 1,
  visionHeads: 2,
  textLength: 10,
  vocabSize: VOCAB.length,
  textWidth: 8,
  textDepth: 1,
  textHeads: 2,
  mlpRatio: 2,
  embedDim: 6,
};

/** The L2 length of each row of `x`, read back (asynchronously: a GPU backend cannot read synchronously). */
const rowLengths = async (x: tf.Tensor2D): Promise<number[]> => {
  const norms = tf.tidy(() => tf.norm(x, 'euclidean', -1)); // [B]
  const lengths = Array.from(await norms.data());
  norms.dispose();
  return lengths;
};
const value = async (x: tf.Tensor): Promise<number> => (await x.data())[0];

describe('TODO(1): patchify', () => {
  it('cuts [B, H, W, C] into [B, N, P·P·C] patches', async () => {
    const patches = patchify(tf.zeros([2, 48, 48, 3]) as tf.Tensor4D, 6);
    await expectShape(
      patches,
      [2, 64, 108],
      'patchify(48×48×3 images, patch 6): 8×8 = 64 patches of 6·6·3 = 108 values',
    );
  });

  it('takes patches in row-major order, each a square of the image (not a strip of rows)', async () => {
    // A 4×4 one-channel image holding 0…15, row by row; 2×2 patches.
    const image = tf.reshape(tf.range(0, 16), [1, 4, 4, 1]) as tf.Tensor4D;
    const patches = patchify(image, 2);
    const expected = [
      [
        [0, 1, 4, 5],
        [2, 3, 6, 7],
        [8, 9, 12, 13],
        [10, 11, 14, 15],
      ],
    ];
    const got = JSON.stringify(await patches.array());
    assert.equal(
      got,
      JSON.stringify(expected),
      `patchify of the 4×4 image 0…15 with 2×2 patches should give ${JSON.stringify(expected)}, got ${got}. ` +
        'Patch 1 is the top-right square [2, 3, 6, 7]. If you got [4, 5, 6, 7] you flattened strips of rows: reshape to ' +
        '[B, H/P, P, W/P, P, C] and transpose to [B, H/P, W/P, P, P, C] before the last reshape.',
    );
  });

  it('orders each patch [y][x][channel], as ViT does (the RGB of one pixel together), with 3 channels', async () => {
    // A 2×4 RGB image: pixel (y, x) has channels 100·y + 10·x + c for c = 0, 1, 2. Patch 2: two patches of 2×2.
    const H = 2,
      W = 4,
      C = 3;
    const pixel = (y: number, x: number, c: number): number => 100 * y + 10 * x + c;
    const values = [];
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) for (let c = 0; c < C; c++) values.push(pixel(y, x, c));
    const image = tf.tensor4d(values, [1, H, W, C]);
    // Written out by hand: within a patch, row by row, pixel by pixel, and the three channels of each pixel in turn.
    const expected = [
      [
        [0, 1, 2, 10, 11, 12, 100, 101, 102, 110, 111, 112],
        [20, 21, 22, 30, 31, 32, 120, 121, 122, 130, 131, 132],
      ],
    ];
    const got = JSON.stringify(await patchify(image, 2).array());
    assert.equal(
      got,
      JSON.stringify(expected),
      `patchify of a 2×4 RGB image should flatten each patch [y][x][channel]: ${JSON.stringify(expected)}, got ${got}. ` +
        'Channel-major ([channel][y][x], all the reds first) is the order of a PyTorch conv weight, not of this ' +
        "exercise's patch embedding: keep C last in the transpose.",
    );
  });
});

describe('TODO(2): patch embedding (ViT Eq. 1)', () => {
  const tower = createVisionTower(tiny);
  const patches = tf.randomUniform([2, 4, 48], 0, 1, 'float32', 3) as tf.Tensor3D;

  it('gives [B, 1 + N, D] tokens: the class token, then one per patch', async () => {
    await expectShape(embedPatches(tower, patches), [2, 5, 8], 'embedPatches(2 images × 4 patches) with D = 8');
  });

  it('puts the learned class token first, the same for every image (cls + pos[0])', async () => {
    const tokens = embedPatches(tower, patches);
    const expected = tf.add(tf.reshape(tower.cls, [8]), tf.slice(tower.pos, [0, 0], [1, 8]).reshape([8]));
    for (const b of [0, 1]) {
      await expectTensorClose(
        tf.slice(tokens, [b, 0, 0], [1, 1, 8]).reshape([8]),
        expected,
        { atol: 1e-5 },
        `token 0 of image ${b} should be tower.cls + tower.pos[0] — did you concat the class token in front (axis 1), tiled over the batch?`,
      );
    }
  });

  it('projects every patch with patchEmbed and adds its position embedding', async () => {
    const tokens = embedPatches(tower, patches);
    const projected = dense(patches, tower.patchEmbed); // [2, 4, 8]
    const expected = tf.add(projected, tf.slice(tower.pos, [1, 0], [4, 8])); // positions 1…N belong to the patches
    await expectTensorClose(
      tf.slice(tokens, [0, 1, 0], [2, 4, 8]),
      expected,
      { atol: 1e-4 },
      'tokens 1…N should be patch·W + b + pos[1…N] — check that you add tower.pos to all 1 + N tokens (class token included)',
    );
  });
});

describe('TODO(3): L2-normalised projection into the joint space', () => {
  it('projects [B, D] with [D, E] to [B, E] rows of length 1', async () => {
    const z = projectToJoint(
      tf.randomNormal([5, 8], 0, 3, 'float32', 1) as tf.Tensor2D,
      tf.randomNormal([8, 6], 0, 1, 'float32', 2) as tf.Tensor2D,
    );
    await expectShape(z, [5, 6], 'projectToJoint([5, 8] features, [8, 6] projection)');
    await expectTensorClose(
      tf.tensor(await rowLengths(z)),
      tf.ones([5]),
      { atol: 1e-4 },
      'every joint embedding should have length 1 — divide each row by its own L2 norm (sum over the last axis, keepDims)',
    );
  });

  it('keeps the direction of features·proj', async () => {
    const z = projectToJoint(
      tf.tensor2d([
        [3, 4],
        [0, 2],
      ]),
      tf.eye(2) as tf.Tensor2D,
    );
    await expectTensorClose(
      z,
      [
        [0.6, 0.8],
        [0, 1],
      ],
      { atol: 1e-4 },
      'with an identity projection, [3, 4] should become [0.6, 0.8] and [0, 2] should become [0, 1]: normalise rows, not columns',
    );
  });
});

describe('TODO(4): encodeImage (the whole ViT)', () => {
  const tower = createVisionTower(tiny);
  const images = tf.randomUniform([3, 8, 8, 3], 0, 1, 'float32', 5) as tf.Tensor4D;

  it('maps [B, H, W, 3] images to [B, E] unit-length embeddings', async () => {
    const z = encodeImage(tower, images);
    await expectShape(z, [3, 6], 'encodeImage(3 images) with embedDim 6');
    await expectTensorClose(
      tf.tensor(await rowLengths(z)),
      tf.ones([3]),
      { atol: 1e-4 },
      'image embeddings should have length 1 (use projectToJoint)',
    );
  });

  it('reads the class token (position 0) after the blocks, then applies lnPost and the projection', async () => {
    const z = encodeImage(tower, images);
    let x = embedPatches(tower, patchify(images, tower.patch));
    for (const b of tower.blocks) x = transformerBlock(x, b, tower.heads);
    const cls = tf.reshape<tf.Rank.R2>(tf.slice(x, [0, 0, 0], [3, 1, 8]), [3, 8]);
    const expected = projectToJoint(layerNorm(cls, tower.lnPost), tower.proj as tf.Tensor2D);
    await expectTensorClose(
      z,
      expected,
      { atol: 1e-4 },
      'encodeImage should pool the output at the class token (x[:, 0]) — not the mean, not the last token — then lnPost, then projectToJoint',
    );
  });

  it('encodes each image on its own (a batch gives the same embeddings as one image at a time)', async () => {
    const together = encodeImage(tower, images);
    const alone = encodeImage(tower, tf.slice(images, [1, 0, 0, 0], [1, 8, 8, 3]));
    await expectTensorClose(
      tf.slice(together, [1, 0], [1, 6]),
      alone,
      { atol: 1e-4 },
      'image 1 embedded in a batch of 3 differs from image 1 alone: some reshape or pooling mixes images — keep B as the first axis throughout',
    );
  });
});

describe('TODO(5): the symmetric contrastive loss with a learned temperature', () => {
  it('scales cosine similarities by exp(logScale): [B, E] × [B, E] → [B, B]', async () => {
    const img = tf.tensor2d([
        [1, 0],
        [0, 1],
      ]),
      txt = tf.tensor2d([
        [0.6, 0.8],
        [1, 0],
      ]);
    const logits = clipLogits(img, txt, tf.scalar(Math.log(10)));
    await expectTensorClose(
      logits,
      [
        [6, 10],
        [8, 0],
      ],
      { atol: 1e-4 },
      'logits[i][j] should be 10 · (image i · text j) — images index rows, texts columns (matMul with transposeB)',
    );
  });

  it('keeps the temperature learnable: exp(logScale) inside, and no clamp in the forward pass', async () => {
    const img = tf.tensor2d([[1, 0]]),
      txt = tf.tensor2d([[1, 0]]);
    const d = (logScale: number): Promise<number> =>
      value(tf.grad((s: tf.Tensor) => tf.sum(clipLogits(img, txt, s as tf.Scalar)))(tf.scalar(logScale)));
    const slope = await d(Math.log(1 / 0.07));
    assert.ok(
      Math.abs(slope - 1 / 0.07) < 1e-2,
      `d logit / d logScale at the initial 1/0.07 should be 14.29, got ${slope}: compute the scale as exp(logScale) inside the function, so the temperature learns`,
    );
    const above = await d(Math.log(1000));
    assert.ok(
      Math.abs(above - 1000) < 1,
      `above the cap the gradient should still flow (d logit / d logScale = 1000 at logScale = ln 1000), got ${above}: do not clamp in clipLogits — a clamp there zeroes the gradient, so an overshoot sticks; clampLogitScale keeps the cap after each step`,
    );
  });

  it('clamps the temperature parameter in place after a step, to 1 ≤ exp(logScale) ≤ 100 (OpenCLIP)', async () => {
    for (const [start, expected] of [
      [Math.log(1000), Math.log(100)],
      [-0.5, 0],
      [Math.log(10), Math.log(10)],
    ]) {
      const logScale = tf.variable(tf.scalar(start));
      clampLogitScale(logScale);
      const got = await value(logScale);
      assert.ok(
        Math.abs(got - expected) < 1e-5,
        `clampLogitScale(${start.toFixed(3)}) should leave the variable at ${expected.toFixed(3)}, got ${got.toFixed(3)}: assign tf.clipByValue(logScale, 0, ln 100) to it`,
      );
      logScale.dispose();
    }
  });

  it('is ≈ 0.0000454 on confident, correct logits [[10, 0], [0, 10]]', async () => {
    const loss = await value(
      contrastiveLoss(
        tf.tensor2d([
          [10, 0],
          [0, 10],
        ]),
      ),
    );
    assert.ok(
      Math.abs(loss - 4.54e-5) < 1e-5,
      `expected log(1 + e⁻¹⁰) ≈ 0.0000454, got ${loss}. A value near 0.69 or 10 means the labels are not 0, 1, …, B−1 (the diagonal)`,
    );
  });

  it('matches the hand-computed value on [[1, 2], [3, 4]] (mean of both directions)', async () => {
    // rows (image→text): log(1+e) = 1.3133, log(1+e⁻¹) = 0.3133 → 0.8133
    // columns (text→image): log(1+e²) = 2.1269, log(1+e⁻²) = 0.1269 → 1.1269;   mean of both: 0.9701
    const loss = await value(
      contrastiveLoss(
        tf.tensor2d([
          [1, 2],
          [3, 4],
        ]),
      ),
    );
    assert.ok(
      Math.abs(loss - 0.9701) < 1e-3,
      `expected 0.9701, got ${loss.toFixed(4)}. 0.8133 is the image→text direction alone and 1.1269 text→image alone: average both`,
    );
  });

  it('treats images and texts symmetrically: loss(L) = loss(Lᵀ)', async () => {
    const logits = tf.randomNormal([5, 5], 0, 3, 'float32', 11) as tf.Tensor2D;
    const [a, b] = [await value(contrastiveLoss(logits)), await value(contrastiveLoss(tf.transpose(logits)))];
    assert.ok(
      Math.abs(a - b) < 1e-4,
      `loss(L) = ${a.toFixed(4)} but loss(Lᵀ) = ${b.toFixed(4)}: the loss must average the softmax over rows and over columns`,
    );
  });

  it('does not depend on the order of the pairs in the batch', async () => {
    const logits = tf.randomNormal([6, 6], 0, 3, 'float32', 12) as tf.Tensor2D;
    const perm = tf.tensor1d([3, 0, 5, 1, 4, 2], 'int32');
    // reorder pairs: rows and columns alike
    const shuffled = tf.gather(tf.gather(logits, perm, 0), perm, 1) as tf.Tensor2D;
    const [a, b] = [await value(contrastiveLoss(logits)), await value(contrastiveLoss(shuffled))];
    assert.ok(
      Math.abs(a - b) < 1e-4,
      `shuffling the pairs changed the loss from ${a.toFixed(4)} to ${b.toFixed(4)}: the targets must be the diagonal (labels = arange(B)), whatever the order`,
    );
  });
});

describe('TODO(6): encodeText (the text transformer)', () => {
  const tower = createTextTower(tiny);
  const ids = (text: string, length = 10): tf.Tensor2D => tf.tensor2d([tokenize(text, length)], [1, length], 'int32');

  it('maps [B, L] token ids to [B, E] unit-length embeddings', async () => {
    const tokens = tf.tensor2d(
      [tokenize('a red circle', 10), tokenize('there is a small blue star', 10)],
      [2, 10],
      'int32',
    );
    const z = encodeText(tower, tokens);
    await expectShape(z, [2, 6], 'encodeText(2 captions of 10 tokens) with embedDim 6');
    await expectTensorClose(
      tf.tensor(await rowLengths(z)),
      tf.ones([2]),
      { atol: 1e-4 },
      'text embeddings should have length 1 (use projectToJoint)',
    );
  });

  it('reads the caption at its <eot> token under the causal mask, so what follows <eot> changes nothing', async () => {
    const clean = ids('a red circle');
    const junk = tokenize('a red circle', 10).map((t, i) => (i > 3 ? VOCAB.indexOf('star') : t)); // words after <eot>
    assert.equal(junk[3], EOT);
    const a = encodeText(tower, clean),
      b = encodeText(tower, tf.tensor2d([junk], [1, 10], 'int32'));
    await expectTensorClose(
      b,
      a,
      { atol: 1e-4 },
      'tokens after <eot> changed the embedding: take the output at the <eot> position (not the mean or the last position), ' +
        'and pass causalMask(L) to every block so <eot> cannot attend to later tokens',
    );
  });

  it('gives the same embedding however much padding follows (position embeddings sliced to L)', async () => {
    await expectTensorClose(
      encodeText(tower, ids('a red circle', 6)),
      encodeText(tower, ids('a red circle', 10)),
      { atol: 1e-4 },
      'the same caption padded to 6 or to 10 tokens should embed identically: slice tower.pos to the first L rows',
    );
  });

  it('with both towers and the loss in place, a training step leaks no tensors and lowers the loss', async () => {
    const model = createClip({ ...tiny, imageSize: 12, patch: 6 });
    const optimizer = new ScheduledAdam(3e-3);
    const batch = trainBatch(mulberry32(1), 8, 12, tiny.textLength);
    try {
      model.logitScale.assign(tf.scalar(Math.log(150))); // above the cap: trainStep must clamp it after the step
      const first = await trainStep(model, optimizer, batch); // the first step creates Adam's moment variables
      const scale = Math.exp(await value(model.logitScale));
      assert.ok(
        scale <= 100 + 1e-3,
        `after a step the logit scale should be clamped to ≤ 100, got ${scale.toFixed(2)}`,
      );
      model.logitScale.assign(tf.scalar(Math.log(1 / 0.07)));
      await expectNoTensorLeak(() => trainStep(model, optimizer, batch), 'one training step (trainStep in step.ts)');
      let last = first;
      for (let i = 0; i < 10; i++) {
        optimizer.setLearningRate(learningRate(i + 1, 10, 3e-3, 2));
        last = await trainStep(model, optimizer, batch);
      }
      assert.ok(
        last < first,
        `12 steps on one batch should lower the loss, but it went from ${first.toFixed(3)} to ${last.toFixed(3)}: are gradients reaching both towers?`,
      );
    } finally {
      disposeBatch(batch);
      disposeClip(model);
      optimizer.dispose();
    }
  });
});

describe('TODO(7): zero-shot classification', () => {
  it('writes one prompt per class: "a photo of a {colour} {shape}"', () => {
    assert.deepEqual(
      classPrompts([
        ['red', 'circle'],
        ['white', 'star'],
      ]),
      ['a photo of a red circle', 'a photo of a white star'],
    );
  });

  it('picks the class whose prompt has the highest cosine similarity (not the highest dot product)', async () => {
    // Class 0 is long but points elsewhere; class 1 has the same direction as the image.
    const classEmb = tf.tensor2d([
      [3, 0],
      [0.6, 0.8],
    ]);
    const imageEmb = tf.tensor2d([
      [0.5, 0.866],
      [2, 0.1],
    ]);
    const predicted = zeroShotClassify(imageEmb, classEmb);
    assert.equal(predicted.dtype, 'int32', 'return class indices as an int32 tensor (tf.argMax gives one)');
    assert.deepEqual(
      Array.from(await predicted.data()),
      [1, 0],
      'image [0.5, 0.866] should get class 1 (cosine 0.99 vs 0.5) — if it got class 0 you compared dot products: normalise both sides first',
    );
  });
});
