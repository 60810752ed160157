/**
 * Trains a small LLaVA on shapes-world visual questions and checks that it uses the image (provided).
 *
 * Liu et al. 2023, §4.2 stage 1: the vision encoder and the LM stay frozen, only the projection trains, on
 * instruction data whose loss counts the answers alone. Run it with `npx tsx exercises/llava/train.ts`, or from
 * the Multimodal Lab panel.
 */
import * as tf from '@tensorflow/tfjs';
import { lab } from '../../lab';
import { disposeLanguageModel, loadLanguageModel } from '../../lab/lm';
import { mulberry32 } from '../../lab/shapes';
import { disposeVisionEncoder, loadVisionEncoder, numPatches } from '../../lab/vision';
import { logAnswerAttention, type SequenceLayout } from '../../lab/vlmAttention';
import * as vqaRun from '../../lab/vqaTraining';
import { disposeBatch, vqaBatch } from './data';
import { accuracy, answer } from './evaluate';
import { createVlm, disposeProjection, imageFeatures, spliceImageTokens, type Vlm } from './model';
import { project } from './projection';
import { trainStep } from './step';

// Steps, batch, learning rate and evaluation, for a cpu, a gpu and a smoke run: lab/vqaTraining.ts.
const cfg = lab.config(vqaRun.LLAVA_RUN);

/** The sequence is <eot>, the N image tokens, the words: where the answer looks on the image (lab/vlmAttention.ts). */
function answerLayout(vlm: Vlm): SequenceLayout {
  const N = numPatches(vlm.encoder.config);
  return {
    imageStart: 1,
    imageTokens: N,
    contextTokens: N,
    sequence: (images, text) => ({
      sequence: spliceImageTokens(vlm.lm, project(vlm.projection, imageFeatures(vlm, images)), text),
    }),
  };
}

async function main(): Promise<void> {
  const encoder = await loadVisionEncoder(undefined, { layer: cfg.visionLayer }); // frozen: lab/weights/shapes-clip
  const lm = await loadLanguageModel(); // frozen: lab/weights/shapes-lm
  const vlm = createVlm(encoder, lm, cfg.projection, 7 + cfg.seed);
  const size = encoder.config.imageSize;
  const optimizer = tf.train.adam(cfg.lr);
  const rng = mulberry32(2023 + cfg.seed);
  // Held-out images: a seed the training stream never draws from.
  const heldOut = Array.from({ length: cfg.evalBatches }, (_, i) =>
    vqaBatch(lm, mulberry32(90_000 + i), cfg.evalBatch, size),
  );
  const started = Date.now();

  const layout = answerLayout(vlm);
  const examples = heldOut[0];
  const evaluate = async (step: number): Promise<vqaRun.ImageUse> => {
    const use = await vqaRun.measureImageUse((images) => accuracy(vlm, heldOut, images));
    vqaRun.logImageUse(use, step);
    await logAnswerAttention('attention/answer_to_image', lm, layout, examples, step);
    return use;
  };

  const shown = await vqaRun.showExamples(examples);
  const before = await evaluate(0);
  console.log(
    `before training: accuracy ${before.real.accuracy.toFixed(3)}, with shuffled images ${before.shuffled.accuracy.toFixed(3)}, ` +
      `with no image ${before.textOnly.accuracy.toFixed(3)}`,
  );

  const steps = await vqaRun.trainLoop(cfg, {
    started,
    batch: () => vqaBatch(lm, rng, cfg.batch, size),
    step: (batch) => trainStep(vlm, optimizer, batch),
    evaluate: async (step) => {
      const e = await evaluate(step);
      return `accuracy ${e.real.accuracy.toFixed(3)}  shuffled ${e.shuffled.accuracy.toFixed(3)}  no image ${e.textOnly.accuracy.toFixed(3)}`;
    },
  });

  const final = await evaluate(steps);
  // Example answers: the images, and what the model said with the right image and with a shuffled one.
  await vqaRun.showImageAnswers(shown, examples, steps, (images) => answer(vlm, examples, images));
  shown.dispose();
  lab.summary({
    ...vqaRun.imageUseSummary(final),
    projection: cfg.projection,
    vision_layer: cfg.visionLayer,
    steps,
    minutes: (Date.now() - started) / 60000,
  });
  console.log(
    `final: accuracy ${final.real.accuracy.toFixed(3)}, shuffled ${final.shuffled.accuracy.toFixed(3)}, ` +
      `no image ${final.textOnly.accuracy.toFixed(3)}, gaps ${(final.real.accuracy - final.shuffled.accuracy).toFixed(3)} ` +
      `and ${(final.real.accuracy - final.textOnly.accuracy).toFixed(3)}; ${vqaRun.byTypeLine(final.real.byType)}`,
  );

  heldOut.forEach(disposeBatch);
  disposeProjection(vlm);
  disposeVisionEncoder(encoder);
  disposeLanguageModel(lm);
  optimizer.dispose();
}

lab.run(main);
