// The last resort for kernels wasm lacks entirely: copy the inputs to the cpu backend, run its kernel, copy
// the outputs back. Correct but slow (the cpu backend is pure JS), so every call is counted: the report shows
// the counts and the tests require zero bridged calls in the training step of each reference model.
import type { KernelFunc, NamedAttrMap, TensorInfo, TfCore, WasmBackend } from './context';

interface CpuBackend {
  write(values: unknown, shape: number[], dtype: string): object;
  readSync(dataId: object): ArrayLike<number>;
  disposeData(dataId: object, force?: boolean): boolean;
}

type Input = TensorInfo | TensorInfo[] | undefined;
type Args = { inputs: Record<string, Input> | TensorInfo[]; backend: unknown; attrs: NamedAttrMap };

/** Wraps the cpu kernel `cpuKernel` as a wasm kernel; `onCall` counts each use. */
export function makeCpuBridge(tf: TfCore, cpuKernel: KernelFunc, onCall: () => void): KernelFunc {
  return ((args: Args): TensorInfo | TensorInfo[] => {
    onCall();
    const cpu = tf.findBackend('cpu') as unknown as CpuBackend | null;
    if (!cpu)
      throw new Error(
        'A wasm kernel needs the cpu backend as a fallback, but @tensorflow/tfjs-backend-cpu is not loaded.',
      );
    const wasm = args.backend as WasmBackend;
    const written: object[] = [];
    const toCpu = (t: TensorInfo): TensorInfo => {
      const dataId = cpu.write(wasm.readSync(t.dataId), t.shape, t.dtype);
      written.push(dataId);
      return { dataId, shape: t.shape, dtype: t.dtype };
    };
    // Some kernels (Einsum, Pack, Concat…) take an array of inputs, and some (RaggedGather,
    // RaggedTensorToTensor) a named list of tensors: keep each container kind.
    const cpuInputs: Record<string, Input> | TensorInfo[] = Array.isArray(args.inputs) ? [] : {};
    try {
      for (const [name, t] of Object.entries(args.inputs) as [string, Input][]) {
        if (t) (cpuInputs as Record<string, Input>)[name] = Array.isArray(t) ? t.map(toCpu) : toCpu(t);
      }
      const result = cpuKernel({
        inputs: cpuInputs as Record<string, TensorInfo>,
        attrs: args.attrs,
        backend: cpu as never,
      }) as TensorInfo | TensorInfo[];
      const outs = Array.isArray(result) ? result : [result];
      const back = outs.map((o) => {
        const values = cpu.readSync(o.dataId);
        cpu.disposeData(o.dataId);
        const w = wasm.makeOutput(o.shape, o.dtype);
        (wasm.typedArrayFromHeap(w) as Float32Array).set(values as Float32Array);
        return w;
      });
      return Array.isArray(result) ? back : back[0];
    } finally {
      for (const id of written) cpu.disposeData(id);
    }
  }) as unknown as KernelFunc;
}
