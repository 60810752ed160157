// 'same' padding for the stock wasm convolutions (Conv2D, DepthwiseConv2dNative and their fused forms). They
// hand 'same' to XNNPACK as its TensorFlow-SAME flag, and XNNPACK computes the total padding as
// (out − 1)·stride + filter − in in unsigned arithmetic, never clamped at 0 as TensorFlow does. When the stride
// is larger than the filter and the windows do not reach the last pixels (7 wide, 2×2 filter, stride 3), that
// wraps around and the convolution reads the wrong pixels: the forward differs from cpu by up to 4.4, and every
// gradient then disagrees with it. Those calls get tfjs's own pads, explicitly; all others go through unchanged.
import type { KernelArgs, KernelFunc, TensorInfo, TfCore } from './context';

type Explicit = [[number, number], [number, number], [number, number], [number, number]];

/** tfjs's pads for a 'same' call that XNNPACK would pad wrongly, or null when the stock call is right. */
export function explicitSamePad(tf: TfCore, args: KernelArgs, depthwise: boolean): Explicit | null {
  const a = args.attrs;
  if (a.pad !== 'same' || (a.dataFormat !== undefined && a.dataFormat !== 'NHWC')) return null;
  const { x, filter } = args.inputs;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filter.shape as [number, number, number, number],
    a.strides as [number, number],
    (a.dilations ?? 1) as [number, number],
    'same',
    a.dimRoundingMode as 'floor' | undefined,
    depthwise,
  );
  const short =
    (info.outHeight - 1) * info.strideHeight + info.effectiveFilterHeight < info.inHeight ||
    (info.outWidth - 1) * info.strideWidth + info.effectiveFilterWidth < info.inWidth;
  if (!short) return null;
  const p = info.padInfo;
  return [
    [0, 0],
    [p.top, p.bottom],
    [p.left, p.right],
    [0, 0],
  ];
}

/** Wraps a stock wasm convolution so 'same' calls that XNNPACK would pad wrongly get explicit pads. */
export function makeSamePadFix(tf: TfCore, stock: KernelFunc, depthwise: boolean): KernelFunc {
  return ((args: KernelArgs): TensorInfo => {
    const pad = explicitSamePad(tf, args, depthwise);
    return stock((pad ? { ...args, attrs: { ...args.attrs, pad } } : args) as never) as TensorInfo;
  }) as unknown as KernelFunc;
}
