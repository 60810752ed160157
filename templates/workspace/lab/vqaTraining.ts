/**
 * What the VLM runs share (provided to exercises 3, 6 and 8): the question "does the model use the image?", the
 * training loop around a step, and the run panel's examples.
 *
 * An answer is right when every answer word and the closing <eot> is the LM's top prediction given the correct
 * words before it: exactly what greedy decoding would produce. The same held-out questions are scored three times:
 *   with their own images                      → accuracy
 *   with another example's image               → accuracy_shuffled, and image_gap = accuracy − accuracy_shuffled
 *   with the batch's mean image for every one  → accuracy_text_only, and text_gap = accuracy − accuracy_text_only
 * A VLM that "collapsed to text" answers from the question alone and shows neither gap — a good-looking accuracy
 * can hide that (LLaVA §5.1 and the GPT-4V system card both ask whether a model looks at the image). The two
 * controls differ: a wrong image can mislead a model that reads images, so accuracy_shuffled can fall below what
 * the question alone gets; only the mean image, which carries no example's evidence, measures the text prior.
 */
import * as tf from '@tensorflow/tfjs';
import { decodeText, type LanguageModel } from './lm';
import { lab } from './report';
import type { VisionLayer } from './vision';
import { QUESTION_TYPES, disposeBatch, type QuestionType, type VisualQA, type VqaBatch } from './vqa';

/**
 * The run of exercise 3, and of exercise 8, which debugs the same set-up: pass it to `lab.config`. `visionLayer`
 * picks the encoder's patch features (LLaVA's penultimate layer, or the last: exercise 3's ablation); `seed` moves
 * the projection's initialisation and the training stream (the held-out questions stay the same).
 */
export const LLAVA_RUN = {
  cpu: {
    steps: 1500,
    batch: 64,
    lr: 2e-3,
    evalEvery: 250,
    evalBatches: 8,
    evalBatch: 64,
    projection: 'mlp' as const,
    visionLayer: 'penultimate' as VisionLayer,
    seed: 0,
  },
  gpu: {
    steps: 3000,
    batch: 128,
    lr: 2e-3,
    evalEvery: 500,
    evalBatches: 16,
    evalBatch: 64,
    projection: 'mlp' as const,
    visionLayer: 'penultimate' as VisionLayer,
    seed: 0,
  },
  smoke: {
    steps: 24,
    batch: 8,
    lr: 5e-3,
    evalEvery: 12,
    evalBatches: 1,
    evalBatch: 16,
    projection: 'mlp' as const,
    visionLayer: 'penultimate' as VisionLayer,
    seed: 0,
  },
};

// ---------------------------------------------------------------------------------------------------------------
// Scoring answers

export interface Answers {
  correct: boolean[]; // [B]
  predicted: string[]; // [B] the words the model put in the answer positions
}

/** How the scoring reads a VLM: its LM, where the words start, its image features and its logits. */
export interface VlmReader {
  lm: LanguageModel;
  /** Positions between the start token and the words: text word j sits at 1 + contextTokens + j. */
  contextTokens: number;
  /** Patch features of a batch's images (computed inside the scoring's tf.tidy).  [B, S, S, 3] → [B, N, Dv] */
  features: (images: tf.Tensor4D) => tf.Tensor3D;
  /** Next-word logits.  [B, N, Dv] features, [B, T] words → [B, 1 + contextTokens + T, V] */
  logits: (features: tf.Tensor3D, text: tf.Tensor2D) => tf.Tensor3D;
}

/**
 * Which images the questions are scored with: `own`, `shuffled` (question i gets image i + 1, a derangement) or
 * `none` (every question gets the batch's mean patch features: an image with no example's evidence in it).
 */
export type ImageSource = 'own' | 'shuffled' | 'none';

