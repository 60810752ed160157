// The shipped MNIST judge (templates/workspace/lab/weights/mnist-classifier, built by
// `npm run build:weights -- mnist-classifier`): it loads from memory, computes the same function it was saved
// with (a stored logit fingerprint), reaches ≥ 98% on the full 10k test set at 16×16, and the sample-quality
// metrics mean what lab/classifier.ts says.
import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { onWasmInThisSuite } from '../kernels/backends';
import {
  classify,
  classifierMeta,
  histogramEntropy,
  loadClassifier,
  sampleQuality,
} from '../../templates/workspace/lab/classifier';
import { gatherBatch, loadMnist } from '../../templates/workspace/lab/mnist';

/** The first `n` test digits as [n, 16, 16, 1] in [-1, 1] (the diffusion range), with labels. */
function testDigits(n: number, from = 0): { x: tf.Tensor4D; labels: Int32Array } {
  const set = loadMnist('test', { size: 16 });
  const { pixels, labels } = gatherBatch(
    set,
    Array.from({ length: n }, (_, i) => from + i),
  );
  return { x: tf.tidy(() => tf.sub(tf.mul(tf.tensor4d(pixels, [n, 16, 16, 1]), 2), 1) as tf.Tensor4D), labels };
}

describe('lab/classifier: the shipped MNIST judge', function () {
  this.timeout(120000);
  onWasmInThisSuite();

  it('loads from memory and reproduces the stored logit fingerprint', async () => {
    const model = await loadClassifier();
    const meta = classifierMeta();
    const { x } = testDigits(8);
    const logits = model.predict(tf.tidy(() => tf.div(tf.add(x, 1), 2))) as tf.Tensor2D;
    const got = logits.arraySync();
    tf.dispose([x, logits]);
    meta.fingerprint.logits.forEach((row, i) =>
      row.forEach((v, k) => {
        assert.ok(
          Math.abs(got[i][k] - v) < 1e-3,
          `logit [${i}, ${k}]: got ${got[i][k]}, stored ${v}; the weights or the topology changed — rebuild with npm run build:weights -- mnist-classifier`,
        );
      }),
    );
  });

  it('is at least 98% accurate on the 10,000 MNIST test digits at 16×16, as meta.json records', async () => {
    const model = await loadClassifier();
    let hits = 0;
    for (let from = 0; from < 10000; from += 1000) {
      const { x, labels } = testDigits(1000, from);
      const probs = classify(model, x);
      const pred = tf.tidy(() => probs.argMax(1).dataSync());
      tf.dispose([x, probs]);
      for (let i = 0; i < 1000; i++) if (pred[i] === labels[i]) hits++;
    }
    const accuracy = hits / 10000;
    assert.ok(accuracy >= 0.98, `test accuracy ${accuracy}`);
    assert.ok(
      Math.abs(accuracy - classifierMeta().testAccuracy) < 1e-3,
      `accuracy ${accuracy} vs meta.json ${classifierMeta().testAccuracy}`,
    );
  });

  it('scores real digits as confident, balanced and correct, and noise as unconfident', async () => {
    const { x, labels } = testDigits(500);
    const real = await sampleQuality(x, labels);
    x.dispose();
    assert.ok(real.confidence > 0.95, `confidence on real digits ${real.confidence}`);
    assert.ok(real.accuracy !== undefined && real.accuracy > 0.97, `accuracy ${real.accuracy}`);
    assert.ok(real.entropy > 0.98, `class entropy of real digits ${real.entropy}`);
    assert.equal(
      real.classHistogram.reduce((a, b) => a + b, 0),
      500,
    );
    const noise = tf.randomUniform([200, 16, 16, 1], -1, 1, 'float32', 7) as tf.Tensor4D;
    const junk = await sampleQuality(noise);
    noise.dispose();
    assert.ok(
      junk.confidence < 0.5,
      `uniform noise scored a mean max-probability of ${junk.confidence} (real digits ${real.confidence}); a judge must not be sure about junk`,
    );
    assert.equal(junk.accuracy, undefined);
  });

  it('normalises the histogram entropy to [0, 1]', () => {
    assert.equal(histogramEntropy([5, 0, 0, 0, 0, 0, 0, 0, 0, 0]), 0);
    assert.ok(Math.abs(histogramEntropy([3, 3, 3, 3, 3, 3, 3, 3, 3, 3]) - 1) < 1e-12);
    assert.ok(Math.abs(histogramEntropy([1, 1, 0, 0, 0, 0, 0, 0, 0, 0]) - Math.log(2) / Math.log(10)) < 1e-12);
  });

  it('rejects images at another resolution', async () => {
    const model = await loadClassifier();
    const x = tf.zeros([1, 28, 28, 1]) as tf.Tensor4D;
    assert.throws(() => classify(model, x), /\[N, 16, 16, 1\]/);
    x.dispose();
  });
});
