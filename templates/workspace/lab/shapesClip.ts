/**
 * The shipped shapes-world CLIP with both towers (provided to the exercises that evaluate it): the image tower of
 * lab/vision.ts and the text tower beside it in `lab/weights/shapes-clip/`, trained together from scratch with
 * exercise 1's recipe by the extension's `scripts/weights/shapes-clip.ts` (its zero-shot accuracy in meta.json).
 *
 *   const clip = await loadShapesClip();
 *   const images = embedImages(clip, pixels);                  // [B, 48, 48, 3] → [B, 64], unit rows
 *   const texts = embedTexts(clip, ['a photo of a red circle']); // → [1, 64], unit rows
 *   tf.matMul(images, texts, false, true)                       // cosine similarities, as zero-shot reads them
 *
 * The image embedding is the class token after the last block, layer-normed and projected (CLIP's ln_post and
 * proj); the text embedding is the causal text transformer's state at <eot>, layer-normed and projected.
 */
import * as tf from '@tensorflow/tfjs';
import { EOT, tokenize } from './shapes';
import { NORM_TEMPLATE, blockTemplates, causalMask, layerNorm, transformerBlock, type Block, type Norm } from './lm';
import { LEAF, flatten, loadWeights, unflatten } from './savedWeights';
import {
  VISION_WEIGHTS_DIR,
  disposeVisionEncoder,
  hiddenStates,
  loadVisionEncoder,
  type VisionEncoder,
} from './vision';

/** The text tower's shape (model.json's `text`). */
export interface TextConfig {
  length: number;
  width: number;
  depth: number;
  heads: number;
  mlpRatio: number;
  vocabSize: number;
}

export interface TextTower {
  config: TextConfig;
  tokenEmbed: tf.Variable; // [V, D]
  pos: tf.Variable; // [L, D]
  blocks: Block[];
  lnFinal: Norm;
  proj: tf.Variable; // [D, E]
}

export interface ShapesClip {
  image: VisionEncoder;
  text: TextTower;
}

/** Loads both towers of the shipped CLIP, frozen. */
export async function loadShapesClip(dir = VISION_WEIGHTS_DIR): Promise<ShapesClip> {
  const image = await loadVisionEncoder(dir, { trainable: false });
  const { config, weights } = await loadWeights(dir, false);
  const c = (config as { text?: TextConfig }).text;
  if (!c) throw new Error(`${dir}/model.json has no "text" config: not a shapes-clip folder`);
  const template = {
    tokenEmbed: LEAF,
    pos: LEAF,
    blocks: blockTemplates(c.depth),
    lnFinal: NORM_TEMPLATE,
    proj: LEAF,
  };
  const tree = unflatten(template, weights, 'text') as unknown as Omit<TextTower, 'config'>;
  const used = new Set(Object.values(flatten(tree)));
  tf.dispose(Object.values(weights).filter((w) => !used.has(w)));
  return { image, text: { config: c, ...tree } };
}

export function disposeShapesClip(clip: ShapesClip): void {
  disposeVisionEncoder(clip.image);
  const t = clip.text;
  tf.dispose(
    Object.values(
      flatten({ tokenEmbed: t.tokenEmbed, pos: t.pos, blocks: t.blocks, lnFinal: t.lnFinal, proj: t.proj }),
    ),
  );
}

const unitRows = (x: tf.Tensor2D): tf.Tensor2D =>
  tf.div(x, tf.sqrt(tf.add(tf.sum(tf.square(x), -1, true), 1e-12))) as tf.Tensor2D;

/** Joint-space image embeddings: the class token after the last block, ln_post, projection.  [B, S, S, 3] → [B, E] */
export function embedImages(clip: ShapesClip, images: tf.Tensor4D): tf.Tensor2D {
  return tf.tidy(() => {
    const v = clip.image;
    const states = hiddenStates(v, images);
    const last = states[states.length - 1]; // [B, 1 + N, D]
    const [B, , D] = last.shape;
    const cls = tf.reshape(tf.slice(last, [0, 0, 0], [B, 1, D]), [B, D]) as tf.Tensor2D; // [B, D]
    return unitRows(tf.matMul(layerNorm(cls, v.finalNorm), v.projection));
  });
}

/** Joint-space text embeddings: causal blocks, the state at <eot>, layer norm, projection.  texts → [B, E] */
export function embedTexts(clip: ShapesClip, texts: readonly string[]): tf.Tensor2D {
  const t = clip.text;
  const L = t.config.length;
  return tf.tidy(() => {
    const ids = tf.tensor2d(
      texts.map((s) => tokenize(s, L)),
      [texts.length, L],
      'int32',
    ); // [B, L]
    let x = tf.add(tf.gather(t.tokenEmbed, ids), t.pos) as tf.Tensor3D; // [B, L, D]
    const mask = causalMask(L);
    for (const b of t.blocks) x = transformerBlock(x, b, t.config.heads, mask);
    const atEot = tf.expandDims(tf.cast(tf.equal(ids, EOT), 'float32'), -1); // [B, L, 1]
    const pooled = tf.sum(tf.mul(x, atEot), 1) as tf.Tensor2D; // [B, D]
    return unitRows(tf.matMul(layerNorm(pooled, t.lnFinal), t.proj));
  });
}

/** The best-matching prompt for each image (zero-shot classification, CLIP §3.1.2).  → [B] prompt indices */
export async function zeroShotPredict(
  clip: ShapesClip,
  images: tf.Tensor4D,
  promptEmbeddings: tf.Tensor2D,
): Promise<number[]> {
  const predicted = tf.tidy(() => tf.argMax(tf.matMul(embedImages(clip, images), promptEmbeddings, false, true), 1));
  const out = Array.from(await predicted.data());
  predicted.dispose();
  return out;
}
