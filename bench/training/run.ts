// One run of the training bench at one thread count (bench/training.mjs runs 1 thread, then all cores): the
// three reference models on wasm + training kernels (and, at 1 thread, the pure-JS cpu backend briefly) next
// to their PyTorch CPU twins with the same thread count, in rounds that alternate between tfjs and PyTorch so
// that load from other jobs hits both alike. Prints steps/s, achieved GFLOP/s, the ratio to PyTorch and the
// time per kernel; with --out=FILE also writes the figures as JSON.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import * as wasmBackend from '@tensorflow/tfjs-backend-wasm';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  installTrainingKernels,
  describeTrainingKernels,
  startWasm,
} from '../../templates/workspace/lab/runtime/kernels';
import { profileKernels, type KernelStat } from '../../templates/workspace/lab/runtime/kernels/profiler';
import { describeMachine } from './machine';
import { benchConfigs, convNet, unet, vit, type TrainableModel } from './models';
import { printModel, type ModelResult, type RungResult } from './table';
import { TorchServer } from './torch';

const QUICK = process.argv.includes('--quick');
const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
/** XNNPACK threads for wasm, and the same count for PyTorch (torch.set_num_threads). */
const THREADS = Number(arg('threads') ?? 1);
/** Where to write this run's JSON (the entry point merges the runs); by default only printed. */
const OUT = arg('out');
const ROUNDS = QUICK ? 2 : 3;
const ROUND_MS = QUICK ? 800 : 2500;
const factories = { convnet: convNet, unet, vit } as const;
type ModelName = keyof typeof factories;
/** --models=convnet,vit runs a subset (for development; the committed figures use all three). */
const ONLY = arg('models')?.split(',');

async function useBackend(name: string): Promise<void> {
  await tf.setBackend(name);
  await tf.ready();
  if (tf.getBackend() !== name) throw new Error(`asked for backend ${name}, tfjs is on ${tf.getBackend()}`);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function makeStep(model: TrainableModel): { step: () => number; dispose: () => void } {
  const inputs = model.batch(0);
  const opt = tf.train.adam(1e-3);
  const step = () => {
    const t0 = performance.now();
    const loss = opt.minimize(() => model.loss(inputs), true, model.params)!;
    loss.dataSync();
    loss.dispose();
    return performance.now() - t0;
  };
  return {
    step,
    dispose: () => {
      opt.dispose();
      inputs.forEach((t) => t.dispose());
      model.dispose();
    },
  };
}

/** Per-step kernel figures from `steps` profiled steps of the current backend. */
function profileSteps(backend: string, step: () => number, steps: number): KernelStat[] {
  const prof = profileKernels(tf, backend);
  try {
    for (let i = 0; i < steps; i++) step();
    return prof.stats().map((s) => ({ ...s, calls: s.calls / steps, ms: s.ms / steps, flops: s.flops / steps }));
  } finally {
    prof.restore();
  }
}

async function benchModel(name: ModelName, torch: TorchServer | undefined): Promise<ModelResult> {
  const cfg = benchConfigs[name];
  await useBackend('wasm');
  const model = factories[name](cfg as never);
  const { step, dispose } = makeStep(model);
  const firstStepMs = step(); // XNNPACK packs every operator on first use
  step();
  const kernels = profileSteps('wasm', step, 2);
  const flopsPerStep = kernels.reduce((n, k) => n + k.flops, 0);
  const paramsTorch = torch ? await torch.build(name, cfg) : undefined;
  if (torch) await torch.run(2); // warm-up
  const est = median([step(), step()]);
  const n = Math.max(2, Math.min(40, Math.round(ROUND_MS / est)));
  const wasmMs: number[] = [];
  const torchMs: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    for (let i = 0; i < n; i++) wasmMs.push(step());
    if (torch) {
      const tEst = torchMs.length ? median(torchMs) : est;
      torchMs.push(...(await torch.run(Math.max(2, Math.min(40, Math.round(ROUND_MS / tEst))))));
    }
  }
  dispose();
  const rung = (label: string, samples: number[], flops: number, note?: string): RungResult => {
    const ms = median(samples);
    return {
      rung: label,
      threads: THREADS,
      msPerStep: ms,
      stepsPerSec: 1000 / ms,
      gflops: flops / ms / 1e6,
      samples: samples.length,
      note,
    };
  };
  const rungs = [{ ...rung('wasm+kernels', wasmMs, flopsPerStep), firstStepMs }];
  if (torch) rungs.push(rung('pytorch-cpu', torchMs, flopsPerStep));
  if (!QUICK && THREADS === 1) rungs.push(await cpuRung(name));
  return {
    model: name,
    config: cfg,
    params: model.paramCount,
    paramsTorch,
    flopsPerStep,
    rungs,
    kernels,
    ratioToTorch: torch ? median(torchMs) / median(wasmMs) : undefined,
  };
}

