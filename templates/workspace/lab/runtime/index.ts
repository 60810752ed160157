/**
 * The Multimodal Lab runtime: the backend ladder, the training kernels and the wasm threads, in your workspace.
 * The extension's runner is built from these same files, so a run from a terminal picks the same backend and
 * trains as fast as one started from the editor.
 *
 *   MULTIMODAL_LAB_BACKEND=auto|tensorflow-gpu|tensorflow|webgpu|wasm|cpu   force a rung (default auto)
 *   MULTIMODAL_LAB_WASM_THREADS=N                                          wasm threads (default: all cores)
 *
 * `lab.run(main)` and the workspace's `npm test` (through `lab/runtime/mocha.ts`) call `ensureBackend()` before
 * anything else; inside the extension the runner has already chosen, and this does nothing.
 */
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { BACKEND_LADDER, NoBackendError, selectBackend, type BackendPreference, type BackendReport } from './ladder';

export {
  BACKEND_LADDER,
  NoBackendError,
  selectBackend,
  canResolve,
  packageVersion,
  versionsOf,
  isSoftwareAdapter,
  tfName,
  machineGpuVerdict,
  type BackendName,
  type BackendPreference,
  type BackendReport,
  type LadderOptions,
  type RungReport,
  type RuntimeWorkspace,
} from './ladder';
export { SyncReadError, guardSyncReads, isNodeSyncReadFailure } from './syncReads';
export { gpuCacheFile, type GpuVerdict } from './gpuProbe';
export {
  installTrainingKernels,
  describeTrainingKernels,
  startWasm,
  type TfCore,
  type TrainingKernelReport,
} from './kernels/index';

export { RUNTIME_VERSION } from './version';

/** Reads MULTIMODAL_LAB_BACKEND; an unknown value is an error that lists the valid ones. */
export function backendPreference(env: NodeJS.ProcessEnv = process.env): BackendPreference {
  const raw = (env.MULTIMODAL_LAB_BACKEND ?? '').trim();
  if (raw === '' || raw === 'auto') return 'auto';
  if ((BACKEND_LADDER as readonly string[]).includes(raw)) return raw as BackendPreference;
  throw new Error(`MULTIMODAL_LAB_BACKEND=${raw} is not a backend. Use one of: auto, ${BACKEND_LADDER.join(', ')}.`);
}

/** Reads MULTIMODAL_LAB_WASM_THREADS (absent: all cores). */
export function wasmThreads(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const raw = env.MULTIMODAL_LAB_WASM_THREADS;
  if (raw === undefined || raw.trim() === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`MULTIMODAL_LAB_WASM_THREADS=${raw} must be a whole number ≥ 1.`);
  return n;
}

/** True inside the extension's runner, which selects the backend itself before it loads any learner code. */
export function underRunner(): boolean {
  return (
    (globalThis as { __multimodalLab?: unknown }).__multimodalLab !== undefined ||
    process.env.MULTIMODAL_LAB_RUNNER === '1'
  );
}

const STATE = Symbol.for('multimodal-lab.runtime.selection');
type Holder = { [STATE]?: Promise<BackendReport | undefined> };

/** The workspace root: this file lives in <root>/lab/runtime/. */
function workspaceRoot(): string {
  return path.resolve(__dirname, '..', '..');
}

/**
 * Selects the backend once per process (later calls return the same promise) and prints the one line that
 * says which backend runs and why. Resolves to undefined under the extension's runner, which has chosen already.
 */
export function ensureBackend(
  log: (line: string) => void = (l) => console.error(l),
): Promise<BackendReport | undefined> {
  const holder = globalThis as Holder;
  if (underRunner()) return Promise.resolve(undefined);
  holder[STATE] ??= (async () => {
    const req = createRequire(path.join(workspaceRoot(), 'package.json'));
    const tf = req('@tensorflow/tfjs') as typeof import('@tensorflow/tfjs');
    const threads = wasmThreads();
    const report = await selectBackend(
      { require: req, tf },
      { preference: backendPreference(), ...(threads ? { wasmThreads: threads } : {}) },
    );
    log(`[lab] ${report.why}`);
    return report;
  })();
  return holder[STATE];
}

/** Formats a NoBackendError (or any selection failure) as the one line a terminal shows. */
export function selectionFailure(err: unknown): string {
  if (err instanceof NoBackendError)
    return `[lab] ${err.message} Set MULTIMODAL_LAB_BACKEND=auto, or run npm install in the workspace.`;
  return `[lab] Could not select a tfjs backend: ${err instanceof Error ? err.message : String(err)}`;
}
