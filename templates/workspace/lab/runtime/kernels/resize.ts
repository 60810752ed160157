// Gradients of resizeNearestNeighbor (upSampling2d) and resizeBilinear, for wasm and cpu. Each is the
// scatter-add transpose of its own backend's forward, so ⟨∇x, x⟩ = ⟨dy, y⟩ holds exactly (test/kernels/adjoint):
// - nearest: the cpu forward picks source rows in float64 JS, the wasm forward in float32 C++. Where the
//   source index lands on an integer (or on .5 with alignCorners) the two round apart (26 → 22 rows: output
//   row 11 reads input row 12 on wasm, 13 on cpu), so each gradient repeats its own forward's arithmetic.
//   (The stock cpu kernel also used a wrong batch stride: every sample after the first was wrong.)
// - bilinear: stock wasm ignores halfPixelCenters, and stock cpu returns its gradient as [b, W, H, c] (it
//   throws whenever H ≠ W) and ignores halfPixelCenters too. Both forwards compute the same linear map (cpu in
//   float64, XNNPACK in float32: weights within 1e-7), so one float64 gradient serves both.
import type { KernelArgs, KernelFunc, TensorInfo, WasmBackend } from './context';

/** The cpu backend members used here (tfjs-backend-cpu's MathBackendCPU). */
interface CpuBackend {
  readSync(dataId: object): ArrayLike<number>;
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): TensorInfo;
}

/** Which arithmetic the forward kernel uses: float64 JS (cpu) or float32 C++ (wasm). */
export type IndexArithmetic = 'float64' | 'float32';

const same = (v: number): number => v;

/**
 * Source index along one axis for each output index, computed as the forward kernel computes it: tfjs-backend-cpu
 * ResizeNearestNeighbor.ts in float64, or tfjs-backend-wasm ResizeNearestNeighbor.cc in float32 (a float scale,
 * `scale * r` rounded to float, `scale * (r + 0.5)` taken in double and stored to a float), then floor or
 * roundf (half away from zero; the index is never negative, so Math.round agrees).
 */
export function nearestSourceIndex(
  oldSize: number,
  newSize: number,
  alignCorners: boolean,
  halfPixel: boolean,
  arithmetic: IndexArithmetic,
): Int32Array {
  const round = arithmetic === 'float32' ? Math.fround : same;
  const inEff = alignCorners && newSize > 1 ? oldSize - 1 : oldSize;
  const outEff = alignCorners && newSize > 1 ? newSize - 1 : newSize;
  const ratio = round(inEff / outEff);
  const idx = new Int32Array(newSize);
  for (let i = 0; i < newSize; i++) {
    const frac = round(halfPixel ? ratio * (i + 0.5) : ratio * i);
    let src = Math.min(oldSize - 1, alignCorners ? Math.round(frac) : Math.floor(frac));
    if (halfPixel) src = Math.max(0, src);
    idx[i] = src;
  }
  return idx;
}

