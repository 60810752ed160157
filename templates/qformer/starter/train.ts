/**
 * BLIP-2's two stages on exercise 6's task (Li et al. 2023, §3.2–3.3), and what the first one buys.
 *
 *   stage 1   the Q-Former alone against the frozen image encoder: ITC + ITM on image–caption pairs
 *   stage 2   three bridges in lockstep on the same visual-question batches as exercise 6 (same seeds, same steps):
 *               qformer             the stage-1 Q-Former + one linear layer into the frozen LM
 *               qformer_no_stage1   the same Q-Former, freshly initialised (same seed), stage 2 only
 *               llava               exercise 3's MLP projection of every patch (the same run as exercise 6's LLaVA)
 *
 * What the run panel shows:
 *   stage1/itc, stage1/itm, stage1/loss         the stage-1 losses
 *   stage1/retrieval_i2t, stage1/itm_accuracy   held out: image→caption top-1 by ITC, and ITM's accuracy on
 *                                               matching pairs and hard negatives
 *   stage1/similarity (matrix)                  ITC's s(I, T)/τ of 12 held-out images against their captions
 *   loss/<bridge> (`loss` is their mean)        stage 2's answer-only cross-entropy
 *   accuracy/<bridge>, …_shuffled, …_text_only  held-out accuracy with real, shuffled and no (mean) images
 *   tradeoffs (text) and the summary            parameters, context tokens, steps/s, steps to 0.7 and 0.8, …
 */
import * as tf from '@tensorflow/tfjs';
import { lab } from '../../lab';
import { disposeLanguageModel, lmWeights, loadLanguageModel, type LanguageModel } from '../../lab/lm';
import { mulberry32 } from '../../lab/shapes';
import {
  disposeVisionEncoder,
  loadVisionEncoder,
  numPatches,
  patchFeatures,
  visionWeights,
  type VisionEncoder,
} from '../../lab/vision';
import { QUESTION_TYPES, describe, type VqaBatch } from '../../lab/vqa';
import { measureImageUse, showAnswers, showExamples, type ImageUse } from '../../lab/vqaTraining';
import { countParams, trainStep, type Bridge } from './bridge';
import { CAPTION_LENGTH, captionIds, disposeBatch, vqaBatch } from './data';
import { accuracy, answer, type Answers } from './evaluate';
import { createLlava, llavaBridge } from './llava';
import { createQFormer, type QFormer, type QFormerConfig } from './qformer';
import { hardNegatives, itcForward, itmLogits, stage1Step, stage1Variables } from './stage1';
import { createQFormerVlm, qformerBridge } from './stage2';
import { ACCURACY_BARS, StepTimer, summaryOf, tradeoffTable, workingMemoryMb, type BridgeReport } from './tradeoffs';

const cfg = lab.config({
  cpu: {
    stage1Steps: 250,
    stage1Batch: 64,
    stage1Lr: 2e-3,
    stage1EvalEvery: 50,
    steps: 600, // stage 2, as exercise 6
    batch: 64,
    lr: 2e-3,
    evalEvery: 50,
    evalBatches: 8,
    evalBatch: 64,
    queries: 8, // exercise 6's Flamingo resampled to 8 tokens too
    depth: 2,
    crossEvery: 2,
    mlpRatio: 2,
    embedDim: 32,
  },
  gpu: {
    stage1Steps: 2000,
    stage1Batch: 128,
    stage1Lr: 1e-3,
    stage1EvalEvery: 250,
    steps: 3000,
    batch: 128,
    lr: 2e-3,
    evalEvery: 250,
    evalBatches: 16,
    evalBatch: 64,
    queries: 8,
    depth: 4,
    crossEvery: 2,
    mlpRatio: 4,
    embedDim: 64,
  },
  // smoke: tiny, so that even tfjs's pure-JS backend (a terminal run) finishes in about a minute.
  smoke: {
    stage1Steps: 12,
    stage1Batch: 16,
    stage1Lr: 2e-3,
    stage1EvalEvery: 6,
    steps: 24,
    batch: 8,
    lr: 5e-3,
    evalEvery: 12,
    evalBatches: 1,
    evalBatch: 16,
    queries: 4,
    depth: 2,
    crossEvery: 2,
    mlpRatio: 2,
    embedDim: 16,
  },
});

