// Shared plumbing for the training kernels: the slice of the tfjs-core API they use, the slice of the wasm
// backend they touch, and helpers to call stock wasm kernels from inside our own. Everything is typed
// structurally so this module never imports a tfjs copy of its own: the runner passes in the one it loaded.
import type * as tfc from '@tensorflow/tfjs-core';

/** The tfjs-core namespace (or a module re-exporting it) that the kernels are installed into. */
export type TfCore = Pick<
  typeof tfc,
  | 'registerKernel'
  | 'unregisterKernel'
  | 'getKernel'
  | 'getKernelsForBackend'
  | 'backend_util'
  | 'util'
  | 'engine'
  | 'findBackend'
  | 'version_core'
  | 'getGradient'
  | 'env'
  | 'setBackend'
>;

export type TensorInfo = tfc.TensorInfo;
export type NamedAttrMap = tfc.NamedAttrMap;
export type KernelFunc = tfc.KernelFunc;

/** What a kernel function receives, as our kernels read it: named inputs, the backend, the op's attributes. */
export type KernelArgs = { inputs: Record<string, TensorInfo>; backend: unknown; attrs: NamedAttrMap };

/** The few members of tfjs-backend-wasm's BackendWasm we rely on (stable across 4.x). */
export interface WasmBackend {
  makeOutput(shape: number[], dtype: tfc.DataType): TensorInfo;
  disposeData(dataId: object, force?: boolean): boolean;
  typedArrayFromHeap(info: TensorInfo): Float32Array | Int32Array | Uint8Array;
  readSync(dataId: object): ArrayLike<number> | Uint8Array[];
  numDataIds(): number;
}

/**
 * Captures a stock kernel before we replace or wrap anything, so our kernels always call the XNNPACK
 * implementation itself and never recurse into a replacement (or into a profiler wrapper).
 */
export function captureStock(tf: TfCore, kernelName: string, backendName: string): KernelFunc | undefined {
  return tf.getKernel(kernelName, backendName)?.kernelFunc;
}

/**
 * Runs stock kernels against one backend and remembers every intermediate it produced, so a kernel can free
 * them all at the end: the engine only tracks what the kernel returns, so a forgotten intermediate would leak
 * wasm heap without ever showing up in `tf.memory().numTensors`.
 */
export class Scratch {
  private readonly owned: TensorInfo[] = [];
  constructor(readonly backend: WasmBackend) {}

  /** Calls `fn` and takes ownership of its (single) output. */
  call(fn: KernelFunc, inputs: Record<string, TensorInfo>, attrs: NamedAttrMap = {}): TensorInfo {
    const out = fn({ inputs, attrs, backend: this.backend as unknown as tfc.KernelBackend }) as TensorInfo;
    this.owned.push(out);
    return out;
  }

  /** A fresh output of the backend owned by this scratch area. */
  make(shape: number[], dtype: tfc.DataType = 'float32'): TensorInfo {
    const out = this.backend.makeOutput(shape, dtype);
    this.owned.push(out);
    return out;
  }

  /** Frees one intermediate early (inside loops, to keep the heap small). */
  free(t: TensorInfo): void {
    const i = this.owned.indexOf(t);
    if (i >= 0) {
      this.owned.splice(i, 1);
      this.backend.disposeData(t.dataId);
    }
  }

  /** Hands `keep` to the caller (it becomes the kernel's output) and frees everything else. */
  release(keep?: TensorInfo): void {
    for (const t of this.owned) {
      if (keep === undefined || t.dataId !== keep.dataId) this.backend.disposeData(t.dataId);
    }
    this.owned.length = 0;
  }
}

/**
 * Runs a kernel's body with a Scratch on `backend` and returns the body's result (or a view of one of its
 * intermediates): every other intermediate is freed, and all of them when the body throws.
 */
export function withScratch(backend: unknown, body: (s: Scratch) => TensorInfo): TensorInfo {
  const s = new Scratch(backend as WasmBackend);
  try {
    const out = body(s);
    s.release(out);
    return out;
  } catch (e) {
    s.release();
    throw e;
  }
}

/** Same data, another shape: a reshape costs nothing for a contiguous buffer and needs no new allocation. */
export function view(t: TensorInfo, shape: number[]): TensorInfo {
  return { dataId: t.dataId, shape, dtype: t.dtype };
}

/** Reads an attribute that tfjs may give as a number or a [h, w] pair. */
export function pair(v: unknown): [number, number] {
  if (typeof v === 'number') return [v, v];
  const a = v as number[];
  return [a[0], a[1]];
}

/** Product of the dimensions. */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}