/** dx[b, src(r), src(c), ch] += dy[b, r, c, ch], with the batch stride taken from the image shape. */
export function nearestGrad(
  imageShape: number[],
  dyShape: number[],
  dy: ArrayLike<number>,
  dx: Float32Array,
  alignCorners: boolean,
  halfPixel: boolean,
  arithmetic: IndexArithmetic,
): void {
  const [B, H, W, C] = imageShape;
  const [, NH, NW] = dyShape;
  const rows = nearestSourceIndex(H, NH, alignCorners, halfPixel, arithmetic);
  const cols = nearestSourceIndex(W, NW, alignCorners, halfPixel, arithmetic);
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

/** The two source indices of each output index along one axis, and the weight of the second. */
interface BilinearAxis {
  lo: Int32Array;
  hi: Int32Array;
  w: Float64Array;
}

/**
 * The cpu forward's sampling (ResizeBilinear.ts): source = scale·r, or scale·(r + ½) − ½ with half-pixel
 * centers; lo = max(0, ⌊source⌋), hi = min(size − 1, ⌈source⌉), weight of hi = source − lo. Before the first
 * pixel, lo = hi = 0 and the weights still sum to 1, which is XNNPACK's clamp to the edge as a linear map.
 */
function bilinearAxis(oldSize: number, newSize: number, alignCorners: boolean, halfPixel: boolean): BilinearAxis {
  const inEff = alignCorners && newSize > 1 ? oldSize - 1 : oldSize;
  const outEff = alignCorners && newSize > 1 ? newSize - 1 : newSize;
  const ratio = inEff / outEff;
  const axis: BilinearAxis = { lo: new Int32Array(newSize), hi: new Int32Array(newSize), w: new Float64Array(newSize) };
  for (let i = 0; i < newSize; i++) {
    const src = halfPixel ? ratio * (i + 0.5) - 0.5 : ratio * i;
    const lo = Math.max(0, Math.floor(src));
    axis.lo[i] = lo;
    axis.hi[i] = Math.min(oldSize - 1, Math.ceil(src));
    axis.w[i] = src - lo;
  }
  return axis;
}

/** dx = the transpose of bilinear resizing applied to dy, in the image's own [b, h, w, c] layout. */
export function bilinearGrad(
  imageShape: number[],
  dyShape: number[],
  dy: ArrayLike<number>,
  dx: Float32Array,
  alignCorners: boolean,
  halfPixel: boolean,
): void {
  const [B, H, W, C] = imageShape;
  const [, NH, NW] = dyShape;
  const rows = bilinearAxis(H, NH, alignCorners, halfPixel);
  const cols = bilinearAxis(W, NW, alignCorners, halfPixel);
  dx.fill(0);
  let yi = 0;
  for (let b = 0; b < B; b++) {
    for (let r = 0; r < NH; r++) {
      const top = (b * H + rows.lo[r]) * W;
      const bottom = (b * H + rows.hi[r]) * W;
      const wy = rows.w[r];
      for (let c = 0; c < NW; c++) {
        const wx = cols.w[c];
        const tl = (top + cols.lo[c]) * C;
        const tr = (top + cols.hi[c]) * C;
        const bl = (bottom + cols.lo[c]) * C;
        const br = (bottom + cols.hi[c]) * C;
        const wtl = (1 - wy) * (1 - wx);
        const wtr = (1 - wy) * wx;
        const wbl = wy * (1 - wx);
        const wbr = wy * wx;
        for (let d = 0; d < C; d++) {
          const g = dy[yi++];
          dx[tl + d] += g * wtl;
          dx[tr + d] += g * wtr;
          dx[bl + d] += g * wbl;
          dx[br + d] += g * wbr;
        }
      }
    }
  }
}

type Grad = (
  imageShape: number[],
  dyShape: number[],
  dy: ArrayLike<number>,
  dx: Float32Array,
  align: boolean,
  half: boolean,
) => void;

function cpuKernel(grad: Grad): KernelFunc {
  return ((args: KernelArgs): TensorInfo => {
    const { images, dy } = args.inputs;
    const backend = args.backend as CpuBackend;
    const dx = new Float32Array(images.shape.reduce((a, b) => a * b, 1));
    grad(
      images.shape,
      dy.shape,
      backend.readSync(dy.dataId),
      dx,
      Boolean(args.attrs.alignCorners),
      Boolean(args.attrs.halfPixelCenters),
    );
    return backend.makeTensorInfo(images.shape, 'float32', dx);
  }) as unknown as KernelFunc;
}

function wasmKernel(grad: Grad): KernelFunc {
  return ((args: KernelArgs): TensorInfo => {
    const { images, dy } = args.inputs;
    const backend = args.backend as WasmBackend;
    const out = backend.makeOutput(images.shape, 'float32');
    // Views taken after makeOutput: a heap that grows detaches the views taken before.
    grad(
      images.shape,
      dy.shape,
      backend.typedArrayFromHeap(dy),
      backend.typedArrayFromHeap(out) as Float32Array,
      Boolean(args.attrs.alignCorners),
      Boolean(args.attrs.halfPixelCenters),
    );
    return out;
  }) as unknown as KernelFunc;
}

/** The replacement cpu ResizeNearestNeighborGrad (float64 indices, like the cpu forward). */
export function makeCpuResizeNearestNeighborGrad(): KernelFunc {
  return cpuKernel((...a) => nearestGrad(...a, 'float64'));
}

/** The replacement wasm ResizeNearestNeighborGrad (float32 indices, like the wasm forward). */
export function makeWasmResizeNearestNeighborGrad(): KernelFunc {
  return wasmKernel((...a) => nearestGrad(...a, 'float32'));
}

/** The replacement cpu ResizeBilinearGrad: the image's own layout, and half-pixel centers honoured. */
export function makeCpuResizeBilinearGrad(): KernelFunc {
  return cpuKernel(bilinearGrad);
}

/** The replacement wasm ResizeBilinearGrad: half-pixel centers honoured. */
export function makeWasmResizeBilinearGrad(): KernelFunc {
  return wasmKernel(bilinearGrad);
}
