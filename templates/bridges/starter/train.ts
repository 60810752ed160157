/**
 * The comparison run: Flamingo's bridge against LLaVA's, on the same frozen encoder and LM, the same batches, the
 * same number of steps and the same seeds. Every step draws one batch, the frozen encoder turns its images into
 * patch features once, and each bridge takes one Adam step on it.
 *
 * What the run panel shows, each chart overlaying the two bridges:
 *   loss/flamingo, loss/llava                  the answer-only cross-entropy (`loss` is their mean, which the
 *                                              runner watches for divergence)
 *   accuracy/<bridge>, accuracy/<bridge>_shuffled    held-out accuracy with the real and with shuffled images
 *   accuracy_<type>/<bridge>                   per question type: colour, shape, count, size, position, relation
 *   gate/attention_<i>, gate/ffw_<i>           tanh(α) of Flamingo's gates in front of LM block i: 0 at the start
 *   tradeoffs (text) and the summary           trainable parameters, steps/s, memory, context tokens, accuracies
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
import { logAnswerAttention, type SequenceLayout } from '../../lab/vlmAttention';
import { QUESTION_TYPES, type VqaBatch } from '../../lab/vqa';
import { measureImageUse, showAnswers, showExamples, type ImageUse } from '../../lab/vqaTraining';
import { countParams, trainStep, type Bridge } from './bridge';
import { disposeBatch, vqaBatch } from './data';
import { accuracy, answer, type Answers } from './evaluate';
import { createFlamingo, flamingoBridge, gateValues, type Flamingo } from './flamingo';
import { createLlava, llavaBridge, llavaSequence, type Llava } from './llava';
import { ACCURACY_BAR, StepTimer, summaryOf, tradeoffTable, workingMemoryMb, type BridgeReport } from './tradeoffs';

const cfg = lab.config({
  cpu: {
    steps: 600,
    batch: 64,
    lr: 2e-3,
    evalEvery: 50,
    evalBatches: 8,
    evalBatch: 64,
    latents: 8,
    resamplerDepth: 1,
    mlpRatio: 4,
  },
  gpu: {
    steps: 3000,
    batch: 128,
    lr: 2e-3,
    evalEvery: 250,
    evalBatches: 16,
    evalBatch: 64,
    latents: 16,
    resamplerDepth: 2,
    mlpRatio: 4,
  },
  // smoke: tiny, so that even tfjs's pure-JS backend (a terminal run) finishes in well under a minute.
  smoke: {
    steps: 24,
    batch: 8,
    lr: 5e-3,
    evalEvery: 12,
    evalBatches: 1,
    evalBatch: 16,
    latents: 4,
    resamplerDepth: 1,
    mlpRatio: 2,
  },
});

/** What the run holds while it trains both bridges: the frozen parts, the bridges, and what it measures of each. */
interface Run {
  encoder: VisionEncoder;
  lm: LanguageModel;
  flamingo: Flamingo;
  llava: Llava;
  bridges: Bridge[];
  optimizers: tf.Optimizer[];
  timers: StepTimer[];
  memory: number[]; // working memory of one step, MB, per bridge (measured at step 3)
  stepsToBar: (number | null)[];
  frozenParams: number;
  heldOut: VqaBatch[];
  heldOutFeatures: tf.Tensor3D[]; // [B, N, Dv] each, computed once: the encoder is frozen
  started: number;
}

/**
 * Where LLaVA's answer looks (lab/vlmAttention.ts): its sequence is <eot>, the N image tokens, the words, so the
 * LM's self-attention from the answer's position to positions 1 … N is all it reads of the image. (Flamingo reads
 * the image through its cross-attention instead; its gates, charted as `gate/…`, say how much of it passes.)
 */
function llavaLayout(run: Pick<Run, 'encoder' | 'llava'>): SequenceLayout {
  const N = numPatches(run.encoder.config);
  return {
    imageStart: 1,
    imageTokens: N,
    contextTokens: N,
    sequence: (images, text) => ({ sequence: llavaSequence(run.llava, patchFeatures(run.encoder, images), text) }),
  };
}

