/**
 * One training step and the learning-rate schedule (provided).
 *
 * The schedule is the one CLIP used (Radford et al. 2021, §2.5; Loshchilov & Hutter 2016): a linear warm-up, then
 * a cosine decay to zero. Warm-up keeps the first steps of Adam, whose moment estimates are still noisy, small.
 */
import * as tf from '@tensorflow/tfjs';
import type { Batch } from './data';
import { clampLogitScale, clipLogits, contrastiveLoss } from './loss';
import { clipVariables, type Clip } from './model';
import { encodeText } from './text';
import { encodeImage } from './vision';

/** Adam whose learning rate can change between steps. */
export class ScheduledAdam extends tf.AdamOptimizer {
  constructor(learningRate: number) {
    super(learningRate, 0.9, 0.98, 1e-6);
  } // CLIP's β2 and ε
  setLearningRate(lr: number): void {
    this.learningRate = lr;
  }
}

/** Linear warm-up over `warmup` steps to `peak`, then cosine decay to 0 at `total`. Steps count from 1. */
export function learningRate(step: number, total: number, peak: number, warmup: number): number {
  if (step <= warmup) return (peak * step) / warmup;
  const progress = (step - warmup) / Math.max(1, total - warmup);
  return 0.5 * peak * (1 + Math.cos(Math.PI * Math.min(1, progress)));
}

/**
 * Encodes both sides of `batch`, computes the contrastive loss, takes one optimiser step and clamps the temperature
 * (OpenCLIP's order). Resolves to the loss, read with `await loss.data()`: a GPU backend can only hand a value back
 * asynchronously.
 */
export async function trainStep(model: Clip, optimizer: tf.Optimizer, batch: Batch): Promise<number> {
  const loss = optimizer.minimize(
    () => {
      const textEmb = encodeText(model.text, batch.tokens); // [B, E]
      const imageEmb = encodeImage(model.vision, batch.images); // [B, E]
      return contrastiveLoss(clipLogits(imageEmb, textEmb, model.logitScale as tf.Scalar)); // []
    },
    true,
    clipVariables(model),
  ) as tf.Scalar;
  clampLogitScale(model.logitScale);
  const value = (await loss.data())[0];
  loss.dispose();
  return value;
}
