// Click to first verdict (a benchmark, not a test): an exercise's tests started as the extension starts them, through
// the runner pool (src/runner/pool.ts, what RunnerLauncher uses), timed from the start of the job to the runner's
// `hello`, its `backend`, its `testsDiscovered`, the first test verdict, the last (`testsFinished`), and its exit.
//
//   first  a machine that never probed its GPU (an empty GPU verdict cache) and no spare runner: the first click ever
//   cold   the GPU verdict cached, no spare: a fresh runner per click (keepRunnerWarm off, or the first click)
//   warm   the spare the pool prepared after the previous job, ready: every later click
//
// Then where a cold start's time goes, each part in a process of its own (phases). Results: bench/results/verdict.json.
//
//   npx tsx bench/verdict.ts [clip whisper] [--reps 3] [--scenarios first,cold,warm] [--runner path] [--out file]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { isAbsolute, join, relative } from 'node:path';
import { transform } from 'sucrase';
import type { RunnerJob, RunnerToExtension } from '../src/protocol/runner';
import { startRunner, type RunnerHandle, type RunnerOptions } from '../src/runner/client';
import { RunnerPool } from '../src/runner/pool';
import { exerciseWorkspace } from '../test/content/harness';
import { REPO, RUNNER, buildRunner, jobBase, run } from '../test/runner/harness';
import { machine, resultPath, runBenchmark, writeResult } from './results';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args.splice(i, 2)[1] : fallback;
};

type Marks = {
  hello?: number;
  backend?: number;
  discovered?: number;
  firstVerdict?: number;
  allVerdicts?: number;
  exit: number;
  tests: number;
  testMs: number;
};

/** One click: the job through `start`, every mark in ms from the start. */
async function click(job: RunnerJob, start: (j: RunnerJob, o: RunnerOptions) => RunnerHandle): Promise<Marks> {
  const at: Partial<Marks> = { tests: 0, testMs: 0 };
  let t0 = 0;
  const ms = (): number => Math.round(performance.now() - t0);
  const { events } = await run(job, {
    hangTimeoutMs: 300_000,
    start: (j, o) => {
      t0 = performance.now();
      return start(j, { ...o, onNativeOutput: () => undefined });
    },
    onEvent: (e: RunnerToExtension) => {
      if (e.type === 'hello') at.hello ??= ms();
      if (e.type === 'backend') at.backend ??= ms();
      if (e.type === 'testsDiscovered') at.discovered ??= ms();
      if (e.type === 'testPassed' || e.type === 'testFailed') {
        at.firstVerdict ??= ms();
        at.tests = (at.tests ?? 0) + 1;
        at.testMs = (at.testMs ?? 0) + e.durationMs;
      }
      if (e.type === 'testsFinished') at.allVerdicts = ms();
    },
  });
  const fatal = events.find((e) => e.type === 'fatal' || e.type === 'testFileFailed');
  if (fatal) throw new Error(`the test job failed: ${JSON.stringify(fatal)}`);
  return { ...at, exit: ms() } as Marks;
}

function testFiles(ws: string, id: string): string[] {
  const dir = join(ws, 'exercises', id, 'tests');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.test.ts'))
    .sort()
    .map((f) => join(dir, f));
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function summarise(runs: Marks[]): Record<string, number> {
  const keys = ['hello', 'backend', 'discovered', 'firstVerdict', 'allVerdicts', 'exit', 'testMs'] as const;
  return Object.fromEntries(keys.map((k) => [k, median(runs.map((r) => r[k] ?? NaN))]));
}

/** Where a cold start's time goes, each part in a fresh process (run with --phases <ws> <id>). */
async function phases(ws: string, id: string): Promise<Record<string, number>> {
  const req = createRequire(join(ws, 'package.json'));
  const t = (): number => performance.now();
  const out: Record<string, number> = {};
  let t0 = t();
  const tf = req('@tensorflow/tfjs') as typeof import('@tensorflow/tfjs');
  out.loadTfjs = t() - t0;
  const ladder = await import('../templates/workspace/lab/runtime/ladder');
  const probe = await import('../templates/workspace/lab/runtime/gpuProbe');
  t0 = t();
  await probe.probeInChild(req.resolve('webgpu'));
  out.gpuProbeInChild = t() - t0;
  t0 = t();
  const report = await ladder.selectBackend({ require: req, tf }, { preference: 'auto' });
  out.selectBackendVerdictCached = t() - t0;
  out.active = report.active === 'wasm' ? 1 : 0;
  // Transpile: every .ts file of the exercise and of lab/, as the runner's hook compiles them (an upper bound).
  const files = [join(ws, 'exercises', id), join(ws, 'lab')].flatMap(function walk(d: string): string[] {
    return readdirSync(d).flatMap((n) =>
      statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : n.endsWith('.ts') ? [join(d, n)] : [],
    );
  });
  const sources = files.map((f) => readFileSync(f, 'utf8'));
  t0 = t();
  for (const [i, source] of sources.entries())
    transform(source, { transforms: ['typescript', 'imports'], filePath: files[i], production: true });
  out.transpileAll = t() - t0;
  out.transpiledFiles = files.length;
  out.transpiledKb = sources.reduce((n, s) => n + s.length, 0) / 1024;
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, Math.round(v * 10) / 10]));
}

