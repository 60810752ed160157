// Tests for the collapse exercise: one suite per stage of the investigation, in the order of the TODOs. Each is a
// behavioural diagnostic: it fails while its mistake is still somewhere in the set-up, and its message describes
// the symptom, not the line.
import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { expectNoTensorLeak } from '../../../lab/testing';
import { projectionVariables } from '../../../lab/llava/projection';
import type { LanguageModel } from '../../../lab/lm';
import { mulberry32 } from '../../../lab/shapes';
import { numPatches, type VisionEncoder } from '../../../lab/vision';
import { frozenWeights, withFrozenParts } from '../../../lab/vlmTesting';
import { disposeBridge } from '../bridge';
import { disposeBatch, vqaBatch } from '../data';
import { imageDependence } from '../diagnostics';
import { attentionMask, createVlm, imageFeatures, sequenceIds, textStart, vlmLogits, type Vlm } from '../model';
import { createOptimizers, disposeOptimizers, trainStep, trainableVariables } from '../step';

let lm: LanguageModel;
let encoder: VisionEncoder;
withFrozenParts((parts) => ({ lm, encoder } = parts));

async function withVlm<T>(fn: (vlm: Vlm) => T | Promise<T>): Promise<T> {
  const vlm = await createVlm(encoder, lm, 'mlp');
  try {
    return await fn(vlm);
  } finally {
    disposeBridge(vlm.bridge);
  }
}

describe('TODO(1): the image-dependence diagnostic', () => {
  it('is the fraction of answers that change when the image is swapped', () => {
    const got = imageDependence(['red', 'yes', 'two', 'circle'], ['red', 'no', 'three', 'circle']);
    assert.ok(
      Math.abs(got - 0.5) < 1e-9,
      `TODO(1): imageDependence(['red', 'yes', 'two', 'circle'], ['red', 'no', 'three', 'circle']) should be 0.5 — 2 of the 4 answers ` +
        `changed with the other image — got ${got}. Count the positions b where the two answers differ, divide by the number of answers.`,
    );
    const none = imageDependence(['red', 'no'], ['red', 'no']),
      all = imageDependence(['red', 'no'], ['blue', 'yes']);
    assert.ok(
      none === 0 && all === 1,
      `TODO(1): identical answers should give 0 and all-different answers 1; got ${none} and ${all}`,
    );
  });

  it('is 0 for no answers, and refuses lists of different lengths', () => {
    const empty = imageDependence([], []);
    assert.equal(empty, 0, `TODO(1): imageDependence([], []) should be 0 (nothing depends on the image), got ${empty}`);
    assert.throws(
      () => imageDependence(['red'], ['red', 'blue']),
      Error,
      'TODO(1): imageDependence should throw when the two lists differ in length: the answers must be paired question by question',
    );
  });
});

describe('TODO(2): different images give different features', function () {
  this.timeout(60000);
  it('the encoder tells 16 different scenes apart', async () => {
    await withVlm(async (vlm) => {
      const batch = vqaBatch(lm, mulberry32(21), 16, encoder.config.imageSize);
      const stats = tf.tidy(() => {
        const f = imageFeatures(vlm, batch.images); // [16, N, Dv]
        const { variance } = tf.moments(f, 0); // [N, Dv]: how much each feature varies from scene to scene
        return tf.stack([tf.mean(tf.sqrt(variance)), tf.max(batch.images)]); // [2]
      });
      const [spread, pixelMax] = await stats.data();
      tf.dispose([stats]);
      disposeBatch(batch);
      assert.ok(
        spread > 0.2,
        `TODO(2): the patch features of 16 different scenes are almost identical: each feature varies by ${spread.toFixed(4)} on ` +
          `average from scene to scene (the encoder's own images vary by about 0.8). The encoder can hardly tell these images apart, so ` +
          `the bridge gets the same input whatever the picture and can only learn the text prior. Look at what reaches the encoder ` +
          `(the brightest pixel in this batch is ${pixelMax.toPrecision(3)}; the data/examples images in the run panel show the same).`,
      );
    });
  });
});

describe('TODO(3): the question and answer can see the image tokens', function () {
  this.timeout(60000);
  const B = 2;
  const text = (): tf.Tensor2D => {
    const batch = vqaBatch(lm, mulberry32(31), B, encoder.config.imageSize);
    batch.images.dispose();
    return batch.text;
  };

  it('with the gate open, changing the image changes the logits at the question and answer positions', async () => {
    await withVlm(async (vlm) => {
      vlm.bridge.gate.assign(tf.scalar(1)); // open the gate, so the image tokens are not zero
      const ids = text();
      const N = numPatches(encoder.config),
        Dv = encoder.config.width,
        s = textStart(vlm);
      const largest = tf.tidy(() => {
        const a = vlmLogits(vlm, tf.randomNormal([B, N, Dv], 0, 1, 'float32', 1) as tf.Tensor3D, ids);
        const b = vlmLogits(vlm, tf.randomNormal([B, N, Dv], 0, 1, 'float32', 2) as tf.Tensor3D, ids);
        const L = a.shape[1];
        // the positions that read the question and predict the answer
        const cut = (x: tf.Tensor3D): tf.Tensor => tf.slice(x, [0, s - 1, 0], [B, L - s + 1, -1]);
        return tf.max(tf.abs(tf.sub(cut(a), cut(b))));
      });
      const diff = (await largest.data())[0];
      tf.dispose([ids, largest]);
      assert.ok(
        diff > 1e-3,
        `TODO(3): two different images give the same logits at every question and answer position (largest difference ${diff.toExponential(2)}). ` +
          'The image tokens change only their own positions, and nothing after the image block reads them: the LM answers from the text alone, ' +
          'and no gradient reaches the projection or the gate. Look at what each position is allowed to attend to.',
      );
    });
  });

  it('the attention mask lets every text position attend to every image token', async () => {
    const ids = text();
    const N = numPatches(encoder.config),
      s = N + 3;
    const blockedPairs = tf.tidy(() => {
      const mask = attentionMask(sequenceIds(ids, N)); // [B, 1, L, L]
      const L = mask.shape[3];
      // queries: <im_end> and the text; keys: the image tokens
      const textToImage = tf.slice(mask, [0, 0, s - 1, 2], [B, 1, L - s + 1, N]);
      return tf.sum(tf.cast(tf.less(textToImage, -1), 'int32'));
    });
    const blocked = (await blockedPairs.data())[0];
    const total = B * (14 + 1) * N;
    tf.dispose([ids, blockedPairs]);
    assert.equal(
      blocked,
      0,
      `TODO(3): the attention mask blocks ${blocked} of the ${total} (text position → image token) pairs: the image tokens are hidden ` +
        'from the question and the answer as if they were not there. Print one row of attentionMask(sequenceIds(…)) and ask why those keys are masked.',
    );
  });
});

