// UnsortedSegmentSum for wasm: the gradient of `gather`, so every embedding table needs it. Stock wasm has
// none. It is a scatter-add, linear in its input; a JS loop over the wasm heap is as fast as the copy to
// the cpu backend that would otherwise be needed.
import { sizeOf, type KernelArgs, type KernelFunc, type TensorInfo, type WasmBackend } from './context';

/** out[segmentIds[i], ...] += x[i, ...]; ids outside [0, numSegments) are dropped, as in TensorFlow. */
export function makeUnsortedSegmentSum(): KernelFunc {
  return ((args: KernelArgs): TensorInfo => {
    const { x, segmentIds } = args.inputs;
    const numSegments = args.attrs.numSegments as number;
    const backend = args.backend as WasmBackend;
    const idCount = sizeOf(segmentIds.shape);
    const inner = idCount === 0 ? 0 : sizeOf(x.shape) / idCount;
    if (!Number.isInteger(inner)) {
      throw new Error(`UnsortedSegmentSum: segmentIds shape [${segmentIds.shape}] must prefix x shape [${x.shape}].`);
    }
    const outShape = [numSegments, ...x.shape.slice(segmentIds.shape.length)];
    const out = backend.makeOutput(outShape, x.dtype);
    const src = backend.typedArrayFromHeap(x);
    const ids = backend.typedArrayFromHeap(segmentIds);
    const dst = backend.typedArrayFromHeap(out);
    dst.fill(0);
    for (let i = 0; i < idCount; i++) {
      const seg = ids[i];
      if (seg < 0 || seg >= numSegments) continue;
      const s = i * inner;
      const d = seg * inner;
      for (let k = 0; k < inner; k++) dst[d + k] += src[s + k];
    }
    return out;
  }) as unknown as KernelFunc;
}
