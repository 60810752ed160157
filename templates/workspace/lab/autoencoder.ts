/**
 * The frozen MNIST autoencoder of the latent-diffusion exercise: the "first stage" of Rombach et al. 2022
 * (§3, "Perceptual Image Compression"), trained once by the extension's `scripts/weights/mnist-autoencoder.ts`
 * and shipped in `lab/weights/mnist-autoencoder/` (its reconstruction error and latent scale in meta.json).
 *
 *   const ae = await loadAutoencoder();
 *   const z = encode(ae, images);    // [B, 16, 16, 1] in [-1, 1] → [B, 4, 4, 4]  (raw, unscaled latents)
 *   const x = decode(ae, z);         // [B, 4, 4, 4] → [B, 16, 16, 1] in [-1, 1]
 *   ae.meta.latentScale              // multiply raw latents by this to get unit variance (LDM's scale factor)
 *
 * The latent is 4×4×4 = 64 numbers for a 16×16×1 = 256-pixel digit: a downsampling factor f = 4 (as in LDM's
 * f = 4 models), 16× fewer positions and 4× fewer values. It is deterministic (no sampling in the encoder).
 * Instead of LDM's small KL penalty, training adds a little Gaussian noise to the latent before decoding
 * (10% of its standard deviation), so that the decoder also turns slightly-off latents — which a diffusion
 * model will produce — into clean digits.
 *
 *   encoder: conv 3×3 1→16 @16² · conv 3×3/2 16→32 @8² · conv 3×3/2 32→32 @4² · conv 1×1 32→4   (swish between)
 *   decoder: conv 3×3 4→32 @4² · up · conv 3×3 32→32 @8² · up · conv 3×3 32→16 @16² · conv 3×3 16→1, tanh
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadWeights } from './savedWeights';

export const AUTOENCODER_WEIGHTS_DIR = path.join(__dirname, 'weights', 'mnist-autoencoder');

export interface AutoencoderConfig {
  /** Image side (16) and channels (1). */
  imageSize: number;
  imageChannels: number;
  /** Latent side (4) and channels (4). */
  latentSize: number;
  latentChannels: number;
  /** Channels of the full-resolution layer; the lower ones use twice as many. */
  width: number;
}

export const AUTOENCODER_CONFIG: AutoencoderConfig = {
  imageSize: 16,
  imageChannels: 1,
  latentSize: 4,
  latentChannels: 4,
  width: 16,
};

export interface AutoencoderMeta {
  seed: number;
  date: string;
  params: number;
  bytes: number;
  steps: number;
  batch: number;
  config: AutoencoderConfig;
  /** 1 / std of the raw latents over 10,000 training digits: z_scaled = latentScale · encode(x). */
  latentScale: number;
  /** Mean of the raw latents over the same digits (close to 0; not subtracted). */
  latentMean: number;
  /** Mean squared reconstruction error on the 10,000 test digits, in the [-1, 1] pixel range. */
  reconstructionMse: number;
  /** The same error in [0, 1] pixels (a quarter of the above), the unit most papers quote. */
  reconstructionMse01: number;
  /** The shipped MNIST classifier's accuracy on the reconstructed test digits (and on the originals). */
  classifierAccuracy: { reconstructed: number; original: number };
  minutes: number;
  fingerprint: { input: string; latents: number[]; reconstructionMse: number };
}

export interface Autoencoder {
  config: AutoencoderConfig;
  weights: Record<string, tf.Variable>;
  meta?: AutoencoderMeta;
}

const swish = <T extends tf.Tensor>(x: T): T => tf.mul(x, tf.sigmoid(x));

/** The layers as [name, kernel, cin, cout] (one list, so creating, saving and loading cannot disagree). */
function layers(c: AutoencoderConfig): [string, number, number, number][] {
  const w = c.width;
  return [
    ['enc.in', 3, c.imageChannels, w],
    ['enc.down1', 3, w, 2 * w],
    ['enc.down2', 3, 2 * w, 2 * w],
    ['enc.out', 1, 2 * w, c.latentChannels],
    ['dec.in', 3, c.latentChannels, 2 * w],
    ['dec.up1', 3, 2 * w, 2 * w],
    ['dec.up2', 3, 2 * w, w],
    ['dec.out', 3, w, c.imageChannels],
  ];
}

