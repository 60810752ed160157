/**
 * Does the bridge use the image? (provided, as in exercises 3 and 6, for any `Bridge`)
 *
 * An answer is right when every answer word and the closing <eot> is the LM's top prediction given the correct
 * words before it: exactly what greedy decoding would produce. The same held-out questions are scored three times:
 *   with their own images                      → accuracy
 *   with another example's image               → accuracy_shuffled (a wrong image can mislead: below the prior)
 *   with the batch's mean image for every one  → accuracy_text_only: what the question alone gets right
 * The scoring is lab/vqaTraining.ts's, for any VLM; here it reads a `Bridge`.
 */
import * as tf from '@tensorflow/tfjs';
import type { LanguageModel } from '../../lab/lm';
import { accuracyOf, scoreAnswers } from '../../lab/vqaTraining';
import type { Accuracy, Answers, ImageSource, VlmReader } from '../../lab/vqaTraining';
import type { Bridge } from './bridge';
import type { VqaBatch } from './data';

export type { Accuracy, Answers };

/**
 * Scores a batch from its precomputed patch features, with `images` (`own`, `shuffled` or `none`: see lab/vqaTraining).
 */
export async function answer(
  bridge: Bridge,
  lm: LanguageModel,
  features: tf.Tensor3D,
  batch: VqaBatch,
  images: ImageSource = 'own',
): Promise<Answers> {
  const read: VlmReader = {
    lm,
    contextTokens: bridge.contextTokens,
    features: () => features, // computed once for all bridges: the encoder is frozen
    logits: (f, text) => bridge.logits(f, text),
  };
  return scoreAnswers(read, batch, images);
}

/** Mean accuracy over the held-out batches (features[i] belongs to batches[i]), and per question type. */
export async function accuracy(
  bridge: Bridge,
  lm: LanguageModel,
  features: tf.Tensor3D[],
  batches: VqaBatch[],
  images: ImageSource = 'own',
): Promise<Accuracy> {
  return accuracyOf(batches, (batch, i) => answer(bridge, lm, features[i], batch, images));
}
