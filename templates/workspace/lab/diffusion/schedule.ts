/**
 * The forward (noising) process of DDPM — Ho, Jain & Abbeel 2020, "Denoising Diffusion Probabilistic Models",
 * §2 (eq. 2 and 4) and §4 (the linear schedule).
 *
 * PROVIDED from exercise 4 on (exercise 2 has you write it): exercise 2's reference answer.
 * Single source: templates/ddpm/solution/schedule.ts (course repository); the content suite keeps them equal.
 *
 * Timesteps are 0-based in code: index t = 0 … T−1 is the paper's t = 1 … T.
 */
import * as tf from '@tensorflow/tfjs';
import { betaRange } from './training';

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
  const betas = new Float32Array(T);
  const alphas = new Float32Array(T);
  const alphaBars = new Float32Array(T);
  let prod = 1;
  for (let t = 0; t < T; t++) {
    const beta = T === 1 ? betaStart : betaStart + ((betaEnd - betaStart) * t) / (T - 1);
    prod *= 1 - beta; // ᾱ_t = ᾱ_{t−1} · α_t, kept in float64 so the product does not drift
    betas[t] = beta;
    alphas[t] = 1 - beta;
    alphaBars[t] = prod;
  }
  return { T, betas, alphas, alphaBars };
}

/**
 * Samples x_t ~ q(x_t | x_0) in closed form (eq. 4):  x_t = √ᾱ_t · x_0 + √(1 − ᾱ_t) · ε,  ε ~ N(0, I).
 *   x0  [B, H, W, C]   clean images in [-1, 1]
 *   t   [B]            int32 timestep of each image
 *   eps [B, H, W, C]   the Gaussian noise to mix in
 */
export function qSample(x0: tf.Tensor4D, t: tf.Tensor1D, eps: tf.Tensor4D, schedule: Schedule): tf.Tensor4D {
  return tf.tidy(() => {
    const alphaBars = tf.tensor1d(schedule.alphaBars);
    const ab = tf.gather(alphaBars, t).reshape([-1, 1, 1, 1]); // [B, 1, 1, 1]
    const signal = tf.mul(tf.sqrt(ab), x0); // [B, H, W, C]
    const noise = tf.mul(tf.sqrt(tf.sub(1, ab)), eps); // [B, H, W, C]
    return tf.add(signal, noise);
  });
}

/** The linear schedule for T steps over `betaRange(T)` (the paper's range, rescaled: lab/diffusion/training.ts). */
export function scheduleFor(T: number): Schedule {
  return linearBetaSchedule(T, ...betaRange(T));
}
