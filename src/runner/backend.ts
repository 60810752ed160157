// The backend ladder: the fastest backend that really works here, with the real reason every faster rung was
// skipped. Native modules are required lazily, so an absent package costs one failed resolve.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BACKEND_LADDER, type BackendEvent, type BackendName, type BackendPreference, type RungReport } from '../protocol/runner';
import { installTrainingKernels, startWasm, type TfCore, type TrainingKernelReport, type WasmModule } from './kernels/index';
import { canResolve, packageVersion, type Workspace } from './workspace';
import { limitationsFor, kernelLines } from './limitations';

/** A rung whose package is absent or whose hardware is missing: not an error, just not here. */
class Skip extends Error {}

type Loader = (ws: Workspace, options: LadderOptions) => Promise<string>;

const needs = (ws: Workspace, pkg: string, what: string): void => {
  if (!canResolve(ws.require, pkg)) throw new Skip(`${pkg} not installed (optional; it adds ${what})`);
};

function cudaDevices(): string[] {
  const dir = '/proc/driver/nvidia/gpus';
  if (!existsSync(dir)) return [];
  return readdirSync(dir).map((bus) => {
    try {
      const model = /Model:\s*(.+)/.exec(readFileSync(join(dir, bus, 'information'), 'utf8'));
      return model ? model[1].trim() : `NVIDIA GPU at ${bus}`;
    } catch {
      return `NVIDIA GPU at ${bus}`;
    }
  });
}

const LOADERS: Record<BackendName, Loader> = {
  'tensorflow-gpu': async (ws) => {
    needs(ws, '@tensorflow/tfjs-node-gpu', 'libtensorflow with CUDA');
    const devices = cudaDevices();
    if (devices.length === 0) throw new Skip('no CUDA device (no NVIDIA driver found at /proc/driver/nvidia/gpus)');
    ws.require('@tensorflow/tfjs-node-gpu');
    return `CUDA device: ${devices.join(', ')}`;
  },
  tensorflow: async (ws) => {
    needs(ws, '@tensorflow/tfjs-node', 'native libtensorflow on the CPU');
    ws.require('@tensorflow/tfjs-node');
    return 'libtensorflow on the CPU (native, multi-threaded)';
  },
  webgpu: async (ws) => {
    needs(ws, 'webgpu', 'Dawn, WebGPU for Node');
    needs(ws, '@tensorflow/tfjs-backend-webgpu', 'the tfjs WebGPU backend');
    const dawn = ws.require('webgpu') as { create(flags: string[]): { requestAdapter(): Promise<unknown> }; globals: object };
    Object.assign(globalThis, dawn.globals);
    const gpu = dawn.create([]);
    Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
    const adapter = (await gpu.requestAdapter()) as { info?: { description?: string; vendor?: string } } | null;
    // A missing GPU is a fact about the machine, not a fault: skip, as for an absent package.
    if (!adapter) throw new Skip('no adapter: webgpu (Dawn) loaded but found no GPU adapter (no Vulkan, Metal or D3D12 device with a usable driver)');
    ws.require('@tensorflow/tfjs-backend-webgpu');
    return `WebGPU adapter: ${adapter.info?.description || adapter.info?.vendor || 'found'}`;
  },
  wasm: async (ws, options) => {
    needs(ws, '@tensorflow/tfjs-backend-wasm', 'WebAssembly with SIMD');
    const wasm = ws.require('@tensorflow/tfjs-backend-wasm') as WasmModule;
    const packageDir = dirname(ws.require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
    // Threads: stock tfjs turns them off in Node; startWasm turns them on for all cores, or falls back to one.
    const started = await startWasm(ws.tf as unknown as TfCore, { wasm, packageDir, ...(options.wasmThreads ? { threads: options.wasmThreads } : {}) });
    return `WebAssembly (XNNPACK)${started.fallback ? `; threads unavailable (${started.fallback}), so 1 thread` : ''}`;
  },
  cpu: async () => 'pure JavaScript: about 500× slower than wasm, fine for tests, far too slow for real training',
};

/** tfjs' own name for a rung. */
export const tfName = (b: BackendName): string => (b === 'tensorflow-gpu' ? 'tensorflow' : b);

function firstLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split('\n').find((l) => l.trim() !== '')?.trim() ?? 'unknown error';
}

