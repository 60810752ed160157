// Every linear op whose gradient kernel the runtime owns or relies on, checked against its own forward with the
// adjoint identity ⟨∇x, x⟩ = ⟨dy, y⟩ (see ./adjoint.ts), on wasm with the training kernels and on cpu, over
// sweeps of sizes, strides, paddings and modes. No reference implementation is involved: a gradient that does
// not belong to its backend's forward fails here even where every backend agrees with every other.
import { checkAdjoint, type AdjointCase } from './adjoint';
import { setupBackends, tf, useBackend } from './backends';
import { explicitPad, input, rng, type ExplicitPad } from './gradcheck';

type Pad = 'same' | 'valid' | number | ExplicitPad;
const padLabel = (p: Pad): string => (typeof p === 'object' ? `pad ${p[1]}|${p[2]}` : `pad ${p}`);

/** Every (in, out) pair of sizes 1..max on rows, and each pair once more on columns in another order. */
function sizeSweep(max: number): Array<[number, number, number, number]> {
  const pairs: Array<[number, number]> = [];
  for (let a = 1; a <= max; a++) for (let b = 1; b <= max; b++) pairs.push([a, b]);
  // 1031 is odd, so i ↦ 1031·i + 17 permutes the (power of two) index range: every pair is a column pair too.
  return pairs.map(([h, nh], i) => {
    const [w, nw] = pairs[(1031 * i + 17) % pairs.length];
    return [h, w, nh, nw];
  });
}

const RESIZE_MODES: Array<{ name: string; align: boolean; half: boolean }> = [
  { name: 'asymmetric', align: false, half: false },
  { name: 'alignCorners', align: true, half: false },
  { name: 'halfPixelCenters', align: false, half: true },
];

function* resizeCases(
  kind: 'nearest' | 'bilinear',
  max: number,
  align: boolean,
  half: boolean,
): Generator<AdjointCase> {
  const next = rng(kind === 'nearest' ? 1 : 2);
  const resize = kind === 'nearest' ? tf.image.resizeNearestNeighbor : tf.image.resizeBilinear;
  for (const [h, w, nh, nw] of sizeSweep(max)) {
    yield {
      label: `${h}×${w} → ${nh}×${nw}`,
      op: ([x]) => resize(x as tf.Tensor4D, [nh, nw], align, half),
      inputs: [input([1, h, w, 1], next)],
    };
  }
  // Batches and channels, where a wrong stride would show.
  for (const [shape, size] of [
    [
      [3, 5, 4, 2],
      [9, 7],
    ],
    [
      [2, 7, 6, 3],
      [3, 4],
    ],
    [
      [2, 4, 4, 5],
      [4, 4],
    ],
  ] as Array<[number[], [number, number]]>) {
    yield {
      label: `${shape} → ${size}`,
      op: ([x]) => resize(x as tf.Tensor4D, size, align, half),
      inputs: [input(shape, next)],
    };
  }
}

function* convCases(): Generator<AdjointCase> {
  const next = rng(3);
  let i = 0;
  for (const h of [1, 2, 4, 7]) {
    for (const [fh, fw] of [
      [1, 1],
      [2, 2],
      [3, 3],
      [2, 3],
      [5, 4],
    ]) {
      for (const s of [1, 2, 3, [2, 1]] as Array<number | [number, number]>) {
        for (const pad of ['same', 'valid', explicitPad(i % 3, (i + 1) % 2, (i + 2) % 3, i % 2)] as Pad[]) {
          i++;
          const w = 1 + ((h + i) % 6);
          const ci = 1 + (i % 5);
          const co = 1 + (i % 3);
          const b = 1 + (i % 2);
          if (pad === 'valid' && (h < fh || w < fw)) continue;
          if (typeof pad === 'object' && (h + pad[1][0] + pad[1][1] < fh || w + pad[2][0] + pad[2][1] < fw)) continue;
          yield {
            label: `conv2d x ${[b, h, w, ci]} filter ${[fh, fw, ci, co]} stride ${s} ${padLabel(pad)}`,
            op: ([x, f]) => tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, s, pad as 'same'),
            inputs: [input([b, h, w, ci], next), input([fh, fw, ci, co], next)],
          };
        }
      }
    }
  }
}

