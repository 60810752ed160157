// The content checks that run on more than one backend: an exercise's tests through the real runner, and a
// smoke training run whose loss must fall. Used by the wasm content suite and by the WebGPU suite.
import * as assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readInsightLines } from '../../src/core/insights';
import type { InsightLines } from '../../src/protocol/insightFiles';
import type { BackendPreference, RunnerToExtension } from '../../src/protocol/runner';
import { exerciseTrainJob, jobBase, only, readJsonl, run } from '../runner/harness';
import { course, exerciseWorkspace, filesUnder } from './harness';

export function testFiles(ws: string, id: string): string[] {
  return filesUnder(join(ws, 'exercises', id, 'tests'))
    .filter((f) => f.endsWith('.test.ts'))
    .map((f) => join(ws, 'exercises', id, 'tests', f));
}

/** Runs the exercise's tests in `ws` through the real runner; the job itself must not fail to run. */
export async function runTests(
  ws: string,
  id: string,
  backend: BackendPreference = 'auto',
  hangTimeoutMs = 120_000,
): Promise<RunnerToExtension[]> {
  const { events, exit } = await run(
    { ...jobBase(ws), backend, kind: 'test', exerciseId: id, files: testFiles(ws, id) },
    { hangTimeoutMs },
  );
  assert.equal(only(events, 'fatal').length, 0, `the test job failed to run: ${JSON.stringify(only(events, 'fatal'))}`);
  assert.equal(exit.code === 0 || exit.code === 1, true, `runner exit ${JSON.stringify(exit)}`);
  // A test file that cannot load reports no test at all, so "no test failed" would hold vacuously: catch it here.
  const unloaded = only(events, 'testFileFailed').map((e) => e.message.slice(0, 400));
  assert.deepEqual(unloaded, [], 'these test files could not be loaded');
  return events;
}

export function titleOf(events: RunnerToExtension[], id: string): string {
  const t = only(events, 'testsDiscovered')
    .flatMap((d) => d.tests)
    .find((x) => x.id === id);
  return t ? t.path.join(' > ') : id;
}

/** The metrics the course's milestones read from this exercise's runs. */
export function milestoneMetrics(id: string): string[] {
  return course()
    .milestones.flatMap((m) => m.evidence)
    .flatMap((e) => (e.kind === 'runMetric' && e.exercise === id ? [e.metric] : []));
}

/**
 * What each exercise's training shows in the run panel's views that look inside a model (issue 16), by record file
 * and series name, as its smoke run logs them.
 */
export const INSIGHTS_SHOWN: Readonly<Record<string, Partial<Record<keyof InsightLines, readonly string[]>>>> = {
  clip: {
    matrices: ['retrieval/similarity', 'zero_shot/confusion_heldout'],
    embeddings: ['joint_space'],
    attention: ['attention/class_token/red_triangle', 'attention/class_token/green_star'],
  },
  ddpm: { histograms: ['noise/true', 'noise/predicted t 0–4', 'noise/predicted t 15–19'] },
  cfg: { tables: ['guidance_sweep'] },
  llava: {
    matrices: ['attention/answer_to_image/image_mass'],
    attention: ['attention/answer_to_image/example 1'],
  },
  collapse: {
    matrices: ['attention/answer_to_image/image_mass'],
    attention: ['attention/answer_to_image/example 1'],
  },
  bridges: {
    matrices: ['attention/llava_answer_to_image/image_mass'],
    attention: ['attention/llava_answer_to_image/example 1'],
  },
  whisper: { audio: ['audio/accent A', 'audio/accent B'], tables: ['transcripts/B'] },
  curation: {
    tables: ['curation/comparison', 'curation/filter', 'curation/dedupe'],
    histograms: ['clip_score/noise 30%, matched', 'clip_score/noise 30%, mismatched'],
  },
  qformer: { matrices: ['stage1/similarity'] },
};

/**
 * The insight series `expected` lists are in the run folder `runDir`, each read back without a notice by the reader
 * the extension uses (so the run panel shows them).
 */
export async function checkInsights(
  runDir: string,
  expected: Partial<Record<keyof InsightLines, readonly string[]>>,
): Promise<void> {
  const { lines, notices } = await readInsightLines(runDir);
  assert.deepEqual(notices, [], 'reading the insight records gave notices');
  for (const [file, names] of Object.entries(expected) as Array<[keyof InsightLines, readonly string[]]>) {
    const logged = new Set(lines[file].map((l) => l.name));
    for (const name of names)
      assert.ok(logged.has(name), `${file}.jsonl lacks the series "${name}"; it has ${JSON.stringify([...logged])}`);
  }
}

/**
 * The series whose fall shows a smoke run working: `loss`, except for an exercise that trains nothing. The
 * evaluation exercise only measures frozen models; what each batch of answers buys it is certainty, so its falling
 * series is the half-width of the 95% interval on its accuracy so far (about 1/√n: it falls if the answers arrive).
 */
export const SMOKE_SERIES: Readonly<Record<string, string>> = { evaluation: 'ci_half_width' };

/**
 * The solution's smoke run on `backend`: it finishes on that backend, its loss (SMOKE_SERIES) falls, it logs
 * images and metrics.
 */
export async function checkSmokeRun(id: string, backend: BackendPreference, hangTimeoutMs: number): Promise<void> {
  const ws = exerciseWorkspace(id, 'solution');
  const job = exerciseTrainJob(ws, id, 'smoke', 'smoke', backend);
  const { runDir } = job;
  const { events } = await run(job, { hangTimeoutMs });
  const ended = only(events, 'runEnded')[0];
  assert.equal(
    ended?.status,
    'finished',
    `run ended ${JSON.stringify(ended)}; ${JSON.stringify(only(events, 'fatal'))}`,
  );
  if (backend !== 'auto')
    assert.equal(only(events, 'backend')[0]?.active, backend, 'the run did not use the backend it was given');
  const series = SMOKE_SERIES[id] ?? 'loss';
  const loss = (readJsonl(join(runDir, 'scalars.jsonl')).records as { name: string; value: number }[])
    .filter((r) => r.name === series)
    .map((r) => r.value);
  assert.ok(loss.length >= 8, `only ${loss.length} ${series} points`);
  const k = Math.max(2, Math.floor(loss.length / 4));
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  const [first, last] = [mean(loss.slice(0, k)), mean(loss.slice(-k))];
  assert.ok(
    last < first,
    `the smoke run's ${series} did not fall: first ${k} steps ${first.toFixed(4)}, last ${k} ${last.toFixed(4)}`,
  );
  const summary = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8')) as Record<string, unknown>;
  for (const metric of milestoneMetrics(id))
    assert.equal(typeof summary[metric], 'number', `summary.json lacks the milestone metric "${metric}"`);
  assert.ok(
    existsSync(join(runDir, 'images')) && readdirSync(join(runDir, 'images')).length > 0,
    'the run logged no images',
  );
  await checkInsights(runDir, INSIGHTS_SHOWN[id] ?? {});
}
