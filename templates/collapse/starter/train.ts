/**
 * Trains the small LLaVA of exercise 3 — and it collapses. (Provided: this is the run you debug.)
 *
 * Liu et al. 2023, §4.2 stage 1: the vision encoder and the LM stay frozen, only the bridge trains (bridge.ts), on
 * visual questions whose loss counts the answers alone. This run starts, trains without an error, and its loss
 * falls. But `accuracy` and `accuracy_shuffled` stay together: the model answers from the question alone, the
 * "text prior", and `image_gap` stays near 0. Several independent mistakes in this set-up each cause that on their
 * own. Work through the investigation in the order of the tests (tests/collapse.test.ts):
 *
 *   TODO(1): write the diagnostic `imageDependence` (diagnostics.ts), so the run shows how far answers depend on
 *            the image.
 *   TODO(2): does the image reach the model? Different scenes must give the encoder, and so the bridge,
 *            different features.
 *   TODO(3): can the question and the answer see the image tokens?
 *   TODO(4): do the optimizers train the whole bridge, and only the bridge?
 *   TODO(5): can the gate open within a run?
 *
 * Each TODO's tests fail until you have found and fixed its mistake, wherever in these files it is; the failure
 * message describes the symptom. Then run this again: a repaired run reaches image_gap ≥ 0.30.
 *
 * Run it with `npx tsx exercises/collapse/train.ts`, or from the Multimodal Lab panel.
 */
import * as tf from '@tensorflow/tfjs';
import { lab } from '../../lab';
import { disposeLanguageModel, loadLanguageModel } from '../../lab/lm';
import { mulberry32 } from '../../lab/shapes';
import { disposeVisionEncoder, loadVisionEncoder } from '../../lab/vision';
import { QUESTION_TYPES } from '../../lab/vqa';
import { disposeBridge, gateOpening } from './bridge';
import { disposeBatch, vqaBatch } from './data';
import { answer, diagnose, type Diagnosis } from './evaluate';
import { createVlm } from './model';
import { createOptimizers, disposeOptimizers, trainStep } from './step';

/** What each evaluation reports: the diagnostics and the gate's opening tanh(α). */
type Report = Diagnosis & { gate: number };

const cfg = lab.config({
  cpu: { steps: 1500, batch: 64, lr: 2e-3, evalEvery: 250, evalBatches: 8, evalBatch: 64, projection: 'mlp' as const },
  gpu: {
    steps: 3000,
    batch: 128,
    lr: 2e-3,
    evalEvery: 500,
    evalBatches: 16,
    evalBatch: 64,
    projection: 'mlp' as const,
  },
  smoke: { steps: 24, batch: 8, lr: 5e-3, evalEvery: 12, evalBatches: 1, evalBatch: 16, projection: 'mlp' as const },
});

async function main(): Promise<void> {
  const encoder = await loadVisionEncoder(); // frozen: lab/weights/shapes-vision
  const lm = await loadLanguageModel(); // frozen: lab/weights/shapes-lm
  const vlm = await createVlm(encoder, lm, cfg.projection);
  const size = encoder.config.imageSize;
  const optimizers = createOptimizers(cfg.lr);
  const rng = mulberry32(2023);
  // Held-out images: a seed the training stream never draws from.
  const heldOut = Array.from({ length: cfg.evalBatches }, (_, i) =>
    vqaBatch(lm, mulberry32(90_000 + i), cfg.evalBatch, size),
  );
  const started = Date.now();

  const report = async (step: number): Promise<Report> => {
    const d = await diagnose(vlm, heldOut);
    const gate = await gateOpening(vlm.bridge);
    lab.scalar('accuracy', d.accuracy, step);
    lab.scalar('accuracy_shuffled', d.accuracyShuffled, step);
    lab.scalar('image_gap', d.imageGap, step);
    if (Number.isFinite(d.imageDependence)) lab.scalar('image_dependence', d.imageDependence, step);
    lab.scalar('gate', gate, step);
    for (const t of QUESTION_TYPES) lab.scalar(`accuracy/${t}`, d.byType[t], step);
    return { ...d, gate };
  };
  const line = (d: Report): string =>
    `accuracy ${d.accuracy.toFixed(3)}, shuffled ${d.accuracyShuffled.toFixed(3)}, ` +
    `gap ${d.imageGap.toFixed(3)}, image dependence ${Number.isFinite(d.imageDependence) ? d.imageDependence.toFixed(3) : '(TODO(1))'}, ` +
    `gate ${d.gate.toFixed(3)}`;

  const examples = heldOut[0];
  const shown = examples.images.slice(0, 8);
  await lab.images('data/examples', shown, 0);
  lab.text(
    'data/examples',
    examples.qa
      .slice(0, 8)
      .map((q, i) => `${i + 1}. ${q.question} ${q.answer}  (${q.type})`)
      .join('\n'),
    0,
  );
  console.log(`before training: ${line(await report(0))}`);

  let step = 0;
  for (step = 1; step <= cfg.steps && !lab.shouldStop(); step++) {
    const batch = vqaBatch(lm, rng, cfg.batch, size);
    const loss = await trainStep(vlm, optimizers, batch);
    disposeBatch(batch);
    lab.scalar('loss', loss, step);
    if (step % cfg.evalEvery === 0 && step < cfg.steps) {
      console.log(
        `step ${step}  loss ${loss.toFixed(3)}  ${line(await report(step))}  (${((Date.now() - started) / 60000).toFixed(1)} min)`,
      );
    }
    await tf.nextFrame(); // let a Stop request through
  }

  const final = await report(step - 1);
  // Example answers: the images, and what the model said with the right image and with a shuffled one.
  const withImage = await answer(vlm, examples),
    shuffledImage = await answer(vlm, examples, true);
  await lab.images('answers/examples', shown, step - 1);
  shown.dispose();
  lab.text(
    'answers/examples',
    examples.qa
      .slice(0, 8)
      .map(
        (q, i) =>
          `${i + 1}. ${q.question}  →  ${withImage.predicted[i] || '(nothing)'} ${withImage.correct[i] ? '✓' : `✗ (true: ${q.answer})`}` +
          `   | with image ${((i + 1) % cfg.evalBatch) + 1}: ${shuffledImage.predicted[i] || '(nothing)'}`,
      )
      .join('\n'),
    step - 1,
  );
  const byType = Object.fromEntries(QUESTION_TYPES.map((t) => [`accuracy_${t}`, final.byType[t]]));
  lab.summary({
    accuracy: final.accuracy,
    accuracy_shuffled: final.accuracyShuffled,
    image_gap: final.imageGap,
    ...(Number.isFinite(final.imageDependence) ? { image_dependence: final.imageDependence } : {}),
    gate: final.gate,
    ...byType,
    projection: cfg.projection,
    steps: step - 1,
    minutes: (Date.now() - started) / 60000,
  });
  console.log(`final: ${line(final)}; ${QUESTION_TYPES.map((t) => `${t} ${final.byType[t].toFixed(2)}`).join(', ')}`);

  heldOut.forEach(disposeBatch);
  disposeBridge(vlm.bridge);
  disposeVisionEncoder(encoder);
  disposeLanguageModel(lm);
  disposeOptimizers(optimizers);
}

lab.run(main);
