/**
 * Does the model use the image? (provided)
 *
 * An answer is right when every answer word and the closing <eot> is the LM's top prediction given the correct
 * words before it: exactly what greedy decoding would produce. We score the same held-out questions twice:
 *   with their own images            → accuracy
 *   with another example's image     → accuracy_shuffled: what the question alone gets right (the text prior)
 * The gap between the two, image_gap, is what the image contributes. A VLM that "collapsed to text" answers from
 * the question alone and shows no gap — a good-looking accuracy can hide that (LLaVA §5.1 and the GPT-4V system
 * card both ask whether a model looks at the image). The scoring is lab/vqaTraining.ts's, as in exercise 3.
 */
import { accuracyOf, scoreAnswers, type Answers, type ImageUse, type VlmReader } from '../../lab/vqaTraining';
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

/** Scores a batch; `shuffle` pairs each question with the next example's image (a derangement). */
export async function answer(vlm: Vlm, batch: VqaBatch, shuffle = false): Promise<Answers> {
  return scoreAnswers(reader(vlm), batch, shuffle);
}

/** Accuracy (overall and per question type) with the real images and with another example's image, and: */
export interface Diagnosis extends ImageUse {
  imageGap: number; // real − shuffled accuracy
  imageDependence: number; // fraction of answers that change with the image (TODO(1))
}

/** Every diagnostic over `batches`: accuracy with real and shuffled images, their gap, the image dependence. */
export async function diagnose(vlm: Vlm, batches: VqaBatch[]): Promise<Diagnosis> {
  const own: string[] = [],
    other: string[] = [];
  const real = await accuracyOf(batches, async (batch) => {
    const a = await answer(vlm, batch);
    own.push(...a.predicted);
    return a;
  });
  const shuffled = await accuracyOf(batches, async (batch) => {
    const b = await answer(vlm, batch, true);
    other.push(...b.predicted);
    return b;
  });
  return {
    real,
    shuffled,
    imageGap: real.accuracy - shuffled.accuracy,
    imageDependence: imageDependence(own, other),
  };
}
