// Multi-threaded wasm in Node. Stock tfjs-wasm 4.22 turns threads off in Node, and forcing them on fails:
//  1. the pthread worker script is handed to Emscripten as a blob: URL, which Node's Worker cannot load;
//  2. the workers would inherit the parent's loader hooks (tsx, ts-node) through execArgv;
//  3. the C++ side caps its pool at half of os.cpus(), i.e. one thread on a 2-core machine.
// This module starts the wasm backend with all three worked around for the duration of the initialisation
// only: the worker script is written to a file next to the OS temp dir and served from there, workers start
// with an empty execArgv, and os.cpus() reports twice the requested thread count while the pool is created.
// Anything unexpected falls back to the single-threaded build, with the reason in the result.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
// Default imports give the CommonJS module objects themselves (an ES namespace is read-only): Emscripten
// reads os.cpus and worker_threads.Worker from these very objects at start-up.
import os from 'node:os';
import * as path from 'node:path';
import workerThreads from 'node:worker_threads';
import type { TfCore } from './context';

/** The exports of @tensorflow/tfjs-backend-wasm used here. */
export interface WasmModule {
  setThreadsCount(n: number): void;
  getThreadsCount(): number;
  setWasmPaths(prefix: string): void;
}

/** How to start wasm: the loaded wasm module, where its package lies, and how many threads. */
export interface WasmStartOptions {
  wasm: WasmModule;
  /** The installed package's folder (holds dist/ and wasm-out/). */
  packageDir: string;
  /** Threads to use; default all cores. 1 selects the single-threaded SIMD build. */
  threads?: number;
  /** Give up on the threaded build after this long (a worker that fails to load never answers). */
  timeoutMs?: number;
}

/** The thread count wasm runs with, and why threads were not used when they were asked for but failed. */
export interface WasmStartResult {
  threads: number;
  /** Why the threaded build was not used (absent when it was, or when one thread was asked for). */
  fallback?: string;
}

function workerScript(packageDir: string): string {
  const wasmOut = path.join(packageDir, 'wasm-out');
  const glue = path.join(wasmOut, 'tfjs-backend-wasm-threaded-simd.js');
  const worker = path.join(wasmOut, 'tfjs-backend-wasm-threaded-simd.worker.js');
  if (!existsSync(glue) || !existsSync(worker)) throw new Error(`threaded wasm files missing under ${wasmOut}`);
  // The package ships the worker as a JS string (meant for a Blob). Its string literals hold raw newlines
  // that must be escaped again, as tfjs does before making the Blob.
  const load = createRequire(worker);
  const contents = (load(worker) as { wasmWorkerContents: string }).wasmWorkerContents.replace(/\n/g, '\\n');
  // The worker turns the main script it is sent (a Blob) into a URL and reads it from disk: point it at the
  // same Emscripten glue, shipped as a file in the package.
  const script = `URL.createObjectURL = () => ${JSON.stringify(glue)};\nURL.revokeObjectURL = () => {};\n${contents}`;
  const dir = path.join(os.tmpdir(), 'multimodal-lab');
  mkdirSync(dir, { recursive: true });
  const version = (JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as { version: string })
    .version;
  const file = path.join(dir, `tfjs-wasm-pthread-${version}-${script.length}.cjs`);
  if (!existsSync(file)) {
    // Write-then-rename, so a concurrent runner never hands a worker a half-written file.
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, script);
    renameSync(tmp, file);
  }
  return file;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish in ${ms} ms`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

async function startThreaded(tf: TfCore, opts: WasmStartOptions, threads: number): Promise<void> {
  const file = workerScript(opts.packageDir);
  const originalUrl = URL.createObjectURL;
  const wt = workerThreads as { Worker: typeof workerThreads.Worker };
  const BaseWorker = wt.Worker;
  const osm = os as { cpus: typeof os.cpus };
  const realCpus = osm.cpus;
  URL.createObjectURL = ((blob: Blob) =>
    blob.type === 'application/javascript' ? file : originalUrl(blob)) as typeof URL.createObjectURL;
  wt.Worker = class extends BaseWorker {
    constructor(f: string | URL, o?: workerThreads.WorkerOptions) {
      super(f, { ...o, execArgv: [] });
    }
  };
  osm.cpus = () => {
    const c = realCpus();
    return Array.from({ length: 2 * threads }, (_, i) => c[i % c.length]);
  };
  try {
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
    opts.wasm.setThreadsCount(threads);
    const ok = await withTimeout(tf.setBackend('wasm'), opts.timeoutMs ?? 30000, 'threaded wasm start');
    if (!ok) throw new Error('tfjs could not initialise the threaded wasm build');
  } finally {
    URL.createObjectURL = originalUrl;
    wt.Worker = BaseWorker;
    osm.cpus = realCpus;
  }
  const got = opts.wasm.getThreadsCount();
  if (got !== threads) throw new Error(`asked for ${threads} threads, XNNPACK runs ${got}`);
}

/**
 * Makes wasm the active backend with `threads` XNNPACK threads (default: all cores), falling back to the
 * single-threaded SIMD build when threads cannot start. Call it instead of `tf.setBackend('wasm')`, before
 * anything else initialises the wasm backend. Always check `tf.getBackend()` afterwards.
 */
export async function startWasm(tf: TfCore, opts: WasmStartOptions): Promise<WasmStartResult> {
  const threads = Math.max(1, Math.floor(opts.threads ?? os.cpus().length));
  opts.wasm.setWasmPaths(path.join(opts.packageDir, 'dist') + path.sep);
  let fallback: string | undefined;
  if (threads > 1) {
    try {
      await startThreaded(tf, opts, threads);
      return { threads };
    } catch (e) {
      // tfjs keeps the backend's factory after a failed start, so the single-threaded build can still load.
      fallback = e instanceof Error ? e.message : String(e);
    }
  }
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  opts.wasm.setThreadsCount(1);
  if (!(await tf.setBackend('wasm')))
    throw new Error(`the wasm backend did not start${fallback ? ` (threads: ${fallback})` : ''}`);
  return fallback ? { threads: 1, fallback } : { threads: 1 };
}
