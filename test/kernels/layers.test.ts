// The other replaced or added wasm kernels: MaxPoolGrad (negative windows, ties after ReLU), depthwise-conv
// gradients, UnsortedSegmentSum (gather's gradient), ResizeNearestNeighborGrad (cpu fix and wasm), each
// against cpu and finite differences.
import * as assert from 'node:assert/strict';
import { setupBackends, tf, useBackend } from './backends';
import { checkOp, explicitPad, input, rng, type ExplicitPad } from './gradcheck';

describe('wasm MaxPoolGrad', function () {
  this.timeout(60000);
  before(setupBackends);
  const cases: Array<{
    x: [number, number, number, number];
    k: number | [number, number];
    s: number | [number, number];
    pad: 'same' | 'valid';
  }> = [
    { x: [2, 6, 6, 3], k: 2, s: 2, pad: 'valid' },
    { x: [2, 7, 9, 2], k: 3, s: 2, pad: 'same' },
    { x: [3, 5, 5, 2], k: 3, s: 1, pad: 'same' },
    { x: [2, 7, 7, 4], k: [2, 3], s: [1, 2], pad: 'valid' },
  ];
  cases.forEach((c, i) => {
    // Values in [-3, -1): every window is all-negative, which the stock kernel gets wrong. A small step keeps
    // the argmax of each window fixed, so finite differences see the same piecewise-linear branch.
    it(`matches cpu and finite differences with all-negative inputs: x ${c.x} k ${c.k} s ${c.s} ${c.pad}`, async () => {
      await checkOp(([x]) => tf.maxPool(x as tf.Tensor4D, c.k, c.s, c.pad), [input(c.x, rng(300 + i), -3, -1)], {
        eps: 1e-3,
        fdTol: 2e-2,
      });
    });
    it(`routes ties like cpu after a ReLU (many zero windows): x ${c.x} k ${c.k} s ${c.s} ${c.pad}`, async () => {
      await checkOp(
        ([x]) => tf.maxPool(tf.relu(x) as tf.Tensor4D, c.k, c.s, c.pad),
        [input(c.x, rng(400 + i), -2, 0.5)],
        { samples: 0 },
      );
    });
  });
});

describe('wasm depthwise conv gradients', function () {
  this.timeout(60000);
  before(setupBackends);
  const cases: Array<{
    x: [number, number, number, number];
    f: [number, number, number, number];
    s: number;
    pad: 'same' | 'valid' | ExplicitPad;
    d?: number;
  }> = [
    { x: [2, 7, 7, 3], f: [3, 3, 3, 1], s: 1, pad: 'same' },
    { x: [2, 8, 9, 2], f: [3, 3, 2, 2], s: 2, pad: 'same' },
    { x: [3, 7, 7, 2], f: [3, 3, 2, 1], s: 2, pad: 'valid' },
    { x: [2, 6, 6, 3], f: [1, 1, 3, 2], s: 1, pad: 'valid' },
    { x: [2, 7, 7, 2], f: [3, 3, 2, 1], s: 1, pad: explicitPad(1, 2, 0, 1) },
    // (tfjs itself refuses gradients of dilated depthwise convs, so there is no dilation case.)
  ];
  cases.forEach((c, i) => {
    it(`dx and dW match cpu and finite differences: x ${c.x} filter ${c.f} stride ${c.s} ${JSON.stringify(c.pad)} dilation ${c.d ?? 1}`, async () => {
      const next = rng(500 + i);
      await checkOp(
        ([x, w]) => tf.depthwiseConv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.s, c.pad, 'NHWC', c.d ?? 1),
        [input(c.x, next), input(c.f, next)],
      );
    });
  });
});

describe('wasm UnsortedSegmentSum (embedding gradients)', function () {
  this.timeout(60000);
  before(setupBackends);
  it('gather with repeated ids: table gradient matches cpu and finite differences', async () => {
    const ids = tf.tensor2d(
      [
        [1, 3, 3, 0],
        [4, 1, 1, 1],
      ],
      [2, 4],
      'int32',
    );
    await checkOp(([table]) => tf.gather(table, ids), [input([6, 5], rng(600))]);
    ids.dispose();
  });
  it('sums rows by segment, drops out-of-range ids, on wasm as on cpu', async () => {
    const run = () =>
      tf.tidy(() =>
        tf
          .unsortedSegmentSum(
            tf.tensor2d([
              [1, 2],
              [3, 4],
              [5, 6],
              [7, 8],
            ]),
            tf.tensor1d([2, 0, 2, 5], 'int32'),
            3,
          )
          .arraySync(),
      );
    await useBackend('wasm');
    const wasm = run();
    await useBackend('cpu');
    assert.deepEqual(wasm, [
      [3, 4],
      [0, 0],
      [6, 8],
    ]);
    assert.deepEqual(run().slice(0, 3), wasm);
  });
});

