// Pooling gradients. MaxPoolGrad for wasm: the stock kernel starts its running max at the smallest *positive*
// float, so a window whose values are all negative routes no gradient at all (silently wrong training). This
// one scans each window in row-major order and keeps the first strict maximum, exactly like the cpu backend,
// so ties (common after a ReLU: windows of zeros) send the gradient to the same element on both backends.
// AvgPoolGrad for wasm and cpu: both forwards divide each window by the number of its pixels inside the image,
// but both stock gradients divide by the full window (wrong along every border of a 'same' or padded pool).
import type { KernelArgs, KernelFunc, NamedAttrMap, TensorInfo, TfCore, WasmBackend } from './context';

/** The pool geometry tfjs computes for `input` under a pool gradient op's attributes `a`. */
function poolInfo(tf: TfCore, input: TensorInfo, a: NamedAttrMap) {
  return tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    a.filterSize as [number, number],
    a.strides as [number, number],
    1,
    a.pad as 'same',
    a.dimRoundingMode as 'floor' | undefined,
  );
}

/** MaxPoolGrad(dy, input, output) → dx with the shape of input. */
export function makeMaxPoolGrad(tf: TfCore): KernelFunc {
  return ((args: KernelArgs): TensorInfo => {
    const { dy, input } = args.inputs;
    const a = args.attrs;
    const backend = args.backend as WasmBackend;
    const info = poolInfo(tf, input, a);
    const { batchSize: B, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = info;
    const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
    const { effectiveFilterHeight: efh, effectiveFilterWidth: efw } = info;
    const { top, left } = info.padInfo;
    const out = backend.makeOutput(input.shape, 'float32');
    const x = backend.typedArrayFromHeap(input) as Float32Array;
    const g = backend.typedArrayFromHeap(dy) as Float32Array;
    const dx = backend.typedArrayFromHeap(out) as Float32Array;
    dx.fill(0);
    if (efh === 2 && efw === 2 && sh === 2 && sw === 2 && top === 0 && left === 0 && 2 * OH <= H && 2 * OW <= W) {
      maxPoolGrad2x2(x, g, dx, B, H, W, C, OH, OW);
      return out;
    }
    const taps = new Int32Array(efh * efw);
    for (let b = 0; b < B; b++) {
      for (let oy = 0; oy < OH; oy++) {
        for (let ox = 0; ox < OW; ox++) {
          // Offsets of the window's in-bounds pixels, in row-major order (the order ties are resolved in).
          let n = 0;
          for (let fy = 0; fy < efh; fy += dh) {
            const iy = oy * sh - top + fy;
            if (iy < 0 || iy >= H) continue;
            for (let fx = 0; fx < efw; fx += dw) {
              const ix = ox * sw - left + fx;
              if (ix >= 0 && ix < W) taps[n++] = ((b * H + iy) * W + ix) * C;
            }
          }
          const gBase = ((b * OH + oy) * OW + ox) * C;
          for (let c = 0; c < C; c++) {
            let best = -Infinity;
            let where = -1;
            for (let t = 0; t < n; t++) {
              const v = x[taps[t] + c];
              if (v > best) {
                best = v;
                where = taps[t] + c;
              }
            }
            if (where >= 0) dx[where] += g[gBase + c];
          }
        }
      }
    }
    return out;
  }) as unknown as KernelFunc;
}

/**
 * The common 2×2, stride-2, unpadded case, unrolled (25% faster in V8 than the general loop): each input
 * pixel is in one window, and ties go to the first of (top-left, top-right, bottom-left, bottom-right).
 */
function maxPoolGrad2x2(
  x: Float32Array,
  g: Float32Array,
  dx: Float32Array,
  B: number,
  H: number,
  W: number,
  C: number,
  OH: number,
  OW: number,
): void {
  for (let b = 0; b < B; b++) {
    for (let oy = 0; oy < OH; oy++) {
      const row0 = (b * H + 2 * oy) * W * C;
      const row1 = row0 + W * C;
      for (let ox = 0; ox < OW; ox++) {
        const p0 = row0 + 2 * ox * C;
        const p2 = row1 + 2 * ox * C;
        const gBase = ((b * OH + oy) * OW + ox) * C;
        for (let c = 0; c < C; c++) {
          // Starts below every value, like the cpu backend, so NaN and −∞ windows behave as there too.
          let best = -Infinity;
          let where = -1;
          const v0 = x[p0 + c];
          if (v0 > best) {
            best = v0;
            where = p0 + c;
          }
          const v1 = x[p0 + C + c];
          if (v1 > best) {
            best = v1;
            where = p0 + C + c;
          }
          const v2 = x[p2 + c];
          if (v2 > best) {
            best = v2;
            where = p2 + c;
          }
          if (x[p2 + C + c] > best) where = p2 + C + c;
          if (where >= 0) dx[where] += g[gBase + c];
        }
      }
    }
  }
}

/** Geometry of a 2-D pool, as computePool2DInfo gives it. */
interface PoolGeometry {
  B: number;
  H: number;
  W: number;
  C: number;
  OH: number;
  OW: number;
  sh: number;
  sw: number;
  fh: number;
  fw: number;
  top: number;
  left: number;
}

/**
 * dx[pixel] = Σ over the windows holding the pixel of dy[window] / (pixels of that window inside the image):
 * the transpose of the forward average. Windows entirely in the padding (a 0/0 in the forward) pass nothing.
 */
export function avgPoolGrad(p: PoolGeometry, g: ArrayLike<number>, dx: Float32Array): void {
  const { B, H, W, C, OH, OW, sh, sw, fh, fw, top, left } = p;
  dx.fill(0);
  for (let b = 0; b < B; b++) {
    for (let oy = 0; oy < OH; oy++) {
      const y0 = Math.max(0, oy * sh - top);
      const y1 = Math.min(H, oy * sh - top + fh);
      for (let ox = 0; ox < OW; ox++) {
        const x0 = Math.max(0, ox * sw - left);
        const x1 = Math.min(W, ox * sw - left + fw);
        if (y1 <= y0 || x1 <= x0) continue;
        const share = 1 / ((y1 - y0) * (x1 - x0));
        const gBase = ((b * OH + oy) * OW + ox) * C;
        for (let iy = y0; iy < y1; iy++) {
          for (let ix = x0; ix < x1; ix++) {
            const base = ((b * H + iy) * W + ix) * C;
            for (let c = 0; c < C; c++) dx[base + c] += g[gBase + c] * share;
          }
        }
      }
    }
  }
}

/**
 * The pool geometry of AvgPoolGrad's attributes; the output size is dy's, since the gradient op drops dimRoundingMode.
 */
function avgPoolGeometry(tf: TfCore, args: KernelArgs): PoolGeometry {
  const { dy, input } = args.inputs;
  const a = args.attrs;
  const info = poolInfo(tf, input, a);
  return {
    B: info.batchSize,
    H: info.inHeight,
    W: info.inWidth,
    C: info.inChannels,
    OH: dy.shape[1],
    OW: dy.shape[2],
    sh: info.strideHeight,
    sw: info.strideWidth,
    fh: info.filterHeight,
    fw: info.filterWidth,
    top: info.padInfo.top,
    left: info.padInfo.left,
  };
}

/** AvgPoolGrad(dy, input) → dx on the wasm heap. */
export function makeWasmAvgPoolGrad(tf: TfCore): KernelFunc {
  return ((args: KernelArgs): TensorInfo => {
    const backend = args.backend as WasmBackend;
    const geometry = avgPoolGeometry(tf, args);
    const out = backend.makeOutput(args.inputs.input.shape, 'float32');
    avgPoolGrad(geometry, backend.typedArrayFromHeap(args.inputs.dy), backend.typedArrayFromHeap(out) as Float32Array);
    return out;
  }) as unknown as KernelFunc;
}

/** The cpu backend members used here (tfjs-backend-cpu's MathBackendCPU). */
interface CpuBackend {
  readSync(dataId: object): ArrayLike<number>;
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): TensorInfo;
}

/** AvgPoolGrad(dy, input) → dx on the cpu backend. */
export function makeCpuAvgPoolGrad(tf: TfCore): KernelFunc {
  return ((args: KernelArgs): TensorInfo => {
    const backend = args.backend as CpuBackend;
    const { dy, input } = args.inputs;
    const dx = new Float32Array(input.shape.reduce((a, b) => a * b, 1));
    avgPoolGrad(avgPoolGeometry(tf, args), backend.readSync(dy.dataId), dx);
    return backend.makeTensorInfo(input.shape, 'float32', dx);
  }) as unknown as KernelFunc;
}
