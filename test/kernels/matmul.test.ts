// BatchMatMul on wasm (replaced: every case routed to the XNNPACK GEMM) against cpu and finite differences,
// over all transpose combinations, batched, broadcast and rank-4 operands.
import { setupBackends, tf } from './backends';
import { checkOp, input, rng } from './gradcheck';

interface Case { a: number[]; b: number[]; ta: boolean; tb: boolean }
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