/** What the run holds: the frozen parts, the held-out data, and what it measures. */
interface Run {
  encoder: VisionEncoder;
  lm: LanguageModel;
  frozenParams: number;
  heldOut: VqaBatch[];
  heldOutFeatures: tf.Tensor3D[]; // [B, N, Dv] each, computed once: the encoder is frozen
  started: number;
}

/** The stage-2 bridges in lockstep, with what the run measures of each. */
interface Stage2 {
  bridges: Bridge[];
  optimizers: tf.Optimizer[];
  timers: StepTimer[];
  memory: number[]; // working memory of one step, MB, per bridge (measured at step 3)
  stepsToBar: (number | null)[][]; // [bridge][bar]
}

/** What stage 1 reached, for the summary. */
interface Stage1Result {
  retrieval: number;
  itmAccuracy: number;
  itc: number;
  itm: number;
  stepsPerSecond: number;
  minutes: number;
}

function qformerConfig(lm: LanguageModel, encoder: VisionEncoder): QFormerConfig {
  return {
    queries: cfg.queries,
    width: encoder.config.width,
    depth: cfg.depth,
    heads: lm.config.heads,
    mlpRatio: cfg.mlpRatio,
    crossEvery: cfg.crossEvery,
    vocabSize: lm.config.vocabSize,
    maxText: CAPTION_LENGTH,
    embedDim: cfg.embedDim,
  };
}

