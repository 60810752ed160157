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
 *   guidance_sweep         a table: per w, its samples, accuracy, diversity and confidence side by side
 *
 * Compare "with vs without guidance": run once as is (w = 3) and once with CFG_GUIDANCE=0 (or change the
 * default below), then select both runs and use Compare Runs.
 */
import * as tf from '@tensorflow/tfjs';
import { lab, type TableCellInput } from '../../lab';
import { sampleQuality } from '../../lab/classifier';
import { IMAGE_SIZE, mnistBatches } from '../../lab/diffusion/data';
import { createEma, type Ema } from '../../lab/diffusion/ema';
import { sample } from '../../lab/diffusion/sample';
import { scheduleFor, type Schedule } from '../../lab/diffusion/schedule';
import { timeEmbedding } from '../../lab/diffusion/timeEmbedding';
import { DIFFUSION_SETTINGS, diffusionAdam } from '../../lab/diffusion/training';
import {
  countParams,
  createUNet,
  variables,
  type CondEpsModel,
  type UNet,
  type UNetParams,
} from '../../lab/diffusion/unet';
import { addLabelEmbedding, NUM_CLASSES } from './conditioning';
import { guidedEps } from './guidance';
import { conditionalLoss } from './loss';

/** The guidance weight reported as `accuracy` / `diversity` / `samples` (set CFG_GUIDANCE=0 for an unguided run). */
const GUIDANCE = Number(process.env.CFG_GUIDANCE ?? 3);
const SWEEP = [...new Set([0, 1, 3, 5, GUIDANCE])].sort((a, b) => a - b);

const config = lab.config({
  // 7.9 minutes on 2 quiet CPU cores (wasm), measured before the zero-init / β₂ fix, which changes no step's cost:
  // see README "What a good run looks like".
  cpu: {
    ...DIFFUSION_SETTINGS.cpu, // T 200, batch 64, lr 2e-3, 16 channels: lab/diffusion/training.ts
    steps: 3800,
    pUncond: 0.15,
    perClass: 10,
  },
  gpu: {
    ...DIFFUSION_SETTINGS.gpu,
    steps: 20000,
    pUncond: 0.15,
    perClass: 20,
  },
  // smoke: tiny, so that even tfjs' pure-JS backend (a terminal run) finishes in well under a minute.
  smoke: {
    ...DIFFUSION_SETTINGS.smoke,
    steps: 40,
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

/** Algorithm 1 with condition dropout for config.steps (or until Stop), the EMA updated after each step. */
async function train(unet: UNet, ema: Ema<UNetParams>, schedule: Schedule): Promise<number> {
  const data = mnistBatches(1);
  const adam = diffusionAdam(config); // β₂ = 0.99, warm-up + cosine: lab/diffusion/training.ts
  const model: CondEpsModel = (xt, t, labels) => unet.apply(xt, t, { labels });
  let step = 1;
  for (; step <= config.steps && !lab.shouldStop(); step++) {
    const lr = adam.setStep(step);
    const { x0, labels } = data.next(config.batch); // [B, 16, 16, 1], [B]
    const loss = adam.minimize(
      () => conditionalLoss(model, x0, labels, schedule, config.pUncond),
      variables(unet.params),
    );
    ema.update(unet.params);
    if (step % 2 === 0 || step === 1) {
      lab.scalar('loss', (await loss.data())[0], step);
      lab.scalar('learning_rate', lr, step);
    }
    tf.dispose([x0, loss]);
  }
  adam.optimizer.dispose();
  return step - 1;
}

/**
 * Samples every digit with guidance weight w from the same starting noise, and measures fidelity and variety. The
 * caller disposes the returned images.
 */
async function evaluate(emaModel: CondEpsModel, schedule: Schedule, w: number, step: number) {
  const requested = Int32Array.from({ length: NUM_CLASSES * config.perClass }, (_, i) =>
    Math.floor(i / config.perClass),
  ); // row k = digit k
  const labels = tf.tensor1d(requested, 'int32');
  let seed = 1000; // the same noise for every w, so the grids differ only by the guidance
  const guided = (xt: tf.Tensor4D, t: tf.Tensor1D): tf.Tensor4D => guidedEps(emaModel, xt, t, labels, w);
  const images = sample(guided, schedule, [requested.length, IMAGE_SIZE, IMAGE_SIZE, 1], {
    noise: (shape) => tf.randomNormal(shape, 0, 1, 'float32', seed++),
  });
  const quality = await sampleQuality(images, requested);
  const diversity = await withinClassDistance(images, requested);
  await lab.images(`samples/w=${w}`, images, step);
  if (w === GUIDANCE) await lab.images('samples', images, step);
  labels.dispose();
  return { accuracy: quality.accuracy ?? 0, diversity, confidence: quality.confidence, images };
}

/**
 * The guidance sweep: one evaluation per weight, reported as scalars, gathered into the summary, and set side by
 * side in the `guidance_sweep` table (one row per w: its samples, fidelity and variety), where the trade-off reads
 * down the columns.
 */
async function sweep(emaModel: CondEpsModel, schedule: Schedule, step: number) {
  const summary: Record<string, number> = {};
  const rows: Array<Record<string, TableCellInput>> = [];
  const grids: tf.Tensor[] = [];
  for (const w of SWEEP) {
    const { accuracy, diversity, confidence, images } = await evaluate(emaModel, schedule, w, step);
    grids.push(images);
    rows.push({ w, samples: { image: images }, accuracy, diversity, confidence });
    lab.scalar(`accuracy_w${w}`, accuracy, step);
    lab.scalar(`diversity_w${w}`, diversity, step);
    Object.assign(summary, {
      [`accuracy_w${w}`]: accuracy,
      [`diversity_w${w}`]: diversity,
      [`confidence_w${w}`]: confidence,
    });
    if (w === GUIDANCE) {
      lab.scalar('accuracy', accuracy, step);
      lab.scalar('diversity', diversity, step);
      Object.assign(summary, { accuracy, diversity, guidance: w });
    }
    console.log(
      `w = ${w}: accuracy ${accuracy.toFixed(3)}, diversity ${diversity.toFixed(3)}, confidence ${confidence.toFixed(3)}`,
    );
  }
  await lab.table('guidance_sweep', rows, step);
  tf.dispose(grids);
  return summary;
}

async function main(): Promise<void> {
  const schedule = scheduleFor(config.T);
  const unet = createUNet({
    channels: config.channels,
    timeDim: config.timeDim,
    seed: 2,
    timeEmbedding,
    labels: { rows: NUM_CLASSES + 1, embed: addLabelEmbedding }, // one row per digit + the learned null row
  });
  const ema = createEma(unet.params, config.emaDecay);
  console.log(
    `CFG: T = ${config.T}, UNet ${countParams(unet.params)} parameters, p_uncond ${config.pUncond}, ${config.steps} steps of ${config.batch}`,
  );
  const t0 = Date.now();
  const steps = await train(unet, ema, schedule);
  const trainMinutes = (Date.now() - t0) / 60000;
  const emaModel: CondEpsModel = (xt, t, labels) => unet.apply(xt, t, { labels, params: ema.params });
  const summary = await sweep(emaModel, schedule, steps);
  lab.summary({
    ...summary,
    steps,
    train_minutes: trainMinutes,
    total_minutes: (Date.now() - t0) / 60000,
    T: config.T,
    p_uncond: config.pUncond,
  });
  ema.dispose();
  tf.dispose(variables(unet.params));
}

lab.run(main);
