/**
 * Does the model use the image? (provided)
 *
 * An answer is right when every answer word and the closing <eot> is the LM's top prediction given the correct
 * words before it: exactly what greedy decoding would produce. We score the same held-out questions twice:
 *   with their own images            → accuracy
 *   with another example's image     → accuracy_shuffled: what the question alone gets right (the text prior)
 * The gap between the two is what the image contributes. A VLM that "collapsed to text" answers from the question
 * alone, and shows no gap — a high accuracy can hide that (LLaVA §5.1 and the GPT-4V system card both ask
 * whether a model looks at the image).
 */
import * as tf from '@tensorflow/tfjs';
import { decodeText } from '../../lab/lm';
import { numPatches } from '../../lab/vision';
import { QUESTION_TYPES, type QuestionType } from '../../lab/vqa';
import type { VqaBatch } from './data';
import { answerMask, nextWordTargets } from './loss';
import { imageFeatures, vlmLogits, type Vlm } from './model';

export interface Answers {
  correct: boolean[]; // [B]
  predicted: string[]; // [B] the words the model put in the answer positions
}

/** Scores a batch; `shuffle` pairs each question with the next example's image (a derangement). */
export async function answer(vlm: Vlm, batch: VqaBatch, shuffle = false): Promise<Answers> {
  const B = batch.text.shape[0];
  const N = numPatches(vlm.encoder.config);
  const { hits, words } = tf.tidy(() => {
    let features = imageFeatures(vlm, batch.images); // [B, N, Dv]
    if (shuffle)
      features = tf.gather(
        features,
        Array.from({ length: B }, (_, i) => (i + 1) % B),
      ); // image i+1 for question i
    const predicted = tf.argMax(vlmLogits(vlm, features, batch.text), -1); // [B, L]
    const targets = nextWordTargets(batch.text, N); // [B, L]
    const mask = answerMask(batch.promptLength, batch.answerLength, N, batch.text.shape[1]); // [B, L]
    const wrong = tf.sum(tf.mul(tf.cast(tf.notEqual(predicted, targets), 'float32'), mask), -1); // [B]
    return { hits: tf.equal(wrong, 0), words: predicted }; // [B] and [B, L]
  });
  // tf.tidy cannot await: read the two tensors after it, then dispose them.
  const [hitValues, wordIds] = await Promise.all([hits.data(), words.array() as Promise<number[][]>]);
  tf.dispose([hits, words]);
  const correct = Array.from(hitValues, (h) => h === 1);
  const predicted = wordIds.map((row, b) => {
    const first = N + batch.promptLength[b];
    return decodeText(vlm.lm, row.slice(first, first + batch.answerLength[b]));
  });
  return { correct, predicted };
}

export interface Accuracy {
  accuracy: number;
  byType: Record<QuestionType, number>;
}

/** Mean accuracy over batches, and per question type. */
export async function accuracy(vlm: Vlm, batches: VqaBatch[], shuffle = false): Promise<Accuracy> {
  const total = Object.fromEntries(QUESTION_TYPES.map((t) => [t, [0, 0]])) as Record<QuestionType, [number, number]>;
  let hits = 0,
    count = 0;
  for (const batch of batches) {
    const { correct } = await answer(vlm, batch, shuffle);
    correct.forEach((ok, i) => {
      const t = total[batch.qa[i].type];
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
