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
 *   latent_speedup            latent ÷ pixel training steps per second (milestone "latent-speedup": ≥ 1.5)
 */
import * as tf from '@tensorflow/tfjs';
import { lab } from '../../lab';
import { sampleQuality, type SampleQuality } from '../../lab/classifier';
import { IMAGE_SIZE, mnistBatches } from '../../lab/diffusion/data';
import { createEma } from '../../lab/diffusion/ema';
import { diffusionLoss } from '../../lab/diffusion/loss';
import { sample } from '../../lab/diffusion/sample';
import { scheduleFor, type Schedule } from '../../lab/diffusion/schedule';
import { timeEmbedding } from '../../lab/diffusion/timeEmbedding';
import { DIFFUSION_SETTINGS, diffusionAdam } from '../../lab/diffusion/training';
import { countParams, createUNet, variables, type EpsModel } from '../../lab/diffusion/unet';
import { trainingStepFlops, unetFlops, type UNetShape } from './flops';
import {
  decodeLatents,
  encodeImages,
  latentDiffusionLoss,
  loadFirstStage,
  sampleImages,
  type FirstStage,
} from './latent';
import { compareSpaces, type QualityPoint, type SpaceMeasurement } from './measure';

/**
 * Seed s adds SEED_STRIDE · s to each seed, so the UNet's per-layer seeds (seed, seed + 1, …) of two runs never
 * meet.
 */
const SEED_STRIDE = 1000;