describe('TODO(4): the optimizers train the whole bridge, and only the bridge', function () {
  this.timeout(120000); // real training steps through the frozen LM
  it('lists every bridge weight, changes no frozen weight in a step, and leaks no tensor', async () => {
    const vlm = await createVlm(encoder, lm, 'mlp');
    const b = vlm.bridge;
    const want = new Map([
      ...projectionVariables(b.projection).map((v, i): [string, string] => [
        v.name,
        `projection ${['W₁', 'b₁', 'W₂', 'b₂'][i] ?? i}`,
      ]),
      [b.imStart.name, '<im_start>'],
      [b.imEnd.name, '<im_end>'],
      [b.gate.name, 'the gate α'],
    ]);
    const got = trainableVariables(vlm).map((v) => v.name);
    const frozen = frozenWeights(lm, encoder);
    const frozenNames = new Set(frozen.map((v) => v.name));
    const leaked = got.filter((n) => frozenNames.has(n)).length;
    assert.equal(
      leaked,
      0,
      `TODO(4): ${leaked} of the ${got.length} variables the optimizers get belong to the frozen LM or encoder`,
    );
    const missing = [...want.keys()].filter((n) => !got.includes(n)).map((n) => want.get(n));
    assert.deepEqual(
      missing,
      [],
      `TODO(4): the optimizers get ${got.length} variables, but the bridge has ${want.size}: ${missing.join(', ')} ` +
        `${missing.length === 1 ? 'is' : 'are'} never updated. The loss still falls, because what does train can learn the text prior; ` +
        'an untrained projection stays at its random weights, so the image tokens are noise the LM learns to ignore.',
    );
    assert.equal(
      got.length,
      want.size,
      `TODO(4): the optimizers get ${got.length} variables; the bridge has ${want.size}`,
    );

    const values = (ws: tf.Tensor[]): Promise<number[][]> =>
      Promise.all(ws.map(async (w) => Array.from(await w.data())));
    const before = await values(frozen);
    const optimizers = createOptimizers(0.01);
    const batch = vqaBatch(lm, mulberry32(41), 4, encoder.config.imageSize);
    await trainStep(vlm, optimizers, batch); // the first step also makes Adam's moment estimates
    const moved = (await values(frozen)).filter((now, i) => now.some((v, k) => v !== before[i][k])).length;
    assert.equal(
      moved,
      0,
      `TODO(4): ${moved} frozen weight tensors changed in one step: the optimizers updated the LM or the encoder`,
    );
    await expectNoTensorLeak(() => trainStep(vlm, optimizers, batch), 'TODO(4): a training step');
    disposeBatch(batch);
    disposeOptimizers(optimizers);
    disposeBridge(b);
  });
});

describe('TODO(5): the gate can open within a run', () => {
  it('pushed the same way for the 1,500 steps of the cpu run, the gate opens past tanh(α) = 0.5', async () => {
    await withVlm(async (vlm) => {
      const lr = 2e-3; // the cpu configuration's learning rate (train.ts)
      const optimizers = createOptimizers(lr);
      const gate = vlm.bridge.gate,
        marker = vlm.bridge.imEnd;
      const push = tf.scalar(-1); // a gradient that always says "open further": the most Adam can do
      const first = async (t: tf.Tensor): Promise<number> => (await t.data())[0];
      const markerBefore = await first(marker);
      const unit = tf.onesLike(marker);
      optimizers.bridge.applyGradients({ [marker.name]: unit });
      unit.dispose();
      const weightStep = Math.abs((await first(marker)) - markerBefore);
      let firstStep = NaN;
      for (let i = 0; i < 1500; i++) {
        optimizers.gate.applyGradients({ [gate.name]: push });
        if (i === 0) firstStep = Math.abs(await first(gate));
      }
      const opening = Math.tanh(await first(gate));
      push.dispose();
      disposeOptimizers(optimizers);
      assert.ok(
        opening > 0.5,
        `TODO(5): after 1,500 steps that all push the gate open, tanh(α) is only ${opening.toFixed(4)}: one step moves α by ` +
          `${firstStep.toExponential(1)}, where a bridge weight moves by ${weightStep.toExponential(1)}. Adam moves a parameter by about ` +
          'its learning rate per step whatever the gradient, so this gate stays shut for the whole run and the image tokens are multiplied by almost 0 — ' +
          'a run shows it as `gate` flat near 0.',
      );
    });
  });
});