/** Fresh He-normal weights (seeded), for the build script. */
export function createAutoencoder(config: AutoencoderConfig, seed: number): Autoencoder {
  const weights: Record<string, tf.Variable> = {};
  let s = seed;
  for (const [name, k, cin, cout] of layers(config)) {
    weights[`${name}.w`] = tf.tidy(() =>
      tf.variable(tf.randomNormal([k, k, cin, cout], 0, Math.sqrt(2 / (k * k * cin)), 'float32', s++)),
    );
    weights[`${name}.b`] = tf.variable(tf.zeros([cout]));
  }
  return { config, weights };
}

/** One conv layer's kernel [k, k, in, out] and bias [out], by name; throws if the weights have no such layer. */
function convLayer(ae: Autoencoder, name: string): { w: tf.Tensor4D; b: tf.Tensor1D } {
  const w = ae.weights[`${name}.w`];
  const b = ae.weights[`${name}.b`];
  if (!isRank(w, 4) || !isRank(b, 1)) throw new Error(`the autoencoder's weights have no conv layer "${name}"`);
  return { w, b };
}

function isRank<R extends 1 | 4>(t: tf.Tensor | undefined, rank: R): t is R extends 4 ? tf.Tensor4D : tf.Tensor1D {
  return t?.rank === rank;
}

function conv(ae: Autoencoder, name: string, x: tf.Tensor4D, stride = 1): tf.Tensor4D {
  const { w, b } = convLayer(ae, name);
  return tf.add(tf.conv2d(x, w, stride, 'same'), b);
}

/** Raw latents.  [B, 16, 16, 1] in [-1, 1] → [B, 4, 4, 4] */
export function encode(ae: Autoencoder, images: tf.Tensor4D): tf.Tensor4D {
  const c = ae.config;
  if (images.shape[1] !== c.imageSize || images.shape[2] !== c.imageSize || images.shape[3] !== c.imageChannels) {
    throw new Error(
      `the autoencoder encodes [B, ${c.imageSize}, ${c.imageSize}, ${c.imageChannels}] images in [-1, 1]; got [${images.shape.join(', ')}]`,
    );
  }
  return tf.tidy(() => {
    let h = swish(conv(ae, 'enc.in', images)); // [B, 16, 16, w]
    h = swish(conv(ae, 'enc.down1', h, 2)); // [B, 8, 8, 2w]
    h = swish(conv(ae, 'enc.down2', h, 2)); // [B, 4, 4, 2w]
    return conv(ae, 'enc.out', h); // [B, 4, 4, 4]
  });
}

/** Images from raw latents.  [B, 4, 4, 4] → [B, 16, 16, 1] in [-1, 1] */
export function decode(ae: Autoencoder, latents: tf.Tensor4D): tf.Tensor4D {
  const c = ae.config;
  if (latents.shape[1] !== c.latentSize || latents.shape[2] !== c.latentSize || latents.shape[3] !== c.latentChannels) {
    throw new Error(
      `the autoencoder decodes [B, ${c.latentSize}, ${c.latentSize}, ${c.latentChannels}] latents; got [${latents.shape.join(', ')}]`,
    );
  }
  return tf.tidy(() => {
    const up = (h: tf.Tensor4D, size: number): tf.Tensor4D => tf.image.resizeNearestNeighbor(h, [size, size]);
    let h = swish(conv(ae, 'dec.in', latents)); // [B, 4, 4, 2w]
    h = swish(conv(ae, 'dec.up1', up(h, 2 * c.latentSize))); // [B, 8, 8, 2w]
    h = swish(conv(ae, 'dec.up2', up(h, c.imageSize))); // [B, 16, 16, w]
    return tf.tanh(conv(ae, 'dec.out', h)); // [B, 16, 16, 1]
  });
}

export function autoencoderMeta(dir = AUTOENCODER_WEIGHTS_DIR): AutoencoderMeta {
  return JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8')) as AutoencoderMeta;
}

/** Loads the shipped autoencoder, frozen (its weights are not trainable), with its meta.json. */
export async function loadAutoencoder(dir = AUTOENCODER_WEIGHTS_DIR): Promise<Autoencoder> {
  const { config, weights } = await loadWeights(dir, false);
  const c = config as AutoencoderConfig;
  for (const [name] of layers(c)) {
    if (!weights[`${name}.w`] || !weights[`${name}.b`])
      throw new Error(`${dir}: missing weight "${name}" — rebuild with npm run build:weights -- mnist-autoencoder`);
  }
  return { config: c, weights, meta: autoencoderMeta(dir) };
}

export function disposeAutoencoder(ae: Autoencoder): void {
  tf.dispose(Object.values(ae.weights));
}