function* convTransposeCases(): Generator<AdjointCase> {
  const next = rng(4);
  let i = 0;
  for (const h of [1, 2, 3, 5]) {
    for (const [fh, fw] of [
      [1, 1],
      [2, 2],
      [3, 3],
      [4, 3],
    ]) {
      for (const s of [1, 2, 3]) {
        for (const pad of ['same', 'valid'] as const) {
          // Every output height that the forward conv maps back onto h (the ceil in its output size).
          const lo = pad === 'same' ? (h - 1) * s + 1 : (h - 1) * s + fh;
          for (let H = lo; H < lo + s; H++) {
            i++;
            const w = 1 + (i % 4);
            const W = pad === 'same' ? w * s : (w - 1) * s + fw;
            const [ci, co, b] = [1 + (i % 4), 1 + (i % 3), 1 + (i % 2)];
            yield {
              label: `conv2dTranspose x ${[b, h, w, ci]} filter ${[fh, fw, co, ci]} → ${[H, W]} stride ${s} ${pad}`,
              op: ([x, f]) => tf.conv2dTranspose(x as tf.Tensor4D, f as tf.Tensor4D, [b, H, W, co], s, pad),
              inputs: [input([b, h, w, ci], next), input([fh, fw, co, ci], next)],
            };
          }
        }
      }
    }
  }
}

function* depthwiseCases(): Generator<AdjointCase> {
  const next = rng(5);
  let i = 0;
  for (const h of [1, 3, 6]) {
    for (const [fh, fw] of [
      [1, 1],
      [2, 2],
      [3, 3],
      [3, 2],
    ]) {
      for (const s of [1, 2, 3]) {
        for (const pad of ['same', 'valid', explicitPad(i % 2, 1, (i + 1) % 3, 0)] as Pad[]) {
          i++;
          const w = 2 + (i % 5);
          const [c, m, b] = [1 + (i % 3), 1 + (i % 2), 1 + ((i >> 1) % 2)];
          if (pad === 'valid' && (h < fh || w < fw)) continue;
          if (typeof pad === 'object' && (h + pad[1][0] + pad[1][1] < fh || w + pad[2][0] + pad[2][1] < fw)) continue;
          yield {
            label: `depthwise x ${[b, h, w, c]} filter ${[fh, fw, c, m]} stride ${s} ${padLabel(pad)}`,
            op: ([x, f]) => tf.depthwiseConv2d(x as tf.Tensor4D, f as tf.Tensor4D, s, pad as 'same'),
            inputs: [input([b, h, w, c], next), input([fh, fw, c, m], next)],
          };
        }
      }
    }
  }
}

/** Pools over sizes 1..8, windows up to 4×3, strides 1..3, same/valid/numeric padding. */
function* poolCases(kind: 'avg' | 'max', values: 'random' | 'ties' = 'random'): Generator<AdjointCase> {
  const next = rng(kind === 'avg' ? 6 : 7);
  let i = 0;
  for (const h of [1, 2, 3, 5, 8]) {
    for (const [kh, kw] of [
      [1, 1],
      [2, 2],
      [3, 3],
      [2, 3],
      [4, 3],
    ]) {
      for (const s of [1, 2, 3, [1, 2]] as Array<number | [number, number]>) {
        for (const pad of ['same', 'valid', 1] as Pad[]) {
          i++;
          const w = 1 + ((h + i) % 7);
          if (pad === 'valid' && (h < kh || w < kw)) continue;
          // tfjs sizes a numeric pad's output from the window height and stride alone: square ones only.
          if (pad === 1 && (h + 2 < kh || w + 2 < kw || kh < 2 || kh !== kw || typeof s !== 'number')) continue;
          const x = input([1 + (i % 2), h, w, 1 + (i % 3)], next);
          // Values in {−1, 0, 1}: most windows hold ties, which the identity allows to go either way.
          if (values === 'ties') x.values = x.values.map((v) => Math.round(v));
          const pool = kind === 'avg' ? tf.avgPool : tf.maxPool;
          // A numeric pad needs a rounding mode when the stride does not divide; floor keeps every window
          // partly inside the image (kh, kw > pad).
          const rounding = pad === 1 ? 'floor' : undefined;
          yield {
            label: `${kind}Pool x ${x.shape} window ${[kh, kw]} stride ${s} ${padLabel(pad)}`,
            op: ([t]) => pool(t as tf.Tensor4D, [kh, kw], s, pad as 'same', rounding),
            inputs: [x],
          };
        }
      }
    }
  }
}

