import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { decode, encode, loadAutoencoder } from '../../../lab/autoencoder';
import { diffusionLoss } from '../../../lab/diffusion/loss';
import { linearBetaSchedule } from '../../../lab/diffusion/schedule';
import { timeEmbedding } from '../../../lab/diffusion/timeEmbedding';
import { createUNet, variables, type EpsModel } from '../../../lab/diffusion/unet';
import { expectNoTensorLeak, expectShape, expectTensorClose, moments } from '../../../lab/testing';
import { unetFlops, type UNetShape } from '../flops';
import { decodeLatents, encodeImages, latentDiffusionLoss, sampleImages, type FirstStage } from '../latent';
import { compareSpaces, timeToQuality, type SpaceMeasurement } from '../measure';
import { testDigits } from './reference';

/** The shipped autoencoder with its measured scale (built here, so no test depends on your code for it). */
let shipped: ReturnType<typeof loadAutoencoder> | undefined;
async function firstStage(scale?: number): Promise<FirstStage> {
  shipped ??= loadAutoencoder();
  const ae = await shipped;
  return { ae, scale: scale ?? ae.meta!.latentScale };
}

describe('TODO(1): scaled latents in and out of the frozen autoencoder', function () {
  this.timeout(60000);

  it('encodeImages is s·E(x): [B, 4, 4, 4] latents with about unit variance on real digits', async () => {
    const stage = await firstStage();
    const x = testDigits(100);
    const z = encodeImages(stage, x);
    await expectShape(z, [100, 4, 4, 4], 'encodeImages(100 digits)');
    const raw = tf.tidy(() => tf.mul(encode(stage.ae, x), stage.scale));
    await expectTensorClose(
      z,
      raw,
      { atol: 1e-4, rtol: 1e-4 },
      'encodeImages should be encode(stage.ae, x) times stage.scale',
    );
    const { mean, variance } = moments(await z.data());
    tf.dispose([x, z, raw]);
    // Like LDM, only the scale is normalised, not the mean (the shipped latents' mean is about −0.5 after scaling).
    assert.ok(
      Math.abs(Math.sqrt(variance) - 1) < 0.15 && Math.abs(mean) < 1,
      `scaled latents of real digits should have std ≈ 1 (got ${Math.sqrt(variance).toFixed(3)}, mean ${mean.toFixed(3)}) — multiply by s = ${stage.scale.toFixed(3)}, don't divide`,
    );
  });

  it('decodeLatents is D(z / s), and a round trip costs about the reconstruction error in meta.json', async () => {
    const odd = await firstStage(2.5); // a scale that is not the shipped one: the code must use stage.scale
    const z = tf.randomNormal([4, 4, 4, 4], 0, 1, 'float32', 11) as tf.Tensor4D;
    const x = decodeLatents(odd, z);
    await expectShape(x, [4, 16, 16, 1], 'decodeLatents(z [4, 4, 4, 4])');
    const expected = tf.tidy(() => decode(odd.ae, tf.div(z, 2.5) as tf.Tensor4D));
    await expectTensorClose(
      x,
      expected,
      { atol: 1e-4 },
      'decodeLatents should divide by stage.scale, then decode(stage.ae, …)',
    );
    tf.dispose([z, x, expected]);

    const stage = await firstStage();
    const digits = testDigits(100);
    const z2 = encodeImages(stage, digits);
    const back = decodeLatents(stage, z2);
    const error = tf.tidy(() => tf.mean(tf.square(tf.sub(back, digits))));
    const mse = (await error.data())[0];
    tf.dispose([digits, z2, back, error]);
    const recorded = stage.ae.meta!.reconstructionMse;
    assert.ok(
      mse < 1.5 * recorded + 0.005,
      `round-trip MSE ${mse.toFixed(4)} on 100 test digits; meta.json records ${recorded.toFixed(4)} — does decodeLatents undo exactly the scale that encodeImages applied?`,
    );
  });
});

