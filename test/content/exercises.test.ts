// Content CI: for every authored exercise, the starter fails each test at its own TODO, the reference solution
// passes them all and type-checks, a smoke training run on wasm lowers its loss and records the metrics the
// milestones read, the README's commands work, and the hints cover every TODO.
import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunnerToExtension } from '../../src/protocol/runner';
import { REPO, jobBase, only, readJsonl, run } from '../runner/harness';
import { TEMPLATES, authoredExercises, course, exerciseWorkspace, filesUnder, readmeCommands, starterTodos } from './harness';

const SMOKE_TIMEOUT_MS = 240_000;

function testFiles(ws: string, id: string): string[] {
  return filesUnder(join(ws, 'exercises', id, 'tests')).filter((f) => f.endsWith('.test.ts')).map((f) => join(ws, 'exercises', id, 'tests', f));
}

async function runTests(ws: string, id: string): Promise<RunnerToExtension[]> {
  const { events, exit } = await run({ ...jobBase(ws), kind: 'test', exerciseId: id, files: testFiles(ws, id) }, { hangTimeoutMs: 120_000 });
  assert.equal(only(events, 'fatal').length, 0, `the test job failed to run: ${JSON.stringify(only(events, 'fatal'))}`);
  assert.equal(exit.code === 0 || exit.code === 1, true, `runner exit ${JSON.stringify(exit)}`);
  return events;
}

function titleOf(events: RunnerToExtension[], id: string): string {
  const t = only(events, 'testsDiscovered').flatMap((d) => d.tests).find((x) => x.id === id);
  return t ? t.path.join(' > ') : id;
}

/** The metrics the course's milestones read from this exercise's runs. */
function milestoneMetrics(id: string): string[] {
  return course().milestones.flatMap((m) => m.evidence).flatMap((e) => (e.kind === 'runMetric' && e.exercise === id ? [e.metric] : []));
}

