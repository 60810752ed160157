/**
 * Trains a DDPM on 16×16 MNIST (Ho et al. 2020, Algorithm 1) and samples from it (Algorithm 2).
 *
 * What the run panel shows:
 *   loss                 the ε-regression loss (starts at 1.0: the untrained UNet predicts ε̂ = 0)
 *   forward              a forward-noising strip: digits at t = 0 … T−1 (left to right), from q(x_t | x_0)
 *   samples              16 samples from the EMA weights every `sampleEvery` steps
 *   reverse              the reverse process of 8 final samples, from x_T (left) to x_0 (right)
 *   sample_confidence    the MNIST classifier's mean max-probability on the final samples (milestone: ≥ 0.8)
 *   class_entropy        how evenly the samples spread over the 10 digits (1 = uniform)
 */
import * as tf from '@tensorflow/tfjs';
import { lab } from '../../lab';
import { sampleQuality } from '../../lab/classifier';
import { IMAGE_SIZE, mnistBatches } from './data';
import { createEma } from './ema';
import { diffusionLoss } from './loss';
import { sample } from './sample';
import { linearBetaSchedule, qSample, type Schedule } from './schedule';
import { countParams, createUNet, type EpsModel } from './unet';

const config = lab.config({
  // ≈ 9 minutes on 2 CPU cores (wasm), reaching the 0.8 target: see README "What a good run looks like".
  // lr 6e-3 is a peak (warm-up, then cosine): 2e-3 … 1.2e-2 were compared, see README.
  // 400 final samples: with 100, the confidence moved by ±0.03 between sampling seeds on the same weights.
  cpu: {
    T: 200,
    steps: 3200,
    batch: 64,
    lr: 6e-3,
    beta2: 0.99,
    warmup: 200,
    channels: 16,
    timeDim: 32,
    emaDecay: 0.998,
    sampleEvery: 1000,
    finalSamples: 400,
  },
  gpu: {
    T: 400,
    steps: 20000,
    batch: 128,
    lr: 1e-3,
    beta2: 0.99,
    warmup: 500,
    channels: 32,
    timeDim: 64,
    emaDecay: 0.999,
    sampleEvery: 2000,
    finalSamples: 400,
  },
  // smoke: tiny, so that even tfjs' pure-JS backend (a terminal run) finishes in well under a minute.
  smoke: {
    T: 20,
    steps: 40,
    batch: 8,
    lr: 3e-3,
    beta2: 0.99,
    warmup: 0,
    channels: 4,
    timeDim: 8,
    emaDecay: 0.9,
    sampleEvery: 40,
    finalSamples: 8,
  },
});

/** The paper's 1e-4 → 0.02 over T = 1000, rescaled so that ᾱ_T ≈ 0 with fewer steps (x_T is then pure noise). */
function scheduleFor(T: number): Schedule {
  return linearBetaSchedule(T, (1e-4 * 1000) / T, (0.02 * 1000) / T);
}

/** A [rows·16, cols·16, 1] picture: frame k of every row side by side (for the noising and denoising strips). */
function strip(frames: tf.Tensor4D[]): tf.Tensor3D {
  return tf.tidy(() => {
    const columns = frames.map((f) => tf.reshape(f, [f.shape[0] * IMAGE_SIZE, IMAGE_SIZE, 1])); // each [rows·16, 16, 1]
    return tf.concat(columns, 1) as tf.Tensor3D; // [rows·16, cols·16, 1]
  });
}

/** Linear warm-up to config.lr, then a cosine decay to 10% of it at the last step (the final weights settle). */
function learningRate(step: number): number {
  if (step < config.warmup) return (config.lr * step) / config.warmup;
  const progress = (step - config.warmup) / Math.max(1, config.steps - config.warmup); // 0 → 1
  return config.lr * (0.1 + 0.45 * (1 + Math.cos(Math.PI * progress)));
}

