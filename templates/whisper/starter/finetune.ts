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
 * TODO(5): the mean cross-entropy of the next-token predictions over the positions whose target is not PAD.
 * logits [B, L, V], targets [B, L] int32 → []
 */
export function sequenceLoss(logits: tf.Tensor3D, targets: tf.Tensor2D): tf.Scalar {
  throw new Error(
    "TODO(5): implement sequenceLoss — log-softmax over the vocabulary, pick the target token's log-probability, average −log p over the non-PAD targets only (README §What you implement)",
  );
}

/** TODO(6): the variables the optimiser may change: only the decoder's when freezing the encoder, else all of them. */
export function trainableVariables(model: Whisper, mode: FineTuneMode): tf.Variable[] {
  throw new Error(
    'TODO(6): implement trainableVariables — the decoder\'s variables when mode is "freeze-encoder", the encoder\'s and the decoder\'s when it is "full" (README §What you implement)',
  );
}

/**
 * TODO(7): one step: encode the audio, decode with teacher forcing, minimise sequenceLoss over `variables`. Resolves
 * to the loss as a number (read with `await`: a GPU backend cannot read synchronously).
 */
export async function fineTuneStep(
  model: Whisper,
  optimizer: tf.Optimizer,
  batch: Batch,
  variables: tf.Variable[],
): Promise<number> {
  throw new Error(
    'TODO(7): implement fineTuneStep — optimizer.minimize over `variables` of sequenceLoss(decodeText(model, batch.input, encodeAudio(model, batch.mels)), batch.target); return the loss as a number (await loss.data()) and leak no tensors (README §What you implement)',
  );
}
