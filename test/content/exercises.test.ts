// Content CI: for every authored exercise, the starter fails each test at its own TODO, the reference solution
// passes them all and type-checks, a smoke training run on wasm lowers its loss and records the metrics the
// milestones read, the README's commands work, and the hints cover every TODO.
import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, only } from '../runner/harness';
import { checkSmokeRun, runTests, titleOf } from './checks';
import { TEMPLATES, authoredExercises, exerciseWorkspace, readmeCommands, starterTodos } from './harness';

const SMOKE_TIMEOUT_MS = 240_000;

for (const id of authoredExercises()) {
  describe(`exercise "${id}" (content)`, function () {
    this.timeout(SMOKE_TIMEOUT_MS + 60_000);
    const todos = starterTodos(id);

    it('marks its TODOs 1…n in the starter, and hints.md gives 2–3 hints for each, one keyed to a symptom', () => {
      assert.ok(todos.length > 0, 'the starter marks no TODO(n)');
      assert.deepEqual(
        todos,
        todos.map((_, i) => i + 1),
        `TODO numbers should run 1…${todos.length}, got ${todos.join(', ')}`,
      );
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
      for (const n of todos)
        assert.match(readme, new RegExp(`TODO\\(${n}\\)`), `README.md does not mention TODO(${n})`);
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
        assert.match(
          f.message,
          new RegExp(`TODO\\(${n}\\)`),
          `test "${title}" should fail at TODO(${n}) on the starter, but failed with: ${f.message.slice(0, 300)}`,
        );
        covered.add(Number(n));
      }
      assert.deepEqual(
        [...covered].sort((a, b) => a - b),
        todos,
        'every TODO should have at least one test',
      );
    });

    it('solution: every test passes', async () => {
      const events = await runTests(exerciseWorkspace(id, 'solution'), id);
      const failed = only(events, 'testFailed').map((e) => `${titleOf(events, e.id)}: ${e.message.slice(0, 400)}`);
      assert.deepEqual(failed, []);
      assert.ok(only(events, 'testPassed').length >= todos.length);
    });

    it('solution: type-checks under the workspace tsconfig', () => {
      const ws = exerciseWorkspace(id, 'solution');
      const r = spawnSync(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', ws], {
        encoding: 'utf8',
      });
      assert.equal(r.status, 0, r.stdout + r.stderr);
    });

    it('solution: a smoke training run on wasm lowers the loss and records the milestone metrics', async () => {
      await checkSmokeRun(id, 'wasm', SMOKE_TIMEOUT_MS);
    });

    it("the README's commands work (smoke configuration, from a terminal)", function () {
      const commands = readmeCommands(id);
      assert.ok(commands.length > 0, 'README.md "## Run it" has no ```sh block');
      const ws = exerciseWorkspace(id, 'solution');
      for (const command of commands) {
        try {
          execFileSync('bash', ['-c', command], {
            cwd: ws,
            encoding: 'utf8',
            stdio: 'pipe',
            timeout: SMOKE_TIMEOUT_MS,
            env: {
              ...process.env,
              MULTIMODAL_LAB_CONFIG: 'smoke',
              PATH: `${join(ws, 'node_modules/.bin')}:${process.env.PATH}`,
            },
          });
        } catch (error) {
          const e = error as { status?: number; stdout?: string; stderr?: string };
          assert.fail(
            `README command failed (exit ${e.status}): ${command}\n${(e.stdout ?? '').slice(-2000)}\n${(e.stderr ?? '').slice(-2000)}`,
          );
        }
      }
    });
  });
}
