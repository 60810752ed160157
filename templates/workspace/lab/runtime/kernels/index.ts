// Training kernels for tfjs 4.22: makes the wasm backend able to train conv nets, UNets and transformers
// (missing gradients added, wrong ones replaced, slow paths moved onto XNNPACK), fixes the cpu backend's
// resize and avgPool gradients, and lets matMul with broadcast batch dimensions train. Installed into the tfjs
// instance the runner loaded, never into a private copy.
import { captureStock, type KernelFunc, type TfCore } from './context';
import { makeCpuBridge } from './bridge';
import { makeConv2DBackpropFilter, makeConv2DBackpropInput, type ConvStock } from './conv2d';
import { makeDepthwiseBackpropFilter, makeDepthwiseBackpropInput } from './depthwise';
import { makeIdentity, makeSplitV, makeSum, makeTanh } from './elementwise';
import { makeBatchMatMul } from './matmul';
import { hasGradientOps, registerBatchMatMulGradient } from './gradients';
import { makeCpuAvgPoolGrad, makeMaxPoolGrad, makeWasmAvgPoolGrad } from './pooling';
import {
  makeCpuResizeBilinearGrad,
  makeCpuResizeNearestNeighborGrad,
  makeWasmResizeBilinearGrad,
  makeWasmResizeNearestNeighborGrad,
} from './resize';
import { makeSamePadFix } from './samepad';
import { makeUnsortedSegmentSum } from './segment';

export type { TfCore } from './context';
export { startWasm, type WasmModule, type WasmStartOptions, type WasmStartResult } from './threads';

/** One kernel this module registered. */
export interface KernelChange {
  kernel: string;
  /** 'all': a gradient (tfjs-core's registry is shared by every backend), not a kernel. */
  backend: 'wasm' | 'cpu' | 'all';
  /** added: the backend had none; replaced: the stock one was wrong or slow; bridged: runs on cpu, counted. */
  change: 'added' | 'replaced' | 'bridged';
  why: string;
}

/** What `installTrainingKernels` did, for the runner's backend diagnosis. */
export interface TrainingKernelReport {
  tfjsVersion: string;
  /** False when @tensorflow/tfjs-backend-wasm was not loaded into this tfjs instance: nothing wasm was done. */
  wasmLoaded: boolean;
  /**
   * False when no gradients are registered at all (tfjs-core's Node bundle registers none; import
   * '@tensorflow/tfjs-core/dist/register_all_gradients' or use @tensorflow/tfjs): training cannot work.
   */
  gradientsRegistered: boolean;
  changes: KernelChange[];
  /** Live count of wasm kernel calls that ran on the cpu backend through a bridge, by kernel name. */
  bridgeCalls: Record<string, number>;
}

const TESTED_VERSION = '4.22.0';
const installed = new WeakMap<object, TrainingKernelReport>();

interface Own {
  kernel: string;
  func: KernelFunc;
  why: string;
}

function replace(tf: TfCore, report: TrainingKernelReport, backend: 'wasm' | 'cpu', own: Own): void {
  const stockConfig = tf.getKernel(own.kernel, backend);
  const had = stockConfig !== undefined;
  if (had) tf.unregisterKernel(own.kernel, backend);
  // The stock setupFunc binds the stock kernel's wasm function to each new wasm module (every setBackend,
  // so also after an engine reset); our kernel calls the stock one, so it carries that setup over.
  tf.registerKernel({
    kernelName: own.kernel,
    backendName: backend,
    kernelFunc: own.func,
    setupFunc: stockConfig?.setupFunc,
    disposeFunc: stockConfig?.disposeFunc,
  });
  report.changes.push({ kernel: own.kernel, backend, change: had ? 'replaced' : 'added', why: own.why });
}

