// Tests for the OpenCLIP exercise, one suite per TODO in the order you write them. The distributed losses are
// checked against exercise 1's loss on one process, on two linear towers small enough that every gradient can be
// compared exactly; the failure message says what was expected and the usual cause.
import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { expectNoTensorLeak, expectTensorClose } from '../../../lab/testing';
import { VOCAB, mulberry32 } from '../../../lab/shapes';
import { disposeBatch, trainBatch } from '../data';
import { clipLossOnRank, distributedClipLoss, gatherFeatures, shardFeatures, stopGradient } from '../distributed';
import type { GatherOptions } from '../distributed';
import { clipLogits, contrastiveLoss } from '../loss';
import { createClip, disposeClip, type ClipConfig } from '../model';
import { chunkedSigLipLoss, createSigLipHead, sigLipLoss, type SigLipHead } from '../siglip';
import { ScheduledAdam, trainStep, type Objective } from '../step';

const WORKERS = 4;
const PER_WORKER = 2;
const B = WORKERS * PER_WORKER;

/** The four settings of OpenCLIP's ClipLoss, with a name for messages. */
const SETTINGS: { name: string; options: GatherOptions }[] = [
  { name: 'gather_with_grad, local_loss', options: { gatherWithGrad: true, localLoss: true } },
  { name: 'gather_with_grad', options: { gatherWithGrad: true, localLoss: false } },
  { name: 'local_loss', options: { gatherWithGrad: false, localLoss: true } },
  { name: 'neither', options: { gatherWithGrad: false, localLoss: false } },
];

/**
 * Two linear towers into a joint space of 3 (images of 5 numbers, texts of 4), L2-normalised as CLIP's are, and a
 * learnable temperature: small enough that the gradients can be compared exactly.
 */
function linearTowers(seed: number) {
  const wImage = tf.variable(tf.randomNormal([5, 3], 0, 1, 'float32', seed), true, `wImage${seed}`);
  const wText = tf.variable(tf.randomNormal([4, 3], 0, 1, 'float32', seed + 1), true, `wText${seed}`);
  const logScale = tf.variable(tf.scalar(Math.log(1 / 0.07)), true, `logScale${seed}`);
  const bias = tf.variable(tf.scalar(-10), true, `bias${seed}`);
  const unit = (z: tf.Tensor2D): tf.Tensor2D => tf.div(z, tf.norm(z, 'euclidean', -1, true));
  const images = tf.randomNormal([B, 5], 0, 1, 'float32', seed + 2) as tf.Tensor2D;
  const texts = tf.randomNormal([B, 4], 0, 1, 'float32', seed + 3) as tf.Tensor2D;
  return {
    wImage,
    wText,
    logScale,
    bias,
    images,
    texts,
    encodeImage: (x: tf.Tensor2D): tf.Tensor2D => unit(tf.matMul(x, wImage)), // [b, 3]
    encodeText: (y: tf.Tensor2D): tf.Tensor2D => unit(tf.matMul(y, wText)), // [b, 3]
  };
}
type Towers = ReturnType<typeof linearTowers>;

/** The value of `loss` and its gradient with respect to each of `vars`, by variable name. */
function valueAndGrads(loss: () => tf.Scalar, vars: tf.Variable[]): { value: tf.Scalar; grads: tf.NamedTensorMap } {
  return tf.variableGrads(loss, vars);
}

/** Exercise 1's loss on the whole batch, on one process: the reference. */
const singleProcess = (m: Towers) => () =>
  contrastiveLoss(clipLogits(m.encodeImage(m.images), m.encodeText(m.texts), m.logScale as tf.Scalar));

/** The same batch on WORKERS simulated workers, each encoding its own shard. */
const onWorkers = (m: Towers, options: GatherOptions) => () =>
  distributedClipLoss(
    shardFeatures(m.encodeImage, m.images, WORKERS),
    shardFeatures(m.encodeText, m.texts, WORKERS),
    m.logScale as tf.Scalar,
    options,
  );

