/**
 * The LLaVA bridge (provided: exercise 3's solution; its MLP projection is lab/llava/projection.ts).
 *
 * LLaVA-1.5 (Liu et al. 2023b, §3.1) projects every patch feature with a two-layer MLP into the LM's word-embedding
 * space and puts the N results into the LM's input sequence, in front of the question (LLaVA, Liu et al. 2023,
 * §4.1, Eq. 1):
 *
 *   position   0        1 … N                        N+1 … N+T
 *   token      <eot>    W₂·GELU(W₁·Z_v + b₁) + b₂    .  what colour is the circle ?  red  <eot>
 *
 * The LM itself is untouched; only the MLP trains. The image costs N positions of the LM's context, in every layer.
 */
import * as tf from '@tensorflow/tfjs';
import { createProjection, project, projectionVariables, type Projection } from '../../lab/llava/projection';
import { EOT_ID, embed, forwardEmbeddings, type LanguageModel } from '../../lab/lm';
import type { Bridge } from './bridge';

export interface Llava {
  lm: LanguageModel; // frozen
  projection: Projection; // trained: the MLP, W₁ [Dv, D] and W₂ [D, D]
  numPatches: number;
}

export function createLlava(lm: LanguageModel, dVision: number, numPatches: number, seed = 7): Llava {
  return { lm, projection: createProjection('mlp', dVision, lm.config.width, seed), numPatches };
}

/** LLaVA-1.5's MLP projection.  [B, N, Dv] → [B, N, D] */
export function projectPatches(llava: Llava, features: tf.Tensor3D): tf.Tensor3D {
  return project(llava.projection, features);
}

/** The LM's input [<eot>; image tokens; words].  [B, N, Dv], [B, T] → [B, 1 + N + T, D] */
export function llavaSequence(llava: Llava, features: tf.Tensor3D, text: tf.Tensor2D): tf.Tensor3D {
  return tf.tidy(() => {
    const B = text.shape[0];
    const start = embed(llava.lm, tf.fill([B, 1], EOT_ID, 'int32') as tf.Tensor2D); // [B, 1, D]
    return tf.concat([start, projectPatches(llava, features), embed(llava.lm, text)], 1) as tf.Tensor3D;
  });
}

/** Next-word logits of [<eot>; image tokens; words].  [B, N, Dv], [B, T] → [B, 1 + N + T, V] */
export function llavaLogits(llava: Llava, features: tf.Tensor3D, text: tf.Tensor2D): tf.Tensor3D {
  return tf.tidy(() => {
    // [B, 1 + N + T, V], causal attention over image tokens and words
    return forwardEmbeddings(llava.lm, llavaSequence(llava, features, text));
  });
}

export function llavaVariables(llava: Llava): tf.Variable[] {
  return projectionVariables(llava.projection);
}

/** LLaVA as a `Bridge` for the comparison. */
export function llavaBridge(llava: Llava): Bridge {
  return {
    name: 'llava',
    contextTokens: llava.numPatches,
    visualTokens: llava.numPatches,
    logits: (features, text) => llavaLogits(llava, features, text),
    trainableVariables: () => llavaVariables(llava),
    dispose: () => tf.dispose(llavaVariables(llava)),
  };
}