/** The patch features the questions see.  [B, N, Dv] → [B, N, Dv] */
function featuresFor(features: tf.Tensor3D, images: ImageSource): tf.Tensor3D {
  const B = features.shape[0];
  if (images === 'shuffled')
    return tf.gather(
      features,
      Array.from({ length: B }, (_, i) => (i + 1) % B),
    );
  if (images === 'none') return tf.broadcastTo<tf.Rank.R3>(tf.mean(features, 0, true), features.shape);
  return features;
}

/**
 * Scores a batch with `images` (see ImageSource). Position contextTokens + j predicts text word j + 1, so the
 * answer's A words (its <eot> included) are predicted at contextTokens + P … contextTokens + P + A − 1, P being
 * the prompt's length.
 */
export async function scoreAnswers(vlm: VlmReader, batch: VqaBatch, images: ImageSource = 'own'): Promise<Answers> {
  const predictedIds = tf.tidy(() => {
    const features = featuresFor(vlm.features(batch.images), images); // [B, N, Dv]
    return tf.argMax(vlm.logits(features, batch.text), -1); // [B, L]
  });
  const [rows, words] = await Promise.all([
    predictedIds.array() as Promise<number[][]>,
    batch.text.array() as Promise<number[][]>,
  ]);
  predictedIds.dispose();
  const said = rows.map((row, b) => {
    const first = vlm.contextTokens + batch.promptLength[b]; // predicts the first answer word
    return row.slice(first, first + batch.answerLength[b]);
  });
  return {
    correct: said.map((ids, b) => ids.every((id, j) => id === words[b][batch.promptLength[b] + j])),
    predicted: said.map((ids) => decodeText(vlm.lm, ids)),
  };
}

export interface Accuracy {
  accuracy: number;
  byType: Record<QuestionType, number>;
}

/** Mean accuracy over `batches`, and per question type; `answers(batch, i)` scores batch i. */
export async function accuracyOf(
  batches: readonly VqaBatch[],
  answers: (batch: VqaBatch, index: number) => Promise<Answers>,
): Promise<Accuracy> {
  const total = Object.fromEntries(QUESTION_TYPES.map((t) => [t, [0, 0]])) as Record<QuestionType, [number, number]>;
  let hits = 0,
    count = 0;
  for (const [i, batch] of batches.entries()) {
    (await answers(batch, i)).correct.forEach((ok, k) => {
      const t = total[batch.qa[k].type];
      t[0] += ok ? 1 : 0;
      t[1]++;
      hits += ok ? 1 : 0;
      count++;
    });
  }
  const byType = Object.fromEntries(
    QUESTION_TYPES.map((t) => [t, total[t][1] ? total[t][0] / total[t][1] : NaN]),
  ) as Record<QuestionType, number>;
  return { accuracy: hits / count, byType };
}

// ---------------------------------------------------------------------------------------------------------------
// The run

/** Accuracy with the real images and with the two controls (shuffled images, no image), as the run reports them. */
export interface ImageUse {
  real: Accuracy;
  shuffled: Accuracy;
  textOnly: Accuracy;
}

/** The three accuracies of ImageUse, from `accuracyWith(images)` (one pass over the held-out batches each). */
export async function measureImageUse(accuracyWith: (images: ImageSource) => Promise<Accuracy>): Promise<ImageUse> {
  return {
    real: await accuracyWith('own'),
    shuffled: await accuracyWith('shuffled'),
    textOnly: await accuracyWith('none'),
  };
}

/** Charts `accuracy`, both controls and their gaps, and `accuracy/<type>` at `step`. */
export function logImageUse(use: ImageUse, step: number): void {
  lab.scalar('accuracy', use.real.accuracy, step);
  lab.scalar('accuracy_shuffled', use.shuffled.accuracy, step);
  lab.scalar('accuracy_text_only', use.textOnly.accuracy, step);
  lab.scalar('image_gap', use.real.accuracy - use.shuffled.accuracy, step);
  lab.scalar('text_gap', use.real.accuracy - use.textOnly.accuracy, step);
  for (const t of QUESTION_TYPES) lab.scalar(`accuracy/${t}`, use.real.byType[t], step);
}

