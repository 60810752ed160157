/**
 * The forward (noising) process of DDPM — Ho, Jain & Abbeel 2020, "Denoising Diffusion Probabilistic Models",
 * §2 (eq. 2 and 4) and §4 (the linear schedule).
 *
 * Timesteps are 0-based in code: index t = 0 … T−1 is the paper's t = 1 … T.
 */
import * as tf from '@tensorflow/tfjs';

/** β_t, α_t = 1 − β_t and ᾱ_t = ∏_{s ≤ t} α_s for t = 0 … T−1 (float64 maths, stored as float32). */
export interface Schedule {
  T: number;
  betas: Float32Array; // [T]
  alphas: Float32Array; // [T]
  alphaBars: Float32Array; // [T]
}

/**
 * The linear β schedule: β rises linearly from `betaStart` (t = 0) to `betaEnd` (t = T−1); the paper uses
 * 1e-4 → 0.02 with T = 1000. Also returns α_t and the cumulative products ᾱ_t.
 */
export function linearBetaSchedule(T: number, betaStart: number, betaEnd: number): Schedule {
  // TODO(1): fill β_t (linear from betaStart to betaEnd), α_t = 1 − β_t and ᾱ_t = ∏_{s ≤ t} α_s for t = 0 … T−1.
  // (Accumulate the product in a JS number, which is float64, and store it in the Float32Arrays.)
  throw new Error(
    'TODO(1): implement linearBetaSchedule — β linear from betaStart to betaEnd, α = 1 − β, ᾱ the cumulative product (README §The idea)',
  );
}

/**
 * Samples x_t ~ q(x_t | x_0) in closed form (eq. 4):  x_t = √ᾱ_t · x_0 + √(1 − ᾱ_t) · ε,  ε ~ N(0, I).
 *   x0  [B, H, W, C]   clean images in [-1, 1]
 *   t   [B]            int32 timestep of each image
 *   eps [B, H, W, C]   the Gaussian noise to mix in
 */
export function qSample(x0: tf.Tensor4D, t: tf.Tensor1D, eps: tf.Tensor4D, schedule: Schedule): tf.Tensor4D {
  // TODO(2): gather ᾱ_t for each image, reshape it to [B, 1, 1, 1], and mix x0 and eps.
  throw new Error(
    'TODO(2): implement qSample — x_t = √ᾱ_t·x_0 + √(1 − ᾱ_t)·ε with ᾱ gathered per image (README eq. 4)',
  );
}