function* gatherCases(): Generator<AdjointCase> {
  const next = rng(8);
  const ids = [
    [0],
    [2, 2, 2],
    [3, 0, 1, 3, 3, 4],
    [
      [1, 3],
      [3, 0],
      [4, 4],
    ],
  ];
  for (const [k, id] of ids.entries()) {
    for (const axis of [0, 1]) {
      const shape = axis === 0 ? [5, 3 + k] : [2, 5, 3];
      yield {
        label: `gather of ${shape} by ${JSON.stringify(id)} on axis ${axis}`,
        op: ([t]) => tf.gather(t, tf.tensor(id, undefined, 'int32'), axis),
        inputs: [input(shape, next)],
      };
    }
  }
  for (const [n, segs] of [
    [6, [0, 2, 2, 1, 0, 2]],
    [5, [3, 3, 3, 3, 3]],
    [4, [1, 0, 3, 2]],
  ] as Array<[number, number[]]>) {
    for (const d of [[], [4], [2, 3]]) {
      yield {
        label: `unsortedSegmentSum of ${[n, ...d]} by ${JSON.stringify(segs)}`,
        op: ([t]) => tf.unsortedSegmentSum(t, tf.tensor1d(segs, 'int32'), 5),
        inputs: [input([n, ...d], next)],
      };
    }
  }
}

function* matMulCases(): Generator<AdjointCase> {
  const next = rng(9);
  // (tfjs's BatchMatMul forward cannot broadcast both operands at once, [2, 1] against [1, 3]: it throws.)
  const batches: Array<[number[], number[]]> = [
    [[], []],
    [[4], [4]],
    [
      [2, 3],
      [2, 3],
    ],
    [[2, 3], []],
    [[], [2, 3]],
    [
      [2, 3],
      [1, 1],
    ],
    [[4], []],
    [[3], [1]],
    [[1], [3]],
  ];
  for (const [ba, bb] of batches) {
    for (const [m, k, n] of [
      [1, 1, 1],
      [3, 5, 2],
      [17, 6, 9],
    ]) {
      for (const ta of [false, true]) {
        for (const tb of [false, true]) {
          const a = [...ba, ...(ta ? [k, m] : [m, k])];
          const b = [...bb, ...(tb ? [n, k] : [k, n])];
          yield {
            label: `matMul ${a} × ${b}${ta ? ' Aᵀ' : ''}${tb ? ' Bᵀ' : ''}`,
            op: ([x, y]) => tf.matMul(x, y, ta, tb),
            inputs: [input(a, next), input(b, next)],
          };
        }
      }
    }
  }
}

function* reductionCases(): Generator<AdjointCase> {
  const next = rng(10);
  const cases: Array<[number[], number | number[] | undefined]> = [
    [[7], 0],
    [[5, 70], 0],
    [[5, 70], 1],
    [[37, 70], [0]],
    [
      [3, 5, 80],
      [0, 1],
    ],
    [
      [4, 3, 2, 66],
      [1, 0, 2],
    ],
    [
      [3, 4, 5],
      [0, 2],
    ],
    [[3, 4, 5], undefined],
    [[2, 3, 4, 5], -1],
    [
      [2, 3, 4, 5],
      [1, 3],
    ],
  ];
  for (const [shape, axis] of cases) {
    for (const keepDims of [false, true]) {
      yield {
        label: `sum of ${shape} over ${JSON.stringify(axis)} keepDims ${keepDims}`,
        op: ([x]) => tf.sum(x, axis, keepDims),
        inputs: [input(shape, next)],
      };
      yield {
        label: `mean of ${shape} over ${JSON.stringify(axis)} keepDims ${keepDims}`,
        op: ([x]) => tf.mean(x, axis, keepDims),
        inputs: [input(shape, next)],
      };
    }
  }
}