/** The pure-JS backend, briefly: one step at batch 1 (a full batch takes minutes), reported as GFLOP/s. */
async function cpuRung(name: ModelName): Promise<RungResult> {
  await useBackend('cpu');
  const small = factories[name]({ ...benchConfigs[name], batch: 1 } as never);
  const { step, dispose } = makeStep(small);
  const kernels = profileSteps('cpu', step, 1);
  dispose();
  const ms = kernels.reduce((n, k) => n + k.ms, 0);
  const flops = kernels.reduce((n, k) => n + k.flops, 0);
  return {
    rung: 'cpu (pure JS)',
    threads: 1,
    msPerStep: NaN,
    stepsPerSec: NaN,
    gflops: flops / ms / 1e6,
    samples: 1,
    note: `one step at batch 1 took ${ms.toFixed(0)} ms in kernels; steps/s at full batch not measured`,
  };
}

async function main(): Promise<void> {
  const machine = describeMachine();
  const started = await startWasm(tf, {
    wasm: wasmBackend,
    packageDir: path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')),
    threads: THREADS,
  });
  if (tf.getBackend() !== 'wasm') throw new Error(`asked for wasm, tfjs is on ${tf.getBackend()}`);
  if (started.threads !== THREADS)
    throw new Error(`wasm started with ${started.threads} threads, not ${THREADS}: ${started.fallback}`);
  const report = installTrainingKernels(tf);
  console.log(
    `Training bench, ${THREADS} thread${THREADS > 1 ? 's' : ''}${QUICK ? ' (--quick)' : ''}: ${machine.cpu}, ${machine.cores} cores, ${machine.mhz.toFixed(0)} MHz, flags ${machine.flags.join(' ')}`,
  );
  console.log(
    `  peak per core: native AVX2+FMA ${machine.peakAvx2GflopsPerCore.toFixed(0)} GFLOP/s, WASM SIMD (128-bit, no FMA) ${machine.peakWasmSimdGflopsPerCore.toFixed(0)} GFLOP/s`,
  );
  for (const line of describeTrainingKernels(report)) console.log(`  ${line}`);
  const { server: torch, info, absent } = await TorchServer.start(THREADS);
  console.log(
    torch
      ? `  PyTorch ${String(info.torch)}, torch.set_num_threads(${THREADS}): the same thread count as wasm`
      : `  PyTorch: not measured — ${absent}`,
  );
  const results: ModelResult[] = [];
  try {
    for (const name of (Object.keys(factories) as ModelName[]).filter((m) => !ONLY || ONLY.includes(m))) {
      const r = await benchModel(name, torch);
      printModel(r, machine.peakWasmSimdGflopsPerCore * THREADS);
      results.push(r);
    }
  } finally {
    torch?.close();
  }
  if (OUT) {
    writeFileSync(
      OUT,
      JSON.stringify({
        threads: THREADS,
        machine,
        node: process.version,
        tfjs: tf.version_core,
        torch: torch ? { version: info.torch, threads: THREADS } : { absent },
        kernels: report.changes.filter((c) => c.change !== 'bridged'),
        results,
      }) + '\n',
    );
  }
  process.exit(0); // wasm pthread workers would keep the process alive
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exit(1);
});
