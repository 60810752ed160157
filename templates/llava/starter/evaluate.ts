/**
 * Does the model use the image? (provided)
 *
 * An answer is right when every answer word and the closing <eot> is the LM's top prediction given the correct
 * words before it: exactly what greedy decoding would produce. We score the same held-out questions three times:
 *   with their own images                      → accuracy
 *   with another example's image               → accuracy_shuffled (a wrong image can mislead: below the prior)
 *   with the batch's mean image for every one  → accuracy_text_only: what the question alone gets right
 * The gaps, image_gap and text_gap, are what the image contributes. A VLM that "collapsed to text" answers from the
 * question alone, and shows no gap — a high accuracy can hide that (LLaVA §5.1 and the GPT-4V system card both ask
 * whether a model looks at the image). The scoring is lab/vqaTraining.ts's, for any VLM; here it reads this one.
 */
import { numPatches } from '../../lab/vision';
import { accuracyOf, scoreAnswers } from '../../lab/vqaTraining';
import type { Accuracy, Answers, ImageSource, VlmReader } from '../../lab/vqaTraining';
import type { VqaBatch } from './data';
import { imageFeatures, vlmLogits, type Vlm } from './model';

export type { Accuracy, Answers };

/** How the scoring reads this VLM: the N image tokens stand between the start token and the words. */
function reader(vlm: Vlm): VlmReader {
  return {
    lm: vlm.lm,
    contextTokens: numPatches(vlm.encoder.config),
    features: (images) => imageFeatures(vlm, images),
    logits: (features, text) => vlmLogits(vlm, features, text),
  };
}

/** Scores a batch with its own images, the next example's (`shuffled`) or the batch's mean image (`none`). */
export async function answer(vlm: Vlm, batch: VqaBatch, images: ImageSource = 'own'): Promise<Answers> {
  return scoreAnswers(reader(vlm), batch, images);
}

/** Mean accuracy over batches, and per question type. */
export async function accuracy(vlm: Vlm, batches: VqaBatch[], images: ImageSource = 'own'): Promise<Accuracy> {
  return accuracyOf(batches, (batch) => answer(vlm, batch, images));
}
