/**
 * CLIP's loss on N workers, simulated in one process: OpenCLIP's `ClipLoss` and `gather_features`
 * (github.com/mlfoundations/open_clip, src/open_clip/loss.py).
 *
 * With data parallelism each of N workers (its `rank` is 0 … N−1) encodes its own shard of b = B/N pairs. The
 * contrastive loss needs every other pair of the global batch as a negative, so the workers all-gather their
 * features: each then holds all N·b image and text embeddings, in rank order. Two switches decide what each worker
 * does with them:
 *   gather_with_grad  the gathered copies carry gradient back to the worker that computed them (OpenCLIP uses
 *                     `torch.distributed.nn.all_gather`); without it they are constants (`dist.all_gather`).
 *   local_loss        each worker scores only its own b rows against all N·b columns (memory b × N·b), with labels
 *                     arange(b) + rank·b; without it every worker computes the whole N·b × N·b loss.
 * After backward, DDP averages the workers' gradients. Here, the gradient of the mean of the workers' losses is
 * that average: each worker's loss sees the other shards' features through its own gather.
 */
import * as tf from '@tensorflow/tfjs';
import { clipLogits, contrastiveLoss } from './loss';

export interface GatherOptions {
  /** OpenCLIP's `gather_with_grad`: the gathered features of other workers keep their gradient. */
  gatherWithGrad: boolean;
  /** OpenCLIP's `local_loss`: each worker's rows are only its own features (labels offset by rank·b). */
  localLoss: boolean;
}

/**
 * Each worker's features, computed separately on its shard of the batch as worker k would (provided).
 *   batch [B, …] → N × [B/N, E]
 */
export function shardFeatures<T extends tf.Tensor>(
  encode: (shard: T) => tf.Tensor2D,
  batch: T,
  workers: number,
): tf.Tensor2D[] {
  const B = batch.shape[0];
  if (B % workers !== 0) throw new Error(`a batch of ${B} does not split into ${workers} equal shards`);
  const b = B / workers;
  return Array.from({ length: workers }, (_, k) =>
    tf.tidy(() => {
      const begin = batch.shape.map((_, axis) => (axis === 0 ? k * b : 0));
      const size = batch.shape.map((_, axis) => (axis === 0 ? b : -1));
      return encode(tf.slice(batch, begin, size) as T); // [b, E]
    }),
  );
}

/**
 * TODO(1): the identity in the forward pass, a zero gradient in the backward pass (PyTorch's `x.detach()`).
 * tfjs has no such op: build it with `tf.customGrad`.
 */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  throw new Error('TODO(1): stopGradient: the identity forward, a zero gradient backward (tf.customGrad)');
}

/**
 * TODO(1): what worker `rank` holds after the all-gather: every worker's features, in rank order.
 * With `gatherWithGrad` all of them pass gradient back. Without it they are constants (`stopGradient`), except that
 * without `localLoss` OpenCLIP puts the worker's own live features back in its slot
 * (`gathered_image_features[rank] = image_features`), so its own part of the loss still reaches its encoder.
 *   N × [b, E] → [N·b, E]
 */
export function gatherFeatures(shards: tf.Tensor2D[], rank: number, options: GatherOptions): tf.Tensor2D {
  throw new Error("TODO(1): gatherFeatures: concatenate every worker's features, as OpenCLIP's gather_features");
}

/**
 * TODO(2): worker `rank`'s loss, OpenCLIP's `ClipLoss.forward`. Gather both sides (`gatherFeatures`).
 * With `localLoss`: logits of the worker's own image features against all gathered text features, and of its own
 * text features against all gathered image features, both [b, N·b]; the right column for row i is rank·b + i.
 * Without: the whole [N·b, N·b] loss of exercise 1 (`contrastiveLoss(clipLogits(…))`) on the gathered features.
 *   imageShards, textShards N × [b, E], logScale [] → []
 */
export function clipLossOnRank(
  imageShards: tf.Tensor2D[],
  textShards: tf.Tensor2D[],
  rank: number,
  logScale: tf.Scalar,
  options: GatherOptions,
): tf.Scalar {
  throw new Error("TODO(2): clipLossOnRank: one worker's ClipLoss, with and without local_loss");
}

/**
 * The loss whose gradient is what DDP applies (provided): the mean over workers of each worker's loss. Its value is
 * the same for every setting; its gradient is exercise 1's only when the gathered features keep their gradient.
 *   imageShards, textShards N × [b, E], logScale [] → []
 */
export function distributedClipLoss(
  imageShards: tf.Tensor2D[],
  textShards: tf.Tensor2D[],
  logScale: tf.Scalar,
  options: GatherOptions,
): tf.Scalar {
  return tf.tidy(() =>
    tf.mean<tf.Scalar>(
      tf.stack(imageShards.map((_, rank) => clipLossOnRank(imageShards, textShards, rank, logScale, options))),
    ),
  );
}