for (const id of authoredExercises()) {
  describe(`exercise "${id}" (content)`, function () {
    this.timeout(SMOKE_TIMEOUT_MS + 60_000);
    const todos = starterTodos(id);

    it('marks its TODOs 1…n in the starter, and hints.md gives 2–3 hints for each, one keyed to a symptom', () => {
      assert.ok(todos.length > 0, 'the starter marks no TODO(n)');
      assert.deepEqual(todos, todos.map((_, i) => i + 1), `TODO numbers should run 1…${todos.length}, got ${todos.join(', ')}`);
      const hints = readFileSync(join(TEMPLATES, id, 'hints.md'), 'utf8');
      for (const n of todos) {
        const section = hints.split(/^## /m).find((s) => s.startsWith(`TODO(${n})`));
        assert.ok(section, `hints.md has no "## TODO(${n}): …" section`);
        const count = section.split('\n').filter((l) => /^\d+\.\s/.test(l)).length;
        assert.ok(count >= 2 && count <= 3, `TODO(${n}) has ${count} hints; give 2–3`);
      }
      assert.match(hints, /\*\*Symptom:\*\*/, 'hints.md has no hint keyed to a symptom ("**Symptom:** …")');
    });

    it('has a README with the equations, what to implement, how to run it, the target and the references', () => {
      const readme = readFileSync(join(TEMPLATES, id, 'README.md'), 'utf8');
      for (const heading of ['The idea', 'What you implement', 'Run it', 'What a good run looks like', 'References']) {
        assert.match(readme, new RegExp(`^## ${heading}`, 'm'), `README.md lacks a "## ${heading}" section`);
      }
      assert.match(readme, /\$\$[\s\S]+?\$\$/, 'README.md has no display equation ($$ … $$)');
      for (const n of todos) assert.match(readme, new RegExp(`TODO\\(${n}\\)`), `README.md does not mention TODO(${n})`);
    });

    it('starter: every test fails, each at its own TODO', async () => {
      const events = await runTests(exerciseWorkspace(id, 'starter'), id);
      const passed = only(events, 'testPassed').map((e) => titleOf(events, e.id));
      assert.deepEqual(passed, [], 'these tests pass on the untouched starter, so they cannot tell a learner anything');
      const failed = only(events, 'testFailed');
      assert.ok(failed.length >= todos.length, `${failed.length} failing tests for ${todos.length} TODOs`);
      const covered = new Set<number>();
      for (const f of failed) {
        const title = titleOf(events, f.id);
        const n = /TODO\((\d+)\)/.exec(title)?.[1];
        assert.ok(n, `test "${title}" should sit under a "TODO(n)" suite`);
        assert.match(f.message, new RegExp(`TODO\\(${n}\\)`), `test "${title}" should fail at TODO(${n}) on the starter, but failed with: ${f.message.slice(0, 300)}`);
        covered.add(Number(n));
      }
      assert.deepEqual([...covered].sort((a, b) => a - b), todos, 'every TODO should have at least one test');
    });

    it('solution: every test passes', async () => {
      const events = await runTests(exerciseWorkspace(id, 'solution'), id);
      const failed = only(events, 'testFailed').map((e) => `${titleOf(events, e.id)}: ${e.message.slice(0, 400)}`);
      assert.deepEqual(failed, []);
      assert.ok(only(events, 'testPassed').length >= todos.length);
    });

    it('solution: type-checks under the workspace tsconfig', () => {
      const ws = exerciseWorkspace(id, 'solution');
      const r = spawnSync(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', ws], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stdout + r.stderr);
    });

    it('solution: a smoke training run on wasm lowers the loss and records the milestone metrics', async () => {
      const ws = exerciseWorkspace(id, 'solution');
      const runDir = join(ws, '.multimodal-lab', 'runs', id, 'smoke');
      const { events } = await run({
        ...jobBase(ws), backend: 'wasm', kind: 'train', exerciseId: id, runId: 'smoke', entry: join(ws, 'exercises', id, 'train.ts'), runDir, config: 'smoke',
      }, { hangTimeoutMs: SMOKE_TIMEOUT_MS });
      const ended = only(events, 'runEnded')[0];
      assert.equal(ended?.status, 'finished', `run ended ${JSON.stringify(ended)}; ${JSON.stringify(only(events, 'fatal'))}`);
      const loss = (readJsonl(join(runDir, 'scalars.jsonl')).records as { name: string; value: number }[]).filter((r) => r.name === 'loss').map((r) => r.value);
      assert.ok(loss.length >= 8, `only ${loss.length} loss points`);
      const k = Math.max(2, Math.floor(loss.length / 4));
      const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
      const [first, last] = [mean(loss.slice(0, k)), mean(loss.slice(-k))];
      assert.ok(last < first, `the smoke run's loss did not fall: first ${k} steps ${first.toFixed(4)}, last ${k} ${last.toFixed(4)}`);
      const summary = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8')) as Record<string, unknown>;
      for (const metric of milestoneMetrics(id)) assert.equal(typeof summary[metric], 'number', `summary.json lacks the milestone metric "${metric}"`);
      assert.ok(existsSync(join(runDir, 'images')) && readdirSync(join(runDir, 'images')).length > 0, 'the run logged no images');
    });

    it("the README's commands work (smoke configuration, from a terminal)", function () {
      const commands = readmeCommands(id);
      assert.ok(commands.length > 0, 'README.md "## Run it" has no ```sh block');
      const ws = exerciseWorkspace(id, 'solution');
      for (const command of commands) {
        try {
          execFileSync('bash', ['-c', command], {
            cwd: ws, encoding: 'utf8', stdio: 'pipe', timeout: SMOKE_TIMEOUT_MS,
            env: { ...process.env, MULTIMODAL_LAB_CONFIG: 'smoke', PATH: `${join(ws, 'node_modules/.bin')}:${process.env.PATH}` },
          });
        } catch (error) {
          const e = error as { status?: number; stdout?: string; stderr?: string };
          assert.fail(`README command failed (exit ${e.status}): ${command}\n${(e.stdout ?? '').slice(-2000)}\n${(e.stderr ?? '').slice(-2000)}`);
        }
      }
    });
  });
}
