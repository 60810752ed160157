// `npm run bench` (after the activation bench): training speed of the reference models on wasm + training
// kernels against PyTorch CPU on the same machine, first with one thread (PyTorch set to one thread too), then
// with all cores on both. Each thread count runs in its own process (a process holds one wasm backend); the
// runs are merged into bench/results/training-<date>.json, which docs/PERFORMANCE.md cites.
// Options, for development runs (not for the committed figures): --quick (fewer, shorter rounds; no cpu
// rung), --models=convnet,unet,vit (a subset), --threads=1 (one thread count only).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const passThrough = process.argv.slice(2).filter((a) => !a.startsWith('--threads='));
const only = process.argv.find((a) => a.startsWith('--threads='));
const counts = only ? [Number(only.slice('--threads='.length))] : [...new Set([1, cpus().length])];
const quick = process.argv.includes('--quick');

const runs = [];
for (const threads of counts) {
  const out = join(tmpdir(), `training-bench-${process.pid}-${threads}.json`);
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(here, 'training', 'run.ts'), `--threads=${threads}`, `--out=${out}`, ...passThrough],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  if (r.status !== 0) {
    console.error(`training bench with ${threads} thread(s) failed (exit ${r.status})`);
    process.exit(1);
  }
  runs.push(JSON.parse(readFileSync(out, 'utf8')));
  rmSync(out);
}

console.log('\nSummary: steps/s (GFLOP/s), wasm + training kernels against PyTorch CPU with the same thread count');
for (const run of runs) {
  for (const m of run.results) {
    const wasm = m.rungs.find((x) => x.rung === 'wasm+kernels');
    const torch = m.rungs.find((x) => x.rung === 'pytorch-cpu');
    const ratio = torch
      ? `${((torch.msPerStep / wasm.msPerStep) * 100).toFixed(0)}% of PyTorch`
      : 'PyTorch not measured';
    console.log(
      `  ${run.threads} thread(s)  ${m.model.padEnd(8)} wasm ${wasm.stepsPerSec.toFixed(2)} (${wasm.gflops.toFixed(1)})  ` +
        `PyTorch ${torch ? `${torch.stepsPerSec.toFixed(2)} (${torch.gflops.toFixed(1)})` : '—'}  → ${ratio}`,
    );
  }
}

const file = join(
  here,
  'results',
  `training-${new Date().toISOString().slice(0, 10)}${quick || only || process.argv.some((a) => a.startsWith('--models=')) ? '-partial' : ''}.json`,
);
mkdirSync(dirname(file), { recursive: true });
const { machine, node, tfjs, kernels } = runs[0];
writeFileSync(
  file,
  JSON.stringify(
    {
      date: new Date().toISOString(),
      machine,
      node,
      tfjs,
      kernels,
      runs: runs.map(({ threads, torch, results }) => ({ threads, torch, results })),
    },
    null,
    2,
  ) + '\n',
);
console.log(`\nwrote ${relative(process.cwd(), file)}`);
