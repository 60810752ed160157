/**
 * Test set-up the VLM exercises share (provided to exercises 3, 6 and 8): the frozen language model and vision
 * encoder, loaded once before a test file's tests and freed after them.
 *
 *   let lm: LanguageModel;
 *   let encoder: VisionEncoder;
 *   withFrozenParts((parts) => ({ lm, encoder } = parts));
 */
import * as tf from '@tensorflow/tfjs';
import { disposeLanguageModel, lmWeights, loadLanguageModel, type LanguageModel } from './lm';
import { disposeVisionEncoder, loadVisionEncoder, visionWeights, type VisionEncoder } from './vision';

export interface FrozenParts {
  lm: LanguageModel; // lab/weights/shapes-lm
  encoder: VisionEncoder; // lab/weights/shapes-clip
}

/**
 * Adds mocha hooks to the current suite (or the file, at its top level): `before` loads the frozen parts and hands
 * them to `use`, allowing a minute for the weights to load; `after` frees them.
 */
export function withFrozenParts(use: (parts: FrozenParts) => void): void {
  let parts: FrozenParts | undefined;
  before(async function () {
    this.timeout(60000);
    const lm = await loadLanguageModel();
    parts = { lm, encoder: await loadVisionEncoder() };
    use(parts);
  });
  after(() => {
    if (parts === undefined) return;
    disposeLanguageModel(parts.lm);
    disposeVisionEncoder(parts.encoder);
  });
}

/** Every weight of the frozen LM and vision encoder: a training step must leave each of them as loaded. */
export function frozenWeights(lm: LanguageModel, encoder: VisionEncoder): tf.Variable[] {
  return [...Object.values(lmWeights(lm)), ...Object.values(visionWeights(encoder))] as tf.Variable[];
}