/** The largest |a − b| over all entries of two gradients, relative to the largest |b|. */
async function relativeDifference(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  const [x, y] = await Promise.all([a.data(), b.data()]);
  let diff = 0,
    size = 0;
  for (let i = 0; i < x.length; i++) {
    diff = Math.max(diff, Math.abs(x[i] - y[i]));
    size = Math.max(size, Math.abs(y[i]));
  }
  return diff / size;
}

describe('TODO(1): gathering features across workers', () => {
  it('stopGradient passes the value through and stops the gradient', async () => {
    const v = tf.variable(tf.tensor1d([1, 2, 3]));
    await expectTensorClose(stopGradient(v), [1, 2, 3], { atol: 0 }, 'stopGradient(x) should equal x');
    // d/dv Σ stop(v)·v = v (stop(v) is a constant); without the stop it would be 2v.
    const { grads } = tf.variableGrads(() => tf.sum<tf.Scalar>(tf.mul(stopGradient(v), v)), [v]);
    await expectTensorClose(
      grads[v.name],
      [1, 2, 3],
      { atol: 1e-6 },
      'the gradient of Σ stopGradient(v)·v should be v: only the second factor is live. 2v means the gradient went ' +
        'through stopGradient too: return tf.zerosLike(dy) from the gradFunc of tf.customGrad',
    );
  });

  it('gives every worker all N·b features in rank order, whatever the setting', async () => {
    const shards = [0, 1, 2].map((k) => tf.fill([2, 3], k) as tf.Tensor2D);
    for (const { name, options } of SETTINGS)
      for (const rank of [0, 2])
        await expectTensorClose(
          gatherFeatures(shards, rank, options),
          [[0, 0, 0], [0, 0, 0], [1, 1, 1], [1, 1, 1], [2, 2, 2], [2, 2, 2]], // prettier-ignore
          { atol: 0 },
          `gatherFeatures(3 shards, rank ${rank}, ${name}) should stack the shards of workers 0, 1, 2 in that order ` +
            "along axis 0, so that the global index of worker k's row i is k·b + i",
        );
  });

  it("sends gradient back to the shards OpenCLIP's gather_features does", async () => {
    // Which shards reach the loss through worker 1's gather, for each setting (OpenCLIP's gather_features).
    const expected: Record<string, boolean[]> = {
      'gather_with_grad, local_loss': [true, true, true],
      gather_with_grad: [true, true, true],
      local_loss: [false, false, false],
      neither: [false, true, false],
    };
    const why: Record<string, string> = {
      'gather_with_grad, local_loss': 'torch.distributed.nn.all_gather keeps the gradient of every gathered copy',
      gather_with_grad: 'torch.distributed.nn.all_gather keeps the gradient of every gathered copy',
      local_loss:
        'dist.all_gather returns constants, and with local_loss the worker uses its own live features as the rows ' +
        'instead (not through the gather)',
      neither:
        'dist.all_gather returns constants, but without local_loss OpenCLIP puts the live local features back ' +
        '(gathered_image_features[rank] = image_features)',
    };
    const shards = [0, 1, 2].map((k) => tf.variable(tf.randomNormal([2, 3], 0, 1, 'float32', k), true, `shard${k}`));
    const weights = tf.randomNormal([6, 3], 0, 1, 'float32', 9);
    for (const { name, options } of SETTINGS) {
      const { grads } = tf.variableGrads(
        () => tf.sum<tf.Scalar>(tf.mul(gatherFeatures(shards as tf.Tensor2D[], 1, options), weights)),
        shards,
      );
      const live = await Promise.all(
        shards.map(
          async (s) => grads[s.name] !== undefined && (await tf.any(tf.notEqual(grads[s.name], 0)).data())[0] === 1,
        ),
      );
      assert.deepEqual(
        live,
        expected[name],
        `with ${name}, worker 1's gathered features should pass gradient to shards ${JSON.stringify(expected[name])} ` +
          `(workers 0, 1, 2), got ${JSON.stringify(live)}: ${why[name]}`,
      );
    }
  });
});

