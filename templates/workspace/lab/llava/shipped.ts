/**
 * The course's trained LLaVA-style model (provided to the exercises that evaluate it): exercise 3's MLP bridge
 * trained by the extension's `scripts/weights/shapes-llava.ts` with LLAVA_RUN's cpu settings, seeded, between the
 * frozen shapes-clip image tower (penultimate layer) and the frozen shapes-lm. Only the projection is shipped, in
 * `lab/weights/shapes-llava/` (its held-out VQA accuracy in meta.json); the encoder and the LM are the shipped ones.
 *
 *   const vlm = await loadLlava();                     // everything frozen
 *   const logits = shippedVlmLogits(vlm, images, text); // [B, 1 + N + T, V]
 *
 * The sequence is exercise 3's: the start token, the N projected image tokens, the words.
 */
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {
  EOT_ID,
  LINEAR_TEMPLATE,
  disposeLanguageModel,
  embed,
  forwardEmbeddings,
  loadLanguageModel,
  type LanguageModel,
  type Linear,
} from '../lm';
import { loadWeights, readMeta, unflatten } from '../savedWeights';
import {
  disposeVisionEncoder,
  loadVisionEncoder,
  patchFeatures,
  type VisionEncoder,
  type VisionLayer,
} from '../vision';
import { project, projectionVariables, type Projection, type ProjectionKind } from './projection';

/** The shipped VLM: everything frozen. */
export interface Vlm {
  encoder: VisionEncoder;
  lm: LanguageModel;
  projection: Projection;
}

export const LLAVA_WEIGHTS_DIR = path.join(__dirname, '..', 'weights', 'shapes-llava');

/** model.json's config: which projection, and which encoder layer it reads. */
export interface LlavaConfig {
  projection: ProjectionKind;
  visionLayer: VisionLayer;
  dVision: number;
  dModel: number;
}

/** How the shipped bridge was trained and how well it answers (meta.json). */
export interface LlavaMeta {
  seed: number;
  steps: number;
  batch: number;
  config: LlavaConfig;
  heldOut: { accuracy: number; accuracyShuffled: number; accuracyTextOnly: number; questions: number };
}

export const llavaMeta = (dir = LLAVA_WEIGHTS_DIR): LlavaMeta => readMeta<LlavaMeta>(dir);

/** Loads the shipped projection with the shipped encoder and LM, all frozen (tf.Variables with trainable false). */
export async function loadLlava(dir = LLAVA_WEIGHTS_DIR): Promise<Vlm> {
  const { config, weights } = await loadWeights(dir, false);
  const c = config as LlavaConfig;
  const template = c.projection === 'linear' ? [LINEAR_TEMPLATE] : [LINEAR_TEMPLATE, LINEAR_TEMPLATE];
  const layers = unflatten(template, weights, 'projection') as unknown as Linear[];
  const encoder = await loadVisionEncoder(undefined, { layer: c.visionLayer, trainable: false });
  const lm = await loadLanguageModel(undefined, { trainable: false });
  return { encoder, lm, projection: { kind: c.projection, layers } };
}

/** Frees the projection, the encoder and the LM. */
export function disposeLlava(vlm: Vlm): void {
  tf.dispose(projectionVariables(vlm.projection));
  disposeVisionEncoder(vlm.encoder);
  disposeLanguageModel(vlm.lm);
}

/**
 * Next-word logits for every position of the sequence <eot>, the image tokens, the words (causal attention).
 *   images [B, S, S, 3], text [B, T] word ids → [B, 1 + N + T, V]
 */
export function shippedVlmLogits(vlm: Vlm, images: tf.Tensor4D, text: tf.Tensor2D): tf.Tensor3D {
  return tf.tidy(() => {
    const B = text.shape[0];
    const imageTokens = project(vlm.projection, patchFeatures(vlm.encoder, images)); // [B, N, D]
    const start = embed(vlm.lm, tf.fill([B, 1], EOT_ID, 'int32') as tf.Tensor2D); // [B, 1, D]
    const sequence = tf.concat([start, imageTokens, embed(vlm.lm, text)], 1) as tf.Tensor3D; // [B, 1 + N + T, D]
    return forwardEmbeddings(vlm.lm, sequence); // [B, 1 + N + T, V]
  });
}
