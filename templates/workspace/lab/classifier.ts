/**
 * The MNIST judge: a small conv net, trained once by the extension's `scripts/weights/mnist-classifier.ts` on
 * 16×16 MNIST digits and shipped in `lab/weights/mnist-classifier/` (its accuracy on the 10k test set is in
 * meta.json). The diffusion exercises use it to score their samples, in the spirit of the Inception Score:
 *
 *   confidence     mean max-probability: does each sample look like *some* digit?
 *   accuracy       how often the argmax is the class you asked for (conditional models)
 *   classHistogram how many samples fell in each class — an unconditional model should cover all ten
 *   entropy        entropy of that histogram divided by log(10): 1 = every class equally often, 0 = one class only
 *
 * Images go in as [N, 16, 16, 1] in [-1, 1], the range the diffusion exercises sample in.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';

export const CLASSIFIER_SIZE = 16;
export const WEIGHTS_DIR = path.join(__dirname, 'weights', 'mnist-classifier');

export interface ClassifierMeta {
  /** Accuracy on the 10,000 MNIST test digits at 16×16. */
  testAccuracy: number;
  seed: number;
  size: number;
  params: number;
  date: string;
  /** Logits of the first 8 test digits, to check that the weights load into the same function. */
  fingerprint: { input: string; logits: number[][] };
}

export interface SampleQuality {
  /** Mean over samples of the classifier's largest class probability (0.1 = guessing, 1 = certain). */
  confidence: number;
  /** Fraction of samples classified as the requested class (only with `requestedLabels`). */
  accuracy?: number;
  /** Count of samples per predicted class, [10]. */
  classHistogram: number[];
  /** Entropy of the class histogram ÷ log(10), in [0, 1]; 1 = perfectly uniform. */
  entropy: number;
}

let cached: Promise<tf.LayersModel> | undefined;

/** The shipped classifier's meta.json (accuracy, seed, fingerprint). */
export function classifierMeta(): ClassifierMeta {
  return JSON.parse(fs.readFileSync(path.join(WEIGHTS_DIR, 'meta.json'), 'utf8')) as ClassifierMeta;
}

/**
 * Loads the shipped weights once per process. Pure tfjs in Node has no file:// loader, so the two files are
 * read with fs and handed to tf.io.fromMemory.
 */
export function loadClassifier(): Promise<tf.LayersModel> {
  cached ??= (async () => {
    const model = JSON.parse(fs.readFileSync(path.join(WEIGHTS_DIR, 'model.json'), 'utf8')) as tf.io.ModelJSON;
    const bin = fs.readFileSync(path.join(WEIGHTS_DIR, 'weights.bin'));
    const weightData = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength);
    const specs = model.weightsManifest.flatMap((g) => g.weights);
    return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: model.modelTopology, weightSpecs: specs, weightData }));
  })();
  return cached;
}

/** Class probabilities [N, 10] for images [N, 16, 16, 1] in [-1, 1]. */
export function classify(model: tf.LayersModel, images: tf.Tensor4D): tf.Tensor2D {
  const [, h, w, c] = images.shape;
  if (h !== CLASSIFIER_SIZE || w !== CLASSIFIER_SIZE || c !== 1) {
    throw new Error(`The MNIST classifier reads [N, 16, 16, 1] images; got [${images.shape.join(', ')}].`);
  }
  return tf.tidy(() => {
    const pixels = tf.div(tf.add(images.clipByValue(-1, 1), 1), 2); // [-1, 1] → [0, 1], as in training
    return tf.softmax(model.predict(pixels) as tf.Tensor2D) as tf.Tensor2D; // [N, 10]
  });
}

/** Normalised entropy (÷ log K) of a histogram of counts. */
export function histogramEntropy(counts: readonly number[]): number {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return 0;
  let h = 0;
  for (const n of counts) if (n > 0) h -= (n / total) * Math.log(n / total);
  return h / Math.log(counts.length);
}

/** Scores a batch of samples [N, 16, 16, 1] in [-1, 1] (see the module comment). */
export async function sampleQuality(images: tf.Tensor4D, requestedLabels?: ArrayLike<number>): Promise<SampleQuality> {
  const model = await loadClassifier();
  const probs = classify(model, images);
  const p = await probs.data();
  probs.dispose();
  const n = images.shape[0];
  const classHistogram = new Array<number>(10).fill(0);
  let confidence = 0,
    hits = 0;
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let k = 1; k < 10; k++) if (p[i * 10 + k] > p[i * 10 + best]) best = k;
    classHistogram[best]++;
    confidence += p[i * 10 + best];
    if (requestedLabels && requestedLabels[i] === best) hits++;
  }
  return {
    confidence: confidence / n,
    ...(requestedLabels ? { accuracy: hits / n } : {}),
    classHistogram,
    entropy: histogramEntropy(classHistogram),
  };
}
