/**
 * LLaVA's projection (provided to the exercises built on exercise 3, whose TODOs 1 and 2 it answers: the same code
 * as templates/llava/solution/projection.ts). From the vision encoder's patch features into the language model's
 * word-embedding space; in exercise 3 it is the only part of the VLM that trains.
 *
 * LLaVA (Liu et al. 2023, §4.1, Eq. 1):   H_v = W · Z_v           a linear layer
 * LLaVA-1.5 (Liu et al. 2023b, §3.1):     H_v = W₂ · GELU(W₁ · Z_v)  a two-layer MLP, which answered better
 *
 * Z_v holds one vector per image patch; each is projected on its own, so N patches become N "image tokens" of the
 * LM's width D, ready to sit in the LM's input sequence like words.
 *
 * Single source: templates/llava/solution/projection.ts (course repository); the content suite keeps them equal.
 */
import * as tf from '@tensorflow/tfjs';
import { Seeds, gelu, linear, type Linear } from '../lm';

export type ProjectionKind = 'linear' | 'mlp';

export interface Projection {
  kind: ProjectionKind;
  layers: Linear[]; // linear: [W] of [Dv, D]; mlp: [W₁ of [Dv, D], W₂ of [D, D]]
}

/** Makes the projection's weights (provided): one [Dv, D] layer, or two for the MLP. */
export function createProjection(kind: ProjectionKind, dVision: number, dModel: number, seed = 7): Projection {
  const seeds = new Seeds(seed);
  return kind === 'linear'
    ? { kind, layers: [linear(seeds, dVision, dModel)] }
    : { kind, layers: [linear(seeds, dVision, dModel), linear(seeds, dModel, dModel)] };
}

/**
 * The linear projection of LLaVA, H = Z·W + b, applied to every patch.
 * `layer.w` is [Dv, D] and `layer.b` is [D].  [B, N, Dv] → [B, N, D]
 */
export function projectLinear(patches: tf.Tensor3D, layer: Linear): tf.Tensor3D {
  return tf.tidy(() => {
    const [B, N, Dv] = patches.shape;
    const flat = tf.reshape(patches, [B * N, Dv]); // [B·N, Dv]: every patch is projected alike
    const h = tf.add(tf.matMul(flat, layer.w), layer.b); // [B·N, D]
    return tf.reshape(h, [B, N, layer.w.shape[1] as number]) as tf.Tensor3D; // [B, N, D]
  });
}

/**
 * The MLP projection of LLaVA-1.5: a linear layer, GELU (`gelu` from lab/lm), another linear layer.
 * `layers[0]` is [Dv, D], `layers[1]` is [D, D].  [B, N, Dv] → [B, N, D]
 */
export function projectMlp(patches: tf.Tensor3D, layers: Linear[]): tf.Tensor3D {
  return tf.tidy(() => {
    const hidden = gelu(projectLinear(patches, layers[0])); // [B, N, D]
    return projectLinear(hidden, layers[1]); // [B, N, D]
  });
}

/** Image tokens from patch features, with whichever projection `p` is.  [B, N, Dv] → [B, N, D] */
export function project(p: Projection, patches: tf.Tensor3D): tf.Tensor3D {
  return p.kind === 'linear' ? projectLinear(patches, p.layers[0]) : projectMlp(patches, p.layers);
}

/** The projection's weights, for the optimizer and for disposal. */
export function projectionVariables(p: Projection): tf.Variable[] {
  return p.layers.flatMap((l) => [l.w, l.b]);
}
