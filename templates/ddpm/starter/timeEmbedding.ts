/**
 * Sinusoidal timestep embedding — the Transformer's positional encoding (Vaswani et al. 2017, §3.5), which DDPM
 * uses to tell its one network which noise level it is denoising (Ho et al. 2020, §4 and Appendix B).
 *
 *   emb[b, i]          = sin(t_b · ω_i)     for i = 0 … D/2 − 1
 *   emb[b, D/2 + i]    = cos(t_b · ω_i)
 *   ω_i = 10000^(−i / (D/2))
 */
import * as tf from '@tensorflow/tfjs';

/** Embeds integer timesteps t [B] as [B, dim] (dim even): sines in the first half, cosines in the second. */
export function timeEmbedding(t: tf.Tensor1D, dim: number): tf.Tensor2D {
  // TODO(3): ω = 10000^(−i/(D/2)) for i < D/2; args = t (as float) ⊗ ω → [B, D/2]; concat sin(args), cos(args).
  throw new Error(
    'TODO(3): implement timeEmbedding — [sin(t·ω_i), cos(t·ω_i)] with ω_i = 10000^(−i/(D/2)) (README §Time embedding)',
  );
}
