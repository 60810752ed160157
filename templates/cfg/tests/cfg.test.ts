import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { sample } from '../../../lab/diffusion/sample';
import { linearBetaSchedule } from '../../../lab/diffusion/schedule';
import { timeEmbedding } from '../../../lab/diffusion/timeEmbedding';
import { createUNet, variables, type CondEpsModel, type UNet } from '../../../lab/diffusion/unet';
import { mulberry32 } from '../../../lab/random'; // seeded, so the statistical tests are the same on every run
import { expectNoTensorLeak, expectShape, expectTensorClose } from '../../../lab/testing';
import { addLabelEmbedding, dropLabels, NULL_LABEL, NUM_CLASSES } from '../conditioning';
import { guidedEps } from '../guidance';
import { conditionalLoss } from '../loss';

/** A small class-conditional UNet whose label embedding is your addLabelEmbedding. */
const conditionalUNet = (): UNet =>
  createUNet({
    channels: 4,
    timeDim: 8,
    seed: 1,
    timeEmbedding,
    labels: { rows: NUM_CLASSES + 1, embed: addLabelEmbedding },
  });

describe('TODO(1): class conditioning with a learned null label', () => {
  it("adds each label's row of the table to the time embedding, row 10 for the null label", async () => {
    const table = tf.tensor2d(Array.from({ length: 11 }, (_, k) => [k, -k, 100 * k])); // row k = [k, −k, 100k]
    const temb = tf.tensor2d([
      [0.5, 0.5, 0.5],
      [1, 2, 3],
      [0, 0, 0],
    ]);
    const out = addLabelEmbedding(temb, table, tf.tensor1d([3, NULL_LABEL, 0], 'int32'));
    await expectShape(out, [3, 3], 'addLabelEmbedding(temb [3, 3], table [11, 3], labels [3])');
    await expectTensorClose(
      out,
      [
        [3.5, -2.5, 300.5],
        [11, -8, 1003],
        [0, 0, 0],
      ],
      { atol: 1e-5 },
      'addLabelEmbedding: temb + table[labels] — label 10 (NULL_LABEL) must pick the last row, the learned "no class"',
    );
    tf.dispose([table, temb, out]);
  });

  it('lets gradients reach exactly the rows that were used (the null row is learned too)', async () => {
    const table = tf.zeros([11, 2]) as tf.Tensor2D;
    const labels = tf.tensor1d([2, NULL_LABEL, 2], 'int32');
    const grad = tf.grad((tb: tf.Tensor) => tf.sum(addLabelEmbedding(tf.zeros([3, 2]), tb as tf.Tensor2D, labels)))(
      table,
    );
    const perRow = grad.sum(1);
    const rows = (await perRow.array()) as number[];
    perRow.dispose();
    assert.deepEqual(
      rows,
      [0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 2],
      `d(sum)/d(table) per row should count how often each label was used ([…, row 2: 2×2, …, row 10: 1×2]); got ${rows.join(', ')}`,
    );
    tf.dispose([table, labels, grad]);
  });
});

describe('TODO(2): condition dropout', () => {
  it('replaces a fraction p_uncond of the labels by the null label, and keeps the others', () => {
    const labels = Int32Array.from({ length: 100000 }, (_, i) => i % 10);
    for (const p of [0.1, 0.2]) {
      const out = dropLabels(labels, p, mulberry32(11));
      assert.equal(out.length, labels.length);
      let dropped = 0;
      for (let i = 0; i < out.length; i++) {
        if (out[i] === NULL_LABEL) dropped++;
        else
          assert.equal(out[i], labels[i], `label ${i} was ${labels[i]} and is neither kept nor NULL_LABEL (${out[i]})`);
      }
      // 100k Bernoulli(p) draws: the standard error is ≤ 0.0013, so ±0.005 is > 3.5σ.
      assert.ok(
        Math.abs(dropped / out.length - p) < 0.005,
        `with p_uncond = ${p}, ${(dropped / out.length).toFixed(4)} of the labels became NULL_LABEL`,
      );
    }
    assert.equal(labels[0], 0, 'dropLabels must not modify its input (return a new array)');
    assert.ok(
      dropLabels(labels.subarray(0, 50), 0, mulberry32(1)).every((l, i) => l === labels[i]),
      'p_uncond = 0 keeps every label',
    );
    assert.ok(
      dropLabels(labels.subarray(0, 50), 1, mulberry32(1)).every((l) => l === NULL_LABEL),
      'p_uncond = 1 drops every label',
    );
  });

  it('uses the random source it is given, one draw per label', () => {
    const draws = [0.05, 0.5, 0.09, 0.95];
    let i = 0;
    const out = dropLabels(Int32Array.from([4, 5, 6, 7]), 0.1, () => draws[i++]);
    assert.deepEqual(
      Array.from(out),
      [NULL_LABEL, 5, NULL_LABEL, 7],
      'a label is dropped exactly when its draw is < p_uncond',
    );
    assert.equal(i, 4, `expected one random() call per label, got ${i}`);
  });

  it('leaks no tensor over a training step of the conditional UNet', async () => {
    const s = linearBetaSchedule(20, 0.01, 0.3);
    const unet = conditionalUNet();
    const opt = tf.train.adam(1e-3);
    const x0 = tf.randomUniform([3, 16, 16, 1], -1, 1, 'float32', 2) as tf.Tensor4D;
    const labels = Int32Array.from([1, 7, 3]);
    const step = (): void => {
      opt
        .minimize(
          () => conditionalLoss((xt, t, l) => unet.apply(xt, t, { labels: l }), x0, labels, s, 0.5, mulberry32(3)),
          true,
          variables(unet.params),
        )
        ?.dispose();
    };
    step(); // the first step creates Adam's moment variables, which are kept on purpose
    await expectNoTensorLeak(step, 'one Adam step on conditionalLoss');
    x0.dispose();
  });
});

