// The shipped models the evaluation exercise measures, loaded the way it loads them: lab/llava/shipped.ts (exercise
// 3's bridge in lab/weights/shapes-llava, built by `npm run build:weights -- shapes-llava`) answers the held-out VQA
// questions as well as its meta.json says, and lab/shapesClip.ts (both towers of lab/weights/shapes-clip) classifies
// zero-shot as well as the shapes-clip build measured, so a text tower loaded with a swapped or misnamed weight
// would fail here.
import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { onWasmInThisSuite } from '../kernels/backends';
import { ZERO_SHOT } from '../../scripts/weights/shapes-clip';
import { disposeLlava, llavaMeta, loadLlava, shippedVlmLogits } from '../../templates/workspace/lab/llava/shipped';
import { PAIRS, isHeldOut, mulberry32, renderScene, sampleScene } from '../../templates/workspace/lab/shapes';
import {
  disposeShapesClip,
  embedTexts,
  loadShapesClip,
  zeroShotPredict,
} from '../../templates/workspace/lab/shapesClip';
import { numPatches, visionMeta } from '../../templates/workspace/lab/vision';
import { disposeBatch } from '../../templates/workspace/lab/vqa';
import { vqaBatch } from '../../templates/workspace/lab/vqaBatch';
import { accuracyOf, scoreAnswers } from '../../templates/workspace/lab/vqaTraining';

describe('the shipped models the evaluation exercise measures', function () {
  this.timeout(300_000);
  onWasmInThisSuite();

  it("lab/llava/shipped.ts's VLM answers the 512 held-out questions as meta.json says", async () => {
    const vlm = await loadLlava();
    const meta = llavaMeta();
    const S = vlm.encoder.config.imageSize;
    const batches = Array.from({ length: 8 }, (_, i) => vqaBatch(vlm.lm, mulberry32(90_000 + i), 64, S));
    // scoreAnswers reads features, then logits from them: here the "features" are the images themselves.
    const reader = {
      lm: vlm.lm,
      contextTokens: numPatches(vlm.encoder.config),
      features: (images: tf.Tensor4D) => images as unknown as tf.Tensor3D,
      logits: (images: tf.Tensor3D, text: tf.Tensor2D) => shippedVlmLogits(vlm, images as unknown as tf.Tensor4D, text),
    };
    const { accuracy } = await accuracyOf(batches, (b) => scoreAnswers(reader, b, 'own'));
    batches.forEach(disposeBatch);
    disposeLlava(vlm);
    assert.equal(meta.heldOut.questions, 512);
    assert.ok(
      Math.abs(accuracy - meta.heldOut.accuracy) <= 0.01,
      `held-out accuracy ${accuracy} vs meta.json's ${meta.heldOut.accuracy}`,
    );
  });

  it("lab/shapesClip.ts's two towers reproduce the build's seen-pair zero-shot accuracy", async () => {
    const clip = await loadShapesClip();
    const S = clip.image.config.imageSize;
    const rng = mulberry32(ZERO_SHOT.seed); // the build's zero-shot set: perClass images of each pair, in order
    const prompts = embedTexts(
      clip,
      PAIRS.map(([c, s]) => `a photo of a ${c} ${s}`),
    );
    let hits = 0,
      total = 0;
    for (let k = 0; k < PAIRS.length; k++) {
      const scenes = Array.from({ length: ZERO_SHOT.perClass }, () =>
        sampleScene(rng, { pair: PAIRS[k], heldOut: 'any' }),
      );
      const pixels = new Float32Array(scenes.length * S * S * 3);
      scenes.forEach((s, i) => renderScene(s, S, rng, pixels, i * S * S * 3));
      const images = tf.tensor4d(pixels, [scenes.length, S, S, 3]);
      const predicted = await zeroShotPredict(clip, images, prompts);
      images.dispose();
      if (isHeldOut(...PAIRS[k])) continue;
      hits += predicted.filter((p) => p === k).length;
      total += predicted.length;
    }
    prompts.dispose();
    disposeShapesClip(clip);
    const seen = (visionMeta() as unknown as { zeroShot: { seen: number } }).zeroShot.seen;
    assert.ok(Math.abs(hits / total - seen) <= 0.01, `seen-pair zero-shot accuracy ${hits / total} vs ${seen}`);
  });
});
