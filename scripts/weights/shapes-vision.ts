// The frozen vision encoder of the VLM exercises (templates/workspace/lab/vision.ts): a ViT-style tower over a
// 3×3 grid of 16×16 patches of 48-pixel shapes-world images, trained from scratch with supervised targets, seeded
// end to end, on the wasm backend with the runner's training kernels.
//
// Why supervised and not contrastive: on two shared CPU cores a CLIP-style run takes 10+ minutes and still
// confuses shapes (exercise 1); here every output patch predicts what is in its grid cell (colour, shape, size or
// "empty") and every patch also predicts the number of objects, so the patch features a VLM projects are
// localised, know their place, and each carries a little global context. The heads are dropped; only the tower ships.
// Writes model.json + weights.bin and meta.json with held-out accuracies and a feature fingerprint.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { Seeds, dense, linear } from '../../templates/workspace/lab/lm';
import { COLOURS, SHAPES, mulberry32, renderScene, sampleScene, type Rng } from '../../templates/workspace/lab/shapes';
import {
  createVisionEncoder,
  encodeImage,
  numPatches,
  patchFeatures,
  visionWeights,
  type VisionConfig,
} from '../../templates/workspace/lab/vision';
import { saveFrozenPart, startWasmBackend } from './wasmBuild';

export const VISION_SEED = 4816;
export const VALIDATION = { images: 1000, seed: 515151 };
export const FINGERPRINT = { sceneSeed: 99, objects: [1, 4] as [number, number] };
const CONFIG: VisionConfig = { imageSize: 48, patch: 16, channels: 3, width: 64, depth: 2, heads: 4, mlpRatio: 2 };
const STEPS = 2500;
const BATCH = 64;
const LR = 2e-3;
const WARMUP = 60;
const N = numPatches(CONFIG);
// +1: the cell is empty
const HEADS = { colour: COLOURS.length + 1, shape: SHAPES.length + 1, size: 3, count: 4, row: 3, col: 3 };
export const MIN_ACCURACY = 0.9;

export interface BuildOptions {
  steps?: number;
  quiet?: boolean;
  validationImages?: number;
}

interface Labelled {
  images: Float32Array<ArrayBuffer>;
  colour: Int32Array;
  shape: Int32Array;
  size: Int32Array;
  count: Int32Array;
  row: Int32Array;
  col: Int32Array;
}

/**
 * `n` images with per-cell labels [n, 9] (class 0 = empty), object counts − 1 [n, 9] (repeated per patch), and each
 * patch's own row and column (so the features keep where they are, which "where is …?" questions need).
 */
function labelledBatch(rng: Rng, n: number): Labelled {
  const px = CONFIG.imageSize * CONFIG.imageSize * 3;
  const out: Labelled = {
    images: new Float32Array(n * px),
    colour: new Int32Array(n * N),
    shape: new Int32Array(n * N),
    size: new Int32Array(n * N),
    count: new Int32Array(n * N),
    row: new Int32Array(n * N).map((_, k) => Math.floor((k % N) / 3)),
    col: new Int32Array(n * N).map((_, k) => k % 3),
  };
  for (let i = 0; i < n; i++) {
    const scene = sampleScene(rng, { objects: [1, 4] });
    renderScene(scene, CONFIG.imageSize, rng, out.images, i * px);
    out.count.fill(scene.objects.length - 1, i * N, (i + 1) * N);
    for (const o of scene.objects) {
      const cell = i * N + o.row * 3 + o.col;
      out.colour[cell] = 1 + COLOURS.indexOf(o.colour);
      out.shape[cell] = 1 + SHAPES.indexOf(o.shape);
      out.size[cell] = o.size === 'small' ? 1 : 2;
    }
  }
  return out;
}

