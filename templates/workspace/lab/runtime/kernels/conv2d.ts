// Conv2D gradients for the wasm backend, rewritten as forward convolutions or GEMMs so they run on XNNPACK:
//  - dW is a convolution of x (channels moved to the batch axis) with dy as the filter, dilated by the stride
//    (im2col + one GEMM for filters with few taps);
//  - dx is a stride-1 convolution of dy with the flipped, in/out-swapped filter; strided cases are split
//    into sub-pixel phases (polyphase.ts) instead of convolving inserted zeros.
// Stock wasm has no Conv2DBackpropFilter at all, and its Conv2DBackpropInput is a scalar loop.
import { polyphaseApplies, polyphaseBackpropInput } from './polyphase';
import {
  pair,
  view,
  withScratch,
  type KernelArgs,
  type KernelFunc,
  type NamedAttrMap,
  type Scratch,
  type TensorInfo,
  type TfCore,
} from './context';

/** Stock wasm kernels the conv gradients are built from. */
export interface ConvStock {
  conv2d: KernelFunc;
  transpose: KernelFunc;
  slice: KernelFunc;
  reverse: KernelFunc;
  batchMatMul: KernelFunc;
  /** The stock (slow but correct) dx kernel, kept for the padding cases the fast path cannot express. */
  backpropInput?: KernelFunc;
}

/** At or below this many filter taps (FH·FW·CI), dW goes through im2col + GEMM (measured crossover region). */
const IM2COL_MAX_TAPS = 32;

function explicitPad(top: number, bottom: number, left: number, right: number): number[][] {
  return [
    [0, 0],
    [top, bottom],
    [left, right],
    [0, 0],
  ];
}

type Shape4 = [number, number, number, number];

/**
 * The geometry of a (non-dilated) conv2d with input `inShape` and filter `filterShape`, from its gradient op's attrs.
 */
function conv2DInfo(tf: TfCore, inShape: Shape4, filterShape: Shape4, attrs: NamedAttrMap) {
  return tf.backend_util.computeConv2DInfo(
    inShape,
    filterShape,
    pair(attrs.strides),
    1,
    attrs.pad as 'same',
    attrs.dimRoundingMode as 'floor' | undefined,
  );
}

function assertNhwc(attrs: NamedAttrMap, kernel: string): void {
  const format = attrs.dataFormat as string | undefined;
  if (format !== undefined && format !== 'NHWC' && format !== 'channelsLast') {
    throw new Error(`${kernel} on wasm supports only NHWC (channelsLast) data, got dataFormat '${format}'.`);
  }
}

/**
 * dW for filters with few taps (FH·FW·CI ≤ 32, e.g. a first layer on a 1-channel image): XNNPACK's conv
 * would compute only FH·FW·CI output rows per pass, so use im2col and one GEMM instead,
 * dW [taps, CO] = Pᵀ [taps, N] · dy [N, CO] with N = B·OH·OW. Pᵀ is written directly in that layout: the
 * stock wasm Transpose of a tall [N, CO] matrix costs more than the GEMM itself.
 */
function im2colBackpropFilter(
  s: Scratch,
  stock: ConvStock,
  x: TensorInfo,
  dy: TensorInfo,
  filterShape: number[],
  st: [number, number],
  topLeft: [number, number],
): TensorInfo {
  const [B, H, W, CI] = x.shape;
  const [, OH, OW, CO] = dy.shape;
  const [FH, FW] = filterShape;
  const taps = FH * FW * CI;
  const n = B * OH * OW;
  const pT = s.make([1, taps, n]);
  const xs = s.backend.typedArrayFromHeap(x) as Float32Array;
  const pv = s.backend.typedArrayFromHeap(pT) as Float32Array;
  for (let fy = 0; fy < FH; fy++) {
    for (let fx = 0; fx < FW; fx++) {
      for (let c = 0; c < CI; c++) {
        let k = ((fy * FW + fx) * CI + c) * n;
        for (let b = 0; b < B; b++) {
          for (let oy = 0; oy < OH; oy++) {
            const iy = oy * st[0] + fy - topLeft[0];
            const rowOk = iy >= 0 && iy < H;
            const rowBase = (b * H + iy) * W;
            for (let ox = 0; ox < OW; ox++, k++) {
              const ix = ox * st[1] + fx - topLeft[1];
              pv[k] = rowOk && ix >= 0 && ix < W ? xs[(rowBase + ix) * CI + c] : 0;
            }
          }
        }
      }
    }
  }
  // [1, taps, CO]
  const dW = s.call(stock.batchMatMul, { a: pT, b: view(dy, [1, n, CO]) }, { transposeA: false, transposeB: false });
  return view(dW, filterShape);
}

/**
 * Conv2DBackpropFilter: dW[fh, fw, ci, co] = Σ_{b, oh, ow} x[b, oh·s + fh − pad, ow·s + fw − pad, ci] · dy[b, oh, ow,
 * co], which is a forward convolution of x with its channels moved to the batch axis, [ci, H, W, B], by dy as the
 * filter, [oh, ow, B, co], dilated by the stride; the output [ci, fh, fw, co] is transposed into place.
 */
