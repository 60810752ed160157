/**
 * Does the model use the image? (provided)
 *
 * An answer is right when every answer word and the closing <eot> is the LM's top prediction given the correct
 * words before it: exactly what greedy decoding would produce. We score the same held-out questions three times:
 *   with their own images                      → accuracy
 *   with another example's image               → accuracy_shuffled (a wrong image can mislead: below the prior)
 *   with the batch's mean image for every one  → accuracy_text_only: what the question alone gets right
 * The gaps, image_gap and text_gap, are what the image contributes. A VLM that "collapsed to text" answers from
 * the question alone and shows no gap — a good-looking accuracy can hide that (LLaVA §5.1 and the GPT-4V system
 * card both ask whether a model looks at the image). The scoring is lab/vqaTraining.ts's, as in exercise 3.
 */
import { accuracyOf, scoreAnswers } from '../../lab/vqaTraining';
import type { Answers, ImageSource, ImageUse, VlmReader } from '../../lab/vqaTraining';
import type { VqaBatch } from './data';
import { imageDependence } from './diagnostics';
import { imageFeatures, textStart, vlmLogits, type Vlm } from './model';

export type { Answers };

/** How the scoring reads this VLM: the words start after <eot>, <im_start>, the N image tokens and <im_end>. */
function reader(vlm: Vlm): VlmReader {
  return {
    contextTokens: textStart(vlm) - 1,
    lm: vlm.lm,
    logits: (features, text) => vlmLogits(vlm, features, text),
    features: (images) => imageFeatures(vlm, images),
  };
}

/** Scores a batch with its own images, the next example's (`shuffled`) or the batch's mean image (`none`). */
export async function answer(vlm: Vlm, batch: VqaBatch, images: ImageSource = 'own'): Promise<Answers> {
  return scoreAnswers(reader(vlm), batch, images);
}

/** Accuracy (overall and per question type) with the real images, another example's and none, and: */
export interface Diagnosis extends ImageUse {
  imageGap: number; // real − shuffled accuracy
  textGap: number; // real − text-only (mean image) accuracy
  imageDependence: number; // fraction of answers that change with the image (TODO(1))
}

/** Every diagnostic over `batches`: accuracy with real, shuffled and no images, the gaps, the image dependence. */
export async function diagnose(vlm: Vlm, batches: VqaBatch[]): Promise<Diagnosis> {
  const own: string[] = [],
    other: string[] = [];
  const real = await accuracyOf(batches, async (batch) => {
    const a = await answer(vlm, batch);
    own.push(...a.predicted);
    return a;
  });
  const shuffled = await accuracyOf(batches, async (batch) => {
    const b = await answer(vlm, batch, 'shuffled');
    other.push(...b.predicted);
    return b;
  });
  const textOnly = await accuracyOf(batches, (batch) => answer(vlm, batch, 'none'));
  return {
    real,
    shuffled,
    textOnly,
    imageGap: real.accuracy - shuffled.accuracy,
    textGap: real.accuracy - textOnly.accuracy,
    imageDependence: imageDependence(own, other),
  };
}
