// What every frozen-part builder shares: the backend it trains on and the head of the meta.json it writes.
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as wasm from '@tensorflow/tfjs-backend-wasm';
import { installTrainingKernels, startWasm, type TfCore } from '../../templates/workspace/lab/runtime/kernels';
import { saveWeights, type NamedTensors } from '../../templates/workspace/lab/savedWeights';

/**
 * Starts tfjs on the wasm backend with the runner's training kernels, the backend every builder trains on, and
 * logs the thread count under `name` unless `quiet`. Does nothing when wasm is already the backend (a second
 * build in the same process, or a test that started it).
 */
export async function startWasmBackend(name: string, quiet = false): Promise<void> {
  if (tf.getBackend() === 'wasm') return;
  const packageDir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
  // MULTIMODAL_LAB_WASM_THREADS, as for a run (lab/runtime): 1 keeps a build from fighting another job for the cores.
  const threads = process.env.MULTIMODAL_LAB_WASM_THREADS ? Number(process.env.MULTIMODAL_LAB_WASM_THREADS) : undefined;
  const started = await startWasm(tf as unknown as TfCore, { wasm, packageDir, threads });
  if (tf.getBackend() !== 'wasm') throw new Error(`wasm did not start (backend ${tf.getBackend()})`);
  installTrainingKernels(tf as unknown as TfCore);
  if (!quiet)
    console.log(`[${name}] wasm, ${started.threads} thread(s)${started.fallback ? ` (${started.fallback})` : ''}`);
}

/** How a frozen part was trained: the fields every meta.json starts with, besides those `saveFrozenPart` counts. */
export interface TrainingRecord<C extends object> {
  seed: number;
  steps: number;
  batch: number;
  config: C;
}

/**
 * Writes `weights` (model.json + weights.bin) to `outDir` and returns the head of its meta.json: the seed, the
 * build date, the parameter and byte counts, the steps, the batch and the config, in that order.
 */
export async function saveFrozenPart<C extends object>(
  outDir: string,
  weights: NamedTensors,
  record: TrainingRecord<C>,
): Promise<{ seed: number; date: string; params: number; bytes: number; steps: number; batch: number; config: C }> {
  const params = Object.values(weights).reduce((n, w) => n + w.size, 0);
  const bytes = await saveWeights(outDir, weights, record.config);
  const { seed, steps, batch, config } = record;
  return { seed, date: new Date().toISOString().slice(0, 10), params, bytes, steps, batch, config };
}
