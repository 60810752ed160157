/**
 * Trains a DDPM on 16×16 MNIST (Ho et al. 2020, Algorithm 1) and samples from it (Algorithm 2).
 *
 * What the run panel shows:
 *   loss                 the ε-regression loss (starts at 1.0: the untrained UNet predicts ε̂ = 0)
 *   loss_by_t, noise/…   the loss per quarter of t, and histograms of the predicted ε̂ per quarter against ε's
 *   forward              a forward-noising strip: digits at t = 0 … T−1 (left to right), from q(x_t | x_0)
 *   samples              16 samples from the EMA weights every `sampleEvery` steps
 *   reverse              the reverse process of 8 final samples, from x_T (left) to x_0 (right)
 *   sample_confidence    the MNIST classifier's mean max-probability on the final samples (milestone: ≥ 0.78)
 *   class_entropy        how evenly the samples spread over the 10 digits (1 = uniform)
 */
import * as tf from '@tensorflow/tfjs';
import { lab } from '../../lab';
import { sampleQuality } from '../../lab/classifier';
import { IMAGE_SIZE, mnistBatches, type Batches } from '../../lab/diffusion/data';
import { createEma, type Ema } from '../../lab/diffusion/ema';
import { betaRange, diffusionAdam } from '../../lab/diffusion/training';
import {
  countParams,
  createUNet,
  variables,
  type EpsModel,
  type UNet,
  type UNetParams,
} from '../../lab/diffusion/unet';
import { diffusionLoss } from './loss';
import { sample } from './sample';
import { linearBetaSchedule, qSample, type Schedule } from './schedule';
import { timeEmbedding } from './timeEmbedding';

/**
 * Seed s adds SEED_STRIDE · s to each seed, so the UNet's per-layer seeds (seed, seed + 1, …) of two runs never
 * meet.
 */
const SEED_STRIDE = 1000;

const config = lab.config({
  // `seed` moves the UNet's initialisation, the digits' order and the loss_by_t noise: every seed below is offset by
  // SEED_STRIDE · seed, so seed 0 is the reference run. (The training and sampling noise are unseeded: they differ
  // from run to run whatever the seed.)
  // ≈ 9 minutes on 2 CPU cores (wasm), above the 0.78 target: see README "What a good run looks like".
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
    lossByTEvery: 100,
    seed: 0,
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
    lossByTEvery: 500,
    seed: 0,
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
    lossByTEvery: 20,
    seed: 0,
  },
});

/** A [rows·16, cols·16, 1] picture: frame k of every row side by side (for the noising and denoising strips). */
function strip(frames: tf.Tensor4D[]): tf.Tensor3D {
  return tf.tidy(() => {
    // [rows·16, 16, 1]
    const columns = frames.map((f) => tf.reshape<tf.Rank.R3>(f, [f.shape[0] * IMAGE_SIZE, IMAGE_SIZE, 1]));
    return tf.concat(columns, 1); // [rows·16, cols·16, 1]
  });
}

/** The forward process, before any training: 8 digits at the 9 noise levels `levels` from t = 0 to T−1. */
async function showForwardProcess(x0: tf.Tensor4D, schedule: Schedule, levels: number[]): Promise<void> {
  const frames = levels.map((t) =>
    tf.tidy(() => {
      const eps = tf.randomNormal<tf.Rank.R4>([8, IMAGE_SIZE, IMAGE_SIZE, 1]);
      return qSample(x0, tf.fill<tf.Rank.R1>([8], t, 'int32'), eps, schedule);
    }),
  );
  const forward = strip(frames);
  await lab.images('forward', forward, 0);
  tf.dispose([forward, ...frames]);
}

/** The noise levels 0 … T−1 in this many equal buckets, one `loss_by_t` series each. */
const T_BUCKETS = 4;

/**
 * Where the ε-error lives: L_simple at fixed noise levels, one series per quarter of t = 0 … T−1 (`loss_by_t/…`,
 * one chart), measured on the same digits and noise each time. At large t, x_t ≈ ε and ε is nearly free to
 * predict; the error that stays sits at small t, where ε cannot be told apart from the fine detail of x_0.
 * The histograms show the same thing as distributions: `noise/true` is ε ~ N(0, I); `noise/predicted t …` is the
 * model's ε̂ in each quarter. Where ε̂ matches ε's spread the model can see the noise; where it is narrower, the
 * model hedges towards 0, its best guess when it cannot tell noise from digit.
 */
async function logLossByT(model: EpsModel, digits: tf.Tensor4D, schedule: Schedule, step: number): Promise<void> {
  const perBucket = 8; // noise levels per bucket, each applied to every digit
  const width = schedule.T / T_BUCKETS;
  const buckets = Array.from({ length: T_BUCKETS }, (_, b) => b);
  const probes = buckets.map((b) =>
    tf.tidy(() => {
      const levels = Array.from({ length: perBucket }, (_, k) =>
        Math.floor(b * width + ((k + 0.5) * width) / perBucket),
      );
      const x0 = tf.tile(digits, [perBucket, 1, 1, 1]); // [8·N, 16, 16, 1]: every digit at every level
      const t = tf.tensor1d(
        levels.flatMap((level) => Array<number>(digits.shape[0]).fill(level)),
        'int32',
      );
      // the same noise each time
      const eps = tf.randomNormal<tf.Rank.R4>(x0.shape, 0, 1, 'float32', 1000 + b + SEED_STRIDE * config.seed);
      const loss = diffusionLoss(model, x0, schedule, { t, eps });
      const predicted = model(qSample(x0, t, eps, schedule), t); // ε̂ [8·N, 16, 16, 1]
      return { loss, eps, predicted };
    }),
  );
  const losses = tf.stack(probes.map((p) => p.loss)); // [T_BUCKETS]
  const values = await losses.data(); // one read for all buckets
  const label = (b: number): string => `t ${Math.ceil(b * width)}–${Math.ceil((b + 1) * width) - 1}`;
  for (const b of buckets) {
    lab.scalar(`loss_by_t/${label(b)}`, values[b], step);
    await lab.histogram(`noise/predicted ${label(b)}`, probes[b].predicted, step);
  }
  await lab.histogram('noise/true', probes[0].eps, step);
  tf.dispose([losses, ...probes.flatMap((p) => [p.loss, p.eps, p.predicted])]);
}

