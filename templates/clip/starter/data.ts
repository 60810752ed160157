/**
 * The data pipeline (provided): batches of shapes-world images and captions from lab/shapes.ts.
 *
 * CLIP treats every other caption in the batch as a negative for an image. Two images of a red circle in one
 * batch would make "a red circle" a wrong answer for an image it describes (a false negative), so each batch holds
 * every colour×shape pair at most once. The held-out pairs (HELD_OUT in lab/shapes.ts) never appear in training.
 */
import * as tf from '@tensorflow/tfjs';
import { caption, renderScene, sampleScene, tokenize, PAIRS, isHeldOut, type Rng, type Scene } from '../../lab/shapes';

export interface Batch {
  images: tf.Tensor4D; // [B, S, S, 3] in [0, 1]
  tokens: tf.Tensor2D; // [B, L] int32 word ids
  captions: string[];
  scenes: Scene[];
}

/** The colour×shape pairs training may show (48 minus the 8 held out). */
export const SEEN_PAIRS = PAIRS.filter(([c, s]) => !isHeldOut(c, s));

/** Renders `scenes` into one image tensor.  → [B, size, size, 3] */
export function renderImages(scenes: Scene[], size: number, rng: Rng): tf.Tensor4D {
  const pixels = new Float32Array(scenes.length * size * size * 3);
  scenes.forEach((s, i) => renderScene(s, size, rng, pixels, i * size * size * 3));
  return tf.tensor4d(pixels, [scenes.length, size, size, 3]);
}

/** Word ids of each caption, padded to `length`.  → [B, L] int32 */
export function tokenizeAll(captions: string[], length: number): tf.Tensor2D {
  return tf.tensor2d(
    captions.map((c) => tokenize(c, length)),
    [captions.length, length],
    'int32',
  );
}

/** Pairs with their images and tokens. Call `disposeBatch` when done. */
export function makeBatch(scenes: Scene[], captions: string[], imageSize: number, textLength: number, rng: Rng): Batch {
  return { images: renderImages(scenes, imageSize, rng), tokens: tokenizeAll(captions, textLength), captions, scenes };
}

/**
 * A training batch of `size` one-object scenes with varied captions, each colour×shape pair at most once
 * (size ≤ 40), never a held-out pair.
 */
export function trainBatch(rng: Rng, size: number, imageSize: number, textLength: number): Batch {
  if (size > SEEN_PAIRS.length)
    throw new Error(`batch size ${size} > ${SEEN_PAIRS.length} seen pairs: a pair would repeat`);
  const order = SEEN_PAIRS.map((p) => [rng(), p] as const)
    .sort((a, b) => a[0] - b[0])
    .slice(0, size)
    .map(([, p]) => p);
  const scenes = order.map((pair) => sampleScene(rng, { pair }));
  return makeBatch(
    scenes,
    scenes.map((s) => caption(s, rng)),
    imageSize,
    textLength,
    rng,
  );
}

export function disposeBatch(batch: Batch): void {
  batch.images.dispose();
  batch.tokens.dispose();
}
