/**
 * One training step (provided).
 *
 * LLaVA's stage 1, "pre-training for feature alignment" (Liu et al. 2023, §4.2): the encoder and the LM stay
 * frozen and only the bridge trains. The frozen weights still sit on the gradient's path — the loss flows back
 * *through* the LM into the image tokens — but the optimizers must not change them.
 *
 * Two Adam optimizers: one for the bridge's weights, one for the gate α, a single number that scales every image
 * token at once.
 */
import * as tf from '@tensorflow/tfjs';
import { bridgeVariables } from './bridge';
import type { VqaBatch } from './data';
import { answerLoss, answerMask, nextWordTargets } from '../../lab/llava/loss';
import { imageFeatures, textStart, vlmLogits, type Vlm } from './model';

/**
 * The gate moves every image token at once, so it takes much smaller steps than the weights: it cannot swing the LM's
 * inputs.
 */
export const GATE_LR_SCALE = 1e-4;

export interface Optimizers {
  bridge: tf.Optimizer; // the projection and the marker embeddings
  gate: tf.Optimizer; // α
}

export function createOptimizers(lr: number): Optimizers {
  return { bridge: tf.train.adam(lr), gate: tf.train.adam(lr * GATE_LR_SCALE) };
}

export function disposeOptimizers(o: Optimizers): void {
  o.bridge.dispose();
  o.gate.dispose();
}

/** The variables the optimizers may change: the bridge's, and nothing of the encoder or the LM. */
export function trainableVariables(vlm: Vlm): tf.Variable[] {
  return bridgeVariables(vlm.bridge);
}

/**
 * One step on `batch`: the gradient of the answer-only loss, applied by the two optimizers. Resolves to the loss
 * (read with `await`, which works on every backend, GPU included).
 */
export async function trainStep(vlm: Vlm, optimizers: Optimizers, batch: VqaBatch): Promise<number> {
  const trainable = trainableVariables(vlm);
  const C = textStart(vlm) - 1; // the positions between <eot> and the text: <im_start>, N image tokens, <im_end>
  const features = imageFeatures(vlm, batch.images); // [B, N, Dv], computed once, no gradient needed
  const targets = nextWordTargets(batch.text, C); // [B, L]
  const mask = answerMask(batch.promptLength, batch.answerLength, C, batch.text.shape[1]); // [B, L]
  const { value, grads } = tf.variableGrads(
    () => answerLoss(vlmLogits(vlm, features, batch.text), targets, mask),
    trainable,
  );
  const gateName = vlm.bridge.gate.name;
  const { [gateName]: gateGrad, ...weightGrads } = grads;
  optimizers.bridge.applyGradients(weightGrads);
  if (gateGrad) optimizers.gate.applyGradients({ [gateName]: gateGrad });
  const loss = (await value.data())[0];
  tf.dispose([features, targets, mask, value, ...Object.values(grads)]);
  return loss;
}