describe('TODO(2): the analytic FLOPs of one denoising step', () => {
  const tiny: UNetShape = { size: 4, inChannels: 1, channels: 1, timeDim: 2 };

  it('counts a tiny UNet (S = 4, C = 1, c = 1, D = 2) as the hand count: 4312 FLOPs', () => {
    // By hand, 2 FLOPs per multiply-add, conv = 2·out²·k²·cin·cout, dense = 2·din·dout:
    //   time1 + time2 8 + 8 = 16 | in 3×3 1→1 @4²: 288
    //   down1 (@4², 1→1): 288 + time 4 + 288 = 580            | down1to2 3×3/2 1→2 → 2²: 144
    //   down2 (@2², 2→2): 288 + time 8 + 288 = 584            | down2to3 3×3/2 2→2 → 1²: 72
    //   mid   (@1², 2→2): 72 + time 8 + 72 = 152
    //   up2   (@2², 4→2): 576 + time 8 + 288 + skip 1×1 64 = 936
    //   up1   (@4², 3→1): 864 + time 4 + 288 + skip 1×1 96 = 1252 | out 3×3 1→1 @4²: 288
    const got = unetFlops(tiny);
    assert.equal(
      got,
      4312,
      `unetFlops(tiny) = ${got}, the hand count is 4312. Off by 16 · 9 · … suggests a conv at the wrong resolution; a small gap, a missing time projection or 1×1 skip`,
    );
  });

  it('scales the convolutions with the number of positions, and the time MLP not at all', () => {
    // time1, time2 and the five blocks' time projections (2 to c = 1, 3 to 2c = 2): 48, whatever S is
    const time = 16 + 2 * 4 + 3 * 8;
    const at8 = unetFlops({ ...tiny, size: 8 });
    assert.equal(
      at8,
      4 * (4312 - time) + time,
      `unetFlops at S = 8 should be 4× the conv FLOPs at S = 4 plus the same ${time} time FLOPs = ${4 * (4312 - time) + time}; got ${at8}`,
    );
    const pixel = unetFlops({ size: 16, inChannels: 1, channels: 16, timeDim: 32 });
    const latent = unetFlops({ size: 4, inChannels: 4, channels: 16, timeDim: 32 });
    assert.ok(
      pixel / latent > 12 && pixel / latent < 16,
      `pixel ÷ latent FLOPs for this exercise's UNet should be a bit under 16 (16× fewer positions; the 4 latent channels make 'in' and 'out' dearer); got ${(pixel / latent).toFixed(2)}`,
    );
  });
});

describe('TODO(3): the latent diffusion loss', function () {
  this.timeout(60000);
  const s = linearBetaSchedule(50, 1e-3, 0.2);

  it("is exercise 2's ε-loss on the scaled latents s·E(x_0), with the model seeing [B, 4, 4, 4]", async () => {
    const stage = await firstStage();
    const x0 = testDigits(3);
    const t = tf.tensor1d([2, 20, 45], 'int32');
    const eps = tf.randomNormal([3, 4, 4, 4], 0, 1, 'float32', 5) as tf.Tensor4D;
    const shapes: number[][] = [];
    const identity: EpsModel = (xt) => {
      shapes.push([...xt.shape]);
      return xt.clone();
    };
    const loss = latentDiffusionLoss(identity, stage, x0, s, { t, eps });
    const expected = tf.tidy(() =>
      diffusionLoss((xt) => xt.clone(), tf.mul(encode(stage.ae, x0), stage.scale) as tf.Tensor4D, s, { t, eps }),
    );
    assert.deepEqual(
      shapes,
      [[3, 4, 4, 4]],
      `the ε-model should be called once on latents [3, 4, 4, 4]; it saw ${JSON.stringify(shapes)}`,
    );
    await expectTensorClose(
      loss,
      expected,
      { atol: 1e-4 },
      'latentDiffusionLoss: encode x_0 to s·E(x_0), then diffusionLoss on the latents (with the given t and ε)',
    );
    tf.dispose([x0, t, eps, loss, expected]);
  });

  it('leaks no tensor over a training step, and leaves the frozen autoencoder unchanged', async () => {
    const stage = await firstStage();
    const unet = createUNet({ channels: 4, inChannels: 4, timeDim: 8, seed: 1, timeEmbedding });
    const opt = tf.train.adam(1e-2);
    const batch = testDigits(4);
    const aeSums = async (): Promise<number[]> => {
      // one Σ|w| per weight
      const sums = tf.tidy(() => tf.stack(Object.values(stage.ae.weights).map((w) => tf.sum(tf.abs(w)))));
      const values = Array.from(await sums.data());
      sums.dispose();
      return values;
    };
    const aeBefore = await aeSums();
    const step = (): void => {
      const loss = opt.minimize(
        () => latentDiffusionLoss((xt, tt) => unet.apply(xt, tt), stage, batch, s),
        true,
        variables(unet.params),
      );
      loss?.dispose();
    };
    step(); // the first step creates Adam's moment variables, which are kept on purpose
    await expectNoTensorLeak(step, 'one Adam step on latentDiffusionLoss');
    const aeAfter = await aeSums();
    assert.deepEqual(
      aeAfter,
      aeBefore,
      'the autoencoder changed during a training step: it is frozen, only the UNet learns',
    );
    batch.dispose();
    opt.dispose();
    tf.dispose(variables(unet.params));
  });
});

