// Test helpers: the first test digits. (The schedule the tests use is lab/diffusion/schedule.ts's: in this exercise
// it is provided, not one of your TODOs; `moments` is lab/testing.ts's.)
import * as tf from '@tensorflow/tfjs';
import { gatherBatch, loadMnist } from '../../../lab/mnist';

/** The first `n` MNIST test digits at 16×16 as [n, 16, 16, 1] in [-1, 1] (the diffusion range). */
export function testDigits(n: number): tf.Tensor4D {
  const { pixels } = gatherBatch(
    loadMnist('test', { size: 16 }),
    Array.from({ length: n }, (_, i) => i),
  );
  return tf.tidy(() => tf.sub<tf.Tensor4D>(tf.mul(tf.tensor4d(pixels, [n, 16, 16, 1]), 2), 1));
}
