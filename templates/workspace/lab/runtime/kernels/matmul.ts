// BatchMatMul for wasm. Stock wasm reaches XNNPACK's fully-connected GEMM only for one un-transposed,
// un-batched product; every other case (both gradient products of a dense layer: xᵀ·dy and dy·Wᵀ, and every
// attention product) runs a scalar loop 10–35× slower. This kernel brings each case to that fast path:
// transposes are materialised first (linear in the operand, cheap next to the product), a shared right
// operand folds the batch into the rows, and otherwise each batch item is one fast GEMM.
import {
  sizeOf,
  view,
  withScratch,
  type KernelArgs,
  type KernelFunc,
  type Scratch,
  type TensorInfo,
  type TfCore,
} from './context';

/** Stock wasm kernels the product is built from. */
export interface MatMulStock {
  batchMatMul: KernelFunc;
  transpose: KernelFunc;
}

/**
 * Item i of a contiguous [batch, r, c] tensor as its own [1, r, c] tensor: a memcpy on the heap, far cheaper
 * than the stock Slice kernel (measured 0.3 ms for a 64 KiB item).
 */
function item(s: Scratch, t: TensorInfo, i: number): TensorInfo {
  const [, r, c] = t.shape;
  const out = s.make([1, r, c]);
  const src = s.backend.typedArrayFromHeap(t) as Float32Array;
  (s.backend.typedArrayFromHeap(out) as Float32Array).set(src.subarray(i * r * c, (i + 1) * r * c));
  return out;
}

/**
 * The checks stock wasm BatchMatMul makes, in its order and with its messages (the op itself checks nothing),
 * so a wrong product fails here exactly as it would without the training kernels. Returns the output shape:
 * the broadcast batch dimensions, then M and N.
 */
function checkedOutShape(tf: TfCore, a: TensorInfo, b: TensorInfo, transposeA: unknown, transposeB: unknown): number[] {
  const ra = a.shape.length;
  const rb = b.shape.length;
  const innerA = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const innerB = transposeB ? b.shape[rb - 1] : b.shape[rb - 2];
  const outerA = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const outerB = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  const batchShape = tf.backend_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  tf.util.assert(
    innerA === innerB,
    () =>
      `Error in matMul: inner shapes (${innerA}) and (${innerB}) of Tensors with shapes ` +
      `${a.shape} and ${b.shape} and transposeA=${transposeA} and transposeB=${transposeB} must match.`,
  );
  return [...batchShape, outerA, outerB];
}

/** Makes the replacement BatchMatMul kernel. */
export function makeBatchMatMul(tf: TfCore, stock: MatMulStock): KernelFunc {
  return ((args: KernelArgs): TensorInfo => {
    const { a, b } = args.inputs;
    // Stock throws its own error for other dtypes.
    if (a.dtype !== 'float32' || b.dtype !== 'float32') return stock.batchMatMul(args as never) as TensorInfo;
    const outShape = checkedOutShape(tf, a, b, args.attrs.transposeA, args.attrs.transposeB);
    const ra = a.shape.length;
    const rb = b.shape.length;
    // A rank-1 operand is not a matrix: stock does whatever it does with it (tf.matMul never passes one).
    if (ra < 2 || rb < 2) return stock.batchMatMul(args as never) as TensorInfo;
    const transposeA = Boolean(args.attrs.transposeA);
    const transposeB = Boolean(args.attrs.transposeB);
    const batchA = sizeOf(a.shape.slice(0, -2));
    const batchB = sizeOf(b.shape.slice(0, -2));
    const batch = sizeOf(outShape.slice(0, -2));
    // Item i of a pairs with item i of b only when neither batch shape broadcasts against the other except
    // through a single item; anything else (e.g. [3, 1] against [1, 3]) is rare in models, and stock handles it.
    if (batch !== Math.max(batchA, batchB) || (batchA !== batchB && batchA !== 1 && batchB !== 1)) {
      return stock.batchMatMul(args as never) as TensorInfo;
    }
    const M = outShape[outShape.length - 2];
    const N = outShape[outShape.length - 1];
    const K = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
    return withScratch(args.backend, (s) => {
      let a3 = view(a, [batchA, transposeA ? K : M, transposeA ? M : K]);
      let b3 = view(b, [batchB, transposeB ? N : K, transposeB ? K : N]);
      if (transposeA) a3 = s.call(stock.transpose, { x: a3 }, { perm: [0, 2, 1] }); // [batchA, M, K]
      if (transposeB) b3 = s.call(stock.transpose, { x: b3 }, { perm: [0, 2, 1] }); // [batchB, K, N]
      const gemm = (x: TensorInfo, y: TensorInfo): TensorInfo =>
        s.call(stock.batchMatMul, { a: x, b: y }, { transposeA: false, transposeB: false });
      let out: TensorInfo;
      if (batchB === 1) {
        // One weight matrix for all items: a single [batch·M, K] × [K, N] product.
        out = gemm(view(a3, [1, batchA * M, K]), b3);
      } else {
        out = s.make([batch, M, N]);
        for (let i = 0; i < batch; i++) {
          const ai = batchA === 1 ? a3 : item(s, a3, i);
          const bi = item(s, b3, i);
          const oi = gemm(ai, bi);
          // Views are taken after every allocation above: a heap growth detaches older views.
          const dst = s.backend.typedArrayFromHeap(out) as Float32Array;
          dst.set(s.backend.typedArrayFromHeap(oi) as Float32Array, i * M * N);
          s.free(oi);
          s.free(bi);
          if (ai !== a3) s.free(ai);
        }
      }
      return view(out, outShape);
    });
  }) as unknown as KernelFunc;
}
