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
 * A new zeroed float32 output of `shape` and float32 views of it and of `operands`, taken after the allocation
 * (a heap growth detaches views taken before it).
 */
function zeroedOutput(
  backend: WasmBackend,
  shape: Shape4,
  operands: TensorInfo[],
): { out: TensorInfo; sum: Float32Array; views: Float32Array[] } {
  const out = backend.makeOutput(shape, 'float32');
  const views = operands.map((t) => backend.typedArrayFromHeap(t) as Float32Array);
  const sum = backend.typedArrayFromHeap(out) as Float32Array;
  sum.fill(0);
  return { out, sum, views };
}

/** DepthwiseConv2dNativeBackpropInput(dy, filter) → dx of shape attrs.inputShape. */
export function makeDepthwiseBackpropInput(tf: TfCore): KernelFunc {
  return ((args: KernelArgs): TensorInfo => {
    const { dy, filter } = args.inputs;
    const inShape = args.attrs.inputShape as Shape4;
    const g = geometry(tf, inShape, filter.shape as Shape4, args.attrs);
    const { out, sum: dx, views } = zeroedOutput(args.backend as WasmBackend, inShape, [dy, filter]);
    const [gy, w] = views;
    forEachTap(g, (xi, wi, yi) => {
      dx[xi] += gy[yi] * w[wi];
    });
    return out;
  }) as unknown as KernelFunc;
}

/** DepthwiseConv2dNativeBackpropFilter(x, dy) → dW of shape attrs.filterShape. */
export function makeDepthwiseBackpropFilter(tf: TfCore): KernelFunc {
  return ((args: KernelArgs): TensorInfo => {
    const { x, dy } = args.inputs;
    const filterShape = args.attrs.filterShape as Shape4;
    const g = geometry(tf, x.shape as Shape4, filterShape, args.attrs);
    const { out, sum: dw, views } = zeroedOutput(args.backend as WasmBackend, filterShape, [x, dy]);
    const [xs, gy] = views;
    forEachTap(g, (xi, wi, yi) => {
      dw[wi] += xs[xi] * gy[yi];
    });
    return out;
  }) as unknown as KernelFunc;
}
