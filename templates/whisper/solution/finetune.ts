/**
 * Fine-tuning: the training objective, which variables to train, and one optimiser step.
 *
 * Whisper is trained to maximise the log-likelihood of the transcript given the audio, token by token, with the
 * previous tokens given (teacher forcing; Radford et al. 2022, §2.3–2.4). Fine-tuning keeps that objective and
 * starts from the pretrained weights. Freezing the encoder trains only the decoder: fewer parameters and less
 * forgetting, but the audio features cannot adapt to the new accent.
 */
import * as tf from '@tensorflow/tfjs';
import type { Batch } from './data';
import { decodeText, decoderVariables, encodeAudio, encoderVariables, type Whisper } from './model';
import { PAD } from './tokenizer';

export type FineTuneMode = 'freeze-encoder' | 'full';

/**
 * Mean cross-entropy of the next-token predictions over the positions whose target is not PAD.
 * logits [B, L, V], targets [B, L] int32 → []
 */
export function sequenceLoss(logits: tf.Tensor3D, targets: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const logProbs = tf.logSoftmax(logits, -1); // [B, L, V]
    const picked = tf.sum(tf.mul(logProbs, tf.oneHot(targets, logits.shape[2])), -1); // log p(target): [B, L]
    const mask = tf.cast(tf.notEqual(targets, PAD), 'float32'); // 1 on real tokens: [B, L]
    return tf.div(tf.neg(tf.sum(tf.mul(picked, mask))), tf.maximum(tf.sum(mask), 1)) as tf.Scalar;
  });
}

/** The variables the optimiser may change: only the decoder's when freezing the encoder, else all of them. */
export function trainableVariables(model: Whisper, mode: FineTuneMode): tf.Variable[] {
  return mode === 'freeze-encoder' ? decoderVariables(model) : [...encoderVariables(model), ...decoderVariables(model)];
}

/**
 * One step: encode the audio, decode with teacher forcing, minimise sequenceLoss over `variables`. Resolves to the
 * loss as a number (read with `await`: a GPU backend cannot read synchronously).
 */
export async function fineTuneStep(
  model: Whisper,
  optimizer: tf.Optimizer,
  batch: Batch,
  variables: tf.Variable[],
): Promise<number> {
  const loss = optimizer.minimize(
    () => {
      const audio = encodeAudio(model, batch.mels); // [B, S, D]
      const logits = decodeText(model, batch.input, audio); // [B, L, V]
      return sequenceLoss(logits, batch.target); // []
    },
    true,
    variables,
  ) as tf.Scalar;
  const value = (await loss.data())[0];
  loss.dispose();
  return value;
}
