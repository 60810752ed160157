import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { createUNet, variables, type EpsModel } from '../../../lab/diffusion/unet';
import { expectNoTensorLeak, expectShape, expectTensorClose, moments } from '../../../lab/testing';
import { diffusionLoss } from '../loss';
import { sample } from '../sample';
import { linearBetaSchedule, qSample } from '../schedule';
import { timeEmbedding } from '../timeEmbedding';
import { referenceSchedule } from './reference';

describe('TODO(1): the linear β schedule and ᾱ', () => {
  it("matches the paper's schedule (β 1e-4 → 0.02 over T = 1000) and its cumulative products", () => {
    const s = linearBetaSchedule(1000, 1e-4, 0.02);
    assert.equal(s.T, 1000);
    assert.equal(s.betas.length, 1000, `expected 1000 betas, got ${s.betas.length}`);
    assert.ok(
      Math.abs(s.betas[0] - 1e-4) < 1e-9 && Math.abs(s.betas[999] - 0.02) < 1e-9,
      `β should run from 1e-4 at t = 0 to 0.02 at t = T−1; got ${s.betas[0]} … ${s.betas[999]} — is the step (end − start)/(T − 1)?`,
    );
    assert.ok(
      Math.abs(s.betas[500] - (1e-4 + (0.0199 * 500) / 999)) < 1e-8,
      `β[500] should be ${1e-4 + (0.0199 * 500) / 999}, got ${s.betas[500]}`,
    );
    assert.ok(Math.abs(s.alphas[10] - (1 - s.betas[10])) < 1e-7, 'α_t should be 1 − β_t');
    assert.ok(
      Math.abs(s.alphaBars[0] - (1 - 1e-4)) < 1e-7,
      `ᾱ_0 should be α_0 = 0.9999, got ${s.alphaBars[0]} — the product starts at the first α`,
    );
    const ref = referenceSchedule(1000, 1e-4, 0.02);
    for (const t of [1, 99, 499, 999]) {
      assert.ok(
        Math.abs(s.alphaBars[t] - ref.alphaBars[t]) < 1e-6,
        `ᾱ[${t}] should be ∏ α_s for s ≤ ${t} = ${ref.alphaBars[t].toPrecision(6)}, got ${s.alphaBars[t]} — a cumulative product, not α_t alone`,
      );
    }
    assert.ok(s.alphaBars[999] < 1e-4, `ᾱ_T should be ≈ 4e-5 (x_T is almost pure noise), got ${s.alphaBars[999]}`);
  });
});

describe('TODO(2): qSample, the closed-form forward process', () => {
  it('has mean √ᾱ_t·x_0 and variance 1 − ᾱ_t on a large seeded sample', async () => {
    const s = referenceSchedule(100, 1e-3, 0.2);
    const N = 20000;
    for (const t of [5, 40, 99]) {
      const x0 = tf.fill([N, 1, 1, 1], 0.8) as tf.Tensor4D;
      const eps = tf.randomNormal([N, 1, 1, 1], 0, 1, 'float32', 42 + t) as tf.Tensor4D;
      const tt = tf.fill([N], t, 'int32') as tf.Tensor1D;
      const xt = qSample(x0, tt, eps, s);
      await expectShape(xt, [N, 1, 1, 1], 'qSample output');
      const { mean, variance } = moments(await xt.data());
      const noise = moments(await eps.data());
      // Compare with the sample's own ε, so the check is exact up to float error, not up to sampling error.
      const expMean = Math.sqrt(s.alphaBars[t]) * 0.8 + Math.sqrt(1 - s.alphaBars[t]) * noise.mean;
      const expVar = (1 - s.alphaBars[t]) * noise.variance;
      tf.dispose([x0, eps, tt, xt]);
      assert.ok(
        Math.abs(mean - expMean) < 1e-3,
        `at t = ${t}: mean of x_t should be √ᾱ_t·0.8 ≈ ${(Math.sqrt(s.alphaBars[t]) * 0.8).toFixed(4)}, got ${mean.toFixed(4)} — scale x_0 by √ᾱ_t (not ᾱ_t, not √α_t)`,
      );
      assert.ok(
        Math.abs(variance - expVar) < 1e-3,
        `at t = ${t}: variance of x_t should be 1 − ᾱ_t ≈ ${(1 - s.alphaBars[t]).toFixed(4)}, got ${variance.toFixed(4)} — scale ε by √(1 − ᾱ_t)`,
      );
    }
  });

  it("uses each image's own t", async () => {
    const s = referenceSchedule(10, 0.05, 0.5);
    const x0 = tf.ones([2, 2, 2, 1]) as tf.Tensor4D;
    const eps = tf.zeros([2, 2, 2, 1]) as tf.Tensor4D;
    const xt = qSample(x0, tf.tensor1d([0, 9], 'int32'), eps, s);
    const a = Math.sqrt(s.alphaBars[0]),
      b = Math.sqrt(s.alphaBars[9]);
    await expectTensorClose(
      xt,
      tf.tensor4d([a, a, a, a, b, b, b, b], [2, 2, 2, 1]),
      { atol: 1e-5 },
      'qSample with t = [0, 9] and ε = 0 (image 0 barely noised, image 1 scaled by √ᾱ_9): gather ᾱ per image and reshape it to [B, 1, 1, 1]',
    );
  });
});

