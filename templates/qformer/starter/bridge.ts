/**
 * What the bridges have in common (provided, as in exercise 6), and the one training step all of them use.
 *
 * A bridge connects the frozen vision encoder's patch features Z_v [B, N, Dv] to the frozen LM and returns the LM's
 * next-word logits. The comparison only needs to know how many positions of the LM's sequence the image takes
 * (`contextTokens`), how many visual tokens the LM reads per image (`visualTokens`) and which variables train.
 *
 *                        image in the LM's sequence?        what trains
 *   LLaVA                yes: N projected patch tokens      an MLP projection
 *   Q-Former (BLIP-2)    yes: Q query outputs, for any N    the Q-Former's query path and one linear layer
 *   (Flamingo, ex. 6)    no: cross-attention to R tokens    a Perceiver resampler and gated cross-attention layers
 */
import * as tf from '@tensorflow/tfjs';
import type { VqaBatch } from './data';
import { answerLoss, answerMask, nextWordTargets } from '../../lab/llava/loss';

/** `qformer`: stage 2 after stage 1; `qformer_no_stage1`: stage 2 from a fresh Q-Former; `llava`: exercise 3. */
export type BridgeName = 'qformer' | 'qformer_no_stage1' | 'llava';

export interface Bridge {
  readonly name: BridgeName;
  /** Positions of the LM's input sequence the image occupies (LLaVA N, the Q-Former Q). */
  readonly contextTokens: number;
  /** Visual tokens the LM reads per image, in its sequence or through cross-attention (LLaVA N, the Q-Former Q). */
  readonly visualTokens: number;
  /** Next-word logits.  [B, N, Dv] patch features, [B, T] words → [B, 1 + contextTokens + T, V] */
  logits(features: tf.Tensor3D, text: tf.Tensor2D): tf.Tensor3D;
  /** The variables the optimizer may change: the bridge's own, none of the frozen encoder's or LM's. */
  trainableVariables(): tf.Variable[];
  /** Frees the bridge's weights (the frozen parts belong to whoever loaded them). */
  dispose(): void;
}

/**
 * One Adam step of `bridge` on `batch`, whose patch features were computed once for all bridges; resolves to the
 * loss (read with `await`, which works on every backend, GPU included).
 */
export async function trainStep(
  bridge: Bridge,
  optimizer: tf.Optimizer,
  features: tf.Tensor3D,
  batch: VqaBatch,
): Promise<number> {
  const trainable = bridge.trainableVariables();
  const C = bridge.contextTokens;
  const targets = nextWordTargets(batch.text, C); // [B, 1 + C + T]
  const mask = answerMask(batch.promptLength, batch.answerLength, C, batch.text.shape[1]); // [B, 1 + C + T]
  const loss = optimizer.minimize(
    () => answerLoss(bridge.logits(features, batch.text), targets, mask),
    true,
    trainable,
  );
  const value = loss ? (await loss.data())[0] : NaN;
  tf.dispose([targets, mask]);
  loss?.dispose();
  return value;
}

/** Number of scalars in `variables`. */
export function countParams(variables: readonly tf.Variable[]): number {
  return variables.reduce((n, v) => n + v.size, 0);
}