describe('TODO(2): ClipLoss on N workers', () => {
  it("with local_loss, worker r's loss is its own rows of the global loss (labels offset by rank·b)", async () => {
    const m = linearTowers(1);
    const images = shardFeatures(m.encodeImage, m.images, WORKERS);
    const texts = shardFeatures(m.encodeText, m.texts, WORKERS);
    const rank = 2;
    const got = clipLossOnRank(images, texts, rank, m.logScale as tf.Scalar, { gatherWithGrad: true, localLoss: true });
    // Rows rank·b … rank·b + b − 1 of the global [B, B] logits, both directions, averaged over those rows.
    const expected = tf.tidy(() => {
      const logits = clipLogits(tf.concat(images), tf.concat(texts), m.logScale as tf.Scalar); // [B, B]
      const labels = tf.oneHot(tf.range(0, B, 1, 'int32'), B) as tf.Tensor2D;
      const rows = (x: tf.Tensor) => tf.slice(x, [rank * PER_WORKER, 0], [PER_WORKER, B]);
      const i2t = tf.losses.softmaxCrossEntropy(rows(labels), rows(logits));
      const t2i = tf.losses.softmaxCrossEntropy(rows(labels), rows(tf.transpose(logits)));
      return tf.div(tf.add(i2t, t2i), 2);
    });
    await expectTensorClose(
      got,
      expected,
      { atol: 1e-5 },
      `worker ${rank}'s local loss should score its ${PER_WORKER} images against all ${B} texts (and its texts against ` +
        `all images) with labels arange(b) + rank·b = ${rank * PER_WORKER}, ${rank * PER_WORKER + 1}. A larger loss ` +
        "usually means labels arange(b): worker 2's images were told their captions are worker 0's",
    );
  });

  it("the mean of the workers' losses is exercise 1's loss on the whole batch, in every setting", async () => {
    const m = linearTowers(2);
    const reference = singleProcess(m)();
    for (const { name, options } of SETTINGS)
      await expectTensorClose(
        onWorkers(m, options)(),
        reference,
        { atol: 1e-5 },
        `${WORKERS} workers with ${name} should give the single-process loss on all ${B} pairs: the gather only moves ` +
          'features around, so the value cannot change. Check the rows, the columns and the labels of each worker',
      );
  });

  it("with gather_with_grad, every parameter's gradient is the single-process gradient (local_loss on and off)", async () => {
    const m = linearTowers(3);
    const vars = [m.wImage, m.wText, m.logScale];
    const reference = valueAndGrads(singleProcess(m), vars).grads;
    for (const { name, options } of SETTINGS.filter((s) => s.options.gatherWithGrad)) {
      const { grads } = valueAndGrads(onWorkers(m, options), vars);
      for (const v of vars)
        await expectTensorClose(
          grads[v.name],
          reference[v.name],
          { atol: 1e-5, rtol: 1e-4 },
          `with ${name}, the gradient of ${v.name} (mean over workers, as DDP averages) should equal the gradient of ` +
            "exercise 1's loss on the whole batch: every feature's gradient must come back from every worker that used it",
        );
    }
  });

  it("without gather_with_grad, local_loss loses the gradient through the other workers' negatives", async () => {
    const m = linearTowers(4);
    const vars = [m.wImage, m.wText, m.logScale];
    const reference = valueAndGrads(singleProcess(m), vars).grads;
    const { grads } = valueAndGrads(onWorkers(m, { gatherWithGrad: false, localLoss: true }), vars);
    for (const v of [m.wImage, m.wText]) {
      const off = await relativeDifference(grads[v.name], reference[v.name]);
      assert.ok(
        off > 0.05,
        `with local_loss and no gather_with_grad, the gradient of ${v.name} should differ from the single-process one ` +
          `(a feature used as a negative by another worker gets no gradient from it); it differs by only ` +
          `${(100 * off).toFixed(2)}%. Did gatherFeatures keep the gradient of the gathered shards?`,
      );
    }
    // Without either switch, every worker computes the whole loss but only its own shard is live: the towers'
    // gradients add up over workers to the true one, so DDP's average gives 1/N of it; the temperature's is whole on
    // every worker.
    const neither = valueAndGrads(onWorkers(m, { gatherWithGrad: false, localLoss: false }), vars).grads;
    for (const v of [m.wImage, m.wText])
      await expectTensorClose(
        tf.mul(neither[v.name], WORKERS),
        reference[v.name],
        { atol: 1e-5, rtol: 1e-4 },
        `with neither switch, ${WORKERS}× the gradient of ${v.name} should equal the single-process gradient: each ` +
          'worker sees the whole loss, but only through its own live shard',
      );
    await expectTensorClose(
      neither[m.logScale.name],
      reference[m.logScale.name],
      { atol: 1e-5, rtol: 1e-4 },
      'with neither switch, the temperature is used whole on every worker, so its averaged gradient is exact',
    );
  });
});

