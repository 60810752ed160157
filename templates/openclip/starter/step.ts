/**
 * One training step on N simulated workers, with either objective (provided).
 *
 * The batch is split into N shards and each is encoded separately, as N workers would; the loss is then your
 * OpenCLIP `ClipLoss` (local_loss and gather_with_grad on, OpenCLIP's setting for large runs) or your chunked SigLIP
 * loss. Adam with a warm-up + cosine schedule, as in exercise 1 (Radford et al. 2021, §2.5).
 */
import * as tf from '@tensorflow/tfjs';
import type { Batch } from './data';
import { distributedClipLoss, shardFeatures } from './distributed';
import { clampLogitScale } from './loss';
import { clipVariables, type Clip } from './model';
import { chunkedSigLipLoss, type SigLipHead } from './siglip';
import { encodeText } from './text';
import { encodeImage } from './vision';

/** Which loss a run trains with: CLIP's softmax InfoNCE, or SigLIP's pairwise sigmoid. */
export type Objective = 'softmax' | 'sigmoid';

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

/** The batch's loss under `objective`, computed as `workers` workers would.  → [] */
export function objectiveLoss(
  model: Clip,
  head: SigLipHead,
  batch: Batch,
  objective: Objective,
  workers: number,
): tf.Scalar {
  return tf.tidy(() => {
    const imageShards = shardFeatures((x: tf.Tensor4D) => encodeImage(model.vision, x), batch.images, workers);
    const textShards = shardFeatures((t: tf.Tensor2D) => encodeText(model.text, t), batch.tokens, workers);
    if (objective === 'sigmoid')
      return chunkedSigLipLoss(imageShards, textShards, head.logScale as tf.Scalar, head.bias as tf.Scalar);
    return distributedClipLoss(imageShards, textShards, model.logitScale as tf.Scalar, {
      localLoss: true,
      gatherWithGrad: true,
    });
  });
}

/** What `objective` trains: both towers, and its own temperature (and SigLIP's bias). */
export function trainedVariables(model: Clip, head: SigLipHead, objective: Objective): tf.Variable[] {
  const towers = clipVariables(model).filter((v) => v !== model.logitScale);
  return objective === 'softmax' ? [model.logitScale, ...towers] : [head.logScale, head.bias, ...towers];
}

/**
 * One optimiser step on `batch`, then the clamp of the temperature to [0, ln 100] that OpenCLIP applies to either
 * loss's logit scale. Resolves to the loss.
 */
export async function trainStep(
  model: Clip,
  head: SigLipHead,
  optimizer: tf.Optimizer,
  batch: Batch,
  objective: Objective,
  workers: number,
): Promise<number> {
  const loss = optimizer.minimize(
    () => objectiveLoss(model, head, batch, objective, workers),
    true,
    trainedVariables(model, head, objective),
  ) as tf.Scalar;
  clampLogitScale(objective === 'softmax' ? model.logitScale : head.logScale);
  const value = (await loss.data())[0];
  loss.dispose();
  return value;
}
