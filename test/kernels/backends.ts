// Test helper: one tfjs-core instance with the cpu and wasm backends registered, wasm loaded from the
// package's own dist folder (nothing is downloaded), and the training kernels installed once.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// tfjs-core's Node bundle registers no gradients; the full @tensorflow/tfjs imports this module for them.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { installTrainingKernels, type TrainingKernelReport } from '../../templates/workspace/lab/runtime/kernels';

const require = createRequire(__filename);
let report: TrainingKernelReport | undefined;

/** Switches to `name` and fails loudly if tfjs fell back to another backend. */
export async function useBackend(name: 'cpu' | 'wasm'): Promise<void> {
  const ok = await tf.setBackend(name);
  await tf.ready();
  if (!ok || tf.getBackend() !== name) throw new Error(`backend ${name} requested, got ${tf.getBackend()}`);
}

/** Loads wasm (single-threaded) and installs the training kernels; idempotent. */
export async function setupBackends(): Promise<TrainingKernelReport> {
  if (report) return report;
  setWasmPaths(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')) + path.sep);
  await useBackend('wasm');
  report = installTrainingKernels(tf);
  return report;
}

/**
 * Runs the current mocha suite on wasm with the training kernels (seconds there, minutes on the pure-JS cpu
 * backend), and puts cpu back afterwards when a suite before it was using cpu.
 */
export function onWasmInThisSuite(): void {
  let previous: string | undefined;
  before(async () => {
    previous = tf.getBackend() || undefined; // undefined until some backend has been initialised
    await setupBackends();
    await useBackend('wasm');
  });
  after(async () => {
    if (previous === 'cpu') await useBackend('cpu');
  });
}

export { tf };
