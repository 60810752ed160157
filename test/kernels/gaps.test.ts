// Stock tfjs 4.22 gradient gaps that the training kernels close on wasm and cpu, each pinned by a case that the
// stock kernels fail: the wasm nearest-resize gradient's float32 rows, avgPool's border windows, bilinear
// gradients (layout and half-pixel centers), broadcast matMul gradients, XNNPACK's 'same' padding when the
// stride exceeds the filter, and Tanh's relative precision near 0.
import * as assert from 'node:assert/strict';
import { setupBackends, tf, useBackend } from './backends';
import { checkOp, input, rng } from './gradcheck';

/** The gradient of Σ dy ⊙ op(x) with respect to x, on the active backend. */
function gradOf(op: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor, dy: tf.Tensor): Float32Array {
  return tf.tidy(() => tf.grad(op)(x, dy).dataSync() as Float32Array);
}

describe('resizeNearestNeighbor gradient rows (wasm float32, cpu float64)', function () {
  this.timeout(30000);
  before(setupBackends);
  // 26 → 22 rows: 26/22 · 11 = 13 exactly, which float64 puts just below 13 and float32 puts on it.
  for (const backend of ['wasm', 'cpu'] as const) {
    it(`on ${backend}, output row 11 of 26 → 22 sends its gradient to the row its forward read`, async () => {
      await useBackend(backend);
      const rows = tf.tensor4d(
        Float32Array.from({ length: 26 }, (_, i) => i),
        [1, 26, 1, 1],
      );
      const read = tf.tidy(() => tf.image.resizeNearestNeighbor(rows, [22, 1]).dataSync()[11]);
      const dy = tf.tensor4d(
        Float32Array.from({ length: 22 }, (_, i) => (i === 11 ? 1 : 0)),
        [1, 22, 1, 1],
      );
      const g = gradOf((x) => tf.image.resizeNearestNeighbor(x as tf.Tensor4D, [22, 1]), rows, dy);
      assert.equal(read, backend === 'wasm' ? 12 : 13);
      assert.deepEqual(
        [...g.keys()].filter((i) => g[i] !== 0),
        [read],
      );
      rows.dispose();
      dy.dispose();
    });
  }
});

describe('avgPool gradient at the borders (wasm and cpu)', function () {
  this.timeout(60000);
  before(setupBackends);
  for (const backend of ['wasm', 'cpu'] as const) {
    it(`on ${backend}, a 'same' 3×3 pool divides each window by its pixels inside the image`, async () => {
      await useBackend(backend);
      const ones = tf.ones([1, 4, 4, 1]);
      const g = gradOf((x) => tf.avgPool(x as tf.Tensor4D, 3, 1, 'same'), ones, tf.ones([1, 4, 4, 1]));
      // The corner pixel is in 4 windows, holding 4, 6, 6 and 9 pixels; pixel (1, 1) is in one of 4, four of 6
      // and four of 9. Stock tfjs gives 4/9 and 1 (it divides every window by 9).
      assert.ok(Math.abs(g[0] - (1 / 4 + 1 / 6 + 1 / 6 + 1 / 9)) < 1e-6, `corner ${g[0]}`);
      assert.ok(Math.abs(g[5] - (1 / 4 + 2 * (1 / 6) + 2 * (1 / 6) + 4 * (1 / 9))) < 1e-6, `inner ${g[5]}`);
      ones.dispose();
    });
  }
  const cases: Array<{
    x: [number, number, number, number];
    k: number | [number, number];
    s: number | [number, number];
    pad: 'same' | 'valid' | number;
  }> = [
    { x: [2, 7, 6, 3], k: 3, s: 2, pad: 'same' },
    { x: [2, 5, 8, 2], k: [2, 3], s: [1, 2], pad: 'same' },
    { x: [3, 6, 6, 2], k: 3, s: 1, pad: 1 },
    { x: [2, 7, 7, 2], k: [4, 3], s: 3, pad: 'valid' },
    { x: [1, 3, 2, 2], k: [4, 3], s: 2, pad: 'same' }, // a window larger than the image
  ];
  cases.forEach((c, i) => {
    it(`matches cpu and finite differences: x ${c.x} window ${c.k} stride ${c.s} pad ${c.pad}`, async () => {
      await checkOp(([x]) => tf.avgPool(x as tf.Tensor4D, c.k, c.s, c.pad), [input(c.x, rng(1100 + i))]);
    });
  });
});

describe('resizeBilinear gradient (wasm and cpu)', function () {
  this.timeout(60000);
  before(setupBackends);
  const cases: Array<{ x: [number, number, number, number]; size: [number, number]; align: boolean; half: boolean }> = [
    { x: [2, 3, 5, 2], size: [7, 4], align: false, half: false },
    { x: [2, 3, 5, 2], size: [7, 4], align: false, half: true },
    { x: [2, 6, 4, 3], size: [4, 9], align: true, half: false },
    { x: [3, 5, 2, 1], size: [2, 6], align: false, half: true },
  ];
  cases.forEach((c, i) => {
    it(`${c.x.slice(1, 3)} → ${c.size} (batch ${c.x[0]}, alignCorners ${c.align}, halfPixel ${c.half}): cpu, wasm and finite differences`, async () => {
      await checkOp(
        ([x]) => tf.image.resizeBilinear(x as tf.Tensor4D, c.size, c.align, c.half),
        [input(c.x, rng(1200 + i))],
      );
    });
  });
});

