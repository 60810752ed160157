// Shared plumbing for the runner tests: builds the runner bundle once, makes a throwaway learner workspace from
// test/fixtures/runner, runs jobs through the real client, and reads JSONL run files like the run store will.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as esbuild from 'esbuild';
import {
  RUNNER_PROTOCOL_VERSION,
  type RunnerJob,
  type RunnerToExtension,
  type TrainJob,
} from '../../src/protocol/runner';
import { startRunner, type RunnerExit, type RunnerHandle, type RunnerOptions } from '../../src/runner/client';

export const REPO = resolve(__dirname, '..', '..');
export const RUNNER = join(REPO, 'out', 'test-runner', 'runner.js');

// The GPU verdict (lab/runtime/gpuProbe.ts) of these tests' runners goes to a cache of their own, probed once per
// test process, never into the user's cache folder.
process.env.MULTIMODAL_LAB_CACHE_DIR ??= mkdtempSync(join(tmpdir(), 'mml-cache-'));

let built: Promise<void> | undefined;

/** Bundles src/runner/main.ts like esbuild.mjs does, into out/ so it never races a concurrent `npm run build`. */
export function buildRunner(): Promise<void> {
  built ??= esbuild
    .build({
      entryPoints: [join(REPO, 'src/runner/main.ts')],
      outfile: RUNNER,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      sourcemap: true,
      logLevel: 'error',
      mainFields: ['module', 'main'],
      logOverride: { 'require-resolve-not-external': 'silent' },
    })
    .then(() => undefined);
  return built;
}

/** A fresh workspace: the fixture exercises, the real lab library, the repo's node_modules (unless `bare`). */
export function makeWorkspace(options: { bare?: boolean } = {}): string {
  const ws = mkdtempSync(join(tmpdir(), 'mml-runner-'));
  cpSync(join(REPO, 'test/fixtures/runner/exercises'), join(ws, 'exercises'), { recursive: true });
  cpSync(join(REPO, 'templates/workspace/lab'), join(ws, 'lab'), { recursive: true });
  writeFileSync(join(ws, 'package.json'), JSON.stringify({ name: 'runner-fixture', private: true }));
  if (!options.bare) symlinkSync(join(REPO, 'node_modules'), join(ws, 'node_modules'), 'dir');
  return ws;
}

export function writeFile(ws: string, rel: string, text: string): string {
  const file = join(ws, rel);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, text);
  return file;
}

export interface Finished {
  events: RunnerToExtension[];
  exit: RunnerExit;
}

export interface RunOptions {
  hangTimeoutMs?: number;
  graceMs?: number;
  /** Called on every event with the handle, e.g. to stop or cancel mid-run. */
  onEvent?: (e: RunnerToExtension, handle: RunnerHandle, events: RunnerToExtension[]) => void;
  /** How to start the runner (default: startRunner, a fresh process); e.g. a spare's `assign` or a pool's `start`. */
  start?: (job: RunnerJob, options: RunnerOptions) => RunnerHandle;
}

/** Runs `job` to its end through the real client and returns every event in order. */
export async function run(job: RunnerJob, options: RunOptions = {}): Promise<Finished> {
  await buildRunner();
  const events: RunnerToExtension[] = [];
  // onEvent never fires synchronously inside startRunner, so `handle` is always set when it runs.
  let handle: RunnerHandle | undefined = undefined;
  handle = (options.start ?? startRunner)(job, {
    runnerPath: RUNNER,
    hangTimeoutMs: options.hangTimeoutMs ?? 30_000,
    graceMs: options.graceMs ?? 5_000,
    onEvent: (e) => {
      events.push(e);
      if (handle) options.onEvent?.(e, handle, events);
    },
  });
  const exit = await handle.done;
  return { events, exit };
}

/** The event types in order, without `output` (tfjs and learners print freely). */
export function types(events: readonly RunnerToExtension[]): string[] {
  return events.filter((e) => e.type !== 'output').map((e) => e.type);
}

export function only<T extends RunnerToExtension['type']>(
  events: readonly RunnerToExtension[],
  type: T,
): Extract<RunnerToExtension, { type: T }>[] {
  return events.filter((e): e is Extract<RunnerToExtension, { type: T }> => e.type === type);
}

type Verdict = 'testPassed' | 'testFailed' | 'testSkipped';

/**
 * The event types of a test job whose tests end with `verdicts` in order: hello, backend and discovery, then a
 * testStarted before each verdict, then testsFinished.
 */
export function testJobEvents(...verdicts: Verdict[]): string[] {
  return ['hello', 'backend', 'testsDiscovered', ...verdicts.flatMap((v) => ['testStarted', v]), 'testsFinished'];
}

/**
 * The backend ladder this machine reports, as [rung, status] top first: no tfjs-node, no GPU adapter `auto` picks,
 * wasm active. `cpu` is 'skipped' when a job stops at the first rung that loads, 'available' when it walks the whole
 * ladder (diagnose).
 */
export function machineLadder(cpu: 'skipped' | 'available'): [string, string][] {
  return [
    ['tensorflow-gpu', 'skipped'],
    ['tensorflow', 'skipped'],
    ['webgpu', 'skipped'],
    ['wasm', 'active'],
    ['cpu', cpu],
  ];
}

export function jobBase(ws: string): {
  type: 'job';
  protocol: typeof RUNNER_PROTOCOL_VERSION;
  workspaceRoot: string;
  backend: 'auto';
} {
  return { type: 'job', protocol: RUNNER_PROTOCOL_VERSION, workspaceRoot: ws, backend: 'auto' };
}

/**
 * The train job the extension sends for exercise `id` of learner workspace `ws`: its own `exercises/<id>/train.ts`,
 * writing run `runId` under `.multimodal-lab/runs/<id>/`.
 */
export function exerciseTrainJob(
  ws: string,
  id: string,
  runId: string,
  config: TrainJob['config'],
  backend: TrainJob['backend'] = 'auto',
): TrainJob {
  return {
    ...jobBase(ws),
    backend,
    kind: 'train',
    exerciseId: id,
    runId,
    entry: join(ws, 'exercises', id, 'train.ts'),
    runDir: join(ws, '.multimodal-lab', 'runs', id, runId),
    config,
  };
}

/** Reads a JSONL file as the run store will: every complete line, and whether a partial last line was dropped. */
export function readJsonl(file: string): { records: unknown[]; partialLastLine: boolean } {
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n');
  const last = lines.pop() ?? '';
  const records = lines.filter((l) => l.length > 0).map((l) => JSON.parse(l) as unknown);
  return { records, partialLastLine: last.length > 0 };
}
