/**
 * Does the bridge use the image? (provided, as in exercise 3, for any `Bridge`)
 *
 * An answer is right when every answer word and the closing <eot> is the LM's top prediction given the correct
 * words before it: exactly what greedy decoding would produce. The same held-out questions are scored twice:
 *   with their own images            → accuracy
 *   with another example's image     → accuracy_shuffled: what the question alone gets right (the text prior)
 */
import * as tf from '@tensorflow/tfjs';
import { decodeText, type LanguageModel } from '../../lab/lm';
import { QUESTION_TYPES, type QuestionType } from '../../lab/vqa';
import type { Bridge } from './bridge';
import type { VqaBatch } from './data';
import { answerMask, nextWordTargets } from './loss';

export interface Answers {
  correct: boolean[]; // [B]
  predicted: string[]; // [B] the words the model put in the answer positions
}

/** Scores a batch from its precomputed patch features; `shuffle` pairs question i with image i + 1. */
export async function answer(
  bridge: Bridge,
  lm: LanguageModel,
  features: tf.Tensor3D,
  batch: VqaBatch,
  shuffle = false,
): Promise<Answers> {
  const B = batch.text.shape[0];
  const C = bridge.contextTokens;
  const { hits, words } = tf.tidy(() => {
    const images = shuffle
      ? (tf.gather(
          features,
          Array.from({ length: B }, (_, i) => (i + 1) % B),
        ) as tf.Tensor3D)
      : features; // [B, N, Dv]
    const predicted = tf.argMax(bridge.logits(images, batch.text), -1); // [B, L]
    const targets = nextWordTargets(batch.text, C); // [B, L]
    const mask = answerMask(batch.promptLength, batch.answerLength, C, batch.text.shape[1]); // [B, L]
    const wrong = tf.sum(tf.mul(tf.cast(tf.notEqual(predicted, targets), 'float32'), mask), -1); // [B]
    return { hits: tf.equal(wrong, 0), words: predicted }; // [B] and [B, L]
  });
  // tf.tidy cannot await: read the two tensors after it, then dispose them.
  const [hitValues, wordIds] = await Promise.all([hits.data(), words.array() as Promise<number[][]>]);
  tf.dispose([hits, words]);
  const predicted = wordIds.map((row, b) => {
    const first = C + batch.promptLength[b];
    return decodeText(lm, row.slice(first, first + batch.answerLength[b]));
  });
  return { correct: Array.from(hitValues, (h) => h === 1), predicted };
}

export interface Accuracy {
  accuracy: number;
  byType: Record<QuestionType, number>;
}

/** Mean accuracy over the held-out batches (features[i] belongs to batches[i]), and per question type. */
export async function accuracy(
  bridge: Bridge,
  lm: LanguageModel,
  features: tf.Tensor3D[],
  batches: VqaBatch[],
  shuffle = false,
): Promise<Accuracy> {
  const total = Object.fromEntries(QUESTION_TYPES.map((t) => [t, [0, 0]])) as Record<QuestionType, [number, number]>;
  let hits = 0,
    count = 0;
  for (const [i, batch] of batches.entries()) {
    (await answer(bridge, lm, features[i], batch, shuffle)).correct.forEach((ok, k) => {
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
