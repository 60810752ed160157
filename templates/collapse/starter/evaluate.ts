/**
 * Does the model use the image? (provided)
 *
 * An answer is right when every answer word and the closing <eot> is the LM's top prediction given the correct
 * words before it: exactly what greedy decoding would produce. We score the same held-out questions twice:
 *   with their own images            → accuracy
 *   with another example's image     → accuracy_shuffled: what the question alone gets right (the text prior)
 * The gap between the two, image_gap, is what the image contributes. A VLM that "collapsed to text" answers from
 * the question alone and shows no gap — a good-looking accuracy can hide that (LLaVA §5.1 and the GPT-4V system
 * card both ask whether a model looks at the image).
 */
import * as tf from '@tensorflow/tfjs';
import { decodeText } from '../../lab/lm';
import { QUESTION_TYPES, type QuestionType } from '../../lab/vqa';
import type { VqaBatch } from './data';
import { imageDependence } from './diagnostics';
import { answerMask, nextWordTargets } from './loss';
import { imageFeatures, textStart, vlmLogits, type Vlm } from './model';

export interface Answers {
  correct: boolean[]; // [B]
  predicted: string[]; // [B] the words the model put in the answer positions
}

/** Scores a batch; `shuffle` pairs each question with the next example's image (a derangement). */
export async function answer(vlm: Vlm, batch: VqaBatch, shuffle = false): Promise<Answers> {
  const B = batch.text.shape[0];
  const s = textStart(vlm);
  const { hits, words } = tf.tidy(() => {
    let features = imageFeatures(vlm, batch.images); // [B, N, Dv]
    if (shuffle)
      features = tf.gather(
        features,
        Array.from({ length: B }, (_, i) => (i + 1) % B),
      ); // image i+1 for question i
    const predicted = tf.argMax(vlmLogits(vlm, features, batch.text), -1); // [B, L]
    const targets = nextWordTargets(batch.text, s); // [B, L]
    const mask = answerMask(batch.promptLength, batch.answerLength, s, batch.text.shape[1]); // [B, L]
    const wrong = tf.sum(tf.mul(tf.cast(tf.notEqual(predicted, targets), 'float32'), mask), -1); // [B]
    return { hits: tf.equal(wrong, 0), words: predicted }; // [B] and [B, L]
  });
  // tf.tidy cannot await: read the two tensors after it, then dispose them.
  const [hitValues, wordIds] = await Promise.all([hits.data(), words.array() as Promise<number[][]>]);
  tf.dispose([hits, words]);
  const correct = Array.from(hitValues, (h) => h === 1);
  const predicted = wordIds.map((row, b) => {
    const first = s - 1 + batch.promptLength[b];
    return decodeText(vlm.lm, row.slice(first, first + batch.answerLength[b]));
  });
  return { correct, predicted };
}

export interface Diagnosis {
  accuracy: number; // with the real images
  accuracyShuffled: number; // with another example's image
  imageGap: number; // accuracy − accuracyShuffled
  imageDependence: number; // fraction of answers that change with the image (TODO(1))
  byType: Record<QuestionType, number>; // accuracy per question type, real images
  shuffledByType: Record<QuestionType, number>;
}

/** Every diagnostic over `batches`: accuracy with real and shuffled images, their gap, the image dependence. */
export async function diagnose(vlm: Vlm, batches: VqaBatch[]): Promise<Diagnosis> {
  const tally = (): Record<QuestionType, [number, number]> =>
    Object.fromEntries(QUESTION_TYPES.map((t) => [t, [0, 0]])) as Record<QuestionType, [number, number]>;
  const real = tally(),
    shuffled = tally();
  const own: string[] = [],
    other: string[] = [];
  for (const batch of batches) {
    const a = await answer(vlm, batch),
      b = await answer(vlm, batch, true);
    batch.qa.forEach((qa, i) => {
      real[qa.type][0] += a.correct[i] ? 1 : 0;
      real[qa.type][1]++;
      shuffled[qa.type][0] += b.correct[i] ? 1 : 0;
      shuffled[qa.type][1]++;
    });
    own.push(...a.predicted);
    other.push(...b.predicted);
  }
  const rate = (t: Record<QuestionType, [number, number]>): number => {
    const [hits, count] = QUESTION_TYPES.reduce(([h, c], q) => [h + t[q][0], c + t[q][1]], [0, 0]);
    return hits / count;
  };
  const byType = (t: Record<QuestionType, [number, number]>): Record<QuestionType, number> =>
    Object.fromEntries(QUESTION_TYPES.map((q) => [q, t[q][1] ? t[q][0] / t[q][1] : NaN])) as Record<
      QuestionType,
      number
    >;
  const accuracy = rate(real),
    accuracyShuffled = rate(shuffled);
  return {
    accuracy,
    accuracyShuffled,
    imageGap: accuracy - accuracyShuffled,
    imageDependence: imageDependence(own, other),
    byType: byType(real),
    shuffledByType: byType(shuffled),
  };
}