describe('TODO(3): the sinusoidal time embedding', () => {
  it('puts sin(t·ω_i) in the first half and cos(t·ω_i) in the second, ω_i = 10000^(−i/(D/2))', async () => {
    const emb = timeEmbedding(tf.tensor1d([0, 1, 37], 'int32'), 8);
    await expectShape(emb, [3, 8], 'timeEmbedding(t [3], 8)');
    const expected = [0, 1, 37].map((t) => {
      const w = [0, 1, 2, 3].map((i) => Math.pow(10000, -i / 4));
      return [...w.map((f) => Math.sin(t * f)), ...w.map((f) => Math.cos(t * f))];
    });
    await expectTensorClose(
      emb,
      expected,
      { atol: 1e-4 },
      'timeEmbedding: row t = 0 must be [0, 0, 0, 0, 1, 1, 1, 1]; check the frequencies 10000^(−i/(D/2)) and the sin-then-cos order',
    );
    emb.dispose();
  });
});

describe('TODO(4): the ε-prediction loss', () => {
  const s = referenceSchedule(50, 1e-3, 0.2);
  const x0 = (): tf.Tensor4D => tf.linspace(-1, 1, 2 * 4 * 4).reshape([2, 4, 4, 1]) as tf.Tensor4D;

  it('is the mean squared error between ε and ε_θ(x_t, t) on a known input', async () => {
    const t = tf.tensor1d([3, 30], 'int32');
    const eps = tf.randomNormal([2, 4, 4, 1], 0, 1, 'float32', 7) as tf.Tensor4D;
    // A dummy "network" that returns x_t itself: the loss must then be mean((ε − x_t)²).
    const identity: EpsModel = (xt) => xt.clone();
    const loss = diffusionLoss(identity, x0(), s, { t, eps });
    const x = (await x0().array()).flat(3) as number[],
      e = Array.from(await eps.data());
    let expected = 0;
    e.forEach((ei, i) => {
      const ab = s.alphaBars[i < 16 ? 3 : 30];
      const xt = Math.sqrt(ab) * x[i] + Math.sqrt(1 - ab) * ei;
      expected += (ei - xt) ** 2 / e.length;
    });
    await expectTensorClose(
      loss,
      expected,
      { atol: 1e-4 },
      'diffusionLoss with ε_θ(x_t) = x_t: noise x_0 with qSample at the given t and ε, then mean((ε − ε_θ)²) over all pixels',
    );
    const zero: EpsModel = (xt) => tf.zerosLike(xt);
    const l0 = diffusionLoss(zero, x0(), s, { t, eps });
    await expectTensorClose(
      l0,
      moments(e).variance + moments(e).mean ** 2,
      { atol: 1e-4 },
      'diffusionLoss with ε_θ = 0 should be mean(ε²): regress the noise ε, not x_0',
    );
    tf.dispose([t, eps, loss, l0]);
  });

  it('draws t uniformly from 0 … T−1 (int32) and ε ~ N(0, I) when none are given', async () => {
    // The model is called synchronously, so the spy keeps a copy of each t and the test reads them afterwards.
    const calls: tf.Tensor[] = [];
    const spy: EpsModel = (xt, t) => {
      assert.equal(t.dtype, 'int32', 't must be an int32 tensor [B]');
      calls.push(tf.keep(t.clone()));
      return tf.zerosLike(xt);
    };
    let sum = 0;
    for (let i = 0; i < 40; i++) {
      const l = diffusionLoss(spy, tf.zeros([100, 2, 2, 1]) as tf.Tensor4D, s);
      sum += (await l.data())[0];
      l.dispose();
    }
    const seen = (await Promise.all(calls.map((t) => t.data()))).flatMap((v) => Array.from(v));
    tf.dispose(calls);
    const { mean } = moments(seen);
    assert.equal(
      seen.length,
      4000,
      `the model should be called once per batch with t of shape [B]; it saw ${seen.length} timesteps for 40 batches of 100`,
    );
    assert.ok(
      Math.min(...seen) === 0 && Math.max(...seen) === 49,
      `t should cover 0 … 49; saw ${Math.min(...seen)} … ${Math.max(...seen)}`,
    );
    assert.ok(Math.abs(mean - 24.5) < 1.5, `t should be uniform on 0 … 49 (mean 24.5); got mean ${mean.toFixed(2)}`);
    assert.ok(
      Math.abs(sum / 40 - 1) < 0.05,
      `with ε_θ = 0 the loss is E[ε²] = 1 for standard-normal ε; got ${(sum / 40).toFixed(3)}`,
    );
  });

  it('leaks no tensor over a training step of the UNet', async () => {
    const unet = createUNet({ channels: 4, timeDim: 8, seed: 1, timeEmbedding });
    const opt = tf.train.adam(1e-3);
    const batch = x0();
    const step = (): void => {
      const loss = opt.minimize(
        () => diffusionLoss((xt, t) => unet.apply(xt, t), batch, s),
        true,
        variables(unet.params),
      );
      loss?.dispose();
    };
    step(); // the first step creates Adam's moment variables, which are kept on purpose
    await expectNoTensorLeak(step, 'one Adam step on diffusionLoss');
    batch.dispose();
  });
});

