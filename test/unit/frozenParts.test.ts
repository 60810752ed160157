// The frozen parts of the VLM exercises (templates/workspace/lab/weights/shapes-lm and shapes-clip, built by
// `npm run build:weights -- shapes-lm shapes-clip`): each loads from memory and computes the function it was
// saved with (a stored fingerprint), the LM's perplexity on its held-out texts is what meta.json says, and a
// reduced build of each (a few steps, into a temp dir) runs and writes files that load.
import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { onWasmInThisSuite } from '../kernels/backends';
import { build as buildLm, FINGERPRINT_INPUT, VALIDATION as LM_VALIDATION } from '../../scripts/weights/shapes-lm';
import { build as buildVision, FINGERPRINT, MIN_ZERO_SHOT } from '../../scripts/weights/shapes-clip';
import {
  EOT_ID,
  LM_WEIGHTS_DIR,
  disposeLanguageModel,
  encodeText,
  forward,
  generate,
  lmMeta,
  loadLanguageModel,
  perplexity,
} from '../../templates/workspace/lab/lm';
import { mulberry32, renderScene, sampleScene } from '../../templates/workspace/lab/shapes';
import {
  VISION_WEIGHTS_DIR,
  disposeVisionEncoder,
  hiddenStates,
  loadVisionEncoder,
  numPatches,
  patchFeatures,
  visionMeta,
} from '../../templates/workspace/lab/vision';
import { lmTexts } from '../../templates/workspace/lab/vqa';

const folderBytes = (dir: string): number =>
  ['model.json', 'weights.bin', 'vocab.json', 'meta.json']
    .filter((f) => existsSync(join(dir, f)))
    .reduce((n, f) => n + statSync(join(dir, f)).size, 0);