describe("TODO(3): SigLIP's sigmoid loss (Algorithm 1)", () => {
  it("initialises t' = log 10 and b = −10, as the paper does", async () => {
    const head = createSigLipHead();
    assert.ok(head.logScale instanceof tf.Variable && head.bias instanceof tf.Variable, 'both must be tf.Variables');
    await expectTensorClose(head.logScale, Math.log(10), { atol: 1e-6 }, "t' should start at log 10 (t = 10)");
    await expectTensorClose(head.bias, -10, { atol: 1e-6 }, 'b should start at −10 (Zhai et al. 2023, §3.2)');
  });

  it('gives log 2 + log(1 + e⁻¹⁰) on two orthogonal matching pairs at the initial t and b', async () => {
    const eye = tf.tensor2d([
      [1, 0],
      [0, 1],
    ]);
    // logits = 10·I − 10: 0 on the diagonal, −10 off it. Each positive costs log 2, each negative log(1 + e⁻¹⁰).
    const expected = Math.log(2) + Math.log1p(Math.exp(-10));
    const got = (await sigLipLoss(eye, eye, tf.scalar(Math.log(10)), tf.scalar(-10)).data())[0];
    assert.ok(
      Math.abs(got - expected) < 1e-5,
      `expected ${expected.toFixed(6)}, got ${got.toFixed(6)}. ${(expected / 2).toFixed(4)} means you divided by the ` +
        `n² pairs instead of the n images, ${(2 * expected).toFixed(4)} that you did not divide; about 10.69 means ` +
        'every label was +1 (labels = 2·eye(n) − 1: −1 off the diagonal)',
    );
  });

  it("sums −log σ(label·logit) over every image–text pair, with t = exp(t') and the bias", async () => {
    const m = linearTowers(5);
    const [x, y] = [m.encodeImage(m.images), m.encodeText(m.texts)];
    const [xs, ys] = (await Promise.all([x.array(), y.array()])) as number[][][];
    const t = 3.1,
      b = -2.5;
    let total = 0; // Algorithm 1, one pair at a time
    xs.forEach((xi, i) =>
      ys.forEach((yj, j) => {
        const logit = Math.exp(t) * xi.reduce((s, v, k) => s + v * yj[k], 0) + b;
        total += Math.log1p(Math.exp(-(i === j ? 1 : -1) * logit));
      }),
    );
    const got = (await sigLipLoss(x, y, tf.scalar(t), tf.scalar(b)).data())[0];
    assert.ok(
      Math.abs(got - total / B) < 1e-4 * Math.max(1, total / B),
      `on ${B} random pairs with t' = ${t} and b = ${b}, expected ${(total / B).toFixed(5)}, got ${got.toFixed(5)}: ` +
        "logits = x·yᵀ·exp(t') + b (exp of the log scale, not t' itself), summed over all pairs and divided by n",
    );
  });
});

