/**
 * A small LLaVA (provided to the exercises built on exercise 3, whose TODO 3 it answers: the same code as
 * templates/llava/solution/model.ts): a frozen vision encoder, a trained projection and a frozen language model
 * (Liu et al. 2023, §4.1, Fig. 1). The image becomes N tokens in the LM's input sequence, in front of the question:
 *
 *   position   0        1 … N              N+1 … N+T
 *   token      <eot>    image tokens       .  what colour is the circle ?  red  <eot>
 *              (start)  project(Z_v)       word embeddings of `text`
 *
 * The shipped trained bridge (lab/weights/shapes-llava) loads with lab/llava/shipped.ts.
 *
 * Single source: templates/llava/solution/model.ts (course repository); the content suite keeps them equal.
 */
import * as tf from '@tensorflow/tfjs';
import { EOT_ID, embed, forwardEmbeddings, type LanguageModel } from '../lm';
import { patchFeatures, type VisionEncoder } from '../vision';
import { createProjection, project, projectionVariables, type Projection, type ProjectionKind } from './projection';

export interface Vlm {
  encoder: VisionEncoder; // frozen
  lm: LanguageModel; // frozen
  projection: Projection; // trained
}

export function createVlm(encoder: VisionEncoder, lm: LanguageModel, kind: ProjectionKind, seed = 7): Vlm {
  return { encoder, lm, projection: createProjection(kind, encoder.config.width, lm.config.width, seed) };
}

/**
 * TODO(3): the LM's input sequence: the embedding of <eot> (the start token), then the image tokens, then the
 * word embeddings of `text` (use `embed(lm, ids)` from lab/lm; EOT_ID is the start token's id).
 * [B, N, D] image tokens and [B, T] word ids → [B, 1 + N + T, D]
 */
export function spliceImageTokens(lm: LanguageModel, imageTokens: tf.Tensor3D, text: tf.Tensor2D): tf.Tensor3D {
  return tf.tidy(() => {
    const B = text.shape[0];
    const start = embed(lm, tf.fill([B, 1], EOT_ID, 'int32') as tf.Tensor2D); // [B, 1, D]
    const words = embed(lm, text); // [B, T, D]
    return tf.concat([start, imageTokens, words], 1) as tf.Tensor3D; // [B, 1 + N + T, D]
  });
}

/** The encoder's patch features, outside any gradient: the encoder is frozen.  [B, S, S, 3] → [B, N, Dv] */
export function imageFeatures(vlm: Vlm, images: tf.Tensor4D): tf.Tensor3D {
  return patchFeatures(vlm.encoder, images);
}

/** Next-word logits for every position of the spliced sequence.  [B, N, Dv], [B, T] → [B, 1 + N + T, V] */
export function vlmLogits(vlm: Vlm, features: tf.Tensor3D, text: tf.Tensor2D): tf.Tensor3D {
  return tf.tidy(() => {
    const imageTokens = project(vlm.projection, features); // [B, N, D]
    const sequence = spliceImageTokens(vlm.lm, imageTokens, text); // [B, 1 + N + T, D]
    return forwardEmbeddings(vlm.lm, sequence); // [B, 1 + N + T, V], causal attention
  });
}

/** Frees the projection (the frozen parts belong to whoever loaded them). */
export function disposeProjection(vlm: Vlm): void {
  tf.dispose(projectionVariables(vlm.projection));
}