export function makeConv2DBackpropFilter(tf: TfCore, stock: ConvStock): KernelFunc {
  return ((args: KernelArgs): TensorInfo => {
    const { x, dy } = args.inputs;
    const attrs = args.attrs;
    assertNhwc(attrs, 'Conv2DBackpropFilter');
    const filterShape = attrs.filterShape as Shape4;
    const info = conv2DInfo(tf, x.shape as Shape4, filterShape, attrs);
    const [batch, inH, inW, inC] = x.shape;
    const { strideHeight: sh, strideWidth: sw, outHeight: oh, outWidth: ow, filterHeight: fh, filterWidth: fw } = info;
    const { top, left } = info.padInfo;
    return withScratch(args.backend, (s) => {
      if (fh * fw * inC <= IM2COL_MAX_TAPS)
        return im2colBackpropFilter(s, stock, x, dy, filterShape, [sh, sw], [top, left]);
      // Rows/columns of x that no window reaches (valid padding with a stride) are cropped so that the
      // "output" of the dilated convolution is exactly fh × fw; what is left needs bottom/right padding.
      // (Splitting the batch into L2-sized chunks was measured: within noise, so the whole batch goes at once.)
      const hUse = Math.min(inH, (oh - 1) * sh + fh - top);
      const wUse = Math.min(inW, (ow - 1) * sw + fw - left);
      const pad = explicitPad(top, (oh - 1) * sh + fh - top - hUse, left, (ow - 1) * sw + fw - left - wUse);
      const xs =
        hUse < inH || wUse < inW
          ? s.call(stock.slice, { x }, { begin: [0, 0, 0, 0], size: [batch, hUse, wUse, inC] })
          : x;
      const xT = s.call(stock.transpose, { x: xs }, { perm: [3, 1, 2, 0] }); // [ci, H, W, B]
      const dyT = s.call(stock.transpose, { x: dy }, { perm: [1, 2, 0, 3] }); // [oh, ow, B, co]
      const acc = s.call(stock.conv2d, { x: xT, filter: dyT }, {
        strides: [1, 1],
        dilations: [sh, sw],
        pad,
        dataFormat: 'NHWC',
        dimRoundingMode: undefined,
      } as unknown as NamedAttrMap); // [ci, fh, fw, co]
      return s.call(stock.transpose, { x: acc }, { perm: [1, 2, 0, 3] }); // [fh, fw, ci, co]
    });
  }) as unknown as KernelFunc;
}

/**
 * Spreads dy out by the stride (s − 1 zeros between neighbours), so that the transposed convolution becomes
 * an ordinary stride-1 convolution. Done in JS on the wasm heap: it is a copy, linear in dy.
 */
function zeroInsert(s: Scratch, dy: TensorInfo, sh: number, sw: number): TensorInfo {
  const [b, h, w, c] = dy.shape;
  const hz = (h - 1) * sh + 1;
  const wz = (w - 1) * sw + 1;
  const out = s.make([b, hz, wz, c]);
  // Views are taken after the allocation: growing the heap detaches earlier views.
  const src = s.backend.typedArrayFromHeap(dy) as Float32Array;
  const dst = s.backend.typedArrayFromHeap(out) as Float32Array;
  dst.fill(0);
  for (let n = 0; n < b; n++) {
    for (let i = 0; i < h; i++) {
      let si = (n * h + i) * w * c;
      let di = (n * hz + i * sh) * wz * c;
      for (let j = 0; j < w; j++, si += c, di += sw * c) {
        for (let k = 0; k < c; k++) dst[di + k] = src[si + k];
      }
    }
  }
  return out;
}

/**
 * Conv2DBackpropInput (also the forward pass of conv2dTranspose) on XNNPACK: strided cases split into
 * stride-1 phases (polyphase.ts); the rest, and paddings wider than the filter, one stride-1 convolution.
 */
export function makeConv2DBackpropInput(tf: TfCore, stock: ConvStock): KernelFunc {
  return ((args: KernelArgs): TensorInfo => {
    const { dy, filter } = args.inputs;
    const attrs = args.attrs;
    assertNhwc(attrs, 'Conv2DBackpropInput');
    const inputShape = attrs.inputShape as Shape4;
    const info = conv2DInfo(tf, inputShape, filter.shape as Shape4, attrs);
    const { strideHeight: sh, strideWidth: sw, filterHeight: fh, filterWidth: fw, inHeight, inWidth } = info;
    const hz = (dy.shape[1] - 1) * sh + 1;
    const wz = (dy.shape[2] - 1) * sw + 1;
    const top = fh - 1 - info.padInfo.top;
    const left = fw - 1 - info.padInfo.left;
    const bottom = inHeight + fh - 1 - hz - top;
    const right = inWidth + fw - 1 - wz - left;
    if ((top < 0 || left < 0 || bottom < 0 || right < 0) && stock.backpropInput) {
      // Padding wider than the filter: not expressible as a padded convolution; stay correct, if slow.
      return stock.backpropInput(args as never) as TensorInfo;
    }
    return withScratch(args.backend, (s) => {
      const strided = sh > 1 || sw > 1;
      const pads: [number, number] = [info.padInfo.top, info.padInfo.left];
      if (strided && polyphaseApplies([sh, sw], [fh, fw], pads, [inHeight, inWidth], [dy.shape[1], dy.shape[2]])) {
        return polyphaseBackpropInput(s, stock.conv2d, dy, filter, inputShape, [sh, sw], pads);
      }
      const flipped = s.call(stock.reverse, { x: filter }, { dims: [0, 1] });
      const swapped = s.call(stock.transpose, { x: flipped }, { perm: [0, 1, 3, 2] }); // [fh, fw, co, ci]
      const spread = strided ? zeroInsert(s, dy, sh, sw) : dy;
      const out = s.call(stock.conv2d, { x: spread, filter: swapped }, {
        strides: [1, 1],
        dilations: [1, 1],
        pad: explicitPad(top, bottom, left, right),
        dataFormat: 'NHWC',
        dimRoundingMode: undefined,
      } as unknown as NamedAttrMap);
      return view(out, inputShape);
    });
  }) as unknown as KernelFunc;
}
