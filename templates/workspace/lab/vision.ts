/**
 * The frozen vision encoder: the image tower of a small CLIP (Radford et al. 2021) over shapes-world images, a
 * ViT-style transformer (Dosovitskiy et al. 2020, Eq. 1–4) trained contrastively against a text tower with exercise
 * 1's recipe (the symmetric InfoNCE loss, a learned temperature clamped to [0, ln 100] after each step) by the
 * extension's `scripts/weights/shapes-clip.ts`, and shipped in `lab/weights/shapes-clip/` (its zero-shot and
 * retrieval accuracies in meta.json).
 *
 *   const encoder = await loadVisionEncoder();                      // the penultimate layer's patches, as LLaVA
 *   const patches = patchFeatures(encoder, images);                 // [B, 48, 48, 3] → [B, 9, 64]
 *   const last = await loadVisionEncoder(undefined, { layer: 'last' });  // the ablation: the last layer instead
 *
 * A 48-pixel image is cut into a 3×3 grid of 16×16 patches, one per cell of the shapes-world grid. Each patch is
 * projected to width 64, a learned class token is put in front, learned position embeddings are added, and three
 * transformer blocks let the tokens see each other. CLIP trains only the class token's output (layer-normed and
 * projected into the joint space it shares with the text tower); the patch tokens are shaped indirectly, through
 * what the class token reads from them. LLaVA projects the patch features (the grid, not the class token) into the
 * language model, and it takes them from the penultimate layer (Liu et al. 2023, §4.1; §5.2 found the last layer
 * 0.96 points worse on ScienceQA): in the last block nothing asks the patch outputs to be useful, since only the
 * class token's output reaches the loss. `layer` picks which: the output of block depth−1 ('penultimate', the
 * default) or of block depth ('last'). Neither is layer-normed, as in LLaVA (hidden states, not `ln_post`).
 *
 * The patch projection is computed as a convolution: a 16×16 kernel moved in steps of 16 sees each patch exactly
 * once, and its weights are the projection matrix E of ViT's Eq. 1 reshaped to [16, 16, 3, 64]. This is the same
 * function as cutting the patches out, flattening them and multiplying by E (ViT's reference code does it this
 * way too), written so that this file does not hand you exercise 1's patchify.
 *
 * To bridge your own exercise-1 CLIP tower instead, see the LLaVA exercise's README.
 */
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {
  Seeds,
  createBlock,
  linear,
  norm,
  transformerBlock,
  weight,
  type Block,
  type Linear,
  type Norm,
} from './transformer';
import { LINEAR_TEMPLATE, NORM_TEMPLATE, blockTemplates } from './lm';
import { LEAF, flatten, loadWeights, readMeta, unflatten, type LoadOptions, type NamedTensors } from './savedWeights';

export const VISION_WEIGHTS_DIR = path.join(__dirname, 'weights', 'shapes-clip');

/** The image tower's shape; the text tower's is in the same model.json (`text`), for the build and its checks. */
export interface VisionConfig {
  imageSize: number;
  patch: number;
  channels: number;
  width: number;
  depth: number;
  heads: number;
  mlpRatio: number;
  embedDim: number; // E: the joint image–text space the class token is projected into
}

/** Which block's output `patchFeatures` returns: LLaVA's choice ('penultimate') or the last block's. */
export type VisionLayer = 'penultimate' | 'last';

export interface VisionEncoder {
  config: VisionConfig;
  layer: VisionLayer;
  patchEmbed: Linear; // w [P·P·C, D], rows in patch order [y][x][channel]; b [D]
  classToken: tf.Variable; // [1, 1, D]
  positionEmbedding: tf.Variable; // [1 + N, D]: the class token's, then the patches' in row-major order
  blocks: Block[];
  finalNorm: Norm; // CLIP's ln_post, on the class token only
  projection: tf.Variable; // [D, E]: the class token into the joint space
}

/** Patches in the image: (imageSize / patch)². */
export const numPatches = (c: VisionConfig): number => (c.imageSize / c.patch) ** 2;