function wasmKernels(tf: TfCore, stock: (name: string) => KernelFunc): Own[] {
  const conv: ConvStock = {
    conv2d: stock('Conv2D'),
    batchMatMul: stock('BatchMatMul'),
    transpose: stock('Transpose'),
    slice: stock('Slice'),
    reverse: stock('Reverse'),
    backpropInput: tf.getKernel('Conv2DBackpropInput', 'wasm')?.kernelFunc,
  };
  return [
    {
      kernel: 'Conv2DBackpropFilter',
      func: makeConv2DBackpropFilter(tf, conv),
      why: 'missing; an XNNPACK conv (im2col + GEMM for few taps)',
    },
    {
      kernel: 'Conv2DBackpropInput',
      func: makeConv2DBackpropInput(tf, conv),
      why: 'stock is a scalar loop; now a stride-1 XNNPACK conv',
    },
    {
      kernel: 'DepthwiseConv2dNativeBackpropInput',
      func: makeDepthwiseBackpropInput(tf),
      why: 'missing; depthwise input gradient',
    },
    {
      kernel: 'DepthwiseConv2dNativeBackpropFilter',
      func: makeDepthwiseBackpropFilter(tf),
      why: 'missing; depthwise filter gradient',
    },
    { kernel: 'UnsortedSegmentSum', func: makeUnsortedSegmentSum(), why: 'missing; gradient of gather (embeddings)' },
    { kernel: 'MaxPoolGrad', func: makeMaxPoolGrad(tf), why: 'stock drops the gradient of all-negative windows' },
    {
      kernel: 'ResizeNearestNeighborGrad',
      func: makeWasmResizeNearestNeighborGrad(),
      why: 'stock picks source pixels in float64, the forward in float32: the gradient did not belong to the forward',
    },
    { kernel: 'ResizeBilinearGrad', func: makeWasmResizeBilinearGrad(), why: 'stock ignores halfPixelCenters' },
    {
      kernel: 'AvgPoolGrad',
      func: makeWasmAvgPoolGrad(tf),
      why: 'stock divides border windows by the full window, the forward by the pixels inside',
    },
    ...(
      [
        ['Conv2D', false],
        ['FusedConv2D', false],
        ['DepthwiseConv2dNative', true],
        ['FusedDepthwiseConv2D', true],
      ] as const
    ).map(([kernel, depthwise]) => ({
      kernel,
      func: makeSamePadFix(tf, stock(kernel), depthwise),
      why: "XNNPACK pads 'same' wrongly when the stride exceeds the filter; those calls get explicit pads",
    })),
    {
      kernel: 'BatchMatMul',
      func: makeBatchMatMul(tf, { batchMatMul: stock('BatchMatMul'), transpose: stock('Transpose') }),
      why: 'stock is fast only un-transposed and un-batched; every case now reaches that GEMM',
    },
    {
      kernel: 'Sum',
      func: makeSum(stock('Sum')),
      why: 'sums over leading axes (bias gradients) without the stock transpose',
    },
    {
      kernel: 'Identity',
      func: makeIdentity(),
      why: 'clones share the buffer (reference count) instead of copying it',
    },
    {
      kernel: 'SplitV',
      func: makeSplitV(),
      why: 'concat gradients: one memcpy per row instead of a Slice kernel per output',
    },
    {
      kernel: 'Tanh',
      func: makeTanh(stock('Elu'), stock('Tanh')),
      why: 'stock is scalar libm (3× slower); now expm1 (ELU) on XNNPACK, precise near 0',
    },
  ];
}

/**
 * Installs the training kernels into `tf` (the tfjs-core namespace the runner uses) and returns what was done.
 * Call it after importing the backends and before training; calling it again returns the first report.
 * Kernels the wasm backend still lacks afterwards are bridged to the cpu backend and counted in
 * `report.bridgeCalls`, so a slow path shows up in the diagnosis instead of as an error mid-training.
 */
