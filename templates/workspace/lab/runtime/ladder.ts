/**
 * The backend ladder: the fastest TensorFlow.js backend that really works on this machine, with the real reason
 * every faster rung was skipped. The extension's runner and a terminal run (`lab.run`, the workspace's `npm test`)
 * use this one file, so both pick the same backend, install the same training kernels and say the same thing.
 *
 * Native modules are required lazily, so an absent package costs one failed resolve.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  installTrainingKernels,
  startWasm,
  type TfCore,
  type TrainingKernelReport,
  type WasmModule,
} from './kernels/index';
import { kernelLines, limitationsFor } from './limitations';
import { cachedGpuVerdict, gpuCacheFile, probeInChild, probeKey, type GpuVerdict } from './gpuProbe';
import { guardSyncReads } from './syncReads';
import { RUNTIME_VERSION } from './version';

import { BACKEND_LADDER, type BackendName, type BackendPreference, type RungReport } from './backends';
export { BACKEND_LADDER, type BackendName, type BackendPreference, type RungReport };

/** What the ladder chose, and everything a learner needs to know about it. */
export interface BackendReport {
  readonly active: BackendName;
  /** One line: "Running on wasm (…) because tensorflow-gpu: …; webgpu: …." */
  readonly why: string;
  readonly ladder: readonly RungReport[];
  readonly gpus: readonly string[];
  readonly versions: Readonly<Record<string, string>>;
  readonly kernels: readonly string[];
  readonly limitations: readonly string[];
}

/** The workspace as the ladder sees it: a `require` from the workspace root, and the tfjs it resolves. */
export interface RuntimeWorkspace {
  readonly require: NodeJS.Require;
  readonly tf: typeof import('@tensorflow/tfjs');
}

export interface LadderOptions {
  readonly preference: BackendPreference;
  /** Load every rung (diagnose) instead of stopping at the first that works. */
  readonly all?: boolean;
  /** Called with each rung that became usable, while it is the current backend (diagnose benchmarks here). */
  readonly onLoaded?: (rung: BackendName) => Promise<{ gflops?: number; trainStepsPerSecond?: number } | undefined>;
  /** wasm threads; absent or 0 means all cores. */
  readonly wasmThreads?: number;
  /**
   * Whether Dawn has a usable adapter. Default: the verdict cached for this machine (gpuProbe.ts), probed in a child
   * process when there is none, or afresh when `fresh` (Diagnose Backends).
   */
  readonly gpuVerdict?: (
    ws: RuntimeWorkspace,
    fresh: boolean,
  ) => Promise<{ verdict: GpuVerdict; cached: boolean; cacheError?: string }>;
}

/** The default `gpuVerdict`: the machine's cache, keyed on the workspace's webgpu packages and the driver. */
export function machineGpuVerdict(
  ws: RuntimeWorkspace,
  fresh: boolean,
): Promise<{ verdict: GpuVerdict; cached: boolean; cacheError?: string }> {
  return cachedGpuVerdict(probeKey(ws.require), {
    file: gpuCacheFile(),
    fresh,
    probe: () => probeInChild(ws.require.resolve('webgpu')),
  });
}

/** A rung whose package is absent or whose hardware is missing: not an error, just not here. */
class Skip extends Error {}

/** Thrown when no rung (or the forced one) works; the ladder says why for each. */
export class NoBackendError extends Error {
  constructor(
    message: string,
    readonly ladder: RungReport[],
  ) {
    super(message);
    this.name = 'NoBackendError';
  }
}

/** True when `request` resolves from the workspace. */
export function canResolve(req: NodeJS.Require, request: string): boolean {
  try {
    req.resolve(request);
    return true;
  } catch {
    return false;
  }
}