/** The summary's accuracies: `accuracy`, both controls and their gaps, and `accuracy_<type>`. */
export function imageUseSummary(use: ImageUse): Record<string, number> {
  return {
    accuracy: use.real.accuracy,
    accuracy_shuffled: use.shuffled.accuracy,
    accuracy_text_only: use.textOnly.accuracy,
    image_gap: use.real.accuracy - use.shuffled.accuracy,
    text_gap: use.real.accuracy - use.textOnly.accuracy,
    ...Object.fromEntries(QUESTION_TYPES.map((t) => [`accuracy_${t}`, use.real.byType[t]])),
  };
}

/** "colour 0.91, shape 0.88, …" */
export function byTypeLine(byType: Record<QuestionType, number>): string {
  return QUESTION_TYPES.map((t) => `${t} ${byType[t].toFixed(2)}`).join(', ');
}

/** How long a run is, and how often it evaluates: from its `lab.config`. */
export interface RunLength {
  steps: number;
  evalEvery: number;
}

export interface TrainingLoop {
  /** When the run started (Date.now()), for the minutes in the log. */
  started: number;
  /** A fresh training batch. */
  batch: () => VqaBatch;
  /** One training step on `batch`; resolves to its loss. */
  step: (batch: VqaBatch) => Promise<number>;
  /** Evaluates at `step` (every `evalEvery` steps, not at the last) and says how it went, for the log. */
  evaluate: (step: number) => Promise<string>;
}

/** Runs the steps until the last or a Stop, charting `loss`; resolves to the number of steps done. */
export async function trainLoop(run: RunLength, loop: TrainingLoop): Promise<number> {
  let step = 0;
  for (step = 1; step <= run.steps && !lab.shouldStop(); step++) {
    const batch = loop.batch();
    const loss = await loop.step(batch);
    disposeBatch(batch);
    lab.scalar('loss', loss, step);
    if (step % run.evalEvery === 0 && step < run.steps) {
      const said = await loop.evaluate(step);
      console.log(
        `step ${step}  loss ${loss.toFixed(3)}  ${said}  (${((Date.now() - loop.started) / 60000).toFixed(1)} min)`,
      );
    }
    await tf.nextFrame(); // let a Stop request through
  }
  return step - 1;
}

/** Shows the first eight examples of `examples` at step 0 (images and questions); returns their images. */
export async function showExamples(examples: VqaBatch): Promise<tf.Tensor4D> {
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
  return shown;
}

/** Shows the examples' images again at `step`, with `line(qa, i)` for each question: what the model said. */
export async function showAnswers(
  shown: tf.Tensor4D,
  qa: readonly VisualQA[],
  step: number,
  line: (qa: VisualQA, i: number) => string,
): Promise<void> {
  await lab.images('answers/examples', shown, step);
  lab.text('answers/examples', qa.slice(0, 8).map(line).join('\n'), step);
}

/**
 * Shows the examples' answers at `step`: each with its own image (✓, or ✗ and the truth), then with the next
 * example's image. `answer(images)` scores `examples`.
 */
export async function showImageAnswers(
  shown: tf.Tensor4D,
  examples: VqaBatch,
  step: number,
  answer: (images: ImageSource) => Promise<Answers>,
): Promise<void> {
  const withImage = await answer('own'),
    shuffledImage = await answer('shuffled');
  const B = examples.qa.length;
  await showAnswers(
    shown,
    examples.qa,
    step,
    (q, i) =>
      `${i + 1}. ${q.question}  →  ${withImage.predicted[i] || '(nothing)'} ${withImage.correct[i] ? '✓' : `✗ (true: ${q.answer})`}` +
      `   | with image ${((i + 1) % B) + 1}: ${shuffledImage.predicted[i] || '(nothing)'}`,
  );
}