export function installTrainingKernels(tf: TfCore): TrainingKernelReport {
  const key = tf.engine() as object;
  const previous = installed.get(key);
  if (previous) return previous;
  const report: TrainingKernelReport = {
    tfjsVersion: tf.version_core,
    wasmLoaded: tf.getKernel('Conv2D', 'wasm') !== undefined,
    gradientsRegistered: tf.getGradient('Conv2D') !== undefined,
    changes: [],
    bridgeCalls: {},
  };
  if (tf.version_core !== TESTED_VERSION) {
    throw new Error(
      `Training kernels are written and tested for tfjs ${TESTED_VERSION}, but tfjs ${tf.version_core} is loaded. Pin @tensorflow/tfjs-* to ${TESTED_VERSION}.`,
    );
  }
  if (tf.getKernel('ResizeNearestNeighborGrad', 'cpu')) {
    replace(tf, report, 'cpu', {
      kernel: 'ResizeNearestNeighborGrad',
      func: makeCpuResizeNearestNeighborGrad(),
      why: 'stock uses a wrong batch stride (batch > 1)',
    });
    replace(tf, report, 'cpu', {
      kernel: 'ResizeBilinearGrad',
      func: makeCpuResizeBilinearGrad(),
      why: 'stock returns [b, W, H, c] (throws when H ≠ W) and ignores halfPixelCenters',
    });
    replace(tf, report, 'cpu', {
      kernel: 'AvgPoolGrad',
      func: makeCpuAvgPoolGrad(tf),
      why: 'stock divides border windows by the full window, the forward by the pixels inside',
    });
  }
  if (report.gradientsRegistered && hasGradientOps(tf)) {
    registerBatchMatMulGradient(tf);
    report.changes.push({
      kernel: 'BatchMatMul gradient',
      backend: 'all',
      change: 'replaced',
      why: 'stock throws when batch dimensions broadcast; now summed over them',
    });
  }
  if (report.wasmLoaded) {
    const stock = (name: string): KernelFunc => {
      const f = captureStock(tf, name, 'wasm');
      if (!f)
        throw new Error(`wasm kernel ${name} is missing; is @tensorflow/tfjs-backend-wasm ${TESTED_VERSION} loaded?`);
      return f;
    };
    // Capture every stock function before registering anything, so no kernel calls a replacement.
    const own = wasmKernels(tf, stock);
    for (const k of own) replace(tf, report, 'wasm', k);
    bridgeTheRest(tf, report);
  }
  installed.set(key, report);
  return report;
}

/** Kernels never bridged: complex and string tensors have no wasm representation; Draw needs a canvas. */
const NOT_BRIDGEABLE = new Set(['Complex', 'ComplexAbs', 'FFT', 'IFFT', 'Imag', 'Real', 'StaticRegexReplace', 'Draw']);

function bridgeTheRest(tf: TfCore, report: TrainingKernelReport): void {
  const onWasm = new Set(tf.getKernelsForBackend('wasm').map((k) => k.kernelName));
  for (const k of tf.getKernelsForBackend('cpu')) {
    if (onWasm.has(k.kernelName) || NOT_BRIDGEABLE.has(k.kernelName)) continue;
    const name = k.kernelName;
    report.bridgeCalls[name] = 0;
    tf.registerKernel({
      kernelName: name,
      backendName: 'wasm',
      kernelFunc: makeCpuBridge(tf, k.kernelFunc, () => {
        report.bridgeCalls[name]++;
      }),
    });
    report.changes.push({
      kernel: name,
      backend: 'wasm',
      change: 'bridged',
      why: 'no wasm kernel; runs on cpu (pure JS, slow)',
    });
  }
}

/** One line per change, for a diagnosis printout. */
export function describeTrainingKernels(report: TrainingKernelReport): string[] {
  const lines = [
    `tfjs ${report.tfjsVersion}, wasm ${report.wasmLoaded ? 'loaded' : 'not loaded'}, gradients ${report.gradientsRegistered ? 'registered' : 'NOT registered (training will fail)'}`,
  ];
  const bridged = report.changes.filter((c) => c.change === 'bridged');
  for (const c of report.changes)
    if (c.change !== 'bridged') lines.push(`${c.backend} ${c.kernel}: ${c.change} (${c.why})`);
  const used = Object.entries(report.bridgeCalls).filter(([, n]) => n > 0);
  lines.push(
    `${bridged.length} kernels bridged to cpu; used so far: ${used.length ? used.map(([k, n]) => `${k}×${n}`).join(', ') : 'none'}`,
  );
  return lines;
}