describe('lab/lm and lab/vision: the shipped frozen parts', function () {
  this.timeout(180000);
  onWasmInThisSuite();

  it('the LM loads from memory and reproduces its stored logit fingerprint', async () => {
    const lm = await loadLanguageModel();
    const meta = lmMeta();
    const ids = [EOT_ID, ...encodeText(lm, FINGERPRINT_INPUT)];
    const got = tf.tidy(() =>
      Array.from(
        tf
          .slice(
            forward(lm, tf.tensor2d([ids], [1, ids.length], 'int32')),
            [0, ids.length - 1, 0],
            [1, 1, lm.config.vocabSize],
          )
          .dataSync(),
      ),
    );
    meta.fingerprint.logits.forEach((v, k) =>
      assert.ok(
        Math.abs(got[k] - v) < 1e-3,
        `logit ${k} (${lm.vocab[k]}): got ${got[k]}, stored ${v}; the weights or lab/lm.ts changed — rebuild with npm run build:weights -- shapes-lm`,
      ),
    );
    assert.equal(
      await generate(lm, FINGERPRINT_INPUT, 1),
      'red',
      'the LM should answer its own fingerprint question from the description',
    );
    disposeLanguageModel(lm);
  });

  it("the LM's perplexity on its held-out texts is meta.json's, and low", async () => {
    const lm = await loadLanguageModel();
    const meta = lmMeta();
    const ppl = await perplexity(lm, lmTexts(mulberry32(LM_VALIDATION.seed), meta.validation.texts));
    disposeLanguageModel(lm);
    assert.equal(meta.validation.seed, LM_VALIDATION.seed);
    assert.ok(
      Math.abs(ppl - meta.validationPerplexity) < 0.01 * meta.validationPerplexity,
      `perplexity ${ppl} vs meta.json ${meta.validationPerplexity}`,
    );
    assert.ok(
      ppl < 2.5,
      `perplexity ${ppl}: a real LM of this grammar is far below the ${lm.vocab.length}-word uniform guess`,
    );
    assert.ok(
      meta.samples.sampled.length >= 3 && meta.samples.greedy.length >= 3,
      'meta.json should carry sample generations',
    );
  });

  it('the CLIP image tower loads from memory, gives [B, 9, 64] patches, and reproduces its fingerprint', async () => {
    const encoder = await loadVisionEncoder();
    const meta = visionMeta();
    const S = encoder.config.imageSize;
    const image = renderScene(
      sampleScene(mulberry32(FINGERPRINT.sceneSeed), { objects: FINGERPRINT.objects }),
      S,
      mulberry32(FINGERPRINT.sceneSeed),
    );
    const x = tf.tensor4d(image, [1, S, S, 3]);
    const patches = patchFeatures(encoder, x);
    assert.deepEqual(patches.shape, [1, numPatches(encoder.config), encoder.config.width]);
    assert.deepEqual(patches.shape, [1, 9, 64]);
    const got = await tf.mean(patches, 1).data();
    meta.fingerprint.features.forEach((v, k) =>
      assert.ok(
        Math.abs(got[k] - v) < 1e-3,
        `feature ${k}: got ${got[k]}, stored ${v}; the weights or lab/vision.ts changed — rebuild with npm run build:weights -- shapes-clip`,
      ),
    );
    assert.ok(meta.zeroShot.seen >= MIN_ZERO_SHOT, `seen-pair zero-shot accuracy ${meta.zeroShot.seen}`);
    assert.equal(meta.zeroShot.classes, 48);
    tf.dispose([x, patches]);
    disposeVisionEncoder(encoder);
  });

  it("patchFeatures reads the penultimate block's patch tokens by default and the last block's on request", async () => {
    const penultimate = await loadVisionEncoder();
    const last = await loadVisionEncoder(undefined, { layer: 'last' });
    assert.equal(penultimate.layer, 'penultimate');
    const S = penultimate.config.imageSize;
    const x = tf.tidy(() =>
      tf.tensor4d(renderScene(sampleScene(mulberry32(5), { objects: [2, 3] }), S, mulberry32(5)), [1, S, S, 3]),
    );
    const states = hiddenStates(penultimate, x);
    assert.equal(states.length, penultimate.config.depth);
    const patchesOf = (h: tf.Tensor3D): tf.Tensor3D => tf.slice(h, [0, 1, 0], [1, 9, 64]); // class token dropped
    const close = async (a: tf.Tensor, b: tf.Tensor): Promise<number> => (await tf.max(tf.abs(tf.sub(a, b))).data())[0];
    assert.ok((await close(patchFeatures(penultimate, x), patchesOf(states[states.length - 2]))) < 1e-6);
    assert.ok((await close(patchFeatures(last, x), patchesOf(states[states.length - 1]))) < 1e-6);
    assert.ok((await close(patchFeatures(last, x), patchFeatures(penultimate, x))) > 1e-2, 'the two layers differ');
    tf.dispose([x, ...states]);
    disposeVisionEncoder(penultimate);
    disposeVisionEncoder(last);
  });

  it('both ship well under 2 MB', () => {
    for (const dir of [LM_WEIGHTS_DIR, VISION_WEIGHTS_DIR])
      assert.ok(folderBytes(dir) < 1_000_000, `${dir}: ${folderBytes(dir)} bytes`);
  });

  it('a reduced build of each (3 steps) runs and writes weights that load', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mml-frozen-'));
    try {
      await buildLm(join(dir, 'lm'), { steps: 3, quiet: true, validationTexts: 64 });
      await buildVision(join(dir, 'vision'), { steps: 3, quiet: true, perClass: 1 });
      const lm = await loadLanguageModel(join(dir, 'lm'));
      const encoder = await loadVisionEncoder(join(dir, 'vision'));
      assert.ok(lmMeta(join(dir, 'lm')).validationPerplexity > 0);
      assert.equal(visionMeta(join(dir, 'vision')).steps, 3);
      const before = tf.memory().numTensors;
      const logits = forward(
        lm,
        tf.tidy(() => tf.tensor2d([[EOT_ID, 3, 4]], [1, 3], 'int32')),
      );
      assert.deepEqual(logits.shape, [1, 3, lm.vocab.length]);
      logits.dispose();
      assert.ok(tf.memory().numTensors <= before + 1);
      disposeLanguageModel(lm);
      disposeVisionEncoder(encoder);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