describe('matMul gradient with broadcast batch dimensions', function () {
  this.timeout(60000);
  before(setupBackends);
  const cases: Array<{ a: number[]; b: number[]; ta: boolean; tb: boolean }> = [
    { a: [2, 3, 4, 5], b: [5, 6], ta: false, tb: false },
    { a: [4, 5], b: [2, 3, 5, 6], ta: false, tb: false },
    { a: [3, 5, 4], b: [1, 6, 5], ta: true, tb: true },
    { a: [2, 3, 4, 5], b: [1, 1, 6, 5], ta: false, tb: true },
    { a: [1, 5, 4], b: [3, 5, 6], ta: true, tb: false },
  ];
  cases.forEach((c, i) => {
    it(`${c.a}${c.ta ? 'ᵀ' : ''} × ${c.b}${c.tb ? 'ᵀ' : ''}: gradients of both operands on cpu, wasm and finite differences`, async () => {
      const next = rng(1300 + i);
      await checkOp(([a, b]) => tf.matMul(a, b, c.ta, c.tb), [input(c.a, next), input(c.b, next)]);
    });
  });
  it('an attention-style product [batch, T, D] × [D, D] trains: the shared weight gets the sum over the batch', async () => {
    await useBackend('cpu');
    const x = tf.randomUniform([3, 4, 5], -1, 1, 'float32', 1);
    const w = tf.randomUniform([5, 5], -1, 1, 'float32', 2);
    const dw = tf.tidy(() =>
      tf
        .grad((t: tf.Tensor) => tf.sum(tf.matMul(x, t)))(w)
        .dataSync(),
    );
    const flat = tf.tidy(() =>
      tf
        .grad((t: tf.Tensor) => tf.sum(tf.matMul(tf.reshape(x, [12, 5]), t)))(w)
        .dataSync(),
    );
    assert.ok(
      dw.every((v, i) => Math.abs(v - flat[i]) < 1e-5),
      `${dw} against ${flat}`,
    );
    x.dispose();
    w.dispose();
  });
});

describe("wasm conv2d and depthwise 'same' padding when the stride exceeds the filter", function () {
  this.timeout(60000);
  before(setupBackends);
  // XNNPACK's own SAME padding wraps around when (out − 1)·stride + filter < in: here 3 columns, stride 3, filter 2.
  it('conv2d forward and gradients match cpu and finite differences', async () => {
    const next = rng(1400);
    await checkOp(
      ([x, f]) => tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 3, 'same'),
      [input([2, 7, 3, 5], next), input([2, 2, 5, 2], next)],
    );
  });
  it('depthwiseConv2d forward and gradients match cpu and finite differences', async () => {
    const next = rng(1401);
    await checkOp(
      ([x, f]) => tf.depthwiseConv2d(x as tf.Tensor4D, f as tf.Tensor4D, 3, 'same'),
      [input([1, 6, 5, 2], next), input([2, 2, 2, 1], next)],
    );
  });
  it('fused conv2d and fused depthwiseConv2d (bias and relu) forwards match cpu', async () => {
    const next = rng(1402);
    const [x, f, b, fd, bd] = [
      input([2, 4, 6, 5], next),
      input([2, 2, 5, 3], next),
      input([3], next),
      input([2, 2, 5, 1], next),
      input([5], next),
    ];
    const t4 = (i: { values: Float32Array; shape: number[] }) =>
      tf.tensor4d(i.values, i.shape as [number, number, number, number]);
    const run = () =>
      tf.tidy(() => [
        tf.fused
          .conv2d({ x: t4(x), filter: t4(f), strides: 3, pad: 'same', bias: tf.tensor1d(b.values), activation: 'relu' })
          .dataSync(),
        tf.fused
          .depthwiseConv2d({
            x: t4(x),
            filter: t4(fd),
            strides: 3,
            pad: 'same',
            bias: tf.tensor1d(bd.values),
            activation: 'relu',
          })
          .dataSync(),
      ]);
    await useBackend('wasm');
    const wasm = run();
    await useBackend('cpu');
    const cpu = run();
    wasm.forEach((w, k) =>
      assert.ok(
        w.every((v, i) => Math.abs(v - cpu[k][i]) < 1e-5),
        `${k ? 'fused depthwise' : 'fused conv2d'} differs from cpu`,
      ),
    );
  });
});

describe('wasm Tanh near 0 (relative precision)', function () {
  this.timeout(30000);
  before(setupBackends);
  it('is within 3e-7 of tanh relative to its value from 1e-38 to 20, keeps the sign of ±0, and is exact for tiny x', async () => {
    await useBackend('wasm');
    const xs = Float32Array.from({ length: 8001 }, (_, i) => (i % 2 ? -1 : 1) * Math.pow(10, -38 + 39.3 * (i / 8000)));
    const y = tf.tidy(() => tf.tanh(tf.tensor1d(xs)).dataSync());
    let worst = 0;
    let at = 0;
    for (let i = 0; i < xs.length; i++) {
      const e = Math.abs(y[i] - Math.tanh(xs[i])) / Math.abs(Math.tanh(xs[i]));
      if (e > worst) [worst, at] = [e, xs[i]];
    }
    assert.ok(worst <= 3e-7, `relative error ${worst} at x = ${at}`);
    const near0 = tf.tidy(() => tf.tanh(tf.tensor1d([1e-6, -3e-8, 1e-40, -0])).dataSync());
    assert.equal(near0[0], Math.fround(Math.tanh(1e-6)));
    assert.equal(near0[1], Math.fround(-3e-8));
    assert.equal(near0[2], Math.fround(1e-40));
    assert.ok(Object.is(near0[3], -0));
  });
});