/** Trains the encoder and writes it to `outDir`; `steps` shortens the run (CI), which skips the quality gate. */
export async function build(outDir: string, opts: BuildOptions = {}): Promise<void> {
  const quiet = opts.quiet ?? false;
  await startWasmBackend('shapes-vision', quiet);
  const steps = opts.steps ?? STEPS;
  const encoder = createVisionEncoder(CONFIG, VISION_SEED);
  const heads = linear(
    new Seeds(VISION_SEED + 1000),
    CONFIG.width,
    HEADS.colour + HEADS.shape + HEADS.size + HEADS.count + HEADS.row + HEADS.col,
  );
  const S = CONFIG.imageSize;

  /** Logits of the six heads, each [B·N, K]. */
  const predict = (images: tf.Tensor4D): tf.Tensor2D[] => {
    const out = tf.reshape(dense(patchFeatures(encoder, images), heads), [
      -1,
      heads.w.shape[1] as number,
    ]) as tf.Tensor2D;
    return tf.split(
      out,
      [HEADS.colour, HEADS.shape, HEADS.size, HEADS.count, HEADS.row, HEADS.col],
      1,
    ) as tf.Tensor2D[];
  };
  const labelsOf = (b: Labelled): tf.Tensor1D[] =>
    [b.colour, b.shape, b.size, b.count, b.row, b.col].map((l) => tf.tensor1d(l, 'int32'));

  const rng = mulberry32(VISION_SEED);
  const optimizer = tf.train.adam(LR);
  const t0 = Date.now();
  let running = 0;
  for (let step = 1; step <= steps; step++) {
    const lr = LR * Math.min(1, step / WARMUP) * 0.5 * (1 + Math.cos(Math.PI * Math.min(1, step / steps)));
    (optimizer as unknown as { learningRate: number }).learningRate = Math.max(lr, LR * 0.02);
    const b = labelledBatch(rng, BATCH);
    const images = tf.tensor4d(b.images, [BATCH, S, S, 3]);
    const labels = labelsOf(b);
    const loss = optimizer.minimize(() => {
      const logits = predict(images);
      return tf.addN(
        logits.map((l, k) => tf.losses.softmaxCrossEntropy(tf.oneHot(labels[k], l.shape[1]), l)),
      ) as tf.Scalar;
    }, true) as tf.Scalar;
    running = 0.98 * running + 0.02 * loss.dataSync()[0];
    tf.dispose([images, loss, ...labels]);
    if (!quiet && step % 100 === 0)
      console.log(
        `[shapes-vision] step ${step}/${steps}  loss ${(running / (1 - 0.98 ** step)).toFixed(4)}  ${((Date.now() - t0) / 1000).toFixed(0)} s`,
      );
  }
  optimizer.dispose();

  // Accuracy on held-out images: colour, shape and size over occupied cells, count over images.
  const nVal = opts.validationImages ?? VALIDATION.images;
  const val = labelledBatch(mulberry32(VALIDATION.seed), nVal);
  const hits = { colour: 0, shape: 0, size: 0, count: 0 };
  let occupied = 0;
  for (let s = 0; s < nVal; s += 100) {
    const n = Math.min(100, nVal - s);
    const preds = tf.tidy(() =>
      predict(tf.tensor4d(val.images.subarray(s * S * S * 3, (s + n) * S * S * 3), [n, S, S, 3])).map((l) =>
        l.argMax(1).dataSync(),
      ),
    );
    for (let j = 0; j < n * N; j++) {
      const k = s * N + j;
      if (val.colour[k] > 0) {
        occupied++;
        if (preds[0][j] === val.colour[k]) hits.colour++;
        if (preds[1][j] === val.shape[k]) hits.shape++;
        if (preds[2][j] === val.size[k]) hits.size++;
      }
      if (j % N === 0 && preds[3][j] === val.count[k]) hits.count++;
    }
  }
  const accuracy = {
    colour: hits.colour / occupied,
    shape: hits.shape / occupied,
    size: hits.size / occupied,
    count: hits.count / nVal,
    images: nVal,
    seed: VALIDATION.seed,
  };
  const worst = Math.min(accuracy.colour, accuracy.shape, accuracy.size, accuracy.count);
  if (opts.steps === undefined && worst < MIN_ACCURACY) {
    throw new Error(
      `held-out accuracy ${JSON.stringify(accuracy)} has a value below ${MIN_ACCURACY}; not writing the weights`,
    );
  }
  const features = tf.tidy(() => {
    const scene = sampleScene(mulberry32(FINGERPRINT.sceneSeed), { objects: FINGERPRINT.objects });
    const image = renderScene(scene, S, mulberry32(FINGERPRINT.sceneSeed));
    return Array.from(encodeImage(encoder, tf.tensor4d(image, [1, S, S, 3])).dataSync());
  });

  const weights = visionWeights(encoder);
  const saved = await saveFrozenPart(outDir, weights, { seed: VISION_SEED, steps, batch: BATCH, config: CONFIG });
  const { params, bytes } = saved;
  const meta = {
    ...saved,
    objective:
      'supervised: each output patch predicts its grid cell (colour, shape, size or empty), its own row and column, and the object count',
    accuracy: Object.fromEntries(Object.entries(accuracy).map(([k, v]) => [k, Number(v.toFixed(4))])),
    data: `shapes-world scenes of 1–4 objects (lab/shapes.ts, no held-out colour×shape pair), rendered at 48 px, seed ${VISION_SEED}`,
    minutes: Number(((Date.now() - t0) / 60000).toFixed(2)),
    fingerprint: {
      input: `encodeImage of the ${S}-px render of sampleScene(mulberry32(${FINGERPRINT.sceneSeed}), { objects: [1, 4] }) with renderScene's rng mulberry32(${FINGERPRINT.sceneSeed})`,
      features: features.map((v) => Number(v.toFixed(4))),
    },
  };
  writeFileSync(join(outDir, 'meta.json'), JSON.stringify(meta, null, 2) + '\n');
  tf.dispose([...Object.values(weights), heads.w, heads.b]);
  if (!quiet)
    console.log(
      `[shapes-vision] held-out accuracy ${JSON.stringify(meta.accuracy)}, ${params} params, ${bytes} bytes → ${outDir}`,
    );
}