function* concatSplitCases(): Generator<AdjointCase> {
  const next = rng(12);
  for (const axis of [0, 1, 2, 3, -1]) {
    const ax = (axis + 4) % 4;
    const shapes = [2, 3, 1].map((d) => [2, 3, 4, 5].map((s, i) => (i === ax ? d : s)));
    yield {
      label: `concat of ${shapes.map((s) => `[${s}]`).join(' ')} on axis ${axis}`,
      op: (xs) => tf.concat(xs, axis),
      inputs: shapes.map((s) => input(s, next)),
      linear: 'joint',
    };
  }
  const splits: Array<[number[], number | number[], number]> = [
    [[2, 3, 4, 6], 2, 3],
    [[2, 3, 4, 6], [1, -1, 2], -1],
    [[4, 5, 3], [2, 3], 1],
    [[6, 2], 3, 0],
    [[3, 8, 2], [5, 1, 2], 1],
  ];
  for (const [shape, spec, axis] of splits) {
    // Reversing the pieces makes the op a permutation, so every piece's gradient must land in its own slot.
    // (Reverse a copy: the array split returns is the one the gradient tape holds.)
    yield {
      label: `split of ${shape} by ${JSON.stringify(spec)} on axis ${axis}, pieces reversed`,
      op: ([x]) => tf.concat([...tf.split(x, spec, axis)].reverse(), axis),
      inputs: [input(shape, next)],
    };
  }
}

// Tolerances, against the worst residual measured when the gradient belongs to the forward (float32 rounding):
// nearest resizing only adds dy values (2.2e-8 measured); XNNPACK's bilinear forward weighs in float32 while
// the gradient weighs in float64 (3.9e-7); the rest ≤ 4.4e-8. Before the fixes, the smallest residual of a
// nearest-resize case whose rows or columns went astray was 6.4e-7, and the other bugs gave 1e-3 and more.
const NEAREST_TOL = 2e-7;
const BILINEAR_TOL = 4e-6;

for (const backend of ['wasm', 'cpu'] as const) {
  describe(`adjoint identity ⟨∇x, x⟩ = ⟨dy, y⟩ on ${backend}${backend === 'wasm' ? ' with the training kernels' : ''}`, function () {
    this.timeout(120000);
    before(async () => {
      await setupBackends();
      await useBackend(backend);
    });

    for (const m of RESIZE_MODES) {
      it(`resizeNearestNeighbor (${m.name}): every size 1..64 → 1..64 on rows and on columns, and batches`, () => {
        checkAdjoint(resizeCases('nearest', 64, m.align, m.half), NEAREST_TOL);
      });
    }
    for (const m of RESIZE_MODES) {
      it(`resizeBilinear (${m.name}): every size 1..24 → 1..24 on rows and on columns, and batches`, () => {
        checkAdjoint(resizeCases('bilinear', 24, m.align, m.half), BILINEAR_TOL);
      });
    }
    it('conv2d, in x and in the filter: sizes, filters 1×1..5×4, strides 1..3 and 2×1, same/valid/explicit', () => {
      checkAdjoint(convCases());
    });
    it('conv2dTranspose, in x and in the filter: every output size each stride allows', () => {
      checkAdjoint(convTransposeCases());
    });
    it('depthwiseConv2d, in x and in the filter: sizes, strides, same/valid/explicit, multipliers', () => {
      checkAdjoint(depthwiseCases());
    });
    it('avgPool: sizes 1..8, windows up to 4×3, strides, same/valid/numeric padding', () => {
      checkAdjoint(poolCases('avg'));
    });
    it('maxPool (linear for its fixed argmax): random values, and values full of ties', () => {
      checkAdjoint(poolCases('max'));
      checkAdjoint(poolCases('max', 'ties'));
    });
    it('gather (axis 0 and 1, repeated ids) and unsortedSegmentSum', () => {
      checkAdjoint(gatherCases());
    });
    it('matMul in both operands: transposes, batches and broadcast batch dimensions', () => {
      checkAdjoint(matMulCases());
    });
    it('sum and mean over leading, trailing, mixed and all axes', () => {
      checkAdjoint(reductionCases());
    });
    it('concat (jointly linear in its inputs) and split', () => {
      checkAdjoint(concatSplitCases());
    });
  });
}
