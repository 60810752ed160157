/**
 * CLIP's two towers and the joint embedding space they meet in (provided: exercise 1's model, with its answers).
 *
 * Radford et al. 2021, "Learning Transferable Visual Models From Natural Language Supervision", §2.4 and Figure 3:
 * each tower ends in a linear projection W_i or W_t, and both embeddings are L2-normalised, so their dot product
 * is a cosine similarity.
 */
import * as tf from '@tensorflow/tfjs';
import { block, linear, norm, weight, Seeds, type Block, type Linear, type Norm } from './transformer';

export interface ClipConfig {
  imageSize: number; // pixels per side of the square RGB input
  patch: number; // pixels per side of one patch (imageSize must be a multiple)
  visionWidth: number; // D of the image transformer
  visionDepth: number; // number of transformer blocks
  visionHeads: number;
  textLength: number; // L: token positions (words + <eot> + padding)
  vocabSize: number;
  textWidth: number;
  textDepth: number;
  textHeads: number;
  mlpRatio: number; // hidden width of each block's MLP, as a multiple of D
  embedDim: number; // E: size of the joint image–text space
}

export interface VisionTower {
  patch: number;
  heads: number;
  patchEmbed: Linear; // [patch·patch·3, D]: one patch's pixels → one token
  cls: tf.Variable; // [1, 1, D]: the learned class token whose output summarises the image
  pos: tf.Variable; // [1 + N, D]: learned position embeddings (N patches, plus the class token)
  blocks: Block[];
  lnPost: Norm;
  proj: tf.Variable; // [D, E]: into the joint space
}

export interface TextTower {
  heads: number;
  tokenEmbed: tf.Variable; // [V, D]
  pos: tf.Variable; // [L, D]
  blocks: Block[];
  lnFinal: Norm;
  proj: tf.Variable; // [D, E]
}

export interface Clip {
  config: ClipConfig;
  vision: VisionTower;
  text: TextTower;
  /** log of the logit scale 1/τ (the paper's learnable temperature τ), initialised to log(1/0.07). */
  logitScale: tf.Variable;
}

export function createVisionTower(c: ClipConfig, seeds = new Seeds(1)): VisionTower {
  const n = (c.imageSize / c.patch) ** 2,
    d = c.visionWidth;
  return {
    patch: c.patch,
    heads: c.visionHeads,
    patchEmbed: linear(seeds, c.patch * c.patch * 3, d),
    cls: tf.variable(tf.randomNormal([1, 1, d], 0, 0.02, 'float32', seeds.take())),
    pos: tf.variable(tf.randomNormal([1 + n, d], 0, 0.02, 'float32', seeds.take())),
    blocks: Array.from({ length: c.visionDepth }, () => block(seeds, d, c.mlpRatio)),
    lnPost: norm(d),
    proj: weight(seeds, d, c.embedDim),
  };
}

export function createTextTower(c: ClipConfig, seeds = new Seeds(1000)): TextTower {
  const d = c.textWidth;
  return {
    heads: c.textHeads,
    tokenEmbed: tf.variable(tf.randomNormal([c.vocabSize, d], 0, 0.02, 'float32', seeds.take())),
    pos: tf.variable(tf.randomNormal([c.textLength, d], 0, 0.02, 'float32', seeds.take())),
    blocks: Array.from({ length: c.textDepth }, () => block(seeds, d, c.mlpRatio)),
    lnFinal: norm(d),
    proj: weight(seeds, d, c.embedDim),
  };
}

/** A fresh CLIP: both towers and the temperature. */
export function createClip(config: ClipConfig): Clip {
  return {
    config,
    vision: createVisionTower(config),
    text: createTextTower(config),
    logitScale: tf.variable(tf.scalar(Math.log(1 / 0.07))),
  };
}

/** Every trainable variable of the model (what the optimiser updates). */
export function clipVariables(model: Clip): tf.Variable[] {
  const all: tf.Variable[] = [model.logitScale];
  const walk = (o: unknown): void => {
    if (o instanceof tf.Variable) all.push(o);
    else if (Array.isArray(o)) o.forEach(walk);
    else if (o && typeof o === 'object') Object.values(o).forEach(walk);
  };
  walk(model.vision);
  walk(model.text);
  return all;
}

/** Frees every variable of the model. */
export function disposeClip(model: Clip): void {
  for (const v of clipVariables(model)) v.dispose();
}

/**
 * Projects a tower's pooled features into the joint space and L2-normalises each row, so that the dot
 * product of an image embedding and a text embedding is their cosine similarity.  [B, D] · [D, E] → [B, E]
 */
export function projectToJoint(features: tf.Tensor2D, proj: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const z = tf.matMul(features, proj); // [B, E]
    const length = tf.sqrt(tf.add(tf.sum(tf.square(z), -1, true), 1e-12)); // [B, 1]
    return tf.div(z, length) as tf.Tensor2D; // [B, E], every row of length 1
  });
}