const config = lab.config({
  // `seed` moves both UNets' initialisation and the digits' order (the same in both spaces): every seed below is
  // offset by SEED_STRIDE · seed, so seed 0 is the reference run. (Training and sampling noise are unseeded.)
  // 6.7 minutes on 2 quiet CPU cores (wasm), both runs (reference run): see README "What a good run looks like".
  cpu: {
    ...DIFFUSION_SETTINGS.cpu, // T 200, batch 64, lr 2e-3, 16 channels: lab/diffusion/training.ts
    steps: 2000,
    evalEvery: 400,
    evalSamples: 100,
    target: 0.7,
    untimedSteps: 20,
    reconDigits: 1000,
    seed: 0,
  },
  gpu: {
    ...DIFFUSION_SETTINGS.gpu,
    steps: 20000,
    evalEvery: 2000,
    evalSamples: 400,
    target: 0.8,
    untimedSteps: 50,
    reconDigits: 1000,
    seed: 0,
  },
  // smoke: tiny, so that even tfjs' pure-JS backend (a terminal run) finishes in well under a minute.
  smoke: {
    ...DIFFUSION_SETTINGS.smoke,
    // 60 steps of 32, not 40 of 8: a latent step is cheap, and at batch 8 the loss's fall over 40 steps (≈ 0.1)
    // was within its step-to-step noise, so a smoke run on webgpu once ended higher than it started.
    steps: 60,
    batch: 32,
    evalEvery: 20,
    evalSamples: 8,
    target: 0.5,
    untimedSteps: 4,
    reconDigits: 32,
    seed: 0,
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

/** The UNet's shape in each space: pixels 16×16×1, latents the autoencoder's 4×4×4. */
function shapeOf(space: Space, stage: FirstStage): UNetShape {
  const c = stage.ae.config;
  return space === 'pixel'
    ? { size: IMAGE_SIZE, inChannels: 1, channels: config.channels, timeDim: config.timeDim }
    : { size: c.latentSize, inChannels: c.latentChannels, channels: config.channels, timeDim: config.timeDim };
}

/** One line on the UNet of a space: its input, parameters and FLOPs. */
function logSpace(space: Space, shape: UNetShape, params: number): void {
  console.log(
    `${space}: UNet on [${shape.size}, ${shape.size}, ${shape.inChannels}], ${params} parameters, ` +
      `${(unetFlops(shape) / 1e6).toFixed(2)} MFLOP per denoising step and image, ${(trainingStepFlops(shape, config.batch) / 1e9).toFixed(2)} GFLOP per training step`,
  );
}

/** Samples config.evalSamples images with `draw`, times it, judges them and shows 16; returns seconds and quality. */
async function evaluate(space: Space, draw: (n: number) => tf.Tensor4D, step: number) {
  const t0 = performance.now();
  const images = draw(config.evalSamples);
  await images.data();
  const sampleSeconds = (performance.now() - t0) / 1000;
  const quality = await sampleQuality(images);
  const shown = images.slice(0, Math.min(16, config.evalSamples));
  await lab.images(`${space}_samples`, shown, step);
  tf.dispose([images, shown]);
  lab.scalar(`${space}_confidence`, quality.confidence, step);
  return { sampleSeconds, quality };
}

/**
 * Trains one space's DDPM for config.steps, evaluating every config.evalEvery steps; the clock stops while it
 * evaluates.
 */
async function trainSpace(space: Space, stage: FirstStage, schedule: Schedule): Promise<SpaceResult> {
  const shape = shapeOf(space, stage);
  // the same digits in the same order for both spaces
  const data = mnistBatches(1 + SEED_STRIDE * config.seed);
  const unet = createUNet({ ...shape, seed: 2 + SEED_STRIDE * config.seed, timeEmbedding });
  const ema = createEma(unet.params, config.emaDecay);
  const adam = diffusionAdam(config); // β₂ = 0.99, warm-up + cosine: lab/diffusion/training.ts
  const model: EpsModel = (xt, t) => unet.apply(xt, t);
  const emaModel: EpsModel = (xt, t) => unet.apply(xt, t, { params: ema.params });
  const loss = (x0: tf.Tensor4D): tf.Scalar =>
    space === 'pixel' ? diffusionLoss(model, x0, schedule) : latentDiffusionLoss(model, stage, x0, schedule);
  /** N images [N, 16, 16, 1] from the EMA weights (latent: sampled as latents, then decoded). */
  const draw = (n: number): tf.Tensor4D =>
    space === 'pixel'
      ? sample(emaModel, schedule, [n, IMAGE_SIZE, IMAGE_SIZE, 1])
      : sampleImages(emaModel, stage, schedule, n);
  const params = countParams(unet.params);
  logSpace(space, shape, params);

  let trainMs = 0,
    timedMs = 0,
    lastLoss = NaN,
    sampleSeconds = NaN,
    step = 1;
  const quality: QualityPoint[] = [];
  let final: SampleQuality | undefined;
  for (; step <= config.steps && !lab.shouldStop(); step++) {
    adam.setStep(step);
    const { x0 } = data.next(config.batch); // [B, 16, 16, 1]
    const started = performance.now();
    const l = adam.minimize(() => loss(x0), variables(unet.params));
    ema.update(unet.params);
    lastLoss = (await l.data())[0]; // waits for the step to finish, so the clock measures it
    const ms = performance.now() - started;
    trainMs += ms;
    if (step > config.untimedSteps) timedMs += ms; // the first steps pack XNNPACK operators: not steady state
    tf.dispose([x0, l]);
    if (step % 2 === 0 || step === 1) lab.scalar(space === 'pixel' ? 'pixel_loss' : 'loss', lastLoss, step);
    if (step % config.evalEvery !== 0 && step !== config.steps) continue;
    const evaluated = await evaluate(space, draw, step);
    ({ sampleSeconds, quality: final } = evaluated);
    quality.push({ seconds: trainMs / 1000, confidence: final.confidence });
    console.log(
      `${space} step ${step}: loss ${lastLoss.toFixed(4)}, sample_confidence ${final.confidence.toFixed(3)} after ${(trainMs / 60000).toFixed(2)} min of training; ${config.evalSamples} samples in ${sampleSeconds.toFixed(1)} s`,
    );
  }
  ema.dispose();
  adam.optimizer.dispose();
  tf.dispose(variables(unet.params));
  return {
    space,
    params,
    trainSeconds: trainMs / 1000,
    finalLoss: lastLoss,
    trainStepsPerSecond: Math.max(1, step - 1 - config.untimedSteps) / (timedMs / 1000),
    sampleSeconds,
    flopsPerStep: unetFlops(shape),
    quality,
    final: final ?? { confidence: 0, classHistogram: new Array<number>(10).fill(0), entropy: 0 },
  };
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

/** The comparison as a markdown table: speed, FLOPs, quality and time to quality in each space. */
function comparisonTable(
  pixel: SpaceResult,
  latent: SpaceResult,
  c: ReturnType<typeof compareSpaces>,
  mse: number,
): string {
  const fmt = (v: number | null, digits = 1): string => (v === null ? 'not reached' : v.toFixed(digits));
  const row = (name: string, p: string, l: string, ratio: string): string => `| ${name} | ${p} | ${l} | ${ratio} |`;
  return [
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
    row('reconstruction MSE the autoencoder costs', '0', mse.toFixed(4), ''),
  ].join('\n');
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

  const table = comparisonTable(pixel, latent, c, recon.mse);
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
