/**
 * The data pipeline (provided): the noisy set rendered once into tensors, and training batches drawn from any subset
 * of it (the whole raw set, or what your filter kept).
 *
 * CLIP treats every other caption in the batch as a negative for an image. Two images of a red circle in one
 * batch would make "a red circle" a wrong answer for an image it describes (a false negative), so, as in exercise 1,
 * a batch holds each colour×shape pair of the images at most once (copies of one scene included). A mismatched
 * caption can still name another image's pair: that is the noise.
 */
import * as tf from '@tensorflow/tfjs';
import { renderScene, tokenize, type Rng, type Scene } from '../../lab/shapes';
import { pairKey, shuffled } from './noisy';

export interface Batch {
  images: tf.Tensor4D; // [B, S, S, 3] in [0, 1]
  tokens: tf.Tensor2D; // [B, L] int32 word ids
}

/** Renders `scenes` into one image tensor.  → [N, size, size, 3] */
export function renderImages(scenes: Scene[], size: number, rng: Rng): tf.Tensor4D {
  const pixels = new Float32Array(scenes.length * size * size * 3);
  scenes.forEach((s, i) => renderScene(s, size, rng, pixels, i * size * size * 3));
  return tf.tensor4d(pixels, [scenes.length, size, size, 3]);
}

/** Word ids of each caption, padded to `length`.  → [N, L] int32 */
export function tokenizeAll(captions: string[], length: number): tf.Tensor2D {
  return tf.tensor2d(
    captions.map((c) => tokenize(c, length)),
    [captions.length, length],
    'int32',
  );
}

/** A data set held as tensors: every image and every caption, rendered and tokenised once. */
export interface PairSet {
  images: tf.Tensor4D; // [N, S, S, 3]
  tokens: tf.Tensor2D; // [N, L]
  pairOf: string[]; // the colour×shape each image shows
}

export function pairSet(scenes: Scene[], captions: string[], imageSize: number, textLength: number, rng: Rng): PairSet {
  return {
    images: renderImages(scenes, imageSize, rng),
    tokens: tokenizeAll(captions, textLength),
    pairOf: scenes.map(pairKey),
  };
}

/** Indices of a batch of up to `size` items of `subset`, drawn at random, each image colour×shape at most once. */
export function sampleBatch(rng: Rng, set: PairSet, subset: readonly number[], size: number): number[] {
  const taken = new Set<string>();
  const batch: number[] = [];
  for (const i of shuffled(rng, subset)) {
    if (batch.length === size) break;
    if (taken.has(set.pairOf[i])) continue;
    taken.add(set.pairOf[i]);
    batch.push(i);
  }
  return batch;
}

/** The images and tokens of `indices`. Call `disposeBatch` when done. */
export function gatherBatch(set: PairSet, indices: number[]): Batch {
  return { images: tf.gather(set.images, indices), tokens: tf.gather(set.tokens, indices) };
}

export function disposeBatch(batch: Batch): void {
  batch.images.dispose();
  batch.tokens.dispose();
}

export function disposePairSet(set: PairSet): void {
  set.images.dispose();
  set.tokens.dispose();
}
