/**
 * The Perceiver Resampler (Flamingo, Alayrac et al. 2022, §2.1, pseudocode in Fig. 5 of Appendix A.1.1; after Jaegle et
 * al. 2021): a fixed number R of learned latent queries attend to however many visual features the encoder gave, so the
 * LM always sees R visual tokens per image — 64 in Flamingo, whatever the image size or the number of video frames.
 *
 *   def perceiver_resampler(x_f, x, num_layers):        # Flamingo's Fig. 5, for one frame (no time embeddings)
 *     for i in range(num_layers):
 *       x = x + attention_i(q=x, kv=concat([x_f, x]))   # the latents read the features, and each other
 *       x = x + ffw_i(x)
 *     return x
 *
 * Keys and values are the features *and* the latents, as in Flamingo; every input goes through a layer norm first.
 * Nothing here depends on N, the number of features: the resampler's output shape depends only on R.
 */
import * as tf from '@tensorflow/tfjs';
import { Seeds, dense, gelu, layerNorm, linear, norm, type Linear, type Norm } from '../../lab/lm';
import { createAttention, crossAttend, type Attention } from './attention';

export interface FeedForward {
  norm: Norm;
  fc1: Linear;
  fc2: Linear;
}

export interface ResamplerLayer {
  normFeatures: Norm; // LN of the visual features x_f
  normLatents: Norm; // LN of the latents x
  attention: Attention;
  ffw: FeedForward;
}

export interface Resampler {
  latents: tf.Variable; // [R, Dv] learned queries
  layers: ResamplerLayer[];
  finalNorm: Norm;
  heads: number;
}

/** A pre-norm feed-forward layer (provided): LN, dense to ratio·D, GELU, dense back to D.  [B, T, D] → [B, T, D] */
export function feedForward(p: FeedForward, x: tf.Tensor3D): tf.Tensor3D {
  return tf.tidy(() => dense(gelu(dense(layerNorm(x, p.norm), p.fc1)), p.fc2));
}

export function createFeedForward(seeds: Seeds, d: number, ratio: number): FeedForward {
  return { norm: norm(d), fc1: linear(seeds, d, ratio * d), fc2: linear(seeds, ratio * d, d) };
}

/** Weights of a resampler with `numLatents` latents of width `d` (provided). */
export function createResampler(
  seeds: Seeds,
  d: number,
  numLatents: number,
  depth: number,
  heads: number,
  mlpRatio: number,
): Resampler {
  return {
    latents: tf.variable(tf.randomNormal([numLatents, d], 0, 1, 'float32', seeds.take())),
    layers: Array.from({ length: depth }, () => ({
      normFeatures: norm(d),
      normLatents: norm(d),
      attention: createAttention(seeds, d, d),
      ffw: createFeedForward(seeds, d, mlpRatio),
    })),
    finalNorm: norm(d),
    heads,
  };
}

/**
 * TODO(3): resample N features to R visual tokens. Start from the latents, the same for every image; in each
 * layer, x = x + crossAttend(LN_l(x), concat([LN_f(features), LN_l(x)])), then x = x + feedForward(x); finish with
 * the final layer norm.  [B, N, Dv] → [B, R, Dv]
 */
export function resample(r: Resampler, features: tf.Tensor3D): tf.Tensor3D {
  return tf.tidy(() => {
    const B = features.shape[0];
    const [R, D] = r.latents.shape;
    // [B, R, D]: the same queries for every image
    let x = tf.tile(tf.reshape(r.latents, [1, R, D]), [B, 1, 1]) as tf.Tensor3D;
    for (const layer of r.layers) {
      const latents = layerNorm(x, layer.normLatents); // [B, R, D]
      const context = tf.concat([layerNorm(features, layer.normFeatures), latents], 1) as tf.Tensor3D; // [B, N + R, D]
      x = tf.add(x, crossAttend(latents, context, layer.attention, r.heads)) as tf.Tensor3D; // [B, R, D]
      x = tf.add(x, feedForward(layer.ffw, x)) as tf.Tensor3D; // [B, R, D]
    }
    return layerNorm(x, r.finalNorm); // [B, R, D]
  });
}