describe('TODO(5): ancestral sampling (Algorithm 2)', () => {
  const s = referenceSchedule(20, 0.01, 0.3);
  const shape: [number, number, number, number] = [2, 2, 2, 1];

  it('with ε_θ = 0 and no noise, divides by √α_t at every step: x_0 = x_T / √ᾱ_T', async () => {
    const zero: EpsModel = (xt) => tf.zerosLike(xt);
    let calls = 0;
    // x_T = 0.1, then z = 0
    const noise = (sh: number[]): tf.Tensor => (calls++ === 0 ? tf.fill(sh, 0.1) : tf.zeros(sh));
    const x = sample(zero, s, shape, { noise });
    await expectTensorClose(
      x,
      tf.fill(shape, 0.1 / Math.sqrt(s.alphaBars[19])),
      { rtol: 1e-4 },
      'sample() with ε_θ = 0 and z = 0: each step is x_{t−1} = x_t / √α_t, T times',
    );
    x.dispose();
  });

  it('adds σ_t·z with σ_t = √β_t at every step except the last', async () => {
    const zero: EpsModel = (xt) => tf.zerosLike(xt);
    const x = sample(zero, s, shape, { noise: (sh) => tf.ones(sh) }); // x_T = 1 and z = 1
    let expected = 1;
    for (let t = 19; t >= 0; t--) expected = expected / Math.sqrt(s.alphas[t]) + (t > 0 ? Math.sqrt(s.betas[t]) : 0);
    await expectTensorClose(
      x,
      tf.fill(shape, expected),
      { rtol: 1e-4 },
      `sample() with ε_θ = 0 and z = 1: expected ${expected.toFixed(4)} — σ_t = √β_t, and the final step (t = 1 in the paper) adds no noise`,
    );
    x.dispose();
  });

  it('returns the data exactly with the oracle ε-model of a one-point data set', async () => {
    // If every training image were the constant a, the best ε-prediction is ε*(x_t, t) = (x_t − √ᾱ_t·a) / √(1 − ᾱ_t),
    // and the last step of Algorithm 2 then lands exactly on a, whatever noise came before.
    const a = -0.6;
    const oracle: EpsModel = (xt, t) =>
      tf.tidy(() => {
        const ab = tf.gather(tf.tensor1d(s.alphaBars), t).reshape([-1, 1, 1, 1]);
        return tf.div(tf.sub(xt, tf.mul(tf.sqrt(ab), a)), tf.sqrt(tf.sub(1, ab))) as tf.Tensor4D;
      });
    const x = sample(oracle, s, shape, { noise: (sh) => tf.randomNormal(sh, 0, 1, 'float32', 3) });
    await expectTensorClose(
      x,
      tf.fill(shape, a),
      { atol: 1e-3 },
      'sample() with the oracle ε: x_{t−1} = (x_t − β_t/√(1−ᾱ_t)·ε̂)/√α_t must reach a = −0.6 — check the coefficient β_t/√(1 − ᾱ_t)',
    );
    x.dispose();
  });

  it('calls the model at every one of the T steps with t = T−1 … 0 and leaks no tensor', async () => {
    // The model is called synchronously, so the spy keeps a copy of each t and the test reads (and frees) them after.
    const calls: tf.Tensor[] = [];
    const ts: number[] = [];
    const spy: EpsModel = (xt, t) => {
      calls.push(tf.keep(t.clone()));
      return tf.zerosLike(xt);
    };
    await expectNoTensorLeak(async () => {
      sample(spy, s, shape).dispose();
      for (const t of calls) ts.push((await t.data())[0]);
      tf.dispose(calls);
    }, 'sample()');
    assert.deepEqual(
      ts,
      Array.from({ length: 20 }, (_, i) => 19 - i),
      'the sampler should visit t = T−1, T−2, …, 0 (0-based), one model call each',
    );
  });
});
