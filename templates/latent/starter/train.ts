/**
 * Pixel-space against latent-space diffusion on the same budget (Rombach et al. 2022, §4.1): the same UNet,
 * batch, schedule and number of training steps, once on 16×16×1 pixels and once on the frozen autoencoder's
 * 4×4×4 latents. Both are timed; both are judged by exercise 2's MNIST classifier.
 *
 * What the run panel shows:
 *   pixel_loss, loss          the ε-regression loss of the pixel run and of the latent run (both start at 1.0)
 *   reconstructions           8 test digits (top) and their autoencoder round trip D(E(x)) (bottom)
 *   pixel_samples, latent_samples   16 samples at every evaluation (latent: decoded)
 *   pixel_confidence, latent_confidence   the judge's sample_confidence at each evaluation (x: training step)
 *   comparison                the table: steps/s, seconds per batch of samples, FLOPs, quality, time to quality
 *   latent_speedup            latent ÷ pixel training steps per second (milestone "latent-speedup": ≥ 2)
 */
import * as tf from '@tensorflow/tfjs';
import { lab } from '../../lab';
import { sampleQuality, type SampleQuality } from '../../lab/classifier';
import { IMAGE_SIZE, mnistBatches } from './data';
import { createEma } from './ema';
import { trainingStepFlops, unetFlops, type UNetShape } from './flops';
import {
  decodeLatents,
  encodeImages,
  latentDiffusionLoss,
  loadFirstStage,
  sampleImages,
  type FirstStage,
} from './latent';
import { diffusionLoss } from './loss';
import { compareSpaces, type QualityPoint, type SpaceMeasurement } from './measure';
import { sample } from './sample';
import { linearBetaSchedule, type Schedule } from './schedule';
import { countParams, createUNet, type EpsModel } from './unet';

const config = lab.config({
  // 6.7 minutes on 2 CPU cores (wasm), both runs (reference run): see README "What a good run looks like".
  cpu: {
    T: 200,
    steps: 2000,
    batch: 64,
    lr: 2e-3,
    warmup: 200,
    channels: 16,
    timeDim: 32,
    emaDecay: 0.998,
    evalEvery: 400,
    evalSamples: 100,
    target: 0.7,
    untimedSteps: 20,
    reconDigits: 1000,
  },
  gpu: {
    T: 400,
    steps: 20000,
    batch: 128,
    lr: 1e-3,
    warmup: 500,
    channels: 32,
    timeDim: 64,
    emaDecay: 0.999,
    evalEvery: 2000,
    evalSamples: 400,
    target: 0.8,
    untimedSteps: 50,
    reconDigits: 1000,
  },
  // smoke: tiny, so that even tfjs' pure-JS backend (a terminal run) finishes in well under a minute.
  smoke: {
    T: 20,
    steps: 40,
    batch: 8,
    lr: 3e-3,
    warmup: 0,
    channels: 4,
    timeDim: 8,
    emaDecay: 0.9,
    evalEvery: 20,
    evalSamples: 8,
    target: 0.5,
    untimedSteps: 4,
    reconDigits: 32,
  },
});

type Space = 'pixel' | 'latent';

interface SpaceResult extends SpaceMeasurement {
  space: Space;
  params: number;
  trainSeconds: number;
  finalLoss: number;
  final: SampleQuality;
}

/** The paper's 1e-4 → 0.02 over T = 1000, rescaled so that ᾱ_T ≈ 0 with fewer steps. */
function scheduleFor(T: number): Schedule {
  return linearBetaSchedule(T, (1e-4 * 1000) / T, (0.02 * 1000) / T);
}

/** Linear warm-up to config.lr, then a cosine decay to 10% of it at the last step. */
function learningRate(step: number): number {
  if (step < config.warmup) return (config.lr * step) / config.warmup;
  const progress = (step - config.warmup) / Math.max(1, config.steps - config.warmup);
  return config.lr * (0.1 + 0.45 * (1 + Math.cos(Math.PI * progress)));
}

/** The UNet's shape in each space: pixels 16×16×1, latents the autoencoder's 4×4×4. */
function shapeOf(space: Space, stage: FirstStage): UNetShape {
  const c = stage.ae.config;
  return space === 'pixel'
    ? { size: IMAGE_SIZE, inChannels: 1, channels: config.channels, timeDim: config.timeDim }
    : { size: c.latentSize, inChannels: c.latentChannels, channels: config.channels, timeDim: config.timeDim };
}

