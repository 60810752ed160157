// What cannot train on the active backend, derived from the kernels actually registered, so the list shrinks on
// its own as the training kernels (./kernels) grow.
import type { BackendName } from './ladder';
import type { TfCore, TrainingKernelReport } from './kernels/index';
import { hasBroadcastMatMulGradient } from './kernels/gradients';

/** Gradient kernels that common models need, and the models that fail without them. */
const NEEDED_ON_WASM: ReadonlyArray<readonly [string, string]> = [
  ['Conv2DBackpropFilter', 'conv nets, UNets and conv2dTranspose'],
  ['Conv2DBackpropInput', 'stacked conv nets and UNets'],
  ['DepthwiseConv2dNativeBackpropInput', 'depthwise and separable convolutions'],
  ['DepthwiseConv2dNativeBackpropFilter', 'depthwise and separable convolutions'],
  ['UnsortedSegmentSum', 'embeddings (the gradient of gather): text encoders and transformers over tokens'],
];

/** Plain statements of what cannot train on `active` (empty when everything can). */
export function limitationsFor(tf: TfCore, active: BackendName, kernelError?: string): string[] {
  const out: string[] = [];
  if (kernelError)
    out.push(`The training kernels could not be installed (${kernelError}); stock tfjs kernels are used.`);
  if (active === 'wasm') {
    for (const [kernel, models] of NEEDED_ON_WASM) {
      if (!tf.getKernel(kernel, 'wasm')) out.push(`Cannot train ${models} on wasm: kernel ${kernel} is missing.`);
    }
    out.push('Conv3D gradients are wrong on wasm: 3-D conv nets do not train correctly here.');
  }
  if ((active === 'wasm' || active === 'cpu') && kernelError) {
    out.push(
      "Stock tfjs gradients are wrong here: avgPool at the borders of 'same' or padded windows, resizeBilinear (cpu throws when height ≠ width; wasm ignores halfPixelCenters), and on wasm resizeNearestNeighbor for some sizes and conv2d with 'same' padding when the stride exceeds the filter.",
    );
  }
  if (active === 'wasm' || active === 'cpu') {
    out.push(
      'matMul cannot broadcast the batch dimensions of both operands at once ([3, 1, …] × [1, 3, …]): tfjs computes only max(batch of a, batch of b) products and returns a tensor missing the rest. Broadcast one operand, or tile it first.',
    );
  }
  if (!hasBroadcastMatMulGradient(tf)) {
    out.push(
      "matMul with broadcast batch dimensions (a [batch, T, D] input times a shared [D, E] weight) has no gradient in stock tfjs: training throws 'Error in gradient for op BatchMatMul'. Reshape the input to 2-D first.",
    );
  }
  if (active === 'cpu')
    out.push('The cpu backend is pure JavaScript, about 500× slower than wasm: real training runs would take hours.');
  if (active === 'webgpu') {
    out.push(
      'Synchronous reads (t.dataSync(), t.arraySync(), t.bufferSync()) fail on webgpu in Node: read with await t.data() or await t.array().',
    );
    out.push(
      "avgPool with 'same' padding has wrong gradients at the borders on webgpu (stock tfjs divides by the full window).",
    );
  }
  if (active === 'tensorflow' || active === 'tensorflow-gpu') {
    out.push(
      'Native TensorFlow runs its own kernels: the training kernels of this runtime are not used, and its gradients were not checked by this project (no libtensorflow here).',
    );
  }
  out.push('conv2d with dilation > 1 has no gradient in tfjs on any backend: dilated convolutions cannot be trained.');
  out.push('einsum has no gradient in tfjs on any backend: write trainable code with matMul instead.');
  out.push(
    'tf.fused.matMul with broadcast batch dimensions and no activation has no gradient in tfjs (it throws): use tf.matMul plus the bias.',
  );
  return out;
}

/** One line per kernel the runner changed (bridged kernels counted in one line). */
export function kernelLines(report: TrainingKernelReport): string[] {
  const lines = report.changes
    .filter((c) => c.change !== 'bridged')
    .map((c) => `${c.backend} ${c.kernel}: ${c.change} (${c.why})`);
  const bridged = report.changes.filter((c) => c.change === 'bridged').length;
  if (bridged) lines.push(`${bridged} other wasm kernels bridged to cpu`);
  return lines;
}
