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
import { disposeLanguageModel, lmWeights, loadLanguageModel } from '../../lab/lm';
import { mulberry32 } from '../../lab/shapes';
import { disposeVisionEncoder, loadVisionEncoder, numPatches, patchFeatures, visionWeights } from '../../lab/vision';
import { QUESTION_TYPES } from '../../lab/vqa';
import { measureImageUse, showAnswers, showExamples, type ImageUse } from '../../lab/vqaTraining';
import { countParams, trainStep, type Bridge } from './bridge';
import { disposeBatch, vqaBatch } from './data';
import { accuracy, answer, type Accuracy, type Answers } from './evaluate';
import { createFlamingo, flamingoBridge, gateValues } from './flamingo';
import { createLlava, llavaBridge } from './llava';
import { StepTimer, summaryOf, tradeoffTable, workingMemoryMb, type BridgeReport } from './tradeoffs';

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

async function main(): Promise<void> {
  const encoder = await loadVisionEncoder(); // frozen: lab/weights/shapes-vision
  const lm = await loadLanguageModel(); // frozen: lab/weights/shapes-lm
  const N = numPatches(encoder.config),
    Dv = encoder.config.width,
    size = encoder.config.imageSize;
  const flamingo = createFlamingo(
    lm,
    Dv,
    { latents: cfg.latents, resamplerDepth: cfg.resamplerDepth, heads: lm.config.heads, mlpRatio: cfg.mlpRatio },
    7,
  );
  const bridges: Bridge[] = [flamingoBridge(flamingo), llavaBridge(createLlava(lm, Dv, N, 7))];
  const optimizers = bridges.map(() => tf.train.adam(cfg.lr));
  const timers = bridges.map(() => new StepTimer());
  const memory = bridges.map(() => NaN);
  const stepsTo80: (number | null)[] = bridges.map(() => null);
  const frozenParams = countParams([
    ...Object.values(lmWeights(lm)),
    ...Object.values(visionWeights(encoder)),
  ] as tf.Variable[]);
  lab.watchFinite('loss/flamingo', 'loss/llava');

  const rng = mulberry32(2023);
  // Held-out questions on new images (a seed training never draws), their patch features computed once: the encoder is
  // frozen.
  const heldOut = Array.from({ length: cfg.evalBatches }, (_, i) =>
    vqaBatch(lm, mulberry32(90_000 + i), cfg.evalBatch, size),
  );
  const heldOutFeatures = heldOut.map((b) => patchFeatures(encoder, b.images)); // [B, N, Dv] each
  const started = Date.now();
  console.log(
    `bridges: ${bridges.map((b) => `${b.name} ${countParams(b.trainableVariables())} trainable`).join(', ')}; frozen ${frozenParams}; ` +
      `${cfg.steps} steps of ${cfg.batch}`,
  );

  const evaluate = async (step: number): Promise<ImageUse[]> => {
    const results: ImageUse[] = [];
    for (const [k, bridge] of bridges.entries()) {
      const { real, shuffled, textOnly } = await measureImageUse((images) =>
        accuracy(bridge, lm, heldOutFeatures, heldOut, images),
      );
      lab.scalar(`accuracy/${bridge.name}`, real.accuracy, step);
      lab.scalar(`accuracy/${bridge.name}_shuffled`, shuffled.accuracy, step);
      lab.scalar(`accuracy/${bridge.name}_text_only`, textOnly.accuracy, step);
      for (const t of QUESTION_TYPES) lab.scalar(`accuracy_${t}/${bridge.name}`, real.byType[t], step);
      if (stepsTo80[k] === null && real.accuracy >= 0.8) stepsTo80[k] = step;
      results.push({ real, shuffled, textOnly });
    }
    return results;
  };
  const logGates = async (step: number): Promise<void> => {
    const gates = await gateValues(flamingo);
    gates.attention.forEach((g, i) => lab.scalar(`gate/attention_${i}`, g, step));
    gates.ffw.forEach((g, i) => lab.scalar(`gate/ffw_${i}`, g, step));
  };

  const examples = heldOut[0];
  const shown = await showExamples(examples);
  const before = await evaluate(0);
  await logGates(0);
  console.log(
    `before training: ${bridges.map((b, k) => `${b.name} ${before[k].real.accuracy.toFixed(3)}`).join(', ')}`,
  );

  let step = 0;
  for (step = 1; step <= cfg.steps && !lab.shouldStop(); step++) {
    const batch = vqaBatch(lm, rng, cfg.batch, size);
    const features = patchFeatures(encoder, batch.images); // [B, N, Dv], shared by both bridges
    const losses: number[] = [];
    for (let k = 0; k < bridges.length; k++) {
      const run = (): Promise<number> => trainStep(bridges[k], optimizers[k], features, batch);
      if (step === 3) {
        // once, after Adam has made its moments: measure the step's working memory (untimed)
        const measured = await workingMemoryMb(run);
        memory[k] = measured.mb;
        losses.push(measured.result);
      } else {
        losses.push(await timers[k].time(run));
      }
      lab.scalar(`loss/${bridges[k].name}`, losses[k], step);
    }
    lab.scalar('loss', losses.reduce((a, b) => a + b, 0) / losses.length, step);
    tf.dispose(features);
    disposeBatch(batch);
    if (step % 10 === 0) await logGates(step);
    if (step % cfg.evalEvery === 0 && step < cfg.steps) {
      const e = await evaluate(step);
      console.log(
        `step ${step}  ${bridges.map((b, k) => `${b.name}: loss ${losses[k].toFixed(3)} acc ${e[k].real.accuracy.toFixed(3)} (shuffled ${e[k].shuffled.accuracy.toFixed(3)})`).join('  ')}` +
          `  (${((Date.now() - started) / 60000).toFixed(1)} min)`,
      );
    }
    await tf.nextFrame(); // let a Stop request through
  }

  const last = step - 1;
  const final = await evaluate(last);
  await logGates(last);
  const reports: BridgeReport[] = [];
  for (const [k, bridge] of bridges.entries()) {
    reports.push({
      bridge,
      trainableParams: countParams(bridge.trainableVariables()),
      frozenParams,
      stepsPerSecond: timers[k].stepsPerSecond(),
      memoryMb: memory[k],
      inferenceMs: await inferenceMs(bridge, heldOutFeatures[0], heldOut[0].text),
      lmSequence: 1 + bridge.contextTokens + examples.text.shape[1],
      stepsTo80: stepsTo80[k],
      real: final[k].real,
      shuffled: final[k].shuffled,
      textOnly: final[k].textOnly,
    });
  }
  const table = tradeoffTable(reports);
  lab.text('tradeoffs', table, last);
  console.log(`\n${table}\n`);

  // Example answers: the same eight held-out questions, answered by each bridge.
  const said: Answers[] = [];
  for (const b of bridges) said.push(await answer(b, lm, heldOutFeatures[0], examples));
  await showAnswers(
    shown,
    examples.qa,
    last,
    (q, i) =>
      `${i + 1}. ${q.question} (true: ${q.answer})  ` +
      bridges
        .map((b, k) => `${b.name}: ${said[k].predicted[i] || '(nothing)'} ${said[k].correct[i] ? '✓' : '✗'}`)
        .join('   '),
  );
  shown.dispose();
  lab.summary({
    ...summaryOf(reports),
    steps: last,
    minutes: (Date.now() - started) / 60000,
    frozen_params: frozenParams,
  });

  heldOut.forEach(disposeBatch);
  tf.dispose(heldOutFeatures);
  bridges.forEach((b) => b.dispose());
  optimizers.forEach((o) => o.dispose());
  disposeVisionEncoder(encoder);
  disposeLanguageModel(lm);
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
