// Element-wise and reduction kernels for wasm that the stock build runs slowly.
// Tanh on XNNPACK's vectorised ELU, which is expm1 for negative inputs: with e = expm1(−2|x|),
// tanh|x| = −e / (2 + e), and the sign of x is copied onto it. Stock wasm Tanh is a scalar libm loop, 3× slower
// than this (14 ms against 4.7 ms for 655k values, measured on a loaded machine): it was 12% of a ViT step
// through GELU. The first version here, 2σ(2x) − 1 on XNNPACK's sigmoid, was about 20% faster still, but σ is
// rounded near ½, so it kept an absolute error of ≈ 1e-7: relative 2.6e-2 at x = 1e-6, and 0 below 3e-8.
// expm1 keeps its relative precision near 0: this one is within 1.3e-7 relative of tanh from 1e-38 to 20
// (measured), returns tiny x exactly, and keeps the sign of ±0.
import { withScratch, type KernelArgs, type KernelFunc, type TensorInfo, type WasmBackend } from './context';

/** Tanh(x) built on the stock Elu kernel (expm1 on XNNPACK). */
export function makeTanh(elu: KernelFunc, stockTanh: KernelFunc): KernelFunc {
  return ((args: KernelArgs): TensorInfo => {
    const { x } = args.inputs;
    if (x.dtype !== 'float32') return stockTanh(args as never) as TensorInfo;
    return withScratch(args.backend, (s) => {
      const negated = s.make(x.shape);
      const d = s.backend.typedArrayFromHeap(negated) as Float32Array;
      let src = s.backend.typedArrayFromHeap(x) as Float32Array;
      for (let i = 0; i < d.length; i++) d[i] = -2 * Math.abs(src[i]);
      const out = s.call(elu, { x: negated });
      // Views again: the output may have grown the heap, which detaches the views taken before it.
      src = s.backend.typedArrayFromHeap(x) as Float32Array;
      const o = s.backend.typedArrayFromHeap(out) as Float32Array;
      const srcBits = new Int32Array(src.buffer, src.byteOffset, src.length);
      // |e / (2 + e)| rather than −e / (2 + e): ELU may return +0 for −0, and tanh(+0) must stay +0. The sign
      // of x comes from its sign bit as ±1, without a branch: a data-dependent branch here costs more than
      // the ELU itself on mixed-sign activations.
      for (let i = 0; i < o.length; i++) {
        const e = o[i];
        o[i] = Math.abs(e / (2 + e)) * (1 - ((srcBits[i] >>> 31) << 1));
      }
      return out;
    });
  }) as unknown as KernelFunc;
}

/** Below this row width, the stock Sum (transpose + reduce) is as fast as the JS column sum (measured). */
const COLUMN_SUM_MIN_WIDTH = 64;

/**
 * Sum over leading axes (the gradient of every broadcast bias add: dy [N, D] → [D]). Stock wasm transposes
 * the reduced axes innermost first, a strided copy; summing rows in place is 3.5× faster for [2560, 256].
 * Other reductions go to the stock kernel.
 */
export function makeSum(stockSum: KernelFunc): KernelFunc {
  return ((args: KernelArgs): TensorInfo => {
    const { x } = args.inputs;
    const rank = x.shape.length;
    const raw = args.attrs.axis as number | number[];
    const axes = [...new Set((Array.isArray(raw) ? raw : [raw]).map((a) => (a < 0 ? a + rank : a)))].sort(
      (a, b) => a - b,
    );
    const leading = axes.length < rank && axes.every((a, i) => a === i);
    const width = x.shape.slice(axes.length).reduce((a, b) => a * b, 1);
    if (x.dtype !== 'float32' || !leading || width < COLUMN_SUM_MIN_WIDTH) return stockSum(args as never) as TensorInfo;
    const backend = args.backend as WasmBackend;
    const outShape = args.attrs.keepDims
      ? x.shape.map((d, i) => (i < axes.length ? 1 : d))
      : x.shape.slice(axes.length);
    const out = backend.makeOutput(outShape, 'float32');
    const src = backend.typedArrayFromHeap(x) as Float32Array;
    const acc = backend.typedArrayFromHeap(out) as Float32Array;
    acc.fill(0);
    for (let i = 0; i < src.length; i += width) {
      for (let d = 0; d < width; d++) acc[d] += src[i + d];
    }
    return out;
  }) as unknown as KernelFunc;
}

/**
 * SplitV (the gradient of concat, so every UNet skip connection) as one memcpy per output row. Stock wasm
 * runs a Slice kernel per output, which is slow on wasm (0.3 ms for a 64 KiB slice) and ten times slower on
 * the threaded build (39 ms a UNet step).
 */
export function makeSplitV(): KernelFunc {
  return ((args: KernelArgs): TensorInfo[] => {
    const { x } = args.inputs;
    const backend = args.backend as WasmBackend;
    const rank = x.shape.length;
    const axis = ((args.attrs.axis as number) + rank) % rank;
    const dim = x.shape[axis];
    const spec = args.attrs.numOrSizeSplits as number | number[];
    let sizes = Array.isArray(spec) ? [...spec] : Array.from({ length: spec }, () => dim / spec);
    const known = sizes.filter((v) => v !== -1).reduce((a, b) => a + b, 0);
    sizes = sizes.map((v) => (v === -1 ? dim - known : v));
    if (sizes.some((v) => !Number.isInteger(v) || v < 0) || sizes.reduce((a, b) => a + b, 0) !== dim) {
      throw new Error(`SplitV: sizes ${JSON.stringify(spec)} do not split dimension ${axis} of [${x.shape}]`);
    }
    const outer = x.shape.slice(0, axis).reduce((a, b) => a * b, 1);
    const inner = x.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
    const outs = sizes.map((n) =>
      backend.makeOutput(
        x.shape.map((d, i) => (i === axis ? n : d)),
        x.dtype,
      ),
    );
    const src = backend.typedArrayFromHeap(x);
    let start = 0;
    sizes.forEach((n, k) => {
      const dst = backend.typedArrayFromHeap(outs[k]);
      const run = n * inner;
      for (let o = 0; o < outer; o++) {
        const from = (o * dim + start) * inner;
        dst.set(src.subarray(from, from + run), o * run);
      }
      start += n;
    });
    return outs;
  }) as unknown as KernelFunc;
}

/**
 * Identity (clone) sharing the buffer, as the cpu backend does and as wasm's own Reshape does: tensors are
 * immutable, so a reference count is enough. Stock wasm copies every clone (232 copies in a ViT step, 5%).
 */
export function makeIdentity(): KernelFunc {
  return ((args: KernelArgs): TensorInfo => {
    const { x } = args.inputs;
    (args.backend as WasmBackend & { incRef(dataId: object): void }).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  }) as unknown as KernelFunc;
}
