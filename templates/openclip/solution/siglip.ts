/**
 * The sigmoid loss for language–image pre-training (SigLIP) and its chunked form, which needs no all-gather.
 *
 * Zhai et al. 2023, "Sigmoid Loss for Language Image Pre-Training" (arXiv:2303.15343), §3.2 and Algorithm 1:
 *   logits = dot(zimg, ztxt.T) * t + b          # t = exp(t'), t' = log 10 and b = −10 at initialisation
 *   labels = 2 * eye(n) - ones(n)               # +1 on the diagonal (the pairs), −1 everywhere else
 *   l = -sum(log_sigmoid(labels * logits)) / n
 * Every image–text pair is its own binary problem: "do these match?". No softmax normalises over the batch, so no
 * worker needs the whole batch's features at once (§3.3, the chunked implementation), and OpenCLIP's `SigLipLoss`
 * passes text features from worker to worker instead of gathering them.
 */
import * as tf from '@tensorflow/tfjs';

/** SigLIP's two learned scalars: the log temperature t' (the logits are scaled by t = exp(t')) and the bias b. */
export interface SigLipHead {
  logScale: tf.Variable; // t'
  bias: tf.Variable; // b
}

/**
 * TODO(3): the head as the paper initialises it (§3.2, §4.4): t' = log 10 and b = −10. The bias starts the model
 * saying "no match" to every pair, which is right for all but n of the n² pairs, so the first steps are not spent
 * pushing down the many easy negatives.
 */
export function createSigLipHead(): SigLipHead {
  return { logScale: tf.variable(tf.scalar(Math.log(10))), bias: tf.variable(tf.scalar(-10)) };
}

/**
 * TODO(3): Algorithm 1's loss. The sum over all n·n pairs of −log σ(label · logit), with label +1 on the diagonal
 * and −1 off it, divided by n (the number of images, not the number of pairs).
 *   imageEmb [n, E], textEmb [n, E], logScale [], bias [] → []
 */
export function sigLipLoss(
  imageEmb: tf.Tensor2D,
  textEmb: tf.Tensor2D,
  logScale: tf.Scalar,
  bias: tf.Scalar,
): tf.Scalar {
  return tf.tidy(() => {
    const n = imageEmb.shape[0];
    const logits = tf.add(tf.mul(tf.matMul(imageEmb, textEmb, false, true), tf.exp(logScale)), bias); // [n, n]
    const labels = tf.sub(tf.mul(tf.eye(n), 2), 1); // [n, n]: +1 on the diagonal, −1 elsewhere
    return tf.div<tf.Scalar>(tf.sum(tf.softplus(tf.neg(tf.mul(labels, logits)))), n); // −log σ(z) = softplus(−z)
  });
}

/**
 * TODO(4): the same loss computed as N workers would, without an all-gather (Zhai et al. 2023, §3.3, Figure 1).
 * Worker r scores its b images against its own b texts (the positives are there), then against the texts of worker
 * r+1, r+2, … (mod N) as they are passed round the ring: each step is a [b, b] block of negatives only. Its loss is
 * the sum over those N blocks divided by b (OpenCLIP's `SigLipLoss` divides by the local batch); DDP's average over
 * the N workers gives the global sum divided by n = N·b, Algorithm 1's loss.
 *   imageShards, textShards N × [b, E], logScale [], bias [] → []
 */
export function chunkedSigLipLoss(
  imageShards: tf.Tensor2D[],
  textShards: tf.Tensor2D[],
  logScale: tf.Scalar,
  bias: tf.Scalar,
): tf.Scalar {
  return tf.tidy(() => {
    const N = imageShards.length;
    const scale = tf.exp(logScale);
    const workerLosses = imageShards.map((images, rank) => {
      const b = images.shape[0];
      const blocks: tf.Scalar[] = [];
      for (let step = 0; step < N; step++) {
        const texts = textShards[(rank + step) % N]; // [b, E]: what the ring has brought to this worker
        const logits = tf.add(tf.mul(tf.matMul(images, texts, false, true), scale), bias); // [b, b]
        const labels = step === 0 ? tf.sub(tf.mul(tf.eye(b), 2), 1) : tf.fill([b, b], -1); // positives only at home
        blocks.push(tf.sum<tf.Scalar>(tf.softplus(tf.neg(tf.mul(labels, logits))))); // Σ −log σ(label·logit)
      }
      return tf.div<tf.Scalar>(tf.addN(blocks), b); // []
    });
    return tf.mean<tf.Scalar>(tf.stack(workerLosses));
  });
}
