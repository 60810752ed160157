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
import { lab } from '../../lab';
import { disposeLanguageModel, loadLanguageModel } from '../../lab/lm';
import { mulberry32 } from '../../lab/shapes';
import { disposeVisionEncoder, loadVisionEncoder, numPatches } from '../../lab/vision';
import { logAnswerAttention, type SequenceLayout } from '../../lab/vlmAttention';
import * as vqaRun from '../../lab/vqaTraining';
import { disposeBridge, gateOpening, imageTokens } from './bridge';
import { disposeBatch, vqaBatch } from './data';
import { answer, diagnose, type Diagnosis } from './evaluate';
import { attentionMask, createVlm, imageFeatures, sequenceIds, spliceImageTokens, textStart, type Vlm } from './model';
import { createOptimizers, disposeOptimizers, trainStep } from './step';

/** What each evaluation reports: the diagnostics and the gate's opening tanh(α). */
type Report = Diagnosis & { gate: number };

// The run of exercise 3 (lab/vqaTraining.ts): steps, batch, learning rate and evaluation.
const cfg = lab.config(vqaRun.LLAVA_RUN);

/**
 * <eot>, <im_start>, the N image tokens, <im_end>, the words: how much of the answer's attention reaches the image
 * tokens, per block and head, and where on the image (lab/vlmAttention.ts). A collapsed model reads none of it.
 */
function answerLayout(vlm: Vlm): SequenceLayout {
  const N = numPatches(vlm.encoder.config);
  return {
    imageStart: 2,
    imageTokens: N,
    contextTokens: textStart(vlm) - 1,
    sequence: (images, text) => ({
      sequence: spliceImageTokens(vlm, imageTokens(vlm.bridge, imageFeatures(vlm, images)), text),
      mask: attentionMask(sequenceIds(text, N)),
    }),
  };
}

async function main(): Promise<void> {
  const encoder = await loadVisionEncoder(undefined, { layer: cfg.visionLayer }); // frozen: lab/weights/shapes-clip
  const lm = await loadLanguageModel(); // frozen: lab/weights/shapes-lm
  const vlm = await createVlm(encoder, lm, cfg.projection, 7 + cfg.seed);
  const size = encoder.config.imageSize;
  const optimizers = createOptimizers(cfg.lr);
  const rng = mulberry32(2023 + cfg.seed);
  // Held-out images: a seed the training stream never draws from.
  const heldOut = Array.from({ length: cfg.evalBatches }, (_, i) =>
    vqaBatch(lm, mulberry32(90_000 + i), cfg.evalBatch, size),
  );
  const started = Date.now();

  const layout = answerLayout(vlm);
  const report = async (step: number): Promise<Report> => {
    const d = await diagnose(vlm, heldOut);
    const gate = await gateOpening(vlm.bridge);
    vqaRun.logImageUse(d, step);
    if (Number.isFinite(d.imageDependence)) lab.scalar('image_dependence', d.imageDependence, step);
    lab.scalar('gate', gate, step);
    await logAnswerAttention('attention/answer_to_image', lm, layout, heldOut[0], step);
    return { ...d, gate };
  };
  const line = (d: Report): string =>
    `accuracy ${d.real.accuracy.toFixed(3)}, shuffled ${d.shuffled.accuracy.toFixed(3)}, ` +
    `no image ${d.textOnly.accuracy.toFixed(3)}, gaps ${d.imageGap.toFixed(3)} and ${d.textGap.toFixed(3)}, image dependence ${Number.isFinite(d.imageDependence) ? d.imageDependence.toFixed(3) : '(TODO(1))'}, ` +
    `gate ${d.gate.toFixed(3)}`;

  const examples = heldOut[0];
  const shown = await vqaRun.showExamples(examples);
  console.log(`before training: ${line(await report(0))}`);

  const steps = await vqaRun.trainLoop(cfg, {
    started,
    batch: () => vqaBatch(lm, rng, cfg.batch, size),
    step: (batch) => trainStep(vlm, optimizers, batch),
    evaluate: async (step) => line(await report(step)),
  });

  const final = await report(steps);
  // Example answers: the images, and what the model said with the right image and with a shuffled one.
  await vqaRun.showImageAnswers(shown, examples, steps, (images) => answer(vlm, examples, images));
  shown.dispose();
  lab.summary({
    ...vqaRun.imageUseSummary(final),
    ...(Number.isFinite(final.imageDependence) ? { image_dependence: final.imageDependence } : {}),
    gate: final.gate,
    projection: cfg.projection,
    steps,
    minutes: (Date.now() - started) / 60000,
  });
  console.log(`final: ${line(final)}; ${vqaRun.byTypeLine(final.real.byType)}`);

  heldOut.forEach(disposeBatch);
  disposeBridge(vlm.bridge);
  disposeVisionEncoder(encoder);
  disposeLanguageModel(lm);
  disposeOptimizers(optimizers);
}

lab.run(main);