/** Trains one space's DDPM for config.steps, evaluating every config.evalEvery steps; the clock stops while it evaluates. */
async function trainSpace(space: Space, stage: FirstStage, schedule: Schedule): Promise<SpaceResult> {
  const shape = shapeOf(space, stage);
  const data = mnistBatches(1); // the same digits in the same order for both spaces
  const unet = createUNet({ channels: shape.channels, inChannels: shape.inChannels, timeDim: shape.timeDim, seed: 2 });
  const ema = createEma(unet.weights, config.emaDecay);
  const optimizer = tf.train.adam(config.lr);
  const setLearningRate = (lr: number): void => {
    (optimizer as unknown as { learningRate: number }).learningRate = lr;
  };
  const model: EpsModel = (xt, t) => unet.apply(xt, t);
  const emaModel: EpsModel = (xt, t) => unet.apply(xt, t, ema.weights);
  const loss = (x0: tf.Tensor4D): tf.Scalar =>
    space === 'pixel' ? diffusionLoss(model, x0, schedule) : latentDiffusionLoss(model, stage, x0, schedule);
  /** N images [N, 16, 16, 1] from the EMA weights (latent: sampled as latents, then decoded). */
  const draw = (n: number): tf.Tensor4D =>
    space === 'pixel'
      ? sample(emaModel, schedule, [n, IMAGE_SIZE, IMAGE_SIZE, 1])
      : sampleImages(emaModel, stage, schedule, n);
  const lossName = space === 'pixel' ? 'pixel_loss' : 'loss';
  console.log(
    `${space}: UNet on [${shape.size}, ${shape.size}, ${shape.inChannels}], ${countParams(unet.weights)} parameters, ` +
      `${(unetFlops(shape) / 1e6).toFixed(2)} MFLOP per denoising step and image, ${(trainingStepFlops(shape, config.batch) / 1e9).toFixed(2)} GFLOP per training step`,
  );

  let trainMs = 0,
    timedMs = 0,
    lastLoss = NaN,
    sampleSeconds = NaN;
  const quality: QualityPoint[] = [];
  let final: SampleQuality | undefined;
  let step = 0;
  for (step = 1; step <= config.steps && !lab.shouldStop(); step++) {
    setLearningRate(learningRate(step));
    const { x0 } = data.next(config.batch); // [B, 16, 16, 1]
    const started = performance.now();
    const l = optimizer.minimize(() => loss(x0), true, Object.values(unet.weights)) as tf.Scalar;
    ema.update(unet.weights);
    lastLoss = (await l.data())[0]; // waits for the step to finish, so the clock measures it
    const ms = performance.now() - started;
    trainMs += ms;
    if (step > config.untimedSteps) timedMs += ms; // the first steps pack XNNPACK operators: not steady state
    tf.dispose([x0, l]);
    if (step % 2 === 0 || step === 1) lab.scalar(lossName, lastLoss, step);

    if (step % config.evalEvery === 0 || step === config.steps) {
      const t0 = performance.now();
      const images = draw(config.evalSamples);
      await images.data();
      sampleSeconds = (performance.now() - t0) / 1000;
      const q = await sampleQuality(images);
      const shown = images.slice(0, Math.min(16, config.evalSamples));
      await lab.images(`${space}_samples`, shown, step);
      tf.dispose([images, shown]);
      quality.push({ seconds: trainMs / 1000, confidence: q.confidence });
      lab.scalar(`${space}_confidence`, q.confidence, step);
      final = q;
      console.log(
        `${space} step ${step}: loss ${lastLoss.toFixed(4)}, sample_confidence ${q.confidence.toFixed(3)} after ${(trainMs / 60000).toFixed(2)} min of training; ${config.evalSamples} samples in ${sampleSeconds.toFixed(1)} s`,
      );
    }
  }
  const timedSteps = Math.max(1, step - 1 - config.untimedSteps);
  const result: SpaceResult = {
    space,
    params: countParams(unet.weights),
    trainSeconds: trainMs / 1000,
    finalLoss: lastLoss,
    trainStepsPerSecond: timedSteps / (timedMs / 1000),
    sampleSeconds,
    flopsPerStep: unetFlops(shape),
    quality,
    final: final ?? { confidence: 0, classHistogram: new Array<number>(10).fill(0), entropy: 0 },
  };
  ema.dispose();
  optimizer.dispose();
  tf.dispose(Object.values(unet.weights));
  return result;
}

/** What the first stage costs: the round-trip error on config.reconDigits test digits, and the judge's view of them. */
async function reconstruction(stage: FirstStage): Promise<{ mse: number; confidence: number }> {
  const test = mnistBatches(7, 'test').next(config.reconDigits).x0; // [N, 16, 16, 1]
  const z = encodeImages(stage, test); // [N, 4, 4, 4]
  const back = decodeLatents(stage, z); // [N, 16, 16, 1]
  const error = tf.tidy(() => tf.mean(tf.square(tf.sub(back, test))));
  const mse = (await error.data())[0];
  error.dispose();
  const shown = tf.tidy(() =>
    tf.concat([tf.concat(tf.unstack(test.slice(0, 8)), 1), tf.concat(tf.unstack(back.slice(0, 8)), 1)], 0),
  ); // [32, 128, 1]
  await lab.images('reconstructions', shown, 0);
  const { confidence } = await sampleQuality(back);
  tf.dispose([test, z, back, shown]);
  return { mse, confidence };
}

