// Depthwise-conv gradients for wasm (stock wasm has neither). Depthwise convs are cheap in FLOPs
// (k² per output element), so direct loops over the wasm heap are adequate and keep the code obviously
// right; both kernels walk the same (batch, output pixel, tap) nest as the forward pass.
import type { KernelArgs, KernelFunc, NamedAttrMap, TensorInfo, TfCore, WasmBackend } from './context';

type Shape4 = [number, number, number, number];

interface Geometry {
  B: number;
  H: number;
  W: number;
  C: number;
  M: number;
  OH: number;
  OW: number;
  sh: number;
  sw: number;
  dh: number;
  dw: number;
  fh: number;
  fw: number;
  top: number;
  left: number;
}

function geometry(tf: TfCore, inShape: Shape4, filterShape: Shape4, a: NamedAttrMap): Geometry {
  const i = tf.backend_util.computeConv2DInfo(
    inShape,
    filterShape,
    a.strides as [number, number],
    (a.dilations ?? 1) as [number, number],
    a.pad as 'same',
    a.dimRoundingMode as 'floor' | undefined,
    true,
  );
  return {
    B: i.batchSize,
    H: i.inHeight,
    W: i.inWidth,
    C: i.inChannels,
    M: filterShape[3],
    OH: i.outHeight,
    OW: i.outWidth,
    sh: i.strideHeight,
    sw: i.strideWidth,
    dh: i.dilationHeight,
    dw: i.dilationWidth,
    fh: i.filterHeight,
    fw: i.filterWidth,
    top: i.padInfo.top,
    left: i.padInfo.left,
  };
}

/**
 * Visits every (input element, filter tap, dy element) triple of a depthwise conv once:
 * visit(xIndex, filterIndex, dyIndex) for each channel c and multiplier m.
 */
function forEachTap(g: Geometry, visit: (xi: number, wi: number, yi: number) => void): void {
  const CM = g.C * g.M;
  for (let b = 0; b < g.B; b++) {
    for (let oy = 0; oy < g.OH; oy++) {
      for (let ox = 0; ox < g.OW; ox++) {
        const yBase = ((b * g.OH + oy) * g.OW + ox) * CM;
        for (let fy = 0; fy < g.fh; fy++) {
          const iy = oy * g.sh - g.top + fy * g.dh;
          if (iy < 0 || iy >= g.H) continue;
          for (let fx = 0; fx < g.fw; fx++) {
            const ix = ox * g.sw - g.left + fx * g.dw;
            if (ix < 0 || ix >= g.W) continue;
            const xBase = ((b * g.H + iy) * g.W + ix) * g.C;
            const wBase = (fy * g.fw + fx) * CM;
            for (let c = 0; c < g.C; c++) {
              for (let m = 0; m < g.M; m++) visit(xBase + c, wBase + c * g.M + m, yBase + c * g.M + m);
            }
          }
        }
      }
    }
  }
}

/**
 * A depthwise gradient as the sum of one product per (input element, filter tap, dy element) triple:
 * `of` 'input': DepthwiseConv2dNativeBackpropInput(dy, filter) → dx of shape attrs.inputShape;
 * `of` 'filter': DepthwiseConv2dNativeBackpropFilter(x, dy) → dW of shape attrs.filterShape.
 */
function makeDepthwiseGrad(tf: TfCore, of: 'input' | 'filter'): KernelFunc {
  return ((args: KernelArgs): TensorInfo => {
    const { x, dy, filter } = args.inputs;
    const backend = args.backend as WasmBackend;
    const inShape = (of === 'input' ? args.attrs.inputShape : x.shape) as Shape4;
    const filterShape = (of === 'filter' ? args.attrs.filterShape : filter.shape) as Shape4;
    const g = geometry(tf, inShape, filterShape, args.attrs);
    const out = backend.makeOutput(of === 'input' ? inShape : filterShape, 'float32');
    // Views after the allocation: a heap growth detaches views taken before it.
    const heap = (t: TensorInfo) => backend.typedArrayFromHeap(t) as Float32Array;
    const gy = heap(dy);
    const sum = heap(out);
    sum.fill(0);
    if (of === 'input') {
      const w = heap(filter);
      forEachTap(g, (xi, wi, yi) => {
        sum[xi] += gy[yi] * w[wi];
      });
    } else {
      const xs = heap(x);
      forEachTap(g, (xi, wi, yi) => {
        sum[wi] += xs[xi] * gy[yi];
      });
    }
    return out;
  }) as unknown as KernelFunc;
}

/** DepthwiseConv2dNativeBackpropInput(dy, filter) → dx of shape attrs.inputShape. */
export function makeDepthwiseBackpropInput(tf: TfCore): KernelFunc {
  return makeDepthwiseGrad(tf, 'input');
}

/** DepthwiseConv2dNativeBackpropFilter(x, dy) → dW of shape attrs.filterShape. */
export function makeDepthwiseBackpropFilter(tf: TfCore): KernelFunc {
  return makeDepthwiseGrad(tf, 'filter');
}
