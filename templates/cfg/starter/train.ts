/**
 * Trains a class-conditional DDPM on 16×16 MNIST with condition dropout, then samples with classifier-free
 * guidance (Ho & Salimans 2022) at several guidance weights w and measures the trade-off.
 *
 * What the run panel shows:
 *   loss                   the ε-regression loss
 *   samples/w=<w>          one row per digit 0 … 9 (SAMPLES_PER_CLASS each), sampled with guidance weight w
 *   accuracy_w<w>          the MNIST classifier agrees with the requested digit (fidelity)
 *   diversity_w<w>         mean pixel distance between samples of the same digit (variety)
 *   samples, accuracy, diversity   the same for the single weight CFG_GUIDANCE, for comparing two runs
 *
 * Compare "with vs without guidance": run once as is (w = 3) and once with CFG_GUIDANCE=0 (or change the
 * default below), then select both runs and use Compare Runs.
 */
import * as tf from '@tensorflow/tfjs';
import { lab } from '../../lab';
import { sampleQuality } from '../../lab/classifier';
import { NUM_CLASSES } from './conditioning';
import { IMAGE_SIZE, mnistBatches } from './data';
import { createEma } from './ema';
import { guidedEps } from './guidance';
import { conditionalLoss } from './loss';
import { sample } from './sample';
import { linearBetaSchedule } from './schedule';
import { countParams, createUNet, type CondEpsModel } from './unet';

/** The guidance weight reported as `accuracy` / `diversity` / `samples` (set CFG_GUIDANCE=0 for an unguided run). */
const GUIDANCE = Number(process.env.CFG_GUIDANCE ?? 3);
const SWEEP = [...new Set([0, 1, 3, 5, GUIDANCE])].sort((a, b) => a - b);

const config = lab.config({
  // ≈ 9 minutes on 2 CPU cores (wasm): see README "What a good run looks like".
  cpu: {
    T: 200,
    steps: 3800,
    batch: 64,
    lr: 2e-3,
    warmup: 200,
    channels: 16,
    timeDim: 32,
    emaDecay: 0.998,
    pUncond: 0.15,
    perClass: 10,
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
    pUncond: 0.15,
    perClass: 20,
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
    pUncond: 0.15,
    perClass: 1,
  },
});

/** Mean L2 distance between all pairs of samples that asked for the same digit (images [N, 16, 16, 1]). */
async function withinClassDistance(images: tf.Tensor4D, labels: Int32Array): Promise<number> {
  const flat = (await images.reshape([images.shape[0], -1]).array()) as number[][];
  let sum = 0,
    pairs = 0;
  for (let i = 0; i < flat.length; i++) {
    for (let j = i + 1; j < flat.length; j++) {
      if (labels[i] !== labels[j]) continue;
      let d = 0;
      for (let k = 0; k < flat[i].length; k++) d += (flat[i][k] - flat[j][k]) ** 2;
      sum += Math.sqrt(d);
      pairs++;
    }
  }
  return pairs ? sum / pairs : 0;
}

/** Linear warm-up to config.lr, then a cosine decay to 10% of it at the last step (the final weights settle). */
function learningRate(step: number): number {
  if (step < config.warmup) return (config.lr * step) / config.warmup;
  const progress = (step - config.warmup) / Math.max(1, config.steps - config.warmup); // 0 → 1
  return config.lr * (0.1 + 0.45 * (1 + Math.cos(Math.PI * progress)));
}

async function main(): Promise<void> {
  const schedule = linearBetaSchedule(config.T, (1e-4 * 1000) / config.T, (0.02 * 1000) / config.T);
  const data = mnistBatches(1);
  const unet = createUNet({ channels: config.channels, timeDim: config.timeDim, seed: 2 });
  const ema = createEma(unet.weights, config.emaDecay);
  const optimizer = tf.train.adam(config.lr);
  // Adam's learning rate is a plain field; tfjs has no scheduler, so the loop sets it each step.
  const setLearningRate = (lr: number): void => {
    (optimizer as unknown as { learningRate: number }).learningRate = lr;
  };
  const model: CondEpsModel = (xt, t, labels) => unet.apply(xt, t, labels);
  const emaModel: CondEpsModel = (xt, t, labels) => unet.apply(xt, t, labels, ema.weights);
  console.log(
    `CFG: T = ${config.T}, UNet ${countParams(unet.weights)} parameters, p_uncond ${config.pUncond}, ${config.steps} steps of ${config.batch}`,
  );

  const t0 = Date.now();
  let step = 0;
  for (step = 1; step <= config.steps && !lab.shouldStop(); step++) {
    setLearningRate(learningRate(step));
    const { x0, labels } = data.next(config.batch); // [B, 16, 16, 1], [B]
    const loss = optimizer.minimize(
      () => conditionalLoss(model, x0, labels, schedule, config.pUncond),
      true,
      Object.values(unet.weights),
    ) as tf.Scalar;
    ema.update(unet.weights);
    if (step % 2 === 0 || step === 1) {
      lab.scalar('loss', (await loss.data())[0], step);
      lab.scalar('learning_rate', learningRate(step), step);
    }
    tf.dispose([x0, loss]);
  }
  const last = step - 1;
  const trainMinutes = (Date.now() - t0) / 60000;

  // The sweep: the same starting noise for every w, so the grids differ only by the guidance.
  const requested = Int32Array.from({ length: NUM_CLASSES * config.perClass }, (_, i) =>
    Math.floor(i / config.perClass),
  ); // row k = digit k
  const N = requested.length;
  const labels = tf.tensor1d(requested, 'int32');
  const summary: Record<string, number | string> = {};
  for (const w of SWEEP) {
    let seed = 1000;
    const guided = (xt: tf.Tensor4D, t: tf.Tensor1D): tf.Tensor4D => guidedEps(emaModel, xt, t, labels, w);
    const images = sample(guided, schedule, [N, IMAGE_SIZE, IMAGE_SIZE, 1], {
      noise: (shape) => tf.randomNormal(shape, 0, 1, 'float32', seed++),
    });
    const quality = await sampleQuality(images, requested);
    const diversity = await withinClassDistance(images, requested);
    const accuracy = quality.accuracy ?? 0;
    await lab.images(`samples/w=${w}`, images, last);
    lab.scalar(`accuracy_w${w}`, accuracy, last);
    lab.scalar(`diversity_w${w}`, diversity, last);
    Object.assign(summary, {
      [`accuracy_w${w}`]: accuracy,
      [`diversity_w${w}`]: diversity,
      [`confidence_w${w}`]: quality.confidence,
    });
    if (w === GUIDANCE) {
      await lab.images('samples', images, last);
      lab.scalar('accuracy', accuracy, last);
      lab.scalar('diversity', diversity, last);
      Object.assign(summary, { accuracy, diversity, guidance: w });
    }
    console.log(
      `w = ${w}: accuracy ${accuracy.toFixed(3)}, diversity ${diversity.toFixed(3)}, confidence ${quality.confidence.toFixed(3)}`,
    );
    images.dispose();
  }
  labels.dispose();
  lab.summary({
    ...summary,
    steps: last,
    train_minutes: trainMinutes,
    total_minutes: (Date.now() - t0) / 60000,
    T: config.T,
    p_uncond: config.pUncond,
  });
  ema.dispose();
  optimizer.dispose();
  for (const v of Object.values(unet.weights)) v.dispose();
}

lab.run(main);
