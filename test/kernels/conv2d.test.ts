// Conv2D gradients on wasm (Conv2DBackpropFilter added, Conv2DBackpropInput replaced) and conv2dTranspose,
// whose forward pass is Conv2DBackpropInput: against cpu and finite differences over strides, paddings,
// odd sizes, 1×1 filters and batches > 1.
import { setupBackends, tf } from './backends';
import { checkOp, explicitPad, input, rng, type ExplicitPad } from './gradcheck';

type Pad = 'same' | 'valid' | ExplicitPad;
interface Case {
  x: [number, number, number, number];
  f: [number, number, number, number];
  s: number | [number, number];
  pad: Pad;
}

const cases: Case[] = [
  { x: [2, 7, 9, 3], f: [3, 3, 3, 4], s: 1, pad: 'same' },
  { x: [2, 7, 9, 3], f: [3, 3, 3, 4], s: 2, pad: 'same' },
  { x: [3, 8, 8, 2], f: [3, 3, 2, 5], s: 2, pad: 'valid' },
  { x: [2, 9, 7, 3], f: [2, 3, 3, 2], s: [2, 1], pad: 'valid' },
  { x: [2, 7, 7, 3], f: [3, 3, 3, 4], s: 1, pad: explicitPad(1, 2, 2, 0) },
  { x: [2, 7, 7, 3], f: [3, 3, 3, 4], s: 2, pad: explicitPad(1, 1, 0, 1) },
  { x: [2, 6, 5, 4], f: [1, 1, 4, 3], s: 1, pad: 'valid' },
  { x: [2, 6, 5, 4], f: [1, 1, 4, 3], s: 2, pad: 'same' },
  { x: [2, 8, 8, 1], f: [5, 5, 1, 2], s: 2, pad: 'same' },
  { x: [1, 5, 5, 2], f: [5, 5, 2, 2], s: 1, pad: 'valid' },
  { x: [2, 11, 11, 2], f: [4, 4, 2, 3], s: 3, pad: 'valid' },
  // More than 32 taps (FH·FW·CI): dW through the dilated-convolution path rather than im2col.
  { x: [2, 7, 9, 5], f: [3, 3, 5, 4], s: 2, pad: 'same' },
  { x: [2, 8, 8, 6], f: [3, 3, 6, 3], s: 2, pad: 'valid' },
  { x: [3, 6, 7, 4], f: [3, 3, 4, 3], s: 1, pad: explicitPad(1, 0, 2, 1) },
  { x: [2, 6, 6, 40], f: [1, 1, 40, 3], s: 1, pad: 'same' },
  // Padding of f − 1 leaves a phase with nothing above it (zero-insertion path), padding ≥ f is not a
  // padded convolution at all (stock fallback): both must stay correct.
  { x: [2, 7, 7, 2], f: [3, 3, 2, 3], s: 2, pad: explicitPad(2, 2, 2, 1) },
  { x: [2, 6, 6, 2], f: [3, 3, 2, 3], s: 2, pad: explicitPad(3, 3, 1, 3) },
];

const label = (c: Case) => `x ${c.x} filter ${c.f} stride ${c.s} pad ${JSON.stringify(c.pad)}`;

describe('wasm conv2d gradients (Conv2DBackpropFilter, Conv2DBackpropInput)', function () {
  this.timeout(60000);
  before(setupBackends);

  cases.forEach((c, i) => {
    it(`dx and dW match cpu and finite differences: ${label(c)}`, async () => {
      const next = rng(100 + i);
      await checkOp(
        ([x, w]) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.s, c.pad),
        [input(c.x, next), input(c.f, next)],
      );
    });
  });

  const transposeCases: Array<{
    x: [number, number, number, number];
    f: [number, number, number, number];
    out: [number, number, number, number];
    s: number;
    pad: 'same' | 'valid';
  }> = [
    { x: [2, 4, 4, 3], f: [3, 3, 2, 3], out: [2, 8, 8, 2], s: 2, pad: 'same' },
    { x: [2, 3, 5, 4], f: [2, 2, 3, 4], out: [2, 6, 10, 3], s: 2, pad: 'valid' },
    { x: [3, 5, 5, 2], f: [3, 3, 2, 2], out: [3, 5, 5, 2], s: 1, pad: 'same' },
    { x: [2, 4, 4, 3], f: [3, 3, 2, 3], out: [2, 9, 9, 2], s: 2, pad: 'valid' },
  ];
  transposeCases.forEach((c, i) => {
    it(`conv2dTranspose forward and gradients: x ${c.x} filter ${c.f} → ${c.out} stride ${c.s} ${c.pad}`, async () => {
      const next = rng(200 + i);
      await checkOp(
        ([x, w]) => tf.conv2dTranspose(x as tf.Tensor4D, w as tf.Tensor4D, c.out, c.s, c.pad),
        [input(c.x, next), input(c.f, next)],
      );
    });
  });
});