describe('ResizeNearestNeighborGrad (upsampling gradient)', function () {
  this.timeout(60000);
  before(setupBackends);
  const cases: Array<{ x: [number, number, number, number]; size: [number, number]; align: boolean; half: boolean }> = [
    { x: [3, 4, 5, 2], size: [8, 10], align: false, half: false },
    { x: [2, 5, 3, 3], size: [7, 8], align: true, half: false },
    { x: [2, 4, 4, 1], size: [9, 6], align: false, half: true },
  ];
  cases.forEach((c, i) => {
    it(`batch ${c.x[0]}: ${c.x.slice(1, 3)} → ${c.size} (alignCorners ${c.align}, halfPixel ${c.half}) on wasm and cpu, and finite differences`, async () => {
      await checkOp(
        ([x]) => tf.image.resizeNearestNeighbor(x as tf.Tensor4D, c.size, c.align, c.half),
        [input(c.x, rng(700 + i))],
      );
    });
  });
  it('the cpu gradient of the second sample is that of the first when the samples are equal (batch stride)', async () => {
    await useBackend('cpu');
    const g = tf.tidy(() => {
      const one = tf.randomUniform([1, 3, 3, 2], -1, 1, 'float32', 5);
      const x = tf.concat([one, one]);
      const w = tf.randomUniform([1, 6, 6, 2], -1, 1, 'float32', 6);
      return tf
        .grad((t: tf.Tensor) =>
          tf.sum(tf.mul(tf.image.resizeNearestNeighbor(t as tf.Tensor4D, [6, 6]), tf.concat([w, w]))),
        )(x)
        .arraySync() as number[][][][];
    });
    assert.deepEqual(g[1], g[0]);
  });
});

describe('wasm Tanh (expm1 on XNNPACK)', function () {
  this.timeout(30000);
  before(setupBackends);
  it('matches cpu to 2e-7 absolute from −20 to 20, and its gradient to finite differences', async () => {
    const values = Float32Array.from({ length: 4001 }, (_, i) => -20 + i / 100);
    await useBackend('wasm');
    const wasm = tf.tidy(() => tf.tanh(tf.tensor1d(values)).dataSync());
    await useBackend('cpu');
    const cpu = tf.tidy(() => tf.tanh(tf.tensor1d(values)).dataSync());
    let worst = 0;
    for (let i = 0; i < values.length; i++) worst = Math.max(worst, Math.abs(wasm[i] - cpu[i]));
    assert.ok(worst <= 2e-7, `max abs error ${worst}`);
    assert.equal(wasm[2000], 0);
    await checkOp(([x]) => tf.tanh(x), [input([3, 7], rng(900), -3, 3)], { eps: 1e-2, fdTol: 1e-2, tol: 1e-6 });
  });
});

describe('wasm Sum over leading axes (bias gradients)', function () {
  this.timeout(30000);
  before(setupBackends);
  const cases: Array<{ shape: number[]; axis: number | number[]; keepDims: boolean }> = [
    { shape: [37, 70], axis: 0, keepDims: false },
    { shape: [3, 5, 80], axis: [0, 1], keepDims: true },
    { shape: [4, 3, 2, 66], axis: [1, 0, 2], keepDims: false },
    { shape: [6, 70], axis: -1, keepDims: false },
    { shape: [5, 9, 8], axis: [0, 1], keepDims: false },
  ];
  cases.forEach((c, i) => {
    it(`sum of ${c.shape} over ${JSON.stringify(c.axis)} (keepDims ${c.keepDims}) matches cpu, with its gradient`, async () => {
      await checkOp(([x]) => tf.sum(x, c.axis, c.keepDims), [input(c.shape, rng(950 + i))]);
    });
  });
});

describe('wasm SplitV (concat gradients)', function () {
  this.timeout(30000);
  before(setupBackends);
  const cases: Array<{ shape: number[]; split: number | number[]; axis: number }> = [
    { shape: [2, 3, 4, 6], split: 2, axis: 3 },
    { shape: [2, 3, 4, 6], split: [1, -1, 2], axis: -1 },
    { shape: [4, 5, 3], split: [2, 3], axis: 1 },
    { shape: [6, 2], split: 3, axis: 0 },
  ];
  cases.forEach((c, i) => {
    it(`split of ${c.shape} by ${JSON.stringify(c.split)} on axis ${c.axis} matches cpu, with gradients`, async () => {
      await checkOp(
        ([x]) =>
          tf.concat(
            tf.split(x, c.split, c.axis).map((t, k) => tf.mul(t, k + 1)),
            c.axis,
          ),
        [input(c.shape, rng(980 + i))],
      );
    });
  });
  it('concat then gradient: each input gets its own slice of dy', async () => {
    await checkOp(([a, b]) => tf.concat([a, b], 3), [input([2, 3, 3, 2], rng(990)), input([2, 3, 3, 5], rng(991))]);
  });
});

describe('wasm Identity (clone by reference count)', function () {
  before(setupBackends);
  it('a clone keeps its values after the original is disposed, and frees the buffer with the last reference', async () => {
    await useBackend('wasm');
    const backend = tf.backend() as unknown as { numDataIds(): number };
    const buffers = backend.numDataIds();
    const a = tf.tensor1d([1, -2, 3]);
    const b = tf.clone(a);
    assert.equal(backend.numDataIds(), buffers + 1);
    a.dispose();
    assert.deepEqual(Array.from(b.dataSync()), [1, -2, 3]);
    b.dispose();
    assert.equal(backend.numDataIds(), buffers);
  });
});