async function main(): Promise<void> {
  lab.watchFinite('pixel_loss'); // 'loss' is watched already: a NaN stops the run with a message
  const schedule = scheduleFor(config.T);
  const stage = await loadFirstStage();
  const recon = await reconstruction(stage);
  console.log(
    `first stage: 16×16×1 → ${stage.ae.config.latentSize}×${stage.ae.config.latentSize}×${stage.ae.config.latentChannels}, scale ${stage.scale.toFixed(4)}, ` +
      `round-trip MSE ${recon.mse.toFixed(4)} ([-1, 1] pixels), judge confidence on round trips ${recon.confidence.toFixed(3)}`,
  );

  const t0 = Date.now();
  const pixel = await trainSpace('pixel', stage, schedule);
  const latent = await trainSpace('latent', stage, schedule);
  const c = compareSpaces(pixel, latent, config.target);

  const fmt = (v: number | null, digits = 1): string => (v === null ? 'not reached' : v.toFixed(digits));
  const row = (name: string, p: string, l: string, ratio: string): string => `| ${name} | ${p} | ${l} | ${ratio} |`;
  const table = [
    '| | pixel 16×16×1 | latent 4×4×4 | latent advantage |',
    '|---|---|---|---|',
    row(
      'training steps/s',
      pixel.trainStepsPerSecond.toFixed(2),
      latent.trainStepsPerSecond.toFixed(2),
      `${c.trainSpeedup.toFixed(2)}×`,
    ),
    row(
      `seconds per ${config.evalSamples} samples (T = ${config.T})`,
      pixel.sampleSeconds.toFixed(2),
      latent.sampleSeconds.toFixed(2),
      `${c.sampleSpeedup.toFixed(2)}×`,
    ),
    row(
      'MFLOP per denoising step (one image)',
      (pixel.flopsPerStep / 1e6).toFixed(2),
      (latent.flopsPerStep / 1e6).toFixed(2),
      `${c.flopRatio.toFixed(2)}×`,
    ),
    row('final sample_confidence', pixel.final.confidence.toFixed(3), latent.final.confidence.toFixed(3), ''),
    row(
      `training seconds to sample_confidence ${config.target}`,
      fmt(c.timeToQuality.pixel),
      fmt(c.timeToQuality.latent),
      c.qualitySpeedup === null ? '—' : `${c.qualitySpeedup.toFixed(2)}×`,
    ),
    row('reconstruction MSE the autoencoder costs', '0', recon.mse.toFixed(4), ''),
  ].join('\n');
  lab.text('comparison', table, config.steps);
  console.log(table);

  lab.summary({
    latent_speedup: c.trainSpeedup,
    latent_speedup_definition:
      'latent ÷ pixel training steps per second (same UNet, batch, steps; latent includes the frozen encoder)',
    sampling_speedup: c.sampleSpeedup,
    flop_ratio: c.flopRatio,
    quality_speedup: c.qualitySpeedup ?? 'not reached by both',
    train_steps_per_s_pixel: pixel.trainStepsPerSecond,
    train_steps_per_s_latent: latent.trainStepsPerSecond,
    sample_seconds_pixel: pixel.sampleSeconds,
    sample_seconds_latent: latent.sampleSeconds,
    flops_per_step_pixel: pixel.flopsPerStep,
    flops_per_step_latent: latent.flopsPerStep,
    sample_confidence_pixel: pixel.final.confidence,
    sample_confidence_latent: latent.final.confidence,
    class_entropy_pixel: pixel.final.entropy,
    class_entropy_latent: latent.final.entropy,
    time_to_quality_pixel_s: c.timeToQuality.pixel ?? 'not reached',
    time_to_quality_latent_s: c.timeToQuality.latent ?? 'not reached',
    target_confidence: config.target,
    reconstruction_mse: recon.mse,
    reconstruction_confidence: recon.confidence,
    train_seconds_pixel: pixel.trainSeconds,
    train_seconds_latent: latent.trainSeconds,
    final_loss_pixel: pixel.finalLoss,
    final_loss_latent: latent.finalLoss,
    params: latent.params,
    steps: config.steps,
    T: config.T,
    total_minutes: (Date.now() - t0) / 60000,
  });
  console.log(
    `latent_speedup ${c.trainSpeedup.toFixed(2)}× (training steps/s), sampling ${c.sampleSpeedup.toFixed(2)}×, FLOPs ${c.flopRatio.toFixed(2)}×`,
  );
}

lab.run(main);
