// Test helpers: a reference schedule computed here in float64, and the first test digits, so the tests of later
// TODOs never call your earlier ones (each test fails only for the TODO it is about).
import * as tf from '@tensorflow/tfjs';
import { gatherBatch, loadMnist } from '../../../lab/mnist';
import type { Schedule } from '../../../lab/diffusion/schedule';

export function referenceSchedule(T: number, betaStart: number, betaEnd: number): Schedule {
  const betas = new Float32Array(T),
    alphas = new Float32Array(T),
    alphaBars = new Float32Array(T);
  let prod = 1;
  for (let t = 0; t < T; t++) {
    const beta = betaStart + ((betaEnd - betaStart) * t) / (T - 1);
    prod *= 1 - beta;
    betas[t] = beta;
    alphas[t] = 1 - beta;
    alphaBars[t] = prod;
  }
  return { T, betas, alphas, alphaBars };
}

/** Mean and (population) variance of a list of numbers. */
export function moments(values: ArrayLike<number>): { mean: number; variance: number } {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  const mean = sum / values.length;
  let sq = 0;
  for (let i = 0; i < values.length; i++) sq += (values[i] - mean) ** 2;
  return { mean, variance: sq / values.length };
}

/** The first `n` MNIST test digits at 16×16 as [n, 16, 16, 1] in [-1, 1] (the diffusion range). */
export function testDigits(n: number): tf.Tensor4D {
  const { pixels } = gatherBatch(
    loadMnist('test', { size: 16 }),
    Array.from({ length: n }, (_, i) => i),
  );
  return tf.tidy(() => tf.sub(tf.mul(tf.tensor4d(pixels, [n, 16, 16, 1]), 2), 1) as tf.Tensor4D);
}
