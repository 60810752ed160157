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
import { disposeVisionEncoder, loadVisionEncoder } from '../../lab/vision';
import { QUESTION_TYPES } from '../../lab/vqa';
import { disposeBatch, vqaBatch } from './data';
import { accuracy, answer, type Accuracy } from './evaluate';
import { createVlm, disposeProjection } from './model';
import { trainStep } from './step';

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
  const vlm = createVlm(encoder, lm, cfg.projection);
  const size = encoder.config.imageSize;
  const optimizer = tf.train.adam(cfg.lr);
  const rng = mulberry32(2023);
  // Held-out images: a seed the training stream never draws from.
  const heldOut = Array.from({ length: cfg.evalBatches }, (_, i) =>
    vqaBatch(lm, mulberry32(90_000 + i), cfg.evalBatch, size),
  );
  const started = Date.now();

  const evaluate = async (step: number): Promise<{ real: Accuracy; shuffled: Accuracy }> => {
    const real = await accuracy(vlm, heldOut);
    const shuffled = await accuracy(vlm, heldOut, true);
    lab.scalar('accuracy', real.accuracy, step);
    lab.scalar('accuracy_shuffled', shuffled.accuracy, step);
    lab.scalar('image_gap', real.accuracy - shuffled.accuracy, step);
    for (const t of QUESTION_TYPES) lab.scalar(`accuracy/${t}`, real.byType[t], step);
    return { real, shuffled };
  };

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
  const before = await evaluate(0);
  console.log(
    `before training: accuracy ${before.real.accuracy.toFixed(3)}, with shuffled images ${before.shuffled.accuracy.toFixed(3)}`,
  );

  let step = 0;
  for (step = 1; step <= cfg.steps && !lab.shouldStop(); step++) {
    const batch = vqaBatch(lm, rng, cfg.batch, size);
    const loss = await trainStep(vlm, optimizer, batch);
    disposeBatch(batch);
    lab.scalar('loss', loss, step);
    if (step % cfg.evalEvery === 0 && step < cfg.steps) {
      const e = await evaluate(step);
      console.log(
        `step ${step}  loss ${loss.toFixed(3)}  accuracy ${e.real.accuracy.toFixed(3)}  shuffled ${e.shuffled.accuracy.toFixed(3)}  ` +
          `(${((Date.now() - started) / 60000).toFixed(1)} min)`,
      );
    }
    await tf.nextFrame(); // let a Stop request through
  }

  const final = await evaluate(step - 1);
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
  const byType = Object.fromEntries(QUESTION_TYPES.map((t) => [`accuracy_${t}`, final.real.byType[t]]));
  lab.summary({
    accuracy: final.real.accuracy,
    accuracy_shuffled: final.shuffled.accuracy,
    image_gap: final.real.accuracy - final.shuffled.accuracy,
    ...byType,
    projection: cfg.projection,
    steps: step - 1,
    minutes: (Date.now() - started) / 60000,
  });
  console.log(
    `final: accuracy ${final.real.accuracy.toFixed(3)}, shuffled ${final.shuffled.accuracy.toFixed(3)}, ` +
      `gap ${(final.real.accuracy - final.shuffled.accuracy).toFixed(3)}; ${QUESTION_TYPES.map((t) => `${t} ${final.real.byType[t].toFixed(2)}`).join(', ')}`,
  );

  heldOut.forEach(disposeBatch);
  disposeProjection(vlm);
  disposeVisionEncoder(encoder);
  disposeLanguageModel(lm);
  optimizer.dispose();
}

lab.run(main);
