// Console tables for the training bench.
import type { KernelStat } from '../../templates/workspace/lab/runtime/kernels/profiler';

export interface RungResult {
  rung: string;
  threads: number;
  msPerStep: number;
  stepsPerSec: number;
  gflops: number;
  samples: number;
  firstStepMs?: number;
  note?: string;
}

export interface ModelResult {
  model: string;
  config: object;
  params: number;
  paramsTorch?: number;
  flopsPerStep: number;
  rungs: RungResult[];
  kernels: KernelStat[];
  ratioToTorch?: number;
}

const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));
const num = (x: number, d = 1) =>
  Number.isFinite(x) ? x.toFixed(Math.abs(x) < 1 && x !== 0 ? Math.max(d, 3) : d) : '—';

/** Prints one model: a row per rung, then the kernels that take 1% of the step or more. */
export function printModel(r: ModelResult, wasmPeak: number): void {
  console.log(
    `\n${r.model}: ${r.params.toLocaleString('en')} params${r.paramsTorch ? ` (PyTorch twin ${r.paramsTorch.toLocaleString('en')})` : ''}, ${num(r.flopsPerStep / 1e9, 2)} GFLOP/step (conv + matmul, fwd + bwd), ${JSON.stringify(r.config)}`,
  );
  console.log(
    `  ${pad('rung', 16)}${pad('ms/step', 10)}${pad('steps/s', 9)}${pad('GFLOP/s', 9)}${pad('vs PyTorch', 11)}note`,
  );
  const torch = r.rungs.find((x) => x.rung === 'pytorch-cpu');
  for (const x of r.rungs) {
    const ratio = torch && Number.isFinite(x.msPerStep) ? `${num((torch.msPerStep / x.msPerStep) * 100, 0)}%` : '';
    const note = [x.firstStepMs ? `first step ${num(x.firstStepMs, 0)} ms` : '', x.note ?? '']
      .filter(Boolean)
      .join('; ');
    console.log(
      `  ${pad(x.rung, 16)}${pad(num(x.msPerStep), 10)}${pad(num(x.stepsPerSec, 2), 9)}${pad(num(x.gflops), 9)}${pad(ratio, 11)}${note}`,
    );
  }
  const total = r.kernels.reduce((n, k) => n + k.ms, 0);
  console.log(
    `  wasm kernels (per step, ${num(total)} ms in kernels): kernel, calls, ms, share, GFLOP/s, % of WASM SIMD bound`,
  );
  for (const k of r.kernels.filter((k) => k.ms >= total / 100)) {
    const g = k.flops / k.ms / 1e6;
    console.log(
      `    ${pad(k.kernel, 28)}${pad(num(k.calls, 0), 6)}${pad(num(k.ms, 2), 9)}${pad(num((k.ms / total) * 100, 0) + '%', 6)}${k.flops ? `${pad(num(g), 7)}${num((g / wasmPeak) * 100, 0)}%` : ''}`,
    );
  }
}
