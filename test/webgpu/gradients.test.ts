// Gradients on webgpu (Dawn on lavapipe in CI) against the cpu backend, for the ops the exercises train with.
// Reads are asynchronous throughout: webgpu has no synchronous read in Node.
import * as assert from 'node:assert/strict';
import { rng } from '../../bench/training/layers';
import { randomValues, relErr } from '../kernels/numeric';
import { tf, use, webgpuReady } from './setup';

type Op = (xs: tf.Tensor[]) => tf.Tensor;

/** Forward values and gradients of Σ op(xs) ⊙ R, on the current backend. */
async function evaluate(
  op: Op,
  inputs: { shape: number[]; v: Float32Array }[],
  r: Float32Array,
): Promise<Float32Array[]> {
  const outs = tf.tidy(() => {
    const xs = inputs.map((i) => tf.tensor(i.v, i.shape));
    const y = op(xs);
    const weights = tf.tensor(r, y.shape);
    const grads = tf.grads((...ts: tf.Tensor[]) => tf.sum(tf.mul(op(ts), weights)))(xs);
    return [y, ...grads];
  });
  const data = await Promise.all(outs.map(async (t) => Float32Array.from(await t.data())));
  tf.dispose(outs);
  return data;
}

interface Case {
  name: string;
  op: Op;
  shapes: number[][];
  lo?: number;
  hi?: number;
  ints?: number[][];
}

const CASES: Case[] = [
  {
    name: 'conv2d stride 1 same',
    op: ([x, w]) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same'),
    shapes: [
      [2, 7, 7, 3],
      [3, 3, 3, 4],
    ],
  },
  {
    name: 'conv2d stride 2 valid',
    op: ([x, w]) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, 'valid'),
    shapes: [
      [2, 9, 8, 2],
      [3, 3, 2, 5],
    ],
  },
  {
    name: 'conv2d 1×1',
    op: ([x, w]) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'valid'),
    shapes: [
      [3, 4, 4, 6],
      [1, 1, 6, 2],
    ],
  },
  {
    name: 'conv2dTranspose stride 2',
    op: ([x, w]) => tf.conv2dTranspose(x as tf.Tensor4D, w as tf.Tensor4D, [2, 8, 8, 3], 2, 'same'),
    shapes: [
      [2, 4, 4, 5],
      [3, 3, 3, 5],
    ],
  },
  {
    name: 'conv1d',
    op: ([x, w]) => tf.conv1d(x as tf.Tensor3D, w as tf.Tensor3D, 1, 'same'),
    shapes: [
      [2, 11, 3],
      [3, 3, 4],
    ],
  },
  {
    name: 'depthwise conv2d',
    op: ([x, w]) => tf.depthwiseConv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same'),
    shapes: [
      [2, 6, 6, 3],
      [3, 3, 3, 2],
    ],
  },
  {
    name: 'separable conv2d',
    op: ([x, d, p]) => tf.separableConv2d(x as tf.Tensor4D, d as tf.Tensor4D, p as tf.Tensor4D, 1, 'same'),
    shapes: [
      [2, 6, 6, 3],
      [3, 3, 3, 2],
      [1, 1, 6, 4],
    ],
  },
  {
    name: 'maxPool, all-negative windows',
    op: ([x]) => tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid'),
    shapes: [[2, 6, 6, 3]],
    lo: -3,
    hi: -1,
  },
  { name: 'avgPool valid', op: ([x]) => tf.avgPool(x as tf.Tensor4D, 3, 2, 'valid'), shapes: [[2, 7, 7, 2]] },
  {
    name: 'resizeNearestNeighbor ×2, batch 3',
    op: ([x]) => tf.image.resizeNearestNeighbor(x as tf.Tensor4D, [10, 12]),
    shapes: [[3, 5, 6, 2]],
  },
  {
    name: 'resizeBilinear, batch 2',
    op: ([x]) => tf.image.resizeBilinear(x as tf.Tensor4D, [9, 7]),
    shapes: [[2, 5, 4, 2]],
  },
  {
    name: 'batched, transposed matMul',
    op: ([a, b]) => tf.matMul(a, b, true, false),
    shapes: [
      [3, 5, 4],
      [3, 5, 6],
    ],
  },
  { name: 'softmax', op: ([x]) => tf.softmax(x), shapes: [[4, 9]] },
  {
    name: 'moments (layer norm)',
    op: ([x]) => {
      const { mean, variance } = tf.moments(x, -1, true);
      return tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5)));
    },
    shapes: [[3, 4, 8]],
  },
];

describe('webgpu: gradients match cpu', function () {
  this.timeout(120_000);
  before(async () => {
    await webgpuReady();
  });

  CASES.forEach((c, i) => {
    it(`${c.name}: forward and every input's gradient within 1e-4 of cpu`, async () => {
      const next = rng(300 + i);
      const inputs = c.shapes.map((shape) => ({ shape, v: randomValues(shape, next, c.lo, c.hi) }));
      await use('cpu');
      const probe = tf.tidy(() => c.op(inputs.map((x) => tf.tensor(x.v, x.shape))).shape);
      const r = randomValues(probe, next);
      const onCpu = await evaluate(c.op, inputs, r);
      await use('webgpu');
      const onGpu = await evaluate(c.op, inputs, r);
      onCpu.forEach((ref, k) => {
        const e = relErr(onGpu[k], ref);
        assert.ok(
          e <= 1e-4,
          `${k === 0 ? 'forward' : `gradient of input ${k - 1}`}: relative error ${e.toExponential(2)} against cpu`,
        );
      });
    });
  });

  it('gather and its gradient (unsortedSegmentSum) with repeated ids', async () => {
    const table = randomValues([10, 4], rng(9));
    const ids = [3, 1, 3, 9, 0, 3];
    const op = ([t]: tf.Tensor[]): tf.Tensor => tf.gather(t, tf.tensor1d(ids, 'int32'));
    const r = randomValues([6, 4], rng(10));
    await use('cpu');
    const onCpu = await evaluate(op, [{ shape: [10, 4], v: table }], r);
    await use('webgpu');
    const onGpu = await evaluate(op, [{ shape: [10, 4], v: table }], r);
    assert.ok(relErr(onGpu[1], onCpu[1]) <= 1e-5, 'embedding gradient differs from cpu');
  });
});

describe("webgpu: a learner's synchronous read", () => {
  before(async () => {
    await webgpuReady();
    await use('webgpu');
  });

  it('throws a teaching SyncReadError at the call, not "OffscreenCanvas is not defined"', async () => {
    // A result computed on the GPU: a fresh small tensor still lives on the CPU side (tfjs-webgpu forwards small
    // CPU-resident work to the CPU), and reading that one synchronously works.
    const t = tf.tidy(() => tf.add(tf.range(0, 1024), 1));
    try {
      assert.throws(
        () => t.dataSync(),
        (err: unknown) => {
          assert.ok(err instanceof Error && err.name === 'SyncReadError', String(err));
          assert.match(
            err.message,
            /^t\.dataSync\(\) cannot read a tensor on the webgpu backend in Node: .*Write `await t\.data\(\)` instead/,
          );
          assert.match(err.stack ?? '', /gradients\.test\.ts/, 'the stack should point at the calling line');
          return true;
        },
      );
      assert.throws(() => t.arraySync(), /t\.arraySync\(\) cannot read .*`await t\.array\(\)`/);
      assert.deepEqual(Array.from(await t.data()).slice(0, 3), [1, 2, 3]);
    } finally {
      t.dispose();
    }
  });
});
