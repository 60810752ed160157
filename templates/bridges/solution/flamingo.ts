/**
 * The Flamingo bridge (Alayrac et al. 2022, §2 and Fig. 3): the frozen encoder's patch features go through the
 * Perceiver Resampler to R visual tokens, and a GATED XATTN-DENSE layer in front of each frozen LM layer lets the
 * words look at them. The LM's input sequence holds only the words: the image takes none of its positions.
 *
 *   <eot> . what colour is the circle ?  →  embed + positions
 *      → [gated xattn-dense 0] → frozen LM block 0 → [gated xattn-dense 1] → frozen LM block 1 → norm → head
 *               ↑ visual tokens: resample(Z_v)  [B, R, Dv]  ↑
 */
import * as tf from '@tensorflow/tfjs';
import {
  EOT_ID,
  Seeds,
  addPositions,
  block,
  causalMask,
  embed,
  finalNorm,
  flatten,
  head,
  type LanguageModel,
} from '../../lab/lm';
import { disposeMediaMask, imageBeforeEveryToken } from './attention';
import type { Bridge } from './bridge';
import { createGatedXattnDense, gatedXattnDense, type GatedXattnDense } from './gatedXattn';
import { createResampler, resample, type Resampler } from './resampler';

export interface FlamingoConfig {
  latents: number; // R, the visual tokens per image
  resamplerDepth: number;
  heads: number;
  mlpRatio: number;
}

export interface Flamingo {
  lm: LanguageModel; // frozen
  config: FlamingoConfig;
  resampler: Resampler; // trained
  layers: GatedXattnDense[]; // trained: layers[i] sits in front of the LM's block i
}

/** The bridge's new weights (provided). Its gates start at 0, so it starts as the unchanged LM. */
export function createFlamingo(lm: LanguageModel, dVision: number, config: FlamingoConfig, seed = 7): Flamingo {
  const seeds = new Seeds(seed);
  return {
    lm,
    config,
    resampler: createResampler(seeds, dVision, config.latents, config.resamplerDepth, config.heads, config.mlpRatio),
    layers: lm.blocks.map(() => createGatedXattnDense(seeds, lm.config.width, dVision, config.mlpRatio)),
  };
}

/** The word ids with the start token in front.  [B, T] → [B, 1 + T] */
export function withStartToken(text: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.concat([tf.fill([text.shape[0], 1], EOT_ID, 'int32'), text], 1) as tf.Tensor2D);
}

/**
 * TODO(5): the whole Flamingo forward pass. Resample the features to visual tokens; embed [<eot>; text] and add
 * positions; then, for each LM block i, apply layers[i] (every token sees the one image: `imageBeforeEveryToken`)
 * and then the frozen block(lm, i, …) under the causal mask; finish with the LM's finalNorm and head.
 * [B, N, Dv] features, [B, T] words → [B, 1 + T, V]
 */
export function flamingoLogits(f: Flamingo, features: tf.Tensor3D, text: tf.Tensor2D): tf.Tensor3D {
  const B = text.shape[0],
    L = 1 + text.shape[1];
  const mask = imageBeforeEveryToken(B, L, f.config.latents); // scores [B, 1, L, R], seesImage [B, L, 1]
  const logits = tf.tidy(() => {
    const visual = resample(f.resampler, features); // [B, R, Dv]
    const causal = causalMask(L); // [1, 1, L, L]
    let h = addPositions(f.lm, embed(f.lm, withStartToken(text))); // [B, L, D]
    for (let i = 0; i < f.lm.blocks.length; i++) {
      // new, trained; the identity while its gates are 0
      h = gatedXattnDense(f.layers[i], h, visual, mask, f.config.heads);
      h = block(f.lm, i, h, causal); // frozen
    }
    return head(f.lm, finalNorm(f.lm, h)); // [B, L, V]
  });
  disposeMediaMask(mask);
  return logits;
}

/** The bridge's weights by name ("resampler.latents", "layers.0.attentionGate", …) (provided). */
export function flamingoWeights(f: Flamingo): Record<string, tf.Tensor> {
  return flatten({
    resampler: { latents: f.resampler.latents, layers: f.resampler.layers, finalNorm: f.resampler.finalNorm },
    layers: f.layers,
  });
}

/**
 * TODO(6): the variables the optimizer may change: the resampler's and the gated layers' (all of
 * `flamingoWeights`), and nothing of the frozen LM or encoder.
 */
export function flamingoTrainableVariables(f: Flamingo): tf.Variable[] {
  return Object.values(flamingoWeights(f)) as tf.Variable[]; // the LM stays exactly as loaded
}

/** The gates' current tanh(α), for the run panel: how far each layer lets the image in (read asynchronously). */
export async function gateValues(f: Flamingo): Promise<{ attention: number[]; ffw: number[] }> {
  const opening = async (gate: tf.Tensor): Promise<number> => Math.tanh((await gate.data())[0]);
  return {
    attention: await Promise.all(f.layers.map((g) => opening(g.attentionGate))),
    ffw: await Promise.all(f.layers.map((g) => opening(g.ffwGate))),
  };
}

/** Flamingo as a `Bridge` for the comparison. */
export function flamingoBridge(f: Flamingo): Bridge {
  return {
    name: 'flamingo',
    contextTokens: 0,
    visualTokens: f.config.latents,
    logits: (features, text) => flamingoLogits(f, features, text),
    trainableVariables: () => flamingoTrainableVariables(f),
    dispose: () => tf.dispose(Object.values(flamingoWeights(f))),
  };
}