/** The version of `pkg` installed in the workspace, or undefined. */
export function packageVersion(req: NodeJS.Require, pkg: string): string | undefined {
  try {
    return (req(`${pkg}/package.json`) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

const needs = (ws: RuntimeWorkspace, pkg: string, what: string): void => {
  if (!canResolve(ws.require, pkg)) throw new Skip(`${pkg} not installed (optional; it adds ${what})`);
};

/** NVIDIA GPUs the driver lists (Linux), whatever packages are installed. */
export function cudaDevices(): string[] {
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

interface AdapterLike {
  isFallbackAdapter?: boolean;
  info?: { description?: string; vendor?: string; architecture?: string; device?: string; isFallbackAdapter?: boolean };
}

/** A software adapter (lavapipe, SwiftShader, WARP) emulates a GPU on the CPU: far slower than wasm. */
export function isSoftwareAdapter(adapter: AdapterLike): boolean {
  if (adapter.info?.isFallbackAdapter === true || adapter.isFallbackAdapter === true) return true;
  const name =
    `${adapter.info?.description ?? ''} ${adapter.info?.device ?? ''} ${adapter.info?.architecture ?? ''}`.toLowerCase();
  return /llvmpipe|lavapipe|swiftshader|microsoft basic render/.test(name);
}

function adapterName(adapter: AdapterLike): string {
  const i = adapter.info ?? {};
  return [i.description, i.vendor, i.architecture].filter((s) => s && s.trim()).join(', ') || 'unnamed adapter';
}

type Loader = (ws: RuntimeWorkspace, options: LadderOptions) => Promise<string>;

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
  webgpu: async (ws, options) => {
    needs(ws, 'webgpu', 'Dawn, WebGPU for Node');
    needs(ws, '@tensorflow/tfjs-backend-webgpu', 'the tfjs WebGPU backend');
    // Ask first, in a child process (or the cache): loading Dawn here prints native noise on a machine without a GPU.
    const asked = await (options.gpuVerdict ?? machineGpuVerdict)(ws, options.all === true);
    const note = `${options.all ? `; probed just now in a separate process, what Dawn printed is kept in ${gpuCacheFile()}` : ''}${asked.cacheError ? `; ${asked.cacheError}` : ''}`;
    if (asked.verdict.error) throw new Error(`${asked.verdict.error}${note}`);
    if (!asked.verdict.adapter)
      throw new Skip(
        `no adapter: webgpu (Dawn) loaded but found no GPU adapter (no Vulkan, Metal or D3D12 device with a usable driver)${note}`,
      );
    const probed = { info: asked.verdict.adapter };
    if (isSoftwareAdapter(probed) && options.preference !== 'webgpu') {
      throw new Skip(
        `software adapter only (${adapterName(probed)}): it emulates a GPU on the CPU, about 18× slower than wasm; force webgpu to use it anyway${note}`,
      );
    }
    const dawn = ws.require('webgpu') as {
      create(flags: string[]): { requestAdapter(): Promise<unknown> };
      globals: object;
    };
    Object.assign(globalThis, dawn.globals);
    const gpu = dawn.create([]);
    Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
    const adapter = (await gpu.requestAdapter()) as AdapterLike | null;
    // A missing GPU is a fact about the machine, not a fault: skip, as for an absent package.
    if (!adapter)
      throw new Skip(
        'no adapter: webgpu (Dawn) loaded but found no GPU adapter (no Vulkan, Metal or D3D12 device with a usable driver)',
      );
    const name = adapterName(adapter);
    if (isSoftwareAdapter(adapter)) {
      if (options.preference !== 'webgpu') {
        throw new Skip(
          `software adapter only (${name}): it emulates a GPU on the CPU, about 18× slower than wasm; force webgpu to use it anyway`,
        );
      }
      ws.require('@tensorflow/tfjs-backend-webgpu');
      return `WebGPU software adapter ${name} (forced; about 18× slower than wasm, for correctness checks only)`;
    }
    ws.require('@tensorflow/tfjs-backend-webgpu');
    return `WebGPU hardware adapter: ${name}`;
  },
  wasm: async (ws, options) => {
    needs(ws, '@tensorflow/tfjs-backend-wasm', 'WebAssembly with SIMD');
    const wasm = ws.require('@tensorflow/tfjs-backend-wasm') as WasmModule;
    const packageDir = dirname(ws.require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
    // Threads: stock tfjs turns them off in Node; startWasm turns them on for all cores, or falls back to one.
    const started = await startWasm(ws.tf as unknown as TfCore, {
      wasm,
      packageDir,
      ...(options.wasmThreads ? { threads: options.wasmThreads } : {}),
    });
    return `WebAssembly (XNNPACK)${started.fallback ? `; threads unavailable (${started.fallback}), so 1 thread` : ''}`;
  },
  cpu: async () => 'pure JavaScript: about 500× slower than wasm, fine for tests, far too slow for real training',
};

/** tfjs' own name for a rung. */
export const tfName = (b: BackendName): string => (b === 'tensorflow-gpu' ? 'tensorflow' : b);

function firstLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return (
    msg
      .split('\n')
      .find((l) => l.trim() !== '')
      ?.trim() ?? 'unknown error'
  );
}

/**
 * A GPU rung must read back what it computed: a driver that loads but cannot map a buffer fails here, at
 * selection, instead of at the learner's first `await loss.data()`.
 */
async function checkReadback(tf: RuntimeWorkspace['tf']): Promise<void> {
  const t = tf.tidy(() => tf.add(tf.tensor1d([1, 2], 'float32'), 1));
  try {
    const got = Array.from(await t.data());
    if (got[0] !== 2 || got[1] !== 3) throw new Error(`read back [${got.join(', ')}] for [2, 3]`);
  } finally {
    t.dispose();
  }
}

/** Walks the ladder, activates the best rung, installs the training kernels, and describes it all. */
export async function selectBackend(ws: RuntimeWorkspace, options: LadderOptions): Promise<BackendReport> {
  const { tf } = ws;
  const ladder: RungReport[] = [];
  let active: BackendName | undefined;
  let activeReason = '';
  let kernels: TrainingKernelReport | undefined;
  let kernelError: string | undefined;
  for (const rung of BACKEND_LADDER) {
    if (options.preference !== 'auto' && rung !== options.preference) {
      ladder.push({
        backend: rung,
        status: 'skipped',
        reason: `not tried: the backend setting forces ${options.preference}`,
      });
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
        throw new Error(
          `tf.setBackend('${tfName(rung)}') did not take effect (tfjs is on '${tf.getBackend()}'); see the output for tfjs' own warning`,
        );
      }
      if (rung === 'webgpu') {
        guardSyncReads(tf);
        await checkReadback(tf).catch((err: unknown) => {
          throw new Error(`the adapter loaded but a one-element readback failed: ${firstLine(err)}`);
        });
      }
      if ((rung === 'wasm' || rung === 'cpu') && !kernels && !kernelError) {
        // Before any benchmark or training: stock wasm cannot even take a conv net's gradient.
        try {
          kernels = installTrainingKernels(tf as unknown as TfCore);
        } catch (err) {
          kernelError = firstLine(err);
        }
      }
      if (rung === 'wasm') {
        reason += `, SIMD ${tf.env().getBool('WASM_HAS_SIMD_SUPPORT') ? 'on' : 'off'}, ${(ws.require('@tensorflow/tfjs-backend-wasm') as { getThreadsCount(): number }).getThreadsCount()} thread(s)`;
      }
      const bench = options.onLoaded ? await options.onLoaded(rung) : undefined;
      ladder.push({ backend: rung, status: active ? 'available' : 'active', reason, ...(bench ?? {}) });
      if (!active) {
        active = rung;
        activeReason = reason;
      }
    } catch (err) {
      ladder.push({ backend: rung, status: err instanceof Skip ? 'skipped' : 'failed', reason: firstLine(err) });
    }
  }
  if (!active) {
    const why = ladder
      .filter((r) => options.preference === 'auto' || r.backend === options.preference)
      .map((r) => `${r.backend}: ${r.reason}`)
      .join('; ');
    throw new NoBackendError(
      options.preference === 'auto'
        ? `No tfjs backend could start (${why}).`
        : `The backend ${options.preference}, forced in the settings, could not start: ${why}.`,
      ladder,
    );
  }
  if (options.all && tf.getBackend() !== tfName(active)) await tf.setBackend(tfName(active));

  const above = ladder.slice(0, BACKEND_LADDER.indexOf(active)).map((r) => `${r.backend}: ${r.reason}`);
  const why = `Running on ${active} (${activeReason})${above.length ? ` because ${above.join('; ')}` : ''}.`;
  const cuda = cudaDevices();
  return {
    active,
    why,
    ladder,
    gpus: cuda.length
      ? cuda.map((d) => `${d} (NVIDIA driver)`)
      : ['none: no NVIDIA driver at /proc/driver/nvidia/gpus'],
    versions: versionsOf(ws),
    kernels: kernels && (active === 'wasm' || active === 'cpu') ? kernelLines(kernels) : [],
    limitations: limitationsFor(
      tf as unknown as TfCore,
      active,
      active === 'wasm' || active === 'cpu' ? kernelError : undefined,
    ),
  };
}

const PACKAGES = [
  '@tensorflow/tfjs',
  '@tensorflow/tfjs-core',
  '@tensorflow/tfjs-backend-wasm',
  '@tensorflow/tfjs-node',
  '@tensorflow/tfjs-node-gpu',
  '@tensorflow/tfjs-backend-webgpu',
  'webgpu',
];

/** Versions of the tfjs packages installed in the workspace (absent ones left out), plus Node's. */
export function versionsOf(ws: RuntimeWorkspace): Record<string, string> {
  const versions: Record<string, string> = { node: process.versions.node, 'multimodal-lab runtime': RUNTIME_VERSION };
  for (const p of PACKAGES) {
    const v = packageVersion(ws.require, p);
    if (v) versions[p] = v;
  }
  return versions;
}
