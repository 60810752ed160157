/**
 * From synthetic utterances to training batches (provided): log-Mel features for each clip, padded to a fixed
 * number of frames, and the transcript as decoder input and target.
 *
 * Teacher forcing (Radford et al. 2022, §2.3): the decoder reads [SOT, c1, …, cn] and must predict
 * [c1, …, cn, EOT], one position ahead; PAD fills both to maxTokens and is ignored by the loss.
 */
import * as tf from '@tensorflow/tfjs';
import { logMelSpectrogram, type LogMel } from './features';
import { EOT, PAD, SOT, tokenize } from './tokenizer';

export interface Example {
  text: string;
  mel: LogMel;
}

export interface Batch {
  mels: tf.Tensor3D; // [B, T, M] log-Mel features
  input: tf.Tensor2D; // [B, L] int32: SOT, then the characters, then PAD
  target: tf.Tensor2D; // [B, L] int32: the characters, then EOT, then PAD
}

/** Computes each utterance's log-Mel spectrogram, `frames` frames long (utterances from lab/speech.ts). */
export function featurize(utterances: readonly { text: string; audio: Float32Array }[], frames: number): Example[] {
  return utterances.map((u) => ({ text: u.text, mel: logMelSpectrogram(u.audio, frames) }));
}

/** The log-Mel features of `examples[indices]` as one tensor.  → [B, T, M] */
export function melBatch(examples: readonly Example[], indices: readonly number[]): tf.Tensor3D {
  const { frames, mels } = examples[indices[0]].mel;
  const data = new Float32Array(indices.length * frames * mels);
  indices.forEach((i, b) => data.set(examples[i].mel.data, b * frames * mels));
  return tf.tensor3d(data, [indices.length, frames, mels]);
}

/** Decoder input and target ids for one transcript, each padded to `maxTokens`. */
export function teacherForcing(text: string, maxTokens: number): { input: number[]; target: number[] } {
  const chars = tokenize(text);
  if (chars.length + 1 > maxTokens)
    throw new Error(`"${text}" needs ${chars.length + 1} tokens; the decoder has ${maxTokens}`);
  const pad = (ids: number[]): number[] => [...ids, ...new Array<number>(maxTokens - ids.length).fill(PAD)];
  return { input: pad([SOT, ...chars]), target: pad([...chars, EOT]) };
}

export function makeBatch(examples: readonly Example[], indices: readonly number[], maxTokens: number): Batch {
  const pairs = indices.map((i) => teacherForcing(examples[i].text, maxTokens));
  return {
    mels: melBatch(examples, indices),
    input: tf.tensor2d(
      pairs.map((p) => p.input),
      [indices.length, maxTokens],
      'int32',
    ),
    target: tf.tensor2d(
      pairs.map((p) => p.target),
      [indices.length, maxTokens],
      'int32',
    ),
  };
}

export function disposeBatch(batch: Batch): void {
  tf.dispose([batch.mels, batch.input, batch.target]);
}
