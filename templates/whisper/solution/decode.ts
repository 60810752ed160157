/**
 * Greedy decoding: the decoder writes the transcript one token at a time, each time taking its most likely next
 * token and feeding it back in, until it says EOT (Radford et al. 2022, §4.5; Whisper adds beam search and
 * temperature fallback on top of this loop).
 */
import * as tf from '@tensorflow/tfjs';
import { decodeText, encodeAudio, type Whisper } from './model';
import { detokenize, EOT, PAD, SOT } from './tokenizer';

/** Next-token logits for every sequence, given the tokens so far.  tokens [B, t] int32 → logits [B, V] */
export type NextTokenLogits = (tokens: tf.Tensor2D) => tf.Tensor2D;

/**
 * Starts each of `batchSize` sequences with SOT and appends the argmax token until the sequence has produced EOT
 * or holds `maxTokens` tokens (SOT included). A finished sequence is fed PAD from then on. Returns each
 * sequence's tokens after SOT, without EOT and without anything after it. Async: each round's argmax is read with
 * `await t.data()` (a GPU backend cannot read synchronously).
 */
export async function greedyDecode(
  nextLogits: NextTokenLogits,
  batchSize: number,
  maxTokens: number,
): Promise<number[][]> {
  const sequences = Array.from({ length: batchSize }, () => [SOT]); // what is fed back in
  const outputs: number[][] = Array.from({ length: batchSize }, () => []);
  const done = new Array<boolean>(batchSize).fill(false);
  while (sequences[0].length < maxTokens && done.some((d) => !d)) {
    const argmax = tf.tidy(() =>
      tf.argMax(nextLogits(tf.tensor2d(sequences, [batchSize, sequences[0].length], 'int32')), -1),
    ); // [B]
    const next = await argmax.data(); // tf.tidy cannot await: read after it, then dispose
    argmax.dispose();
    for (let b = 0; b < batchSize; b++) {
      if (!done[b] && next[b] === EOT) done[b] = true;
      else if (!done[b]) outputs[b].push(next[b]);
      sequences[b].push(done[b] ? PAD : next[b]);
    }
  }
  return outputs;
}

/** Transcribes a batch of log-Mel clips [B, T, M] with greedy decoding: one string per clip. */
export async function transcribe(model: Whisper, mels: tf.Tensor3D): Promise<string[]> {
  const audio = encodeAudio(model, mels); // [B, S, D], computed once
  try {
    const next: NextTokenLogits = (tokens) =>
      tf.tidy(() => {
        const logits = decodeText(model, tokens, audio); // [B, t, V]
        const t = tokens.shape[1];
        // last position: [B, V]
        return tf.reshape(tf.slice(logits, [0, t - 1, 0], [-1, 1, -1]), [tokens.shape[0], -1]) as tf.Tensor2D;
      });
    return (await greedyDecode(next, mels.shape[0], model.config.maxTokens)).map(detokenize);
  } finally {
    audio.dispose();
  }
}
