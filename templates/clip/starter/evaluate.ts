/**
 * Evaluation (provided): zero-shot accuracy on seen and held-out colour×shape pairs, and retrieval@1 both ways.
 */
import * as tf from '@tensorflow/tfjs';
import { PAIRS, isHeldOut, mulberry32, sampleScene, type Scene } from '../../lab/shapes';
import { tokenizeAll, renderImages } from './data';
import { layerNorm, selfAttentionWeights, transformerBlock } from '../../lab/transformer';
import type { Clip, VisionTower } from './model';
import { encodeText } from './text';
import { embedPatches, encodeImage, patchify } from './vision';
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

/** Text embeddings of `texts`.  → [N, E] */
export function embedTexts(model: Clip, texts: string[]): tf.Tensor2D {
  return tf.tidy(() => encodeText(model.text, tokenizeAll(texts, model.config.textLength)));
}

/** Fixed zero-shot test images: `perSeen` of each seen pair and `perHeldOut` of each held-out pair. */
export interface ZeroShotSet {
  images: tf.Tensor4D;
  labels: number[];
  heldOut: boolean[];
  scenes: Scene[];
}

export function zeroShotSet(imageSize: number, perSeen: number, perHeldOut: number, seed = 12345): ZeroShotSet {
  const rng = mulberry32(seed);
  const scenes: Scene[] = [],
    labels: number[] = [],
    heldOut: boolean[] = [];
  PAIRS.forEach((pair, k) => {
    const held = isHeldOut(...pair);
    for (let i = 0; i < (held ? perHeldOut : perSeen); i++) {
      scenes.push(sampleScene(rng, { pair }));
      labels.push(k);
      heldOut.push(held);
    }
  });
  return { images: renderImages(scenes, imageSize, rng), labels, heldOut, scenes };
}

export interface ZeroShotResult {
  seen: number;
  heldOut: number;
  predictions: number[];
}

/** 48-way zero-shot classification with the prompts "a photo of a {colour} {shape}" (chance 1/48 ≈ 2%). */
export async function zeroShotAccuracy(model: Clip, set: ZeroShotSet): Promise<ZeroShotResult> {
  const predicted = tf.tidy(() => {
    const classEmb = embedTexts(model, classPrompts(PAIRS)); // [48, E]
    return zeroShotClassify(embedImages(model, set.images), classEmb); // [N] class indices
  });
  const predictions = Array.from(await predicted.data()); // tf.tidy cannot await: read after it, then dispose
  predicted.dispose();
  const accuracy = (held: boolean): number => {
    const idx = set.labels.map((_, i) => i).filter((i) => set.heldOut[i] === held);
    return idx.filter((i) => predictions[i] === set.labels[i]).length / idx.length;
  };
  return { seen: accuracy(false), heldOut: accuracy(true), predictions };
}

export type RetrievalResult = { imageToText: number; textToImage: number; similarity: tf.Tensor2D };

/** Retrieval@1 on a batch of pairs: how often an image's best caption is its own, and the reverse. */
export async function retrieval(model: Clip, images: tf.Tensor4D, tokens: tf.Tensor2D): Promise<RetrievalResult> {
  const { similarity, hits } = tf.tidy(() => {
    const similarity = tf.matMul(
      embedImages(model, images),
      encodeText(model.text, tokens),
      false,
      true,
    ) as tf.Tensor2D; // [B, B] cosines
    const diagonal = tf.range(0, similarity.shape[0], 1, 'int32');
    const hitRate = (axis: number): tf.Scalar =>
      tf.mean(tf.cast(tf.equal(tf.argMax(similarity, axis), diagonal), 'float32'));
    return { similarity, hits: tf.stack([hitRate(1), hitRate(0)]) }; // hits [2]: image→text, text→image
  });
  const [imageToText, textToImage] = await hits.data();
  hits.dispose();
  return { imageToText, textToImage, similarity };
}

/**
 * Where the class token looks: the last block's attention weights from the class token to every patch, per head,
 * on the patch grid (a picture for the run panel's attention view, read with your patchify and embedPatches).
 *   [B, S, S, 3] → [B, heads, S/patch, S/patch]
 */
export function classTokenAttention(tower: VisionTower, images: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    let x = embedPatches(tower, patchify(images, tower.patch)); // [B, 1 + N, D]
    const last = tower.blocks[tower.blocks.length - 1];
    for (const b of tower.blocks.slice(0, -1)) x = transformerBlock(x, b, tower.heads);
    const weights = selfAttentionWeights(layerNorm(x, last.ln1), last, tower.heads); // [B, H, 1 + N, 1 + N]
    const [B, H, T] = weights.shape;
    const fromClass = tf.slice(weights, [0, 0, 0, 1], [B, H, 1, T - 1]); // [B, H, 1, N]: row 0, the patches
    const grid = images.shape[1] / tower.patch;
    return tf.reshape(fromClass, [B, H, grid, grid]) as tf.Tensor4D;
  });
}
