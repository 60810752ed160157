/**
 * Visual instructions from shapes world (provided, as in exercise 3): an image, a question about it and the
 * answer, as tensors. Both bridges train on exactly these batches.
 *
 * The questions and answers come straight from the generator (lab/vqa.ts): colour, shape, count, size, position
 * and relations, the question type drawn uniformly. One example's text, as word ids, is the prompt, then the
 * answer, then <eot>:
 *
 *   .  what colour is the circle ?  red  <eot>  <pad> …
 *   └──────── prompt (7) ────────┘  └ answer (2) ┘
 *
 * The prompt starts with "." because the frozen LM was pretrained on "description . question ? answer". LLaVA puts
 * its image tokens where the description stood; Flamingo leaves the description out of the sequence altogether and
 * lets the words look at the image through cross-attention.
 */
import * as tf from '@tensorflow/tfjs';
import { EOT_ID, PAD_ID, encodeText, type LanguageModel } from '../../lab/lm';
import { renderScene, type Rng, type Scene } from '../../lab/shapes';
import { sampleVisualQA, type VisualQA } from '../../lab/vqa';

export interface VqaBatch {
  images: tf.Tensor4D; // [B, S, S, 3] in [0, 1]
  text: tf.Tensor2D; // [B, T] int32: prompt words, answer words, <eot>, then <pad>
  promptLength: number[]; // [B] words in each prompt
  answerLength: number[]; // [B] answer words + 1 for the closing <eot>
  qa: VisualQA[]; // [B] the questions and answers as text, with their type
  scenes: Scene[];
}

/** Longest text: ". is the purple diamond left of the white cross ?" + "yes" + <eot> = 14 words. */
export const TEXT_LENGTH = 14;

/** `B` fresh examples drawn from `rng`; `heldOut` as in lab/shapes sampleScene (default: no held-out pair). */
export function vqaBatch(
  lm: LanguageModel,
  rng: Rng,
  B: number,
  imageSize: number,
  heldOut: 'exclude' | 'only' | 'any' = 'exclude',
): VqaBatch {
  const pixels = new Float32Array(B * imageSize * imageSize * 3);
  const ids: number[][] = [];
  const promptLength: number[] = [],
    answerLength: number[] = [],
    qa: VisualQA[] = [],
    scenes: Scene[] = [];
  for (let i = 0; i < B; i++) {
    const { scene, qa: item } = sampleVisualQA(rng, heldOut);
    renderScene(scene, imageSize, rng, pixels, i * imageSize * imageSize * 3);
    const prompt = encodeText(lm, `. ${item.question}`);
    const answer = [...encodeText(lm, item.answer), EOT_ID];
    const row = [...prompt, ...answer];
    if (row.length > TEXT_LENGTH)
      throw new Error(`"${item.question} ${item.answer}" needs ${row.length} > ${TEXT_LENGTH} words`);
    ids.push([...row, ...new Array<number>(TEXT_LENGTH - row.length).fill(PAD_ID)]);
    promptLength.push(prompt.length);
    answerLength.push(answer.length);
    qa.push(item);
    scenes.push(scene);
  }
  return {
    images: tf.tensor4d(pixels, [B, imageSize, imageSize, 3]),
    text: tf.tensor2d(ids, [B, TEXT_LENGTH], 'int32'),
    promptLength,
    answerLength,
    qa,
    scenes,
  };
}

export function disposeBatch(batch: VqaBatch): void {
  tf.dispose([batch.images, batch.text]);
}