/** Loads the frozen encoder and LM, builds both bridges on them, and the held-out questions on new images. */
async function setUp(): Promise<Run> {
  const encoder = await loadVisionEncoder(); // frozen: lab/weights/shapes-clip, its penultimate layer (as LLaVA)
  const lm = await loadLanguageModel(); // frozen: lab/weights/shapes-lm
  const N = numPatches(encoder.config),
    Dv = encoder.config.width;
  const sizes = {
    latents: cfg.latents,
    resamplerDepth: cfg.resamplerDepth,
    heads: lm.config.heads,
    mlpRatio: cfg.mlpRatio,
  };
  const flamingo = createFlamingo(lm, Dv, sizes, 7);
  const llava = createLlava(lm, Dv, N, 7);
  const bridges: Bridge[] = [flamingoBridge(flamingo), llavaBridge(llava)];
  const frozen = [...Object.values(lmWeights(lm)), ...Object.values(visionWeights(encoder))] as tf.Variable[];
  // Held-out questions on new images: seeds training never draws.
  const heldOut = Array.from({ length: cfg.evalBatches }, (_, i) =>
    vqaBatch(lm, mulberry32(90_000 + i), cfg.evalBatch, encoder.config.imageSize),
  );
  return {
    encoder,
    lm,
    flamingo,
    llava,
    bridges,
    optimizers: bridges.map(() => tf.train.adam(cfg.lr)),
    timers: bridges.map(() => new StepTimer()),
    memory: bridges.map(() => NaN),
    stepsToBar: bridges.map(() => null),
    frozenParams: countParams(frozen),
    heldOut,
    heldOutFeatures: heldOut.map((b) => patchFeatures(encoder, b.images)),
    started: Date.now(),
  };
}

/** Each bridge's accuracy with real, shuffled and no images at `step`, charted; notes when it reaches ACCURACY_BAR. */
async function evaluate(run: Run, step: number): Promise<ImageUse[]> {
  const results: ImageUse[] = [];
  for (const [k, bridge] of run.bridges.entries()) {
    const use = await measureImageUse((images) => accuracy(bridge, run.lm, run.heldOutFeatures, run.heldOut, images));
    lab.scalar(`accuracy/${bridge.name}`, use.real.accuracy, step);
    lab.scalar(`accuracy/${bridge.name}_shuffled`, use.shuffled.accuracy, step);
    lab.scalar(`accuracy/${bridge.name}_text_only`, use.textOnly.accuracy, step);
    for (const t of QUESTION_TYPES) lab.scalar(`accuracy_${t}/${bridge.name}`, use.real.byType[t], step);
    if (run.stepsToBar[k] === null && use.real.accuracy >= ACCURACY_BAR) run.stepsToBar[k] = step;
    results.push(use);
  }
  await logAnswerAttention('attention/llava_answer_to_image', run.lm, llavaLayout(run), run.heldOut[0], step);
  return results;
}

/** tanh(α) of Flamingo's gates in front of each LM block at `step`. */
async function logGates(flamingo: Flamingo, step: number): Promise<void> {
  const gates = await gateValues(flamingo);
  gates.attention.forEach((g, i) => lab.scalar(`gate/attention_${i}`, g, step));
  gates.ffw.forEach((g, i) => lab.scalar(`gate/ffw_${i}`, g, step));
}

/** One step of each bridge on the same batch, timed (at step 3: its working memory instead); returns their losses. */
async function stepBoth(run: Run, step: number, batch: VqaBatch): Promise<number[]> {
  const features = patchFeatures(run.encoder, batch.images); // [B, N, Dv], shared by both bridges
  const losses: number[] = [];
  for (let k = 0; k < run.bridges.length; k++) {
    const one = (): Promise<number> => trainStep(run.bridges[k], run.optimizers[k], features, batch);
    if (step === 3) {
      // once, after Adam has made its moments: measure the step's working memory (untimed)
      const measured = await workingMemoryMb(one);
      run.memory[k] = measured.mb;
      losses.push(measured.result);
    } else {
      losses.push(await run.timers[k].time(one));
    }
    lab.scalar(`loss/${run.bridges[k].name}`, losses[k], step);
  }
  lab.scalar('loss', losses.reduce((a, b) => a + b, 0) / losses.length, step);
  tf.dispose(features);
  return losses;
}

