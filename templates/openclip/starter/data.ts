/**
 * The data pipeline (provided): batches of shapes-world images and captions from lab/shapes.ts, as in exercise 1,
 * for any batch size.
 *
 * Exercise 1 kept every colour×shape pair at most once per batch, so that no caption also described another image
 * in it (a false negative). Shapes world has only 40 seen pairs, so a batch of 128 must repeat each about three
 * times: the batch walks through the seen pairs in a fresh random order, again and again. The repeats differ in
 * size and place, and a caption that names them tells them apart; one that names only colour and shape ("a red
 * circle") is then also true of another image in the batch. Web-scale CLIP data has the same problem, unflagged.
 */
import * as tf from '@tensorflow/tfjs';
import { caption, renderScene, sampleScene, tokenize, PAIRS, isHeldOut, type Rng, type Scene } from '../../lab/shapes';

export interface Batch {
  images: tf.Tensor4D; // [B, S, S, 3] in [0, 1]
  tokens: tf.Tensor2D; // [B, L] int32 word ids
  captions: string[];
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

/** `size` seen pairs: the 40 in a random order, then again in another, as often as `size` needs. */
function pairsFor(rng: Rng, size: number): (typeof SEEN_PAIRS)[number][] {
  const pairs: (typeof SEEN_PAIRS)[number][] = [];
  while (pairs.length < size) {
    const shuffled = SEEN_PAIRS.map((p) => [rng(), p] as const).sort((a, b) => a[0] - b[0]);
    pairs.push(...shuffled.slice(0, size - pairs.length).map(([, p]) => p));
  }
  return pairs;
}

/**
 * A training batch of `size` one-object scenes with varied captions, never a held-out pair; each pair at most once
 * when size ≤ 40. Call `disposeBatch` when done.
 */
export function trainBatch(rng: Rng, size: number, imageSize: number, textLength: number): Batch {
  const scenes = pairsFor(rng, size).map((pair) => sampleScene(rng, { pair }));
  const captions = scenes.map((s) => caption(s, rng));
  return {
    images: renderImages(scenes, imageSize, rng),
    tokens: tokenizeAll(captions, textLength),
    captions,
  };
}

export function disposeBatch(batch: Batch): void {
  batch.images.dispose();
  batch.tokens.dispose();
}