/** Algorithm 1 for config.steps (or until Stop), with the EMA updated after each step and samples now and then. */
async function train(unet: UNet, ema: Ema<UNetParams>, data: Batches, schedule: Schedule, probe: tf.Tensor4D) {
  const emaModel: EpsModel = (xt, t) => unet.apply(xt, t, { params: ema.params });
  const adam = diffusionAdam(config, config.beta2);
  const model: EpsModel = (xt, t) => unet.apply(xt, t);
  const t0 = Date.now();
  let step = 1;
  for (; step <= config.steps && !lab.shouldStop(); step++) {
    const lr = adam.setStep(step);
    const { x0 } = data.next(config.batch); // [B, 16, 16, 1]
    const loss = adam.minimize(() => diffusionLoss(model, x0, schedule), variables(unet.params));
    ema.update(unet.params);
    if (step % 2 === 0 || step === 1) {
      lab.scalar('loss', (await loss.data())[0], step);
      lab.scalar('learning_rate', lr, step);
    }
    tf.dispose([x0, loss]);
    if (step % config.lossByTEvery === 0) await logLossByT(model, probe, schedule, step);
    if (step % config.sampleEvery === 0 && step < config.steps) {
      const grid = sample(emaModel, schedule, [16, IMAGE_SIZE, IMAGE_SIZE, 1]);
      await lab.images('samples', grid, step);
      grid.dispose();
      console.log(`step ${step}: ${((Date.now() - t0) / 60000).toFixed(2)} min`);
    }
  }
  adam.optimizer.dispose();
  return { steps: step - 1, trainMinutes: (Date.now() - t0) / 60000 };
}

/** Final samples from the EMA weights, judged by the classifier; 9 frames of the first 8 show the reverse process. */
async function evaluate(emaModel: EpsModel, schedule: Schedule, levels: number[], step: number) {
  const keep = new Set(levels);
  const reverseFrames: tf.Tensor4D[] = [];
  const final = sample(emaModel, schedule, [config.finalSamples, IMAGE_SIZE, IMAGE_SIZE, 1], {
    onStep: (t, x) => {
      if (keep.has(t)) reverseFrames.push(tf.slice(x, 0, 8));
    }, // noisiest first, x_0 last
  });
  const reverse = strip(reverseFrames);
  await lab.images('reverse', reverse, step);
  const shownSamples = final.slice(0, Math.min(64, config.finalSamples));
  await lab.images('samples', shownSamples, step);
  const quality = await sampleQuality(final);
  tf.dispose([final, reverse, shownSamples, ...reverseFrames]);
  return quality;
}

async function main(): Promise<void> {
  const schedule = linearBetaSchedule(config.T, ...betaRange(config.T)); // the paper's range, rescaled to T
  const unet = createUNet({
    channels: config.channels,
    timeDim: config.timeDim,
    seed: 2 + SEED_STRIDE * config.seed,
    timeEmbedding,
  });
  const ema = createEma(unet.params, config.emaDecay);
  const emaModel: EpsModel = (xt, t) => unet.apply(xt, t, { params: ema.params });
  const params = countParams(unet.params);
  console.log(
    `DDPM: T = ${config.T}, UNet ${params} parameters, ${config.steps} steps of ${config.batch}; ᾱ_T = ${schedule.alphaBars[config.T - 1].toExponential(2)}`,
  );
  const levels = Array.from({ length: 9 }, (_, k) => Math.round((k * (config.T - 1)) / 8));
  const data = mnistBatches(1 + SEED_STRIDE * config.seed);
  const shown = data.next(8); // the first 8 digits of the stream the training then continues
  await showForwardProcess(shown.x0, schedule, levels);

  const t0 = Date.now();
  const { steps, trainMinutes } = await train(unet, ema, data, schedule, shown.x0);
  shown.x0.dispose();
  const quality = await evaluate(emaModel, schedule, levels, steps);
  const histogram = quality.classHistogram.map((n, k) => `${k}:${n}`).join(' ');
  lab.scalar('sample_confidence', quality.confidence, steps);
  lab.scalar('class_entropy', quality.entropy, steps);
  lab.text('class_histogram', `samples per digit (classifier's argmax): ${histogram}`, steps);
  lab.summary({
    sample_confidence: quality.confidence,
    class_entropy: quality.entropy,
    class_histogram: histogram,
    steps,
    train_minutes: trainMinutes,
    total_minutes: (Date.now() - t0) / 60000,
    T: config.T,
    params,
  });
  console.log(
    `sample_confidence ${quality.confidence.toFixed(3)}, class_entropy ${quality.entropy.toFixed(3)}, histogram ${histogram}`,
  );
  ema.dispose();
  tf.dispose(variables(unet.params));
}

lab.run(main);