/** Trains both bridges for cfg.steps (or until Stop), evaluating every cfg.evalEvery; resolves to the steps done. */
async function train(run: Run): Promise<number> {
  const rng = mulberry32(2023);
  let step = 0;
  for (step = 1; step <= cfg.steps && !lab.shouldStop(); step++) {
    const batch = vqaBatch(run.lm, rng, cfg.batch, run.encoder.config.imageSize);
    const losses = await stepBoth(run, step, batch);
    disposeBatch(batch);
    if (step % 10 === 0) await logGates(run.flamingo, step);
    if (step % cfg.evalEvery === 0 && step < cfg.steps) {
      const e = await evaluate(run, step);
      const each = run.bridges.map(
        (b, k) =>
          `${b.name}: loss ${losses[k].toFixed(3)} acc ${e[k].real.accuracy.toFixed(3)} ` +
          `(shuffled ${e[k].shuffled.accuracy.toFixed(3)})`,
      );
      console.log(`step ${step}  ${each.join('  ')}  (${((Date.now() - run.started) / 60000).toFixed(1)} min)`);
    }
    await tf.nextFrame(); // let a Stop request through
  }
  return step - 1;
}

/** The trade-off report of each bridge after training, from the final evaluation. */
async function reportsOf(run: Run, final: ImageUse[]): Promise<BridgeReport[]> {
  const reports: BridgeReport[] = [];
  for (const [k, bridge] of run.bridges.entries()) {
    reports.push({
      bridge,
      trainableParams: countParams(bridge.trainableVariables()),
      frozenParams: run.frozenParams,
      stepsPerSecond: run.timers[k].stepsPerSecond(),
      memoryMb: run.memory[k],
      inferenceMs: await inferenceMs(bridge, run.heldOutFeatures[0], run.heldOut[0].text),
      lmSequence: 1 + bridge.contextTokens + run.heldOut[0].text.shape[1],
      stepsToBar: run.stepsToBar[k],
      ...final[k],
    });
  }
  return reports;
}

/** The same eight held-out questions, answered by each bridge, at `step`. */
async function showBridgeAnswers(run: Run, shown: tf.Tensor4D, step: number): Promise<void> {
  const examples = run.heldOut[0];
  const said: Answers[] = [];
  for (const b of run.bridges) said.push(await answer(b, run.lm, run.heldOutFeatures[0], examples));
  const each = (i: number): string =>
    run.bridges
      .map((b, k) => `${b.name}: ${said[k].predicted[i] || '(nothing)'} ${said[k].correct[i] ? '✓' : '✗'}`)
      .join('   ');
  await showAnswers(shown, examples.qa, step, (q, i) => `${i + 1}. ${q.question} (true: ${q.answer})  ${each(i)}`);
}

function disposeRun(run: Run): void {
  run.heldOut.forEach(disposeBatch);
  tf.dispose(run.heldOutFeatures);
  run.bridges.forEach((b) => b.dispose());
  run.optimizers.forEach((o) => o.dispose());
  disposeVisionEncoder(run.encoder);
  disposeLanguageModel(run.lm);
}

async function main(): Promise<void> {
  const run = await setUp();
  lab.watchFinite('loss/flamingo', 'loss/llava');
  const trainable = run.bridges.map((b) => `${b.name} ${countParams(b.trainableVariables())} trainable`);
  console.log(`bridges: ${trainable.join(', ')}; frozen ${run.frozenParams}; ${cfg.steps} steps of ${cfg.batch}`);

  const shown = await showExamples(run.heldOut[0]);
  const before = await evaluate(run, 0);
  await logGates(run.flamingo, 0);
  console.log(
    `before training: ${run.bridges.map((b, k) => `${b.name} ${before[k].real.accuracy.toFixed(3)}`).join(', ')}`,
  );

  const last = await train(run);
  const final = await evaluate(run, last);
  await logGates(run.flamingo, last);
  const reports = await reportsOf(run, final);
  const table = tradeoffTable(reports);
  lab.text('tradeoffs', table, last);
  console.log(`\n${table}\n`);
  await showBridgeAnswers(run, shown, last);
  shown.dispose();
  lab.summary({
    ...summaryOf(reports),
    steps: last,
    minutes: (Date.now() - run.started) / 60000,
    frozen_params: run.frozenParams,
  });
  disposeRun(run);
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

lab.run(main);
