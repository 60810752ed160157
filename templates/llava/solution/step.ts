/**
 * One training step (provided, but for the choice of what trains).
 *
 * LLaVA's stage 1, "pre-training for feature alignment" (Liu et al. 2023, §4.2): "we keep both the visual encoder
 * and LLM weights frozen, and maximize the likelihood of Eq. 3 with trainable parameters θ = W (the projection
 * matrix) only." The frozen weights still sit on the gradient's path — the loss flows back *through* the LM into
 * the image tokens — but the optimizer must not change them.
 */
import * as tf from '@tensorflow/tfjs';
import { numPatches } from '../../lab/vision';
import type { VqaBatch } from './data';
import { answerLoss, answerMask, nextWordTargets } from './loss';
import { imageFeatures, vlmLogits, type Vlm } from './model';
import { projectionVariables } from './projection';

/**
 * TODO(5): the variables the optimizer may change: the projection's, and nothing of the encoder or the LM
 * (their weights are tf.Variables too, trainable as loaded). `projectionVariables` lists a projection's weights.
 */
export function trainableVariables(vlm: Vlm): tf.Variable[] {
  return projectionVariables(vlm.projection); // θ = W: the encoder and the LM stay as they were loaded
}

/** One Adam step on `batch`; resolves to the loss (read with `await`, which works on every backend, GPU included). */
export async function trainStep(vlm: Vlm, optimizer: tf.Optimizer, batch: VqaBatch): Promise<number> {
  const trainable = trainableVariables(vlm);
  const N = numPatches(vlm.encoder.config);
  const features = imageFeatures(vlm, batch.images); // [B, N, Dv], computed once, no gradient needed
  const targets = nextWordTargets(batch.text, N); // [B, 1 + N + T]
  const mask = answerMask(batch.promptLength, batch.answerLength, N, batch.text.shape[1]); // [B, 1 + N + T]
  const loss = optimizer.minimize(
    () => answerLoss(vlmLogits(vlm, features, batch.text), targets, mask),
    true,
    trainable,
  );
  const value = loss ? (await loss.data())[0] : NaN;
  tf.dispose([features, targets, mask]);
  loss?.dispose();
  return value;
}