async function setUp(): Promise<Run> {
  const encoder = await loadVisionEncoder(); // frozen: lab/weights/shapes-clip, its penultimate layer
  const lm = await loadLanguageModel(); // frozen: lab/weights/shapes-lm
  const frozen = [...Object.values(lmWeights(lm)), ...Object.values(visionWeights(encoder))] as tf.Variable[];
  // Held-out questions on new images: exercise 6's seeds, which training never draws.
  const heldOut = Array.from({ length: cfg.evalBatches }, (_, i) =>
    vqaBatch(lm, mulberry32(90_000 + i), cfg.evalBatch, encoder.config.imageSize),
  );
  return {
    encoder,
    lm,
    frozenParams: countParams(frozen),
    heldOut,
    heldOutFeatures: heldOut.map((b) => patchFeatures(encoder, b.images)),
    started: Date.now(),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Stage 1

/** Stage 1 is evaluated on the first 4 held-out batches (256 images at the cpu configuration's size). */
const STAGE1_EVAL_BATCHES = 4;

/**
 * Held out, after stage 1's training so far: image→caption top-1 by ITC over each held-out batch (chance 1/B), and
 * ITM's accuracy on its B matching pairs and 2B hard negatives (a classifier that always says "no" gets 2/3).
 */
async function evaluateStage1(
  qf: QFormer,
  run: Run,
  step: number,
): Promise<{ retrieval: number; itmAccuracy: number }> {
  let hits = 0,
    total = 0,
    itmHits = 0,
    itmTotal = 0;
  const rng = mulberry32(31_337);
  for (const [i, batch] of run.heldOut.slice(0, STAGE1_EVAL_BATCHES).entries()) {
    const captions = captionIds(run.lm, batch.scenes);
    const logits = itcForward(qf, run.heldOutFeatures[i], captions); // [B, B]
    if (i === 0) await showSimilarities(logits, batch, step);
    const best = tf.argMax(logits, 1);
    const picked = (await best.array()) as number[];
    hits += picked.filter((j, k) => j === k).length;
    total += picked.length;
    const negatives = await hardNegatives(logits, rng);
    const itm = tf.tidy(() => tf.argMax(itmLogits(qf, run.heldOutFeatures[i], captions, negatives), 1));
    const said = (await itm.array()) as number[];
    const B = picked.length;
    itmHits += said.filter((c, k) => c === (k < B ? 1 : 0)).length;
    itmTotal += said.length;
    tf.dispose([captions, logits, best, itm]);
  }
  return { retrieval: hits / total, itmAccuracy: itmHits / itmTotal };
}

/**
 * ITC's similarities s(I, T)/τ of the first 12 held-out images (rows) and their captions (columns): a bright diagonal
 * means each image's best query found its own caption.
 */
async function showSimilarities(logits: tf.Tensor2D, batch: VqaBatch, step: number): Promise<void> {
  const n = Math.min(12, logits.shape[0]);
  const shown = tf.slice(logits, [0, 0], [n, n]); // [n, n]
  const captions = batch.scenes.slice(0, n).map((scene) => describe(scene));
  await lab.matrix('stage1/similarity', shown, step, {
    rowLabels: captions.map((c, k) => `image ${k + 1}: ${c}`),
    colLabels: captions.map((c, k) => `caption ${k + 1}: ${c}`),
  });
  shown.dispose();
}

/** Stage 1: ITC + ITM for cfg.stage1Steps on fresh image–caption pairs. */
async function trainStage1(qf: QFormer, run: Run): Promise<Stage1Result> {
  const optimizer = tf.train.adam(cfg.stage1Lr);
  const rng = mulberry32(2301); // batches: a seed stage 2 never draws
  const negativesRng = mulberry32(1201);
  const timer = new StepTimer();
  const t0 = Date.now();
  let last = { itc: NaN, itm: NaN, total: NaN };
  let measured = await evaluateStage1(qf, run, 0);
  lab.scalar('stage1/retrieval_i2t', measured.retrieval, 0);
  lab.scalar('stage1/itm_accuracy', measured.itmAccuracy, 0);
  console.log(`stage 1: ${countParams(stage1Variables(qf))} trainable; before: retrieval ${measured.retrieval}`);
  for (let step = 1; step <= cfg.stage1Steps && !lab.shouldStop(); step++) {
    const batch = vqaBatch(run.lm, rng, cfg.stage1Batch, run.encoder.config.imageSize);
    const features = patchFeatures(run.encoder, batch.images); // [B, N, Dv]
    const captions = captionIds(run.lm, batch.scenes); // [B, CAPTION_LENGTH]
    last = await timer.time(() => stage1Step(qf, optimizer, features, captions, negativesRng));
    tf.dispose([features, captions]);
    disposeBatch(batch);
    lab.scalar('stage1/itc', last.itc, step);
    lab.scalar('stage1/itm', last.itm, step);
    lab.scalar('stage1/loss', last.total, step);
    if (step % cfg.stage1EvalEvery === 0 || step === cfg.stage1Steps) {
      measured = await evaluateStage1(qf, run, step);
      lab.scalar('stage1/retrieval_i2t', measured.retrieval, step);
      lab.scalar('stage1/itm_accuracy', measured.itmAccuracy, step);
      console.log(
        `stage 1 step ${step}: itc ${last.itc.toFixed(3)} itm ${last.itm.toFixed(3)} retrieval ` +
          `${measured.retrieval.toFixed(3)} itm acc ${measured.itmAccuracy.toFixed(3)} ` +
          `(${((Date.now() - run.started) / 60000).toFixed(1)} min)`,
      );
    }
    await tf.nextFrame(); // let a Stop request through
  }
  optimizer.dispose();
  return {
    ...measured,
    itc: last.itc,
    itm: last.itm,
    stepsPerSecond: timer.stepsPerSecond(),
    minutes: (Date.now() - t0) / 60000,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Stage 2

function createStage2(run: Run, stage1: QFormer): Stage2 {
  const config = stage1.config;
  const fresh = createQFormer(config, run.encoder.config.width, 11); // the same seed as the stage-1 one was
  const bridges: Bridge[] = [
    qformerBridge(createQFormerVlm(run.lm, stage1, 7), 'qformer'),
    qformerBridge(createQFormerVlm(run.lm, fresh, 7), 'qformer_no_stage1'),
    llavaBridge(createLlava(run.lm, run.encoder.config.width, numPatches(run.encoder.config), 7)),
  ];
  return {
    bridges,
    optimizers: bridges.map(() => tf.train.adam(cfg.lr)),
    timers: bridges.map(() => new StepTimer()),
    memory: bridges.map(() => NaN),
    stepsToBar: bridges.map(() => ACCURACY_BARS.map(() => null)),
  };
}

/** Each bridge's accuracy with real, shuffled and no images at `step`, charted; notes the bars it reaches. */
async function evaluate(run: Run, s2: Stage2, step: number): Promise<ImageUse[]> {
  const results: ImageUse[] = [];
  for (const [k, bridge] of s2.bridges.entries()) {
    const use = await measureImageUse((images) => accuracy(bridge, run.lm, run.heldOutFeatures, run.heldOut, images));
    lab.scalar(`accuracy/${bridge.name}`, use.real.accuracy, step);
    lab.scalar(`accuracy/${bridge.name}_shuffled`, use.shuffled.accuracy, step);
    lab.scalar(`accuracy/${bridge.name}_text_only`, use.textOnly.accuracy, step);
    for (const t of QUESTION_TYPES) lab.scalar(`accuracy_${t}/${bridge.name}`, use.real.byType[t], step);
    ACCURACY_BARS.forEach((bar, b) => {
      if (s2.stepsToBar[k][b] === null && use.real.accuracy >= bar) s2.stepsToBar[k][b] = step;
    });
    results.push(use);
  }
  return results;
}

/** One step of each bridge on the same batch, timed (at step 3: its working memory instead); returns their losses. */
async function stepAll(run: Run, s2: Stage2, step: number, batch: VqaBatch): Promise<number[]> {
  const features = patchFeatures(run.encoder, batch.images); // [B, N, Dv], shared by every bridge
  const losses: number[] = [];
  for (let k = 0; k < s2.bridges.length; k++) {
    const one = (): Promise<number> => trainStep(s2.bridges[k], s2.optimizers[k], features, batch);
    if (step === 3) {
      const measured = await workingMemoryMb(one); // once, after Adam has made its moments (untimed)
      s2.memory[k] = measured.mb;
      losses.push(measured.result);
    } else losses.push(await s2.timers[k].time(one));
    lab.scalar(`loss/${s2.bridges[k].name}`, losses[k], step);
  }
  lab.scalar('loss', losses.reduce((a, b) => a + b, 0) / losses.length, step);
  tf.dispose(features);
  return losses;
}

/** Stage 2 for cfg.steps (or until Stop), evaluating every cfg.evalEvery; resolves to the steps done. */
async function trainStage2(run: Run, s2: Stage2): Promise<number> {
  const rng = mulberry32(2023); // exercise 6's training batches
  let step = 0;
  for (step = 1; step <= cfg.steps && !lab.shouldStop(); step++) {
    const batch = vqaBatch(run.lm, rng, cfg.batch, run.encoder.config.imageSize);
    const losses = await stepAll(run, s2, step, batch);
    disposeBatch(batch);
    if (step % cfg.evalEvery === 0 && step < cfg.steps) {
      const e = await evaluate(run, s2, step);
      const each = s2.bridges.map(
        (b, k) => `${b.name}: loss ${losses[k].toFixed(3)} acc ${e[k].real.accuracy.toFixed(3)}`,
      );
      console.log(`step ${step}  ${each.join('  ')}  (${((Date.now() - run.started) / 60000).toFixed(1)} min)`);
    }
    await tf.nextFrame();
  }
  return step - 1;
}

async function reportsOf(run: Run, s2: Stage2, final: ImageUse[]): Promise<BridgeReport[]> {
  const reports: BridgeReport[] = [];
  for (const [k, bridge] of s2.bridges.entries()) {
    reports.push({
      bridge,
      trainableParams: countParams(bridge.trainableVariables()),
      frozenParams: run.frozenParams,
      stepsPerSecond: s2.timers[k].stepsPerSecond(),
      memoryMb: s2.memory[k],
      inferenceMs: await inferenceMs(bridge, run.heldOutFeatures[0], run.heldOut[0].text),
      lmSequence: 1 + bridge.contextTokens + run.heldOut[0].text.shape[1],
      stepsToBar: s2.stepsToBar[k],
      ...final[k],
    });
  }
  return reports;
}

/** Milliseconds of one forward pass over a held-out batch, read back (the median of 5, after one warm-up). */
async function inferenceMs(bridge: Bridge, features: tf.Tensor3D, text: tf.Tensor2D): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 6; i++) {
    const t0 = performance.now();
    const logits = tf.tidy(() => bridge.logits(features, text));
    await logits.data(); // the pass is done once its result is read
    logits.dispose();
    if (i > 0) times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[2];
}

/** The same eight held-out questions, answered by each bridge. */
async function showBridgeAnswers(run: Run, s2: Stage2, shown: tf.Tensor4D, step: number): Promise<void> {
  const examples = run.heldOut[0];
  const said: Answers[] = [];
  for (const b of s2.bridges) said.push(await answer(b, run.lm, run.heldOutFeatures[0], examples));
  const each = (i: number): string =>
    s2.bridges
      .map((b, k) => `${b.name}: ${said[k].predicted[i] || '(nothing)'} ${said[k].correct[i] ? '✓' : '✗'}`)
      .join('   ');
  await showAnswers(shown, examples.qa, step, (q, i) => `${i + 1}. ${q.question} (true: ${q.answer})  ${each(i)}`);
}

async function main(): Promise<void> {
  const run = await setUp();
  lab.watchFinite('stage1/loss', 'loss/qformer', 'loss/qformer_no_stage1', 'loss/llava');
  const shown = await showExamples(run.heldOut[0]);

  const qf = createQFormer(qformerConfig(run.lm, run.encoder), run.encoder.config.width, 11);
  const stage1 = await trainStage1(qf, run);

  const s2 = createStage2(run, qf);
  const trainable = s2.bridges.map((b) => `${b.name} ${countParams(b.trainableVariables())}`);
  console.log(`stage 2: trainable ${trainable.join(', ')}; frozen ${run.frozenParams}; ${cfg.steps} steps`);
  await evaluate(run, s2, 0);
  const last = await trainStage2(run, s2);
  const final = await evaluate(run, s2, last);
  const reports = await reportsOf(run, s2, final);
  const table = tradeoffTable(reports);
  lab.text('tradeoffs', table, last);
  console.log(`\n${table}\n`);
  await showBridgeAnswers(run, s2, shown, last);
  shown.dispose();
  const summary = summaryOf(reports);
  lab.summary({
    ...summary,
    stage1_gain: summary['accuracy/qformer'] - summary['accuracy/qformer_no_stage1'],
    'stage1/retrieval_i2t': stage1.retrieval,
    'stage1/itm_accuracy': stage1.itmAccuracy,
    'stage1/itc': stage1.itc,
    'stage1/itm': stage1.itm,
    'stage1/trainable_params': countParams(stage1Variables(qf)),
    'stage1/steps_per_s': stage1.stepsPerSecond,
    'stage1/minutes': stage1.minutes,
    stage1_steps: cfg.stage1Steps,
    steps: last,
    minutes: (Date.now() - run.started) / 60000,
    frozen_params: run.frozenParams,
  });
  s2.bridges.forEach((b) => b.dispose()); // the stage-1 Q-Former with the bridge that trained it further
  s2.optimizers.forEach((o) => o.dispose());
  run.heldOut.forEach(disposeBatch);
  tf.dispose(run.heldOutFeatures);
  disposeVisionEncoder(run.encoder);
  disposeLanguageModel(run.lm);
}

lab.run(main);
