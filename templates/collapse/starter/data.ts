/**
 * Visual instructions from shapes world (provided): an image, a question about it and the answer, as tensors.
 * (The same pipeline as exercise 3, llava.)
 *
 * The questions, the answers and the rendered scenes come from lab/vqa.ts (`sampleVqaExamples`), which also lines
 * one example's text up as word ids: the prompt, then the answer, then <eot>, then <pad>:
 *
 *   .  what colour is the circle ?  red  <eot>  <pad> …
 *   └──────── prompt (7) ────────┘  └ answer (2) ┘
 *
 * What is left here is turning the rendered pixels into the image tensor the vision encoder reads.
 */
import * as tf from '@tensorflow/tfjs';
import type { LanguageModel } from '../../lab/lm';
import type { HeldOut, Rng } from '../../lab/shapes';
import { sampleVqaExamples, type VqaBatch } from '../../lab/vqa';

export { TEXT_LENGTH, disposeBatch, type VqaBatch } from '../../lab/vqa';

/** `B` fresh examples drawn from `rng`; `heldOut` as in lab/shapes sampleScene (default: no held-out pair). */
export function vqaBatch(
  lm: LanguageModel,
  rng: Rng,
  B: number,
  imageSize: number,
  heldOut: HeldOut = 'exclude',
): VqaBatch {
  const { pixels, ...text } = sampleVqaExamples(lm, rng, B, imageSize, heldOut);
  // The vision encoder reads pixel intensities in [0, 1]: scale the 8-bit values.
  const images = tf.tidy(() => tf.div(tf.tensor4d(pixels, [B, imageSize, imageSize, 3]), 255) as tf.Tensor4D);
  return { images, ...text };
}
