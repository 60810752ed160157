/**
 * The names of the backend ladder and what it reports about a rung: shared by the runtime (ladder.ts) and the
 * extension's runner protocol (src/protocol/runner.ts re-exports them), with no code that loads a backend.
 */

/** Backends in ladder order; `tensorflow` is tfjs-node(-gpu). */
export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';
/** Fastest first. */
export const BACKEND_LADDER: readonly BackendName[] = ['tensorflow-gpu', 'tensorflow', 'webgpu', 'wasm', 'cpu'];
/** `auto` walks the ladder; any other value forces that rung (and fails clearly if it cannot load). */
export type BackendPreference = 'auto' | BackendName;

/** One rung as the ladder found it. */
export interface RungReport {
  readonly backend: BackendName;
  readonly status: 'active' | 'available' | 'skipped' | 'failed';
  /** Why it was skipped or failed, or what it runs on ("CUDA device: NVIDIA H100", "SIMD, 2 thread(s)"). */
  readonly reason: string;
  /** Micro-benchmark result when diagnosing: matmul GFLOP/s over about one second. */
  readonly gflops?: number;
  /** Training-step benchmark when diagnosing: Adam steps/s of a small conv net (batch 16, 28×28). */
  readonly trainStepsPerSecond?: number;
}