export interface LadderOptions {
  readonly preference: BackendPreference;
  /** Load every rung (diagnose) instead of stopping at the first that works. */
  readonly all?: boolean;
  /** Called with each rung that became usable, while it is the current backend (diagnose benchmarks here). */
  readonly onLoaded?: (rung: BackendName) => Promise<number | undefined>;
  /** wasm threads; absent or 0 means all cores. */
  readonly wasmThreads?: number;
}

/** Thrown when no rung (or the forced one) works; the ladder says why for each. */
export class NoBackendError extends Error {
  constructor(message: string, readonly ladder: RungReport[]) {
    super(message);
  }
}

/** Walks the ladder, activates the best rung, installs kernels, and describes it all as a `backend` event. */
export async function selectBackend(ws: Workspace, options: LadderOptions): Promise<BackendEvent> {
  const { tf } = ws;
  const ladder: RungReport[] = [];
  let active: BackendName | undefined;
  let activeReason = '';
  for (const rung of BACKEND_LADDER) {
    if (options.preference !== 'auto' && rung !== options.preference) {
      ladder.push({ backend: rung, status: 'skipped', reason: `not tried: the backend setting forces ${options.preference}` });
      continue;
    }
    if (active && !options.all) {
      ladder.push({ backend: rung, status: 'skipped', reason: `not tried: ${active} is faster and works` });
      continue;
    }
    try {
      let reason = await LOADERS[rung](ws, options);
      const ok = await tf.setBackend(tfName(rung));
      if (!ok || tf.getBackend() !== tfName(rung)) {
        throw new Error(`tf.setBackend('${tfName(rung)}') did not take effect (tfjs is on '${tf.getBackend()}'); see the output for tfjs' own warning`);
      }
      if (rung === 'wasm') {
        reason += `, SIMD ${tf.env().getBool('WASM_HAS_SIMD_SUPPORT') ? 'on' : 'off'}, ${(ws.require('@tensorflow/tfjs-backend-wasm') as { getThreadsCount(): number }).getThreadsCount()} thread(s)`;
      }
      const gflops = options.onLoaded ? await options.onLoaded(rung) : undefined;
      ladder.push({ backend: rung, status: active ? 'available' : 'active', reason, ...(gflops !== undefined ? { gflops } : {}) });
      if (!active) {
        active = rung;
        activeReason = reason;
      }
    } catch (err) {
      ladder.push({ backend: rung, status: err instanceof Skip ? 'skipped' : 'failed', reason: firstLine(err) });
    }
  }
  if (!active) {
    const why = ladder.filter((r) => options.preference === 'auto' || r.backend === options.preference).map((r) => `${r.backend}: ${r.reason}`).join('; ');
    throw new NoBackendError(options.preference === 'auto' ? `No tfjs backend could start (${why}).` : `The backend ${options.preference}, forced in the settings, could not start: ${why}.`, ladder);
  }
  if (options.all && tf.getBackend() !== tfName(active)) await tf.setBackend(tfName(active));

  let kernels: TrainingKernelReport | undefined;
  let kernelError: string | undefined;
  if (active === 'wasm' || active === 'cpu') {
    try {
      kernels = installTrainingKernels(tf as unknown as TfCore);
    } catch (err) {
      kernelError = firstLine(err);
    }
  }
  const above = ladder.slice(0, BACKEND_LADDER.indexOf(active)).map((r) => `${r.backend}: ${r.reason}`);
  const why = `Running on ${active} (${activeReason})${above.length ? ` because ${above.join('; ')}` : ''}.`;
  const cuda = cudaDevices();
  return {
    type: 'backend', active, why, ladder,
    gpus: cuda.length ? cuda.map((d) => `${d} (NVIDIA driver)`) : ['none: no NVIDIA driver at /proc/driver/nvidia/gpus'],
    versions: versionsOf(ws),
    kernels: kernels ? kernelLines(kernels) : [],
    limitations: limitationsFor(tf as unknown as TfCore, active, kernelError),
  };
}

const PACKAGES = ['@tensorflow/tfjs', '@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-node',
  '@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-backend-webgpu', 'webgpu'];

/** Versions of the tfjs packages installed in the workspace (absent ones left out), plus Node's. */
export function versionsOf(ws: Workspace): Record<string, string> {
  const versions: Record<string, string> = { node: process.versions.node };
  for (const p of PACKAGES) {
    const v = packageVersion(ws.require, p);
    if (v) versions[p] = v;
  }
  return versions;
}
