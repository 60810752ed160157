// Element-wise and reduction kernels for wasm that the stock build runs slowly.
// Tanh as 2·σ(2x) − 1 on XNNPACK's vectorised sigmoid. Stock wasm Tanh is a scalar libm loop,
// measured 12× slower (9.7 ms against 0.8 ms for 655k values): it was 12% of a ViT step through GELU.
// The identity costs relative accuracy near 0 (absolute error ≈ 1e-7, as float32 rounding of 2σ − 1), which
// is what matters inside GELU and LSTM gates; the tests bound it against the cpu backend.
import { Scratch, type KernelFunc, type NamedAttrMap, type TensorInfo, type WasmBackend } from './context';

type Args = { inputs: Record<string, TensorInfo>; backend: unknown; attrs: NamedAttrMap };

/** Tanh(x) built on the stock Sigmoid kernel. */
export function makeTanh(sigmoid: KernelFunc, stockTanh: KernelFunc): KernelFunc {
  return ((args: Args): TensorInfo => {
    const { x } = args.inputs;
    if (x.dtype !== 'float32') return stockTanh(args as never) as TensorInfo;
    const s = new Scratch(args.backend as WasmBackend);
    try {
      const doubled = s.make(x.shape);
      const src = s.backend.typedArrayFromHeap(x) as Float32Array;
      const d = s.backend.typedArrayFromHeap(doubled) as Float32Array;
      for (let i = 0; i < d.length; i++) d[i] = 2 * src[i];
      const out = s.call(sigmoid, { x: doubled });
      const o = s.backend.typedArrayFromHeap(out) as Float32Array;
      for (let i = 0; i < o.length; i++) o[i] = 2 * o[i] - 1;
      s.release(out);
      return out;
    } catch (e) {
      s.release();
      throw e;
    }
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
  return ((args: Args): TensorInfo => {
    const { x } = args.inputs;
    const rank = x.shape.length;
    const raw = args.attrs.axis as number | number[];
    const axes = [...new Set((Array.isArray(raw) ? raw : [raw]).map((a) => (a < 0 ? a + rank : a)))].sort((a, b) => a - b);
    const leading = axes.length < rank && axes.every((a, i) => a === i);
    const width = x.shape.slice(axes.length).reduce((a, b) => a * b, 1);
    if (x.dtype !== 'float32' || !leading || width < COLUMN_SUM_MIN_WIDTH) return stockSum(args as never) as TensorInfo;
    const backend = args.backend as WasmBackend;
    const outShape = args.attrs.keepDims ? x.shape.map((d, i) => (i < axes.length ? 1 : d)) : x.shape.slice(axes.length);
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
  return ((args: Args): TensorInfo[] => {
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
    const outs = sizes.map((n) => backend.makeOutput(x.shape.map((d, i) => (i === axis ? n : d)), x.dtype));
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
  return ((args: Args): TensorInfo => {
    const { x } = args.inputs;
    (args.backend as WasmBackend & { incRef(dataId: object): void }).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  }) as unknown as KernelFunc;
}