describe('TODO(4): sampling through the latent space', function () {
  this.timeout(60000);
  const s = linearBetaSchedule(10, 0.01, 0.3);

  it('runs Algorithm 2 on [n, 4, 4, 4] latents for all T steps and decodes the result', async () => {
    const stage = await firstStage();
    const shapes: string[] = [];
    const zero: EpsModel = (xt) => {
      shapes.push(xt.shape.join('×'));
      return tf.zerosLike(xt);
    };
    let calls = 0;
    // z_T = 0.05, then no noise
    const noise = (sh: number[]): tf.Tensor => (calls++ === 0 ? tf.fill(sh, 0.05) : tf.zeros(sh));
    const x = sampleImages(zero, stage, s, 3, { noise });
    await expectShape(x, [3, 16, 16, 1], 'sampleImages(…, n = 3)');
    assert.deepEqual(
      shapes,
      Array(10).fill('3×4×4×4'),
      `the ε-model should run T = 10 times on [3, 4, 4, 4] latents; it saw ${JSON.stringify(shapes)}`,
    );
    // With ε_θ = 0 and z = 0 each step divides by √α_t, so z_0 = z_T / √ᾱ_T; the image is D(z_0 / s).
    const z0 = tf.fill([3, 4, 4, 4], 0.05 / Math.sqrt(s.alphaBars[9])) as tf.Tensor4D;
    const expected = tf.tidy(() => decode(stage.ae, tf.div(z0, stage.scale) as tf.Tensor4D));
    await expectTensorClose(
      x,
      expected,
      { atol: 1e-4 },
      'sampleImages should return decodeLatents(sample(…)) — decode the final latent z_0 with the scale undone',
    );
    tf.dispose([x, z0, expected]);
  });

  it('leaks no tensor', async () => {
    const stage = await firstStage();
    await expectNoTensorLeak(() => sampleImages((xt) => tf.zerosLike(xt), stage, s, 2), 'sampleImages()');
  });
});

describe('TODO(5): the measurement', () => {
  it('timeToQuality interpolates the first crossing of the target', () => {
    const curve = [
      { seconds: 10, confidence: 0.4 },
      { seconds: 20, confidence: 0.6 },
      { seconds: 30, confidence: 0.8 },
      { seconds: 40, confidence: 0.65 },
    ];
    const near = (got: number | null, want: number, why: string): void =>
      assert.ok(got !== null && Math.abs(got - want) < 1e-9, `${why}; got ${got}`);
    near(
      timeToQuality(curve, 0.7),
      25,
      'the curve crosses 0.7 half-way between 20 s (0.6) and 30 s (0.8): expected 25',
    );
    near(timeToQuality(curve, 0.6), 20, 'a point exactly at the target counts as reaching it: expected 20');
    assert.equal(
      timeToQuality(curve, 0.3),
      10,
      'when the first evaluation already reaches the target, its time is the answer',
    );
    assert.equal(timeToQuality(curve, 0.9), null, 'a target the run never reached gives null, not the last time');
    assert.equal(timeToQuality([], 0.5), null, 'no evaluations: null');
  });

  it('compareSpaces puts each ratio the right way round (> 1: latent is better)', () => {
    const pixel: SpaceMeasurement = {
      trainStepsPerSecond: 2,
      sampleSeconds: 12,
      flopsPerStep: 1.5e7,
      quality: [
        { seconds: 100, confidence: 0.5 },
        { seconds: 200, confidence: 0.9 },
      ],
    };
    const latent: SpaceMeasurement = {
      trainStepsPerSecond: 10,
      sampleSeconds: 3,
      flopsPerStep: 1e6,
      quality: [
        { seconds: 20, confidence: 0.7 },
        { seconds: 40, confidence: 0.75 },
      ],
    };
    const c = compareSpaces(pixel, latent, 0.7);
    assert.equal(
      c.trainSpeedup,
      5,
      `trainSpeedup = latent ÷ pixel training steps per second = 10 / 2; got ${c.trainSpeedup}`,
    );
    assert.equal(
      c.sampleSpeedup,
      4,
      `sampleSpeedup = pixel ÷ latent seconds per batch of samples = 12 / 3; got ${c.sampleSpeedup}`,
    );
    assert.equal(c.flopRatio, 15, `flopRatio = pixel ÷ latent FLOPs per step = 15; got ${c.flopRatio}`);
    const { pixel: tp, latent: tl } = c.timeToQuality;
    assert.ok(
      tp !== null && Math.abs(tp - 150) < 1e-9 && tl === 20,
      `timeToQuality: pixel crosses 0.7 at 150 s, latent at its first evaluation, 20 s; got ${JSON.stringify(c.timeToQuality)}`,
    );
    assert.ok(
      c.qualitySpeedup !== null && Math.abs(c.qualitySpeedup - 7.5) < 1e-9,
      `qualitySpeedup = pixel ÷ latent time to quality = 150 / 20; got ${c.qualitySpeedup}`,
    );
    assert.equal(
      compareSpaces(pixel, latent, 0.8).qualitySpeedup,
      null,
      'the latent run never reached 0.8, so there is no quality speed-up to report: null',
    );
  });
});