describe('TODO(4): SigLIP chunked over workers, without an all-gather', () => {
  it('gives the loss of Algorithm 1 on the whole batch, for 1, 2 and 4 workers', async () => {
    const m = linearTowers(6);
    const chunked = [1, 2, 4].map((workers) =>
      chunkedSigLipLoss(
        shardFeatures(m.encodeImage, m.images, workers),
        shardFeatures(m.encodeText, m.texts, workers),
        tf.scalar(1.7),
        tf.scalar(-3),
      ),
    );
    const reference = sigLipLoss(m.encodeImage(m.images), m.encodeText(m.texts), tf.scalar(1.7), tf.scalar(-3));
    for (const [k, workers] of [1, 2, 4].entries()) {
      const got = chunked[k];
      await expectTensorClose(
        got,
        reference,
        { atol: 1e-4, rtol: 1e-5 },
        `${workers} workers passing text shards round the ring should add up to the loss on all ${B} pairs: each worker ` +
          'meets every text shard once, positives only in its own, and its sum is divided by its own b (DDP then ' +
          'averages the workers)',
      );
    }
  });

  it("gives the same gradient for the towers, t' and b", async () => {
    const m = linearTowers(7);
    const vars = [m.wImage, m.wText, m.logScale, m.bias];
    const whole = () =>
      sigLipLoss(m.encodeImage(m.images), m.encodeText(m.texts), m.logScale as tf.Scalar, m.bias as tf.Scalar);
    const chunked = () =>
      chunkedSigLipLoss(
        shardFeatures(m.encodeImage, m.images, WORKERS),
        shardFeatures(m.encodeText, m.texts, WORKERS),
        m.logScale as tf.Scalar,
        m.bias as tf.Scalar,
      );
    const { grads: chunkedGrads } = valueAndGrads(chunked, vars);
    const { grads: reference } = valueAndGrads(whole, vars);
    for (const v of vars)
      await expectTensorClose(
        chunkedGrads[v.name],
        reference[v.name],
        { atol: 1e-4, rtol: 1e-4 },
        `the chunked loss's gradient of ${v.name} should equal Algorithm 1's: the text shards passed round keep their ` +
          'gradient (the ring is differentiable, unlike a detached all-gather)',
      );
  });

  it("trains exercise 1's CLIP with either objective without leaking a tensor", async () => {
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
    for (const objective of ['sigmoid', 'softmax'] as Objective[]) {
      const model = createClip(tiny);
      const head: SigLipHead = { logScale: tf.variable(tf.scalar(Math.log(10))), bias: tf.variable(tf.scalar(-10)) };
      const optimizer = new ScheduledAdam(3e-3);
      const batch = trainBatch(mulberry32(3), 8, tiny.imageSize, tiny.textLength);
      try {
        const first = await trainStep(model, head, optimizer, batch, objective, 2); // Adam creates its slots here
        await expectNoTensorLeak(
          () => trainStep(model, head, optimizer, batch, objective, 2),
          `a ${objective} training step on 2 workers`,
        );
        let last = first;
        for (let i = 0; i < 10; i++) last = await trainStep(model, head, optimizer, batch, objective, 2);
        assert.ok(
          last < first,
          `12 ${objective} steps on one batch should lower the loss, but it went from ${first.toFixed(3)} to ` +
            `${last.toFixed(3)}: does the gradient reach both towers through every worker's shard?`,
        );
      } finally {
        disposeBatch(batch);
        disposeClip(model);
        head.logScale.dispose();
        head.bias.dispose();
        optimizer.dispose();
      }
    }
  });
});
