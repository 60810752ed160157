/**
 * Evaluation (provided, as in exercise 1): 48-way zero-shot accuracy on seen and held-out colour×shape pairs, and
 * the embeddings of a whole set, which curation scores and deduplicates.
 *
 * Radford et al. 2021, §3.1.2: each class becomes a prompt, "a photo of a {colour} {shape}"; an image gets the class
 * whose prompt embedding is most similar to its own. Held-out pairs never appear in training (nor in any caption of
 * the noisy set), so accuracy on them measures whether the model composes colour and shape.
 */
import * as tf from '@tensorflow/tfjs';
import { PAIRS, isHeldOut, mulberry32, sampleScene } from '../../lab/shapes';
import { renderImages, tokenizeAll } from './data';
import type { Clip } from './model';
import { encodeText } from './text';
import { encodeImage } from './vision';
import { classPrompts, zeroShotClassify } from './zeroshot';

/** Image embeddings in chunks, without gradients.  [N, S, S, 3] → [N, E] */
export function embedImages(model: Clip, images: tf.Tensor4D, chunk = 64): tf.Tensor2D {
  return tf.tidy(() => {
    const parts: tf.Tensor2D[] = [];
    for (let i = 0; i < images.shape[0]; i += chunk) {
      const size = Math.min(chunk, images.shape[0] - i);
      parts.push(encodeImage(model.vision, tf.slice(images, [i, 0, 0, 0], [size, -1, -1, -1])));
    }
    return tf.concat(parts, 0);
  });
}

/** Text embeddings of tokenised captions in chunks.  [N, L] → [N, E] */
export function embedTokens(model: Clip, tokens: tf.Tensor2D, chunk = 256): tf.Tensor2D {
  return tf.tidy(() => {
    const parts: tf.Tensor2D[] = [];
    for (let i = 0; i < tokens.shape[0]; i += chunk) {
      const size = Math.min(chunk, tokens.shape[0] - i);
      parts.push(encodeText(model.text, tf.slice(tokens, [i, 0], [size, -1])));
    }
    return tf.concat(parts, 0);
  });
}

/** Fixed zero-shot test images: `perSeen` of each seen pair and `perHeldOut` of each held-out pair. */
export interface ZeroShotSet {
  images: tf.Tensor4D;
  labels: number[];
  heldOut: boolean[];
}

export function zeroShotSet(imageSize: number, perSeen: number, perHeldOut: number, seed = 12345): ZeroShotSet {
  const rng = mulberry32(seed);
  const scenes = [],
    labels: number[] = [],
    heldOut: boolean[] = [];
  for (const [k, pair] of PAIRS.entries()) {
    const held = isHeldOut(...pair);
    for (let i = 0; i < (held ? perHeldOut : perSeen); i++) {
      scenes.push(sampleScene(rng, { pair }));
      labels.push(k);
      heldOut.push(held);
    }
  }
  return { images: renderImages(scenes, imageSize, rng), labels, heldOut };
}

export interface ZeroShotResult {
  seen: number;
  heldOut: number;
}

/** 48-way zero-shot classification with the prompts "a photo of a {colour} {shape}" (chance 1/48 ≈ 2%). */
export async function zeroShotAccuracy(model: Clip, set: ZeroShotSet): Promise<ZeroShotResult> {
  const predicted = tf.tidy(() => {
    const classEmb = encodeText(model.text, tokenizeAll(classPrompts(PAIRS), model.config.textLength)); // [48, E]
    return zeroShotClassify(embedImages(model, set.images), classEmb); // [N] class indices
  });
  const predictions = Array.from(await predicted.data()); // tf.tidy cannot await: read after it, then dispose
  predicted.dispose();
  const accuracy = (held: boolean): number => {
    const idx = set.labels.map((_, i) => i).filter((i) => set.heldOut[i] === held);
    return idx.filter((i) => predictions[i] === set.labels[i]).length / idx.length;
  };
  return { seen: accuracy(false), heldOut: accuracy(true) };
}