function nodeStartMs(): number {
  const t0 = performance.now();
  spawnSync(process.execPath, ['-e', '0']);
  return Math.round(performance.now() - t0);
}

async function main(): Promise<void> {
  if (args[0] === '--phases') {
    console.log(JSON.stringify(await phases(args[1], args[2])));
    return;
  }
  const reps = Number(flag('reps', '3'));
  const scenarios = flag('scenarios', 'first,cold,warm').split(',');
  const runnerPath = flag('runner', RUNNER);
  const outFile = flag('out', resultPath('verdict.json'));
  const ids = args.length ? args : ['clip', 'whisper'];
  if (runnerPath === RUNNER) await buildRunner();
  const loadBefore = loadavg().map((l) => Number(l.toFixed(2)));
  const warmCache = mkdtempSync(join(tmpdir(), 'mml-bench-cache-'));
  const results: Record<string, unknown> = {};
  for (const id of ids) {
    const ws = exerciseWorkspace(id, 'solution');
    const job: RunnerJob = { ...jobBase(ws), kind: 'test', exerciseId: id, files: testFiles(ws, id) };
    const env = (cacheDir: string): NodeJS.ProcessEnv => ({ ...process.env, MULTIMODAL_LAB_CACHE_DIR: cacheDir });
    const byScenario: Record<string, { runs: Marks[]; median: Record<string, number> }> = {};
    const record = (name: string, m: Marks): void => {
      (byScenario[name] ??= { runs: [], median: {} }).runs.push(m);
      console.log(
        `${id} ${name}: first verdict ${m.firstVerdict} ms, all ${m.allVerdicts} ms (hello ${m.hello}, backend ${m.backend}, discovered ${m.discovered}; ${m.tests} tests, ${m.testMs} ms in tests)`,
      );
    };
    for (let n = 0; n < reps; n++) {
      if (scenarios.includes('first')) {
        const fresh = mkdtempSync(join(tmpdir(), 'mml-bench-cache-'));
        record('first', await click(job, (j, o) => startRunner(j, { ...o, runnerPath, env: env(fresh) })));
      }
      if (scenarios.includes('cold'))
        record('cold', await click(job, (j, o) => startRunner(j, { ...o, runnerPath, env: env(warmCache) })));
      if (scenarios.includes('warm')) {
        const pool = new RunnerPool({ runnerPath, env: env(warmCache) });
        await click(job, (j, o) => pool.start(j, o)); // leaves a spare behind
        if (!(await pool.spareReady())) throw new Error('the spare runner did not get ready');
        record('warm', await click(job, (j, o) => pool.start(j, o)));
        pool.dispose();
      }
    }
    for (const s of Object.values(byScenario)) s.median = summarise(s.runs);
    const p = spawnSync(process.execPath, ['--import', 'tsx', __filename, '--phases', ws, id], {
      encoding: 'utf8',
      env: env(warmCache),
    });
    if (p.status !== 0) throw new Error(`phases failed: ${p.stderr}`);
    results[id] = {
      tests: job.files.length,
      scenarios: byScenario,
      phases: JSON.parse(p.stdout.trim().split('\n').at(-1) as string) as unknown,
    };
  }
  const result = {
    // Repo-relative, so the result file names no machine's folders; a bundle from elsewhere is named only as such.
    runner: runnerLabel(runnerPath),
    reps,
    nodeStartMs: nodeStartMs(),
    results,
    ...machine(),
    loadAverageBefore: loadBefore,
    loadAverageAfter: loadavg().map((l) => Number(l.toFixed(2))),
    date: new Date().toISOString(),
  };
  writeResult(outFile, result);
  console.log(
    JSON.stringify(
      Object.fromEntries(
        Object.entries(results).map(([id, r]) => [
          id,
          Object.fromEntries(
            Object.entries((r as { scenarios: Record<string, { median: unknown }> }).scenarios).map(([k, v]) => [
              k,
              v.median,
            ]),
          ),
        ]),
      ),
      null,
      2,
    ),
  );
}

runBenchmark(main);

/** The runner bundle as the result file records it: repo-relative, or "a bundle outside the repository". */
function runnerLabel(runnerPath: string): string {
  const rel = relative(REPO, runnerPath);
  return rel.startsWith('..') || isAbsolute(rel) ? 'a runner bundle outside the repository (--runner)' : rel;
}
