/**
 * Sinusoidal timestep embedding — the Transformer's positional encoding (Vaswani et al. 2017, §3.5), which DDPM
 * uses to tell its one network which noise level it is denoising (Ho et al. 2020, §4 and Appendix B).
 *
 * PROVIDED from exercise 4 on (exercise 2 has you write it): exercise 2's reference answer.
 * Single source: templates/ddpm/solution/timeEmbedding.ts (course repository); the content suite keeps them equal.
 *
 *   emb[b, i]          = sin(t_b · ω_i)     for i = 0 … D/2 − 1
 *   emb[b, D/2 + i]    = cos(t_b · ω_i)
 *   ω_i = 10000^(−i / (D/2))
 */
import * as tf from '@tensorflow/tfjs';

/** Embeds integer timesteps t [B] as [B, dim] (dim even): sines in the first half, cosines in the second. */
export function timeEmbedding(t: tf.Tensor1D, dim: number): tf.Tensor2D {
  return tf.tidy(() => {
    const half = dim / 2;
    const freqs = tf.exp(tf.mul(tf.range(0, half), -Math.log(10000) / half)); // [D/2]  ω_i
    const args: tf.Tensor2D = tf.mul(tf.expandDims(tf.cast(t, 'float32'), 1), tf.expandDims(freqs, 0)); // [B, D/2]
    return tf.concat([tf.sin(args), tf.cos(args)], 1); // [B, D]
  });
}
