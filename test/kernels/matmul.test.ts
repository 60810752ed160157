// BatchMatMul on wasm (replaced: every case routed to the XNNPACK GEMM) against cpu and finite differences,
// over all transpose combinations, batched, broadcast and rank-4 operands; and its shape checks, which must
// throw exactly what stock wasm throws (the op itself checks nothing, the kernel is the only guard).
import * as assert from 'node:assert/strict';
import { setupBackends, tf, useBackend } from './backends';
import { checkOp, input, relErr, rng } from './gradcheck';

interface Case {
  a: number[];
  b: number[];
  ta: boolean;
  tb: boolean;
}
const cases: Case[] = [
  { a: [5, 7], b: [7, 3], ta: false, tb: false },
  { a: [7, 5], b: [7, 3], ta: true, tb: false },
  { a: [5, 7], b: [3, 7], ta: false, tb: true },
  { a: [7, 5], b: [3, 7], ta: true, tb: true },
  { a: [3, 4, 6], b: [3, 6, 5], ta: false, tb: false },
  { a: [3, 6, 4], b: [3, 5, 6], ta: true, tb: true },
  { a: [2, 3, 4, 5], b: [2, 3, 4, 2], ta: true, tb: false },
  { a: [2, 3, 4, 5], b: [2, 3, 6, 5], ta: false, tb: true },
];

describe('wasm BatchMatMul', function () {
  this.timeout(60000);
  before(setupBackends);
  cases.forEach((c, i) => {
    it(`a ${c.a}${c.ta ? 'ᵀ' : ''} × b ${c.b}${c.tb ? 'ᵀ' : ''}: product and both gradients match cpu and finite differences`, async () => {
      const next = rng(800 + i);
      await checkOp(([a, b]) => tf.matMul(a, b, c.ta, c.tb), [input(c.a, next), input(c.b, next)]);
    });
  });

  // tfjs has no gradient for a broadcast batch operand (on any backend), so that operand is a constant here.
  it('a 3,4,6 × shared b 1,6,5: product and the gradient of a match cpu and finite differences', async () => {
    const next = rng(850);
    const b = input([1, 6, 5], next);
    await checkOp(([a]) => tf.matMul(a, tf.tensor(b.values, b.shape)), [input([3, 4, 6], next)]);
  });
  it('shared a 1,4,6 × b 3,6,5: product and the gradient of b match cpu and finite differences', async () => {
    const next = rng(851);
    const a = input([1, 4, 6], next);
    await checkOp(([b]) => tf.matMul(tf.tensor(a.values, a.shape), b), [input([3, 6, 5], next)]);
  });
});

/** tf.matMul of two random tensors on `backend`: the value, or the error message. */
async function matMulOn(
  backend: 'cpu' | 'wasm',
  a: number[],
  b: number[],
  ta = false,
  tb = false,
): Promise<{ shape?: number[]; values?: Float32Array; error?: string }> {
  await useBackend(backend);
  const next = rng(900);
  try {
    return tf.tidy(() => {
      const y = tf.matMul(tf.tensor(input(a, next).values, a), tf.tensor(input(b, next).values, b), ta, tb);
      return { shape: y.shape, values: y.dataSync() as Float32Array };
    });
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

describe('wasm BatchMatMul shape checks', function () {
  this.timeout(60000);
  before(setupBackends);

  // The messages stock tfjs-backend-wasm 4.22 gives for these inputs (measured without the training kernels).
  const refused: [number[], number[], string][] = [
    [
      [2, 3],
      [4, 2],
      'Error in matMul: inner shapes (3) and (4) of Tensors with shapes 2,3 and 4,2 and transposeA=false and transposeB=false must match.',
    ],
    [
      [2, 2],
      [2],
      'Error in matMul: inner shapes (2) and (undefined) of Tensors with shapes 2,2 and 2 and transposeA=false and transposeB=false must match.',
    ],
    [
      [2, 3, 2],
      [4, 2],
      'Error in matMul: inner shapes (2) and (4) of Tensors with shapes 2,3,2 and 4,2 and transposeA=false and transposeB=false must match.',
    ],
    [[2, 3, 4, 5], [3, 2, 5, 4], 'Operands could not be broadcast together with shapes 2,3 and 3,2.'],
    [[6, 2, 3], [2, 3, 3, 2], 'Operands could not be broadcast together with shapes 6 and 2,3.'],
  ];
  refused.forEach(([a, b, message]) => {
    it(`refuses ${a} × ${b} with stock wasm's error`, async () => {
      const got = await matMulOn('wasm', a, b);
      assert.equal(got.error, message, `expected an error, got shape ${got.shape}`);
    });
  });

  it('refuses a transposed inner-dimension mismatch with the transpose flags in the message', async () => {
    const got = await matMulOn('wasm', [3, 2], [3, 4], true, true);
    assert.equal(
      got.error,
      'Error in matMul: inner shapes (3) and (4) of Tensors with shapes 3,2 and 3,4 and transposeA=true and transposeB=true must match.',
    );
  });

  // Batch shapes that broadcast in both directions, and a rank-2 operand against a rank-4 one: the output
  // takes the broadcast batch shape, as on cpu.
  const broadcast: [number[], number[], number[]][] = [
    [
      [3, 1, 2, 4],
      [1, 3, 4, 2],
      [3, 3, 2, 2],
    ],
    [
      [2, 3],
      [1, 1, 3, 2],
      [1, 1, 2, 2],
    ],
    [
      [1, 1, 2, 3],
      [3, 2],
      [1, 1, 2, 2],
    ],
    [
      [2, 1, 2, 3],
      [4, 3, 5],
      [2, 4, 2, 5],
    ],
  ];
  broadcast.forEach(([a, b, shape]) => {
    it(`${a} × ${b} gives ${shape} with cpu's values`, async () => {
      const cpu = await matMulOn('cpu', a, b);
      const wasm = await matMulOn('wasm', a, b);
      assert.equal(wasm.error, undefined, wasm.error);
      assert.deepEqual(cpu.shape, shape);
      assert.deepEqual(wasm.shape, shape);
      assert.ok(
        relErr(wasm.values!, cpu.values!) <= 1e-5,
        `values differ from cpu: ${relErr(wasm.values!, cpu.values!)}`,
      );
    });
  });
});
