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
  // renderScene already writes intensities in [0, 1], the range the encoder reads (and was trained on).
  // Dividing by 255 again made every image almost black: the encoder saw nearly the same empty scene each time.
  const images = tf.tensor4d(pixels, [B, imageSize, imageSize, 3]);
  return { images, ...text };
}