describe('TODO(3): classifier-free guidance', () => {
  // A dummy model whose ε is the label itself (broadcast), so every guided value is known in closed form.
  const byLabel: CondEpsModel = (xt, _t, labels) =>
    tf.tidy(() => tf.mul(tf.onesLike(xt), tf.reshape(tf.cast(labels, 'float32'), [-1, 1, 1, 1])) as tf.Tensor4D);
  const xt = (): tf.Tensor4D => tf.zeros([2, 2, 2, 1]) as tf.Tensor4D;
  const t = (): tf.Tensor1D => tf.tensor1d([5, 5], 'int32');
  const labels = (): tf.Tensor1D => tf.tensor1d([3, 7], 'int32');
  const expected = (w: number): tf.Tensor4D =>
    tf.tidy(() => {
      const e = [3, 7].map((c) => NULL_LABEL + w * (c - NULL_LABEL)); // ε_∅ = 10, ε_c = c
      return tf.mul(tf.ones([2, 2, 2, 1]), tf.reshape(tf.tensor1d(e), [-1, 1, 1, 1])) as tf.Tensor4D;
    });

  it('is the unconditional prediction at w = 0 and the conditional one at w = 1', async () => {
    const cases: [number, string][] = [
      [0, 'ε_θ(x_t, t, ∅) (here 10 everywhere)'],
      [1, 'ε_θ(x_t, t, c) (here 3 and 7)'],
    ];
    for (const [w, prediction] of cases) {
      const g = guidedEps(byLabel, xt(), t(), labels(), w);
      await expectTensorClose(g, expected(w), { atol: 1e-5 }, `guidedEps at w = ${w} must equal ${prediction}`);
      g.dispose();
    }
  });

  it('extrapolates ε_∅ + w·(ε_c − ε_∅) for w = 3 and w = 0.5', async () => {
    for (const w of [3, 0.5]) {
      const g = guidedEps(byLabel, xt(), t(), labels(), w);
      await expectShape(g, [2, 2, 2, 1], 'guidedEps output');
      await expectTensorClose(
        g,
        expected(w),
        { atol: 1e-4 },
        `guidedEps at w = ${w}: expected 10 + ${w}·(c − 10) — is it ε_∅ + w·(ε_c − ε_∅), and not (1 + w)·ε_c − w·ε_∅?`,
      );
      g.dispose();
    }
  });

  it('runs the unconditional branch with the null label on the same x_t and t', async () => {
    // The model is called synchronously, so the spy keeps a copy of its inputs and the test reads them afterwards.
    const inputs: { labels: tf.Tensor; t: tf.Tensor; n: number }[] = [];
    const spy: CondEpsModel = (x, tt, l) => {
      inputs.push({ labels: tf.keep(l.clone()), t: tf.keep(tt.clone()), n: x.shape[0] });
      return tf.zerosLike(x);
    };
    guidedEps(spy, xt(), t(), labels(), 2).dispose();
    const calls = await Promise.all(
      inputs.map(async (c) => ({ labels: Array.from(await c.labels.data()), t: Array.from(await c.t.data()), n: c.n })),
    );
    tf.dispose(inputs.flatMap((c) => [c.labels, c.t]));
    const seen = calls.flatMap((c) => c.labels).sort((a, b) => a - b);
    assert.deepEqual(
      seen,
      [3, 7, NULL_LABEL, NULL_LABEL],
      `the model should see each requested label once and NULL_LABEL (10) once per image; saw labels ${JSON.stringify(calls.map((c) => c.labels))}`,
    );
    assert.ok(
      calls.every((c) => c.t.every((v) => v === 5)),
      'both branches must use the same t',
    );
  });

  it('leaks no tensor while sampling with guidance', async () => {
    const s = linearBetaSchedule(4, 0.05, 0.3);
    const unet = conditionalUNet();
    const l = labels();
    await expectNoTensorLeak(
      () =>
        sample(
          (x, tt) => guidedEps((a, b, c) => unet.apply(a, b, { labels: c }), x, tt, l, 3),
          s,
          [2, 16, 16, 1],
        ).dispose(),
      'guided sampling (4 steps)',
    );
    l.dispose();
  });
});
