/**
 * The frozen vision encoder: a small ViT-style image tower (Dosovitskiy et al. 2020, Eq. 1–4) over shapes-world
 * images, pretrained once by the extension's `scripts/weights/shapes-vision.ts` and shipped in
 * `lab/weights/shapes-vision/` (its accuracies in meta.json).
 *
 *   const encoder = await loadVisionEncoder();
 *   const patches = patchFeatures(encoder, images);   // [B, 48, 48, 3] → [B, 9, 64]: one feature per 16×16 patch
 *   const pooled = encodeImage(encoder, images);      // [B, 64]: the mean of the patch features
 *
 * A 48-pixel image is cut into a 3×3 grid of 16×16 patches, one per cell of the shapes-world grid. Each patch is
 * projected to width 64, given a learned position embedding, and two transformer blocks let the patches see each
 * other. LLaVA projects these patch features (the grid, not the pooled vector) into the language model.
 *
 * The patch projection is computed as a convolution: a 16×16 kernel moved in steps of 16 sees each patch exactly
 * once, and its weights are the projection matrix E of ViT's Eq. 1 reshaped to [16, 16, 3, 64]. This is the same
 * function as cutting the patches out, flattening them and multiplying by E (ViT's reference code does it this
 * way too), written so that this file does not hand you exercise 1's patchify.
 *
 * How it was trained: supervised, not contrastively. Each output patch predicts what sits in its cell (colour,
 * shape and size, or empty), its own row and column, and how many objects the image holds. On two CPU cores this takes
 * about two minutes, where a CLIP-style contrastive tower needs ten or more (exercise 1) and localises less: CLIP's
 * pooled embedding is trained, its patch features only indirectly. To bridge your own exercise-1 CLIP tower instead,
 * see the LLaVA exercise's README.
 */
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {
  Seeds,
  createBlock,
  layerNorm,
  linear,
  norm,
  transformerBlock,
  type Block,
  type Linear,
  type Norm,
} from './transformer';
import { LINEAR_TEMPLATE, NORM_TEMPLATE, blockTemplates } from './lm';
import { LEAF, flatten, loadTree, readMeta, type LoadOptions, type NamedTensors } from './savedWeights';

export const VISION_WEIGHTS_DIR = path.join(__dirname, 'weights', 'shapes-vision');

export interface VisionConfig {
  imageSize: number;
  patch: number;
  channels: number;
  width: number;
  depth: number;
  heads: number;
  mlpRatio: number;
}

export interface VisionEncoder {
  config: VisionConfig;
  patchEmbed: Linear; // w [P·P·C, D], rows in patch order [y][x][channel]; b [D]
  positionEmbedding: tf.Variable; // [N, D]
  blocks: Block[];
  finalNorm: Norm;
}

/** Patches in the image: (imageSize / patch)². */
export const numPatches = (c: VisionConfig): number => (c.imageSize / c.patch) ** 2;

export function createVisionEncoder(config: VisionConfig, seed: number): VisionEncoder {
  const seeds = new Seeds(seed);
  const D = config.width;
  return {
    config,
    patchEmbed: linear(seeds, config.patch * config.patch * config.channels, D),
    positionEmbedding: tf.variable(tf.randomNormal([numPatches(config), D], 0, 0.02, 'float32', seeds.take())),
    blocks: Array.from({ length: config.depth }, () => createBlock(seeds, D, config.mlpRatio, config.depth)),
    finalNorm: norm(D),
  };
}

/**
 * ViT's patch embedding x_p·E + b for every patch at once, as a P×P convolution with stride P: the kernel is E
 * reshaped to [P, P, C, D], so output cell (i, j) is the dot product of patch (i, j), read [y][x][channel], with
 * each column of E.  [B, H, W, C] → [B, N, D], patches row-major.
 */
function embedPatchGrid(images: tf.Tensor4D, patchEmbed: Linear, c: VisionConfig): tf.Tensor3D {
  return tf.tidy(() => {
    const kernel = tf.reshape(patchEmbed.w, [c.patch, c.patch, c.channels, c.width]) as tf.Tensor4D; // [P, P, C, D]
    const grid = tf.conv2d(images, kernel, c.patch, 'valid'); // [B, H/P, W/P, D]: one cell per patch
    const [B, rows, cols, D] = grid.shape;
    return tf.add(tf.reshape(grid, [B, rows * cols, D]), patchEmbed.b) as tf.Tensor3D; // [B, N, D]
  });
}

/** One feature per patch, after the blocks and the final norm.  [B, S, S, 3] in [0, 1] → [B, N, D] */
export function patchFeatures(encoder: VisionEncoder, images: tf.Tensor4D): tf.Tensor3D {
  const c = encoder.config;
  if (images.shape[1] !== c.imageSize || images.shape[2] !== c.imageSize || images.shape[3] !== c.channels) {
    throw new Error(
      `the vision encoder reads [B, ${c.imageSize}, ${c.imageSize}, ${c.channels}] images; got [${images.shape.join(', ')}]`,
    );
  }
  return tf.tidy(() => {
    const centred = tf.sub(images, 0.5); // pixels [0, 1] → [−0.5, 0.5]
    let x = tf.add(
      embedPatchGrid(centred as tf.Tensor4D, encoder.patchEmbed, c),
      encoder.positionEmbedding,
    ) as tf.Tensor3D; // [B, N, D]
    for (const b of encoder.blocks) x = transformerBlock(x, b, c.heads);
    return layerNorm(x, encoder.finalNorm);
  });
}

/** The pooled image embedding: the mean of the patch features.  [B, S, S, 3] → [B, D] */
export function encodeImage(encoder: VisionEncoder, images: tf.Tensor4D): tf.Tensor2D {
  return tf.tidy(() => tf.mean(patchFeatures(encoder, images), 1) as tf.Tensor2D);
}

/** The encoder's weights by name ("patchEmbed.w", "blocks.0.qkv.w", …). */
export function visionWeights(encoder: VisionEncoder): NamedTensors {
  return flatten({
    patchEmbed: encoder.patchEmbed,
    positionEmbedding: encoder.positionEmbedding,
    blocks: encoder.blocks,
    finalNorm: encoder.finalNorm,
  });
}

export interface VisionMeta {
  seed: number;
  date: string;
  params: number;
  bytes: number;
  steps: number;
  objective: string;
  accuracy: { colour: number; shape: number; size: number; count: number; images: number; seed: number };
  fingerprint: { input: string; features: number[] };
}

export const visionMeta = (dir = VISION_WEIGHTS_DIR): VisionMeta => readMeta<VisionMeta>(dir);

/** Loads the shipped encoder; its weights are ordinary (trainable) tf.Variables, as a checkpoint would give. */
export async function loadVisionEncoder(dir = VISION_WEIGHTS_DIR, opts: LoadOptions = {}): Promise<VisionEncoder> {
  const { config, tree } = await loadTree<VisionConfig, Omit<VisionEncoder, 'config'>>(
    dir,
    opts.trainable ?? true,
    (c) => ({
      patchEmbed: LINEAR_TEMPLATE,
      positionEmbedding: LEAF,
      finalNorm: NORM_TEMPLATE,
      blocks: blockTemplates(c.depth),
    }),
  );
  return { config, ...tree };
}

export function disposeVisionEncoder(encoder: VisionEncoder): void {
  tf.dispose(Object.values(visionWeights(encoder)));
}
