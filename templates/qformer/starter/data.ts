/**
 * The data of both stages (provided).
 *
 * Stage 2 trains on exercise 6's visual questions, the same batches from the same seeds (lab/vqaBatch.ts, lab/vqa.ts):
 *
 *   .  what colour is the circle ?  red  <eot>  <pad> …
 *   └──────── prompt (7) ────────┘  └ answer (2) ┘
 *
 * Stage 1 needs image–text pairs. Each scene's caption is its description (lab/vqa.ts `describe`, which names
 * everything the questions ask about), as word ids of the LM's vocabulary with <eot> in front as the [CLS] token
 * whose output ITC compares with the queries (BLIP-2 §3.2):
 *
 *   <eot>  a  small  red  circle  left  of  a  large  blue  star  <pad>
 */
import * as tf from '@tensorflow/tfjs';
import { EOT_ID, PAD_ID, encodeText, type LanguageModel } from '../../lab/lm';
import type { Scene } from '../../lab/shapes';
import { describe } from '../../lab/vqa';

export { TEXT_LENGTH, disposeBatch, type VqaBatch } from '../../lab/vqa';
export { vqaBatch } from '../../lab/vqaBatch';

/** The longest caption: <eot> + "at the bottom right there is a large yellow triangle" is 11 words; one spare. */
export const CAPTION_LENGTH = 12;

/** Each scene's caption as [CLS] + words + <pad>.  → [B, CAPTION_LENGTH] int32 */
export function captionIds(lm: LanguageModel, scenes: readonly Scene[]): tf.Tensor2D {
  const rows = scenes.map((scene) => {
    const ids = [EOT_ID, ...encodeText(lm, describe(scene))];
    if (ids.length > CAPTION_LENGTH)
      throw new Error(`the caption "${describe(scene)}" needs ${ids.length} > ${CAPTION_LENGTH} positions`);
    return [...ids, ...new Array<number>(CAPTION_LENGTH - ids.length).fill(PAD_ID)];
  });
  return tf.tensor2d(rows, [scenes.length, CAPTION_LENGTH], 'int32');
}