export function createVisionEncoder(
  config: VisionConfig,
  seed: number,
  layer: VisionLayer = 'penultimate',
): VisionEncoder {
  const seeds = new Seeds(seed);
  const D = config.width;
  return {
    config,
    layer,
    patchEmbed: linear(seeds, config.patch * config.patch * config.channels, D),
    classToken: tf.variable(tf.randomNormal([1, 1, D], 0, 0.02, 'float32', seeds.take())),
    positionEmbedding: tf.variable(tf.randomNormal([1 + numPatches(config), D], 0, 0.02, 'float32', seeds.take())),
    blocks: Array.from({ length: config.depth }, () => createBlock(seeds, D, config.mlpRatio, config.depth)),
    finalNorm: norm(D),
    projection: weight(seeds, D, config.embedDim),
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

/**
 * The tower's token states after each block: element k is the output of block k+1, [B, 1 + N, D], the class token
 * at position 0.  Images [B, S, S, 3] in [0, 1].
 */
export function hiddenStates(encoder: VisionEncoder, images: tf.Tensor4D): tf.Tensor3D[] {
  const c = encoder.config;
  if (images.shape[1] !== c.imageSize || images.shape[2] !== c.imageSize || images.shape[3] !== c.channels) {
    throw new Error(
      `the vision encoder reads [B, ${c.imageSize}, ${c.imageSize}, ${c.channels}] images; got [${images.shape.join(', ')}]`,
    );
  }
  return tf.tidy(() => {
    const B = images.shape[0];
    const patches = embedPatchGrid(images, encoder.patchEmbed, c); // pixels in [0, 1], as exercise 1's tower
    const cls = tf.tile(encoder.classToken, [B, 1, 1]); // [B, 1, D]
    let x = tf.add(tf.concat([cls, patches], 1), encoder.positionEmbedding) as tf.Tensor3D; // [B, 1 + N, D]
    const states: tf.Tensor3D[] = [];
    for (const b of encoder.blocks) {
      x = transformerBlock(x, b, c.heads);
      states.push(x);
    }
    return states;
  });
}

/** One feature per patch from `encoder.layer` (class token dropped, no norm, as LLaVA).  [B, S, S, 3] → [B, N, D] */
export function patchFeatures(encoder: VisionEncoder, images: tf.Tensor4D): tf.Tensor3D {
  return tf.tidy(() => {
    const states = hiddenStates(encoder, images);
    const x = states[encoder.layer === 'last' ? states.length - 1 : states.length - 2];
    const [B, T, D] = x.shape;
    return tf.slice(x, [0, 1, 0], [B, T - 1, D]);
  });
}

/** The encoder's weights by name ("patchEmbed.w", "blocks.0.qkv.w", …); the shipped file has them under "image.". */
export function visionWeights(encoder: VisionEncoder): NamedTensors {
  return flatten({
    patchEmbed: encoder.patchEmbed,
    classToken: encoder.classToken,
    positionEmbedding: encoder.positionEmbedding,
    blocks: encoder.blocks,
    finalNorm: encoder.finalNorm,
    projection: encoder.projection,
  });
}

export interface VisionMeta {
  seed: number;
  date: string;
  params: number;
  bytes: number;
  steps: number;
  objective: string;
  /** Zero-shot colour×shape classification of one-object images against "a <colour> <shape>" prompts. */
  zeroShot: { seen: number; heldOut: number; classes: number; images: number; seed: number };
  /** Retrieval@1 among `n` held-out scenes and their full descriptions, both ways. */
  retrieval: { imageToText: number; textToImage: number; n: number; seed: number };
  fingerprint: { input: string; features: number[] };
}

export const visionMeta = (dir = VISION_WEIGHTS_DIR): VisionMeta => readMeta<VisionMeta>(dir);

/** How to load the encoder: trainable or frozen weights, and which layer `patchFeatures` reads. */
export interface VisionLoadOptions extends LoadOptions {
  layer?: VisionLayer;
}

/**
 * Loads the shipped CLIP's image tower (the "image." weights of `dir`; the text tower's are left on disk). Its
 * weights are ordinary (trainable) tf.Variables, as a checkpoint would give; freeze them by not training them.
 */
export async function loadVisionEncoder(
  dir = VISION_WEIGHTS_DIR,
  opts: VisionLoadOptions = {},
): Promise<VisionEncoder> {
  const { config, weights } = await loadWeights(dir, opts.trainable ?? true);
  const c = (config as { image?: VisionConfig }).image;
  if (!c) throw new Error(`${dir}/model.json has no "image" config: not a shapes-clip folder`);
  const template = {
    patchEmbed: LINEAR_TEMPLATE,
    classToken: LEAF,
    positionEmbedding: LEAF,
    finalNorm: NORM_TEMPLATE,
    blocks: blockTemplates(c.depth),
    projection: LEAF,
  };
  const tree = unflatten<unknown>(template, weights, 'image') as Omit<VisionEncoder, 'config' | 'layer'>;
  const used = new Set(Object.values(flatten(tree)));
  tf.dispose(Object.values(weights).filter((w) => !used.has(w)));
  return { config: c, layer: opts.layer ?? 'penultimate', ...tree };
}

export function disposeVisionEncoder(encoder: VisionEncoder): void {
  tf.dispose(Object.values(visionWeights(encoder)));
}