async function main(): Promise<void> {
  const schedule = scheduleFor(config.T);
  const data = mnistBatches(1);
  const unet = createUNet({ channels: config.channels, timeDim: config.timeDim, seed: 2 });
  const ema = createEma(unet.weights, config.emaDecay);
  // β₂ = 0.99 instead of Adam's 0.999: the second-moment estimate forgets in ~100 steps instead of ~1000, which
  // suits a run of a few thousand steps whose gradient scale falls fast (measured: see README).
  const optimizer = tf.train.adam(config.lr, 0.9, config.beta2);
  // Adam's learning rate is a plain field; tfjs has no scheduler, so the loop sets it each step.
  const setLearningRate = (lr: number): void => {
    (optimizer as unknown as { learningRate: number }).learningRate = lr;
  };
  const model: EpsModel = (xt, t) => unet.apply(xt, t);
  const emaModel: EpsModel = (xt, t) => unet.apply(xt, t, ema.weights);
  console.log(
    `DDPM: T = ${config.T}, UNet ${countParams(unet.weights)} parameters, ${config.steps} steps of ${config.batch}; ᾱ_T = ${schedule.alphaBars[config.T - 1].toExponential(2)}`,
  );

  // The forward process, before any training: 8 digits at 9 noise levels from t = 0 to T−1.
  const shown = data.next(8);
  const levels = Array.from({ length: 9 }, (_, k) => Math.round((k * (config.T - 1)) / 8));
  const frames = levels.map((t) =>
    tf.tidy(() =>
      qSample(
        shown.x0,
        tf.fill([8], t, 'int32') as tf.Tensor1D,
        tf.randomNormal([8, IMAGE_SIZE, IMAGE_SIZE, 1]) as tf.Tensor4D,
        schedule,
      ),
    ),
  );
  const forward = strip(frames);
  await lab.images('forward', forward, 0);
  tf.dispose([shown.x0, forward, ...frames]);

  const t0 = Date.now();
  let step = 0;
  for (step = 1; step <= config.steps && !lab.shouldStop(); step++) {
    setLearningRate(learningRate(step));
    const { x0 } = data.next(config.batch); // [B, 16, 16, 1]
    const loss = optimizer.minimize(
      () => diffusionLoss(model, x0, schedule),
      true,
      Object.values(unet.weights),
    ) as tf.Scalar;
    ema.update(unet.weights);
    if (step % 2 === 0 || step === 1) {
      lab.scalar('loss', (await loss.data())[0], step);
      lab.scalar('learning_rate', learningRate(step), step);
    }
    tf.dispose([x0, loss]);
    if (step % config.sampleEvery === 0 && step < config.steps) {
      const grid = sample(emaModel, schedule, [16, IMAGE_SIZE, IMAGE_SIZE, 1]);
      await lab.images('samples', grid, step);
      grid.dispose();
      console.log(`step ${step}: ${((Date.now() - t0) / 60000).toFixed(2)} min`);
    }
  }
  const trainMinutes = (Date.now() - t0) / 60000;

  // Final samples from the EMA weights; keep 9 frames of the first 8 to show the reverse process.
  const keep = new Set(levels);
  const reverseFrames: tf.Tensor4D[] = [];
  const final = sample(emaModel, schedule, [config.finalSamples, IMAGE_SIZE, IMAGE_SIZE, 1], {
    onStep: (t, x) => {
      if (keep.has(t)) reverseFrames.push(tf.slice(x, 0, 8));
    }, // noisiest first, x_0 last
  });
  const reverse = strip(reverseFrames);
  await lab.images('reverse', reverse, step - 1);
  const shownSamples = final.slice(0, Math.min(64, config.finalSamples));
  await lab.images('samples', shownSamples, step - 1);
  shownSamples.dispose();
  const quality = await sampleQuality(final);
  tf.dispose([final, reverse, ...reverseFrames]);

  const histogram = quality.classHistogram.map((n, k) => `${k}:${n}`).join(' ');
  lab.scalar('sample_confidence', quality.confidence, step - 1);
  lab.scalar('class_entropy', quality.entropy, step - 1);
  lab.text('class_histogram', `samples per digit (classifier's argmax): ${histogram}`, step - 1);
  lab.summary({
    sample_confidence: quality.confidence,
    class_entropy: quality.entropy,
    class_histogram: histogram,
    steps: step - 1,
    train_minutes: trainMinutes,
    total_minutes: (Date.now() - t0) / 60000,
    T: config.T,
    params: countParams(unet.weights),
  });
  console.log(
    `sample_confidence ${quality.confidence.toFixed(3)}, class_entropy ${quality.entropy.toFixed(3)}, histogram ${histogram}`,
  );
  ema.dispose();
  optimizer.dispose();
  for (const v of Object.values(unet.weights)) v.dispose();
}

lab.run(main);
