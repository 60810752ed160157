// ResizeNearestNeighborGrad (the gradient of upSampling2d / resizeNearestNeighbor). The stock cpu kernel uses
// a wrong batch stride, so every sample after the first gets a wrong gradient. This one is the scatter-add
// transpose of the forward mapping, computed with the same source-index formula as the cpu forward kernel,
// so forward and backward cannot disagree about which source pixel an output pixel came from.
import type { KernelFunc, NamedAttrMap, TensorInfo, WasmBackend } from './context';

type Args = { inputs: Record<string, TensorInfo>; backend: unknown; attrs: NamedAttrMap };

/** The cpu backend members used here (tfjs-backend-cpu's MathBackendCPU). */
interface CpuBackend {
  readSync(dataId: object): ArrayLike<number>;
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): TensorInfo;
}

/** Source index along one axis for each output index, as tfjs' cpu ResizeNearestNeighbor computes it. */
function sourceIndex(oldSize: number, newSize: number, alignCorners: boolean, halfPixel: boolean): Int32Array {
  const inEff = alignCorners && newSize > 1 ? oldSize - 1 : oldSize;
  const outEff = alignCorners && newSize > 1 ? newSize - 1 : newSize;
  const ratio = inEff / outEff;
  const idx = new Int32Array(newSize);
  for (let i = 0; i < newSize; i++) {
    const frac = halfPixel ? ratio * (i + 0.5) : ratio * i;
    let src = Math.min(oldSize - 1, alignCorners ? Math.round(frac) : Math.floor(frac));
    if (halfPixel) src = Math.max(0, src);
    idx[i] = src;
  }
  return idx;
}

/** dx[b, src(r), src(c), ch] += dy[b, r, c, ch], with the batch stride taken from the image shape. */
export function nearestGrad(imageShape: number[], dyShape: number[], dy: ArrayLike<number>, dx: Float32Array,
  alignCorners: boolean, halfPixel: boolean): void {
  const [B, H, W, C] = imageShape;
  const [, NH, NW] = dyShape;
  const rows = sourceIndex(H, NH, alignCorners, halfPixel);
  const cols = sourceIndex(W, NW, alignCorners, halfPixel);
  dx.fill(0);
  let yi = 0;
  for (let b = 0; b < B; b++) {
    for (let r = 0; r < NH; r++) {
      const rowBase = (b * H + rows[r]) * W;
      for (let c = 0; c < NW; c++) {
        const xi = (rowBase + cols[c]) * C;
        for (let d = 0; d < C; d++) dx[xi + d] += dy[yi++];
      }
    }
  }
}

/** The replacement cpu kernel. */
export function makeCpuResizeNearestNeighborGrad(): KernelFunc {
  return ((args: Args): TensorInfo => {
    const { images, dy } = args.inputs;
    const backend = args.backend as CpuBackend;
    const dx = new Float32Array(images.shape.reduce((a, b) => a * b, 1));
    nearestGrad(images.shape, dy.shape, backend.readSync(dy.dataId), dx,
      Boolean(args.attrs.alignCorners), Boolean(args.attrs.halfPixelCenters));
    return backend.makeTensorInfo(images.shape, 'float32', dx);
  }) as unknown as KernelFunc;
}

/** The same kernel over the wasm heap. */
export function makeWasmResizeNearestNeighborGrad(): KernelFunc {
  return ((args: Args): TensorInfo => {
    const { images, dy } = args.inputs;
    const backend = args.backend as WasmBackend;
    const out = backend.makeOutput(images.shape, 'float32');
    nearestGrad(images.shape, dy.shape, backend.typedArrayFromHeap(dy), backend.typedArrayFromHeap(out) as Float32Array,
      Boolean(args.attrs.alignCorners), Boolean(args.attrs.halfPixelCenters));
    return out;
  }) as unknown as KernelFunc;
}
