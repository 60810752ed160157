/**
 * Latent diffusion — Rombach, Blattmann, Lorenz, Esser & Ommer 2022, "High-Resolution Image Synthesis with Latent
 * Diffusion Models", §3 (perceptual compression, then diffusion in the latent, eq. 2) and §4.3.2 / Appendix G
 * (the latent scale factor).
 *
 *   first stage (frozen):  z = s · E(x),   x ≈ D(z / s)          x [B, 16, 16, 1]  ↔  z [B, 4, 4, 4]
 *   second stage:          L_LDM = E_{t, z_0 = s·E(x), ε} ‖ ε − ε_θ(z_t, t) ‖²          (exercise 2's loss, on z)
 *   sampling:              z_T ~ N(0, I) → exercise 2's Algorithm 2 on [N, 4, 4, 4] → x = D(z_0 / s)
 *
 * The DDPM is unchanged; only what it sees changes. s = 1 / std(E(x)) makes the latents unit-variance, so that
 * the noise schedule, which assumes data on the scale of N(0, I), still means what it meant on pixels.
 */
import * as tf from '@tensorflow/tfjs';
import { decode, encode, loadAutoencoder, type Autoencoder } from '../../lab/autoencoder';
import { diffusionLoss, type FixedNoise } from '../../lab/diffusion/loss';
import { sample, type SampleOptions } from '../../lab/diffusion/sample';
import type { Schedule } from '../../lab/diffusion/schedule';
import type { EpsModel } from '../../lab/diffusion/unet';

/** The frozen autoencoder and the scale s that makes its latents unit-variance. */
export interface FirstStage {
  ae: Autoencoder;
  /** Multiply raw latents E(x) by this (meta.json's latentScale). */
  scale: number;
}

/** The shipped MNIST autoencoder (lab/weights/mnist-autoencoder) with its measured scale. */
export async function loadFirstStage(): Promise<FirstStage> {
  const ae = await loadAutoencoder();
  if (!ae.meta)
    throw new Error('lab/weights/mnist-autoencoder has no meta.json; rebuild it or reinstall the workspace');
  return { ae, scale: ae.meta.latentScale };
}

/** Scaled latents for images: z = s · E(x).  [B, 16, 16, 1] in [-1, 1] → [B, 4, 4, 4], about unit variance */
export function encodeImages(stage: FirstStage, images: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => tf.mul<tf.Tensor4D>(encode(stage.ae, images), stage.scale)); // [B, 4, 4, 4]
}

/** Images for scaled latents: x = D(z / s).  [B, 4, 4, 4] → [B, 16, 16, 1] in [-1, 1] */
export function decodeLatents(stage: FirstStage, latents: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => decode(stage.ae, tf.div<tf.Tensor4D>(latents, stage.scale))); // [B, 16, 16, 1]
}

/**
 * The LDM training loss: exercise 2's ε-regression on the scaled latents of the images `x0` [B, 16, 16, 1].
 * The autoencoder is frozen: its weights are not in the optimiser's list, so only ε_θ learns. `fixed` gives t
 * and ε (of the latent's shape, [B, 4, 4, 4]) for a test.
 */
export function latentDiffusionLoss(
  model: EpsModel,
  stage: FirstStage,
  x0: tf.Tensor4D,
  schedule: Schedule,
  fixed?: FixedNoise,
): tf.Scalar {
  return tf.tidy(() => {
    const z0 = encodeImages(stage, x0); // [B, 4, 4, 4], no gradient reaches the frozen encoder
    return diffusionLoss(model, z0, schedule, fixed);
  });
}

/**
 * Draws `n` images through the latent space: Algorithm 2 on latents of shape [n, S, S, C] (the autoencoder's
 * latent size and channels), then the decoder.  → [n, 16, 16, 1] in [-1, 1]
 */
export function sampleImages(
  model: EpsModel,
  stage: FirstStage,
  schedule: Schedule,
  n: number,
  options: SampleOptions = {},
): tf.Tensor4D {
  const { latentSize, latentChannels } = stage.ae.config;
  const z0 = sample(model, schedule, [n, latentSize, latentSize, latentChannels], options); // [n, 4, 4, 4]
  const images = decodeLatents(stage, z0); // [n, 16, 16, 1]
  z0.dispose();
  return images;
}
