/**
 * Does SigLIP degrade less than CLIP's softmax loss at small batch sizes? (provided)
 *
 * Zhai et al. 2023 (arXiv:2303.15343), §4 and Figure 2: the sigmoid loss beat the softmax loss most clearly at
 * small batch sizes. This script tests that claim on exercise 1's CLIP: one fresh model per run, trained on the
 * same data stream (same seed) for the same number of steps, with each objective at each batch size, on N simulated
 * workers through your distributed losses; then 48-way zero-shot accuracy on held-out colour×shape pairs. Run it
 * with `npx tsx exercises/openclip/train.ts`, or from the Multimodal Lab panel.
 */
import * as tf from '@tensorflow/tfjs';
import { lab } from '../../lab';
import { VOCAB, mulberry32 } from '../../lab/shapes';
import { disposeBatch, trainBatch } from './data';
import { zeroShotAccuracy, zeroShotSet, type ZeroShotResult, type ZeroShotSet } from './evaluate';
import { createClip, disposeClip, type ClipConfig } from './model';
import { createSigLipHead } from './siglip';
import { learningRate, ScheduledAdam, trainStep, type Objective } from './step';

const cfg = lab.config({
  cpu: {
    batches: [8, 32, 128],
    objectives: ['softmax', 'sigmoid'] as Objective[],
    steps: 1000,
    workers: 4,
    lr: 2e-3,
    warmup: 100,
    evalEvery: 250,
    imageSize: 24,
    patch: 6,
    width: 64,
    depth: 1,
    test: [2, 20],
    seed: 0,
  },
  gpu: {
    batches: [8, 32, 128],
    objectives: ['softmax', 'sigmoid'] as Objective[],
    steps: 2000,
    workers: 4,
    lr: 2e-3,
    warmup: 100,
    evalEvery: 250,
    imageSize: 48,
    patch: 6,
    width: 64,
    depth: 2,
    test: [4, 20],
    seed: 0,
  },
  smoke: {
    batches: [8, 32],
    objectives: ['softmax', 'sigmoid'] as Objective[],
    steps: 24,
    workers: 2,
    lr: 2e-3,
    warmup: 4,
    evalEvery: 12,
    imageSize: 24,
    patch: 6,
    width: 32,
    depth: 1,
    test: [1, 5],
    seed: 0,
  },
});

const config: ClipConfig = {
  imageSize: cfg.imageSize,
  patch: cfg.patch,
  visionWidth: cfg.width,
  visionDepth: cfg.depth,
  visionHeads: 4,
  textLength: 12,
  vocabSize: VOCAB.length,
  textWidth: cfg.width,
  textDepth: 1,
  textHeads: 4,
  mlpRatio: 2,
  embedDim: cfg.width,
};

interface RunResult extends ZeroShotResult {
  objective: Objective;
  batch: number;
  loss: number;
  minutes: number;
}

/** The name of one run's series: `softmax B=8`. */
const runName = (objective: Objective, batch: number): string => `${objective} B=${batch}`;

/**
 * Trains a fresh CLIP with `objective` at batch size `batch` for cfg.steps steps and returns its zero-shot accuracy.
 * Every run starts from the same initial weights and draws its batches from the same seeded stream. The panel's
 * `loss` curve is the softmax run at the largest batch (exercise 1's objective); every run has its own series.
 */
async function trainOne(objective: Objective, batch: number, testSet: ZeroShotSet): Promise<RunResult> {
  const t0 = Date.now();
  const model = createClip(config);
  const head = createSigLipHead();
  const optimizer = new ScheduledAdam(cfg.lr);
  const rng = mulberry32(cfg.seed);
  const name = runName(objective, batch);
  const headline = objective === 'softmax' && batch === Math.max(...cfg.batches);
  let loss = NaN;
  let zs: ZeroShotResult = { seen: NaN, heldOut: NaN };
  lab.watchFinite(`loss/${name}`);
  for (let step = 1; step <= cfg.steps && !lab.shouldStop(); step++) {
    optimizer.setLearningRate(learningRate(step, cfg.steps, cfg.lr, cfg.warmup));
    const data = trainBatch(rng, batch, cfg.imageSize, config.textLength);
    loss = await trainStep(model, head, optimizer, data, objective, cfg.workers);
    disposeBatch(data);
    lab.scalar(`loss/${name}`, loss, step);
    if (headline) lab.scalar('loss', loss, step);
    if (step % cfg.evalEvery === 0 || step === cfg.steps) {
      zs = await zeroShotAccuracy(model, testSet);
      lab.scalar(`zero_shot/heldout/${name}`, zs.heldOut, step);
      lab.scalar(`zero_shot/seen/${name}`, zs.seen, step);
      console.log(`${name} step ${step}: loss ${loss.toFixed(3)}, zero-shot held-out ${zs.heldOut.toFixed(3)}`);
    }
  }
  if (objective === 'sigmoid') {
    const [t, b] = await Promise.all([head.logScale.data(), head.bias.data()]);
    lab.text(`siglip/${name}`, `learned t = exp(t') = ${Math.exp(t[0]).toFixed(2)}, b = ${b[0].toFixed(2)}`, cfg.steps);
  }
  disposeClip(model);
  head.logScale.dispose();
  head.bias.dispose();
  optimizer.dispose();
  return { objective, batch, loss, ...zs, minutes: (Date.now() - t0) / 60000 };
}

async function main(): Promise<void> {
  const t0 = Date.now();
  const testSet = zeroShotSet(cfg.imageSize, cfg.test[0], cfg.test[1]);
  const examples = trainBatch(mulberry32(cfg.seed), 16, cfg.imageSize, config.textLength);
  await lab.images('data/examples', examples.images, 0);
  lab.text('data/captions', examples.captions.join('\n'), 0);
  disposeBatch(examples);
  console.log(
    `OpenCLIP sweep: ${cfg.objectives.join(' and ')} at batch ${cfg.batches.join(', ')}, ` +
      `${cfg.steps} steps each on ${cfg.workers} simulated workers`,
  );
  const results: RunResult[] = [];
  for (const objective of cfg.objectives)
    for (const batch of cfg.batches) if (!lab.shouldStop()) results.push(await trainOne(objective, batch, testSet));
  tf.dispose(testSet.images);
  await lab.table(
    'batch_sweep',
    results.map((r) => ({
      objective: r.objective,
      batch: r.batch,
      'zero-shot held-out': r.heldOut,
      'zero-shot seen': r.seen,
      'final loss': r.loss,
      minutes: r.minutes,
    })),
    cfg.steps,
  );
  const summary: Record<string, number> = {};
  for (const r of results) {
    summary[`zero_shot_heldout_${r.objective}_b${r.batch}`] = r.heldOut;
    summary[`zero_shot_seen_${r.objective}_b${r.batch}`] = r.seen;
  }
  // The milestone reads the softmax CLIP at the sweep's largest batch (128 in the cpu and gpu configurations).
  const largest = Math.max(...cfg.batches);
  const softmaxLargest = results.find((r) => r.objective === 'softmax' && r.batch === largest);
  if (softmaxLargest) {
    summary.zero_shot_heldout_softmax_largest_batch = softmaxLargest.heldOut;
    summary.largest_batch = largest;
  }
  lab.text(
    'batch_sweep',
    results
      .map((r) => `${runName(r.objective, r.batch)}: held-out ${r.heldOut.toFixed(3)}, seen ${r.seen.toFixed(3)}`)
      .join('\n'),
    cfg.steps,
  );
  lab.summary({ ...summary, steps: cfg.steps, workers: cfg.workers, total_minutes: (Date.now() - t0) / 60000 });
}

lab.run(main);
