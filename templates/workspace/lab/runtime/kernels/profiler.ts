// Per-kernel timing for one backend: wraps every registered kernel with a wall-clock timer and counts the
// useful FLOPs of the compute-bound ones (convolutions and matrix products, at their nominal shapes, so the
// zeros a transposed convolution inserts are not credited). wasm kernels run synchronously, so wall-clock
// time around a kernel call is that kernel's time. Used by the training bench; cheap enough for the runner.
import { sizeOf, type KernelFunc, type NamedAttrMap, type TensorInfo, type TfCore } from './context';

/** Accumulated figures for one kernel. */
export interface KernelStat {
  kernel: string;
  calls: number;
  ms: number;
  flops: number;
}

/** A running profile; `restore()` puts the unwrapped kernels back. */
export interface KernelProfile {
  stats(): KernelStat[];
  reset(): void;
  restore(): void;
}

type Args = { inputs: Record<string, TensorInfo>; attrs: NamedAttrMap };

function convFlops(dyShape: number[], filterShape: number[]): number {
  // 2 · (output elements) · (taps per output): the same count for forward, dx and dW.
  const [fh, fw, ci] = filterShape;
  return 2 * sizeOf(dyShape) * fh * fw * ci;
}

function matMulFlops(a: TensorInfo, b: TensorInfo, attrs: NamedAttrMap): number {
  const ra = a.shape.length;
  const rb = b.shape.length;
  const m = attrs.transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const k = attrs.transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const n = attrs.transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  const batch = Math.max(sizeOf(a.shape.slice(0, -2)), sizeOf(b.shape.slice(0, -2)));
  return 2 * batch * m * k * n;
}

/** Useful FLOPs of one kernel call, or 0 for kernels that are not compute-bound. */
export function kernelFlops(kernel: string, { inputs, attrs }: Args, out: TensorInfo | TensorInfo[]): number {
  const first = Array.isArray(out) ? out[0] : out;
  switch (kernel) {
    case 'Conv2D':
    case 'FusedConv2D':
      return convFlops(first.shape, inputs.filter.shape);
    case 'Conv2DBackpropInput':
      return convFlops(inputs.dy.shape, inputs.filter.shape);
    case 'Conv2DBackpropFilter':
      return convFlops(inputs.dy.shape, attrs.filterShape as number[]);
    case 'DepthwiseConv2dNative':
    case 'FusedDepthwiseConv2D':
      return 2 * sizeOf(first.shape) * inputs.filter.shape[0] * inputs.filter.shape[1];
    case 'BatchMatMul':
    case '_FusedMatMul':
      return matMulFlops(inputs.a, inputs.b, attrs);
    default:
      return 0;
  }
}

/** Wraps every kernel of `backendName` registered in `tf` with a timer. */
export function profileKernels(tf: TfCore, backendName: string): KernelProfile {
  const stats = new Map<string, KernelStat>();
  const originals = tf.getKernelsForBackend(backendName).map((k) => ({ ...k }));
  for (const k of originals) {
    const name = k.kernelName;
    const inner = k.kernelFunc;
    const timed = ((args: Args & { backend: unknown }) => {
      const t0 = performance.now();
      const out = inner(args as never) as TensorInfo | TensorInfo[];
      const ms = performance.now() - t0;
      let s = stats.get(name);
      if (!s) stats.set(name, (s = { kernel: name, calls: 0, ms: 0, flops: 0 }));
      s.calls++;
      s.ms += ms;
      s.flops += kernelFlops(name, args, out);
      return out;
    }) as unknown as KernelFunc;
    tf.unregisterKernel(name, backendName);
    tf.registerKernel({ ...k, kernelFunc: timed });
  }
  return {
    stats: () => [...stats.values()].sort((a, b) => b.ms - a.ms),
    reset: () => stats.clear(),
    restore: () => {
      for (const k of originals) {
        tf.unregisterKernel(k.kernelName, backendName);
        tf.registerKernel(k);
      }
    },
  };
}
