/**
 * Visual instructions from shapes world as tensors (provided to exercises 3 and 6): an image, a question about it
 * and the answer.
 *
 * LLaVA (Liu et al. 2023, §3) turned captions and boxes into instruction data with a text-only GPT-4. Shapes world
 * knows its scenes exactly, so the questions and answers come straight from the generator (lab/vqa.ts): colour,
 * shape, count, size, position and relations, the question type drawn uniformly. lab/vqa.ts's `VqaBatch` shows how
 * one example's text lines up: the prompt, then the answer, then <eot>, then <pad>.
 */
import * as tf from '@tensorflow/tfjs';
import type { LanguageModel } from './lm';
import type { HeldOut, Rng } from './shapes';
import { sampleVqaExamples, type VqaBatch } from './vqa';

/** `B` fresh examples drawn from `rng`; `heldOut` as in lab/shapes sampleScene (default: no held-out pair). */
export function vqaBatch(lm: LanguageModel, rng: Rng, B: number, S: number, heldOut?: HeldOut): VqaBatch {
  const { pixels, ...text } = sampleVqaExamples(lm, rng, B, S, heldOut);
  return { images: tf.tensor4d(pixels, [B, S, S, 3]), ...text }; // [B, S, S, 3]: renderScene draws in [0, 1]
}
