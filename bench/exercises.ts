// Full-length reference runs of the exercises (a benchmark, not a test): builds a learner workspace with the
// reference solution, trains it through the real runner on the wasm rung (all cores), and records minutes and the
// final summary in bench/results/exercise-<id>.json, which docs/PERFORMANCE.md and the exercise READMEs cite.
//
//   npx tsx bench/exercises.ts clip [ddpm …] [--config cpu|smoke] [--backend wasm|cpu] [--set key=value …]
//                              [--tag name]
//
// --set key=value (repeatable) changes one field of the script's chosen configuration for this run, through
// MULTIMODAL_LAB_OVERRIDES (lab.config, lab/report.ts): the value is read as JSON when it parses (seed=1 is a number,
// mode=freeze-encoder a string). --tag name writes bench/results/exercise-<id>-<name>.json instead, e.g. the runs of
// other seeds beside the reference run: `--set seed=1 --tag seed1`. --starter-file name (repeatable) puts the
// starter's version of exercises/<id>/<name> back over the solution's: a run with one TODO's mistake left, e.g.
// `npx tsx bench/exercises.ts collapse --starter-file data.ts --tag only-data`. --file name=path (repeatable) copies
// a file of this repository into exercises/<id>/name: a variant of the solution (bench/variants/).
import { copyFileSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { RunnerToExtension } from '../src/protocol/runner';
import { TEMPLATES, exerciseWorkspace } from '../test/content/harness';
import { exerciseTrainJob, run } from '../test/runner/harness';
import { machine, resultPath, runBenchmark, writeResult } from './results';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args.splice(i, 2)[1] : fallback;
};
/** Every `--name value` pair, removed from args, values in order. */
const flags = (name: string): string[] => {
  const values: string[] = [];
  for (let i = args.indexOf(`--${name}`); i >= 0; i = args.indexOf(`--${name}`)) {
    const [, value] = args.splice(i, 2);
    if (value === undefined) throw new Error(`--${name} needs a value`);
    values.push(value);
  }
  return values;
};
const config = flag('config', 'cpu') as 'cpu' | 'smoke';
const backend = flag('backend', 'wasm') as 'wasm' | 'cpu';
const tag = flag('tag', '');
const starterFiles = flags('starter-file');
const variantFiles = flags('file').map((pair) => {
  const [name, source] = pair.split('=');
  if (!name || !source) throw new Error(`--file takes name=path, got "${pair}"`);
  return { name, source };
});
const overrides = Object.fromEntries(
  flags('set').map((pair) => {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new Error(`--set takes key=value, got "${pair}"`);
    const key = pair.slice(0, eq),
      text = pair.slice(eq + 1);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = text; // not JSON: a string
    }
    return [key, value];
  }),
);
if (tag && !/^[A-Za-z0-9_.-]+$/.test(tag)) throw new Error(`--tag must be letters, digits, _ . or -, got "${tag}"`);
// The runner is forked with this process's environment (src/runner/fork.ts), so the training script sees it.
if (Object.keys(overrides).length > 0) process.env.MULTIMODAL_LAB_OVERRIDES = JSON.stringify(overrides);

async function main(): Promise<void> {
  if (args.length === 0)
    throw new Error(
      'usage: npx tsx bench/exercises.ts <exercise id> … [--config cpu|smoke] [--backend wasm|cpu] [--set key=value …] [--tag name] [--starter-file name …] [--file name=path …]',
    );
  for (const id of args) {
    const ws = exerciseWorkspace(id, 'solution');
    for (const f of starterFiles) copyFileSync(join(TEMPLATES, id, 'starter', f), join(ws, 'exercises', id, f));
    for (const v of variantFiles) copyFileSync(v.source, join(ws, 'exercises', id, v.name));
    const job = exerciseTrainJob(ws, id, 'reference', config, backend);
    // MULTIMODAL_LAB_WASM_THREADS=1 keeps a run from fighting another job for the cores (as for a terminal run).
    const threads = Number(process.env.MULTIMODAL_LAB_WASM_THREADS ?? 0);
    if (Number.isInteger(threads) && threads > 0) job.wasmThreads = threads;
    const { runDir } = job;
    const t0 = Date.now();
    let lastPrint = 0;
    let backendWhy = '';
    const { events } = await run(job, {
      hangTimeoutMs: 600_000,
      onEvent: (e: RunnerToExtension) => {
        if (e.type === 'backend') backendWhy = e.why;
        if (e.type === 'output') process.stderr.write(e.text);
        if (e.type === 'scalar' && Date.now() - lastPrint > 10_000) {
          lastPrint = Date.now();
          console.log(
            `[${id}] ${((Date.now() - t0) / 60_000).toFixed(2)} min  step ${e.step}  ${e.name} ${e.value.toFixed(4)}`,
          );
        }
      },
    });
    const minutes = (Date.now() - t0) / 60_000;
    const ended = events.find((e) => e.type === 'runEnded');
    let summary: unknown = null;
    try {
      summary = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8'));
    } catch {
      // no summary: the run ended early; `ended` says why
    }
    const result = {
      exercise: id,
      config,
      backend,
      backendWhy,
      ...(Object.keys(overrides).length > 0 ? { overrides } : {}),
      ...(tag ? { tag } : {}),
      ...(starterFiles.length > 0 ? { starterFiles } : {}),
      ...(variantFiles.length > 0 ? { variantFiles } : {}),
      wasmThreads: process.env.MULTIMODAL_LAB_WASM_THREADS ?? 'all cores',
      ...machine(),
      minutes: Number(minutes.toFixed(2)),
      ended,
      summary,
      runDir: relative(ws, runDir), // inside the throwaway learner workspace, which is gone after the run
      date: new Date().toISOString(),
    };
    if (config !== 'smoke') writeResult(resultPath(`exercise-${id}${tag ? `-${tag}` : ''}.json`), result);
    console.log(JSON.stringify(result, null, 2));
  }
}

runBenchmark(main);
