/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// An exercise end to end in a real VS Code (code-server), on the fixture course (test/fixtures/course): start it from
// the tree, run its tests and see the failure at the assertion's line, put the solution in and see green, train,
// and stop. Started by scripts/e2e.mjs, which points multimodalLab.courseFile at the fixture course.
import * as assert from 'node:assert/strict';
import { copyFileSync, existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { e2eEnvironment, eventually, rowText, screenshot, treeRow, workbenchSuite } from '../e2e/workbench';
import { exerciseAction, gutterLines, runCommand } from './helpers';

const course = process.env.E2E_COURSE ?? '';

describe('An exercise in code-server: start, test, fix, train, stop', function () {
  this.timeout(180_000);
  const env = e2eEnvironment();
  const exerciseDir = join(env.workspace, 'exercises', 'toy');
  before(() => {
    assert.ok(course && existsSync(join(course, 'course.json')), 'E2E_COURSE points at the assembled fixture course');
  });
  const wb = workbenchSuite(env, 'runner');

  it('starts the exercise from the tree and its files appear', async () => {
    const row = treeRow(wb.page, '1. Fit a line');
    await eventually('the exercise to be startable', async () => /not started/.test(await rowText(row)), 30_000);
    await exerciseAction(wb.page, 'Start Exercise');
    await eventually(
      'exercises/toy/ to be scaffolded',
      async () => existsSync(join(exerciseDir, 'tests', 'model.test.ts')) && existsSync(join(exerciseDir, 'train.ts')),
    );
    assert.deepEqual(readdirSync(exerciseDir).sort(), ['README.md', 'model.ts', 'tests', 'train.ts']);
    assert.ok(existsSync(join(env.workspace, 'lab', 'report.ts')), 'the lab library is in the workspace');
    await eventually('the tree to show the exercise in progress', async () => /in progress/.test(await rowText(row)));
    await screenshot(wb.page, env.screenshotDir, 'runner-01-started');
  });

  it('runs the tests and shows the failure at the assertion line, with expected and actual', async () => {
    // testing.automaticallyOpenPeekView is "failureAnywhere" in this sandbox: the failing file opens at the failure.
    await exerciseAction(wb.page, 'Run Exercise Tests');
    // model.test.ts: line 6 is `it('is w·x + b'`, line 8 is its assert.deepEqual. Icons can show for a moment
    // elsewhere while the run is in flight and the peek opens, so wait for the settled gutter.
    let seen: number[] = [];
    const failed = await eventually(
      'a failed-test icon in the gutter at line 6',
      async () => {
        seen = await gutterLines(wb.page, 'failed');
        return seen.includes(6) ? seen : undefined;
      },
      90_000,
    ).catch(() => seen);
    assert.ok(failed.includes(6), `failed icons at lines ${failed.join(', ')}; expected the test at line 6`);
    const peek = wb.page.locator('.monaco-editor .peekview-widget').first();
    // innerText: what is drawn (textContent would also hold the peek's style sheets and its lazily built results tree).
    const peekText = async () => ((await peek.innerText().catch(() => '')) ?? '').replace(/\u00a0/g, ' ');
    await eventually(
      'the failure peek to show the teaching message',
      async () => /should be \[1, 3, 5\]/.test(await peekText()),
      30_000,
    );
    await eventually(
      'the expected and actual values in the peek',
      async () => {
        const t = (await peekText()).replace(/\s+/g, ' ');
        return /\bExpected\b/.test(t) && /\bActual\b/.test(t) && t.includes('[ 1, 3, 5 ]') && t.includes('[ 0, 0, 0 ]');
      },
      30_000,
    ).catch(async () => assert.fail(`the peek reads: ${(await peekText()).slice(0, 400)}`));
    await screenshot(wb.page, env.screenshotDir, 'runner-02-red');
    await eventually(
      'the failure to be shown in model.test.ts',
      async () =>
        /model\.test\.ts/.test((await wb.page.locator('.tabs-container .tab.active').first().textContent()) ?? ''),
      10_000,
    );
  });

  it('turns green once the solution is in place', async () => {
    await wb.page.keyboard.press('Escape');
    copyFileSync(join(course, 'toy', 'solution', 'model.ts'), join(exerciseDir, 'model.ts'));
    await exerciseAction(wb.page, 'Run Exercise Tests');
    await eventually(
      'both tests to pass in the gutter',
      async () => {
        const [passed, failed] = [await gutterLines(wb.page, 'passed'), await gutterLines(wb.page, 'failed')];
        return failed.length === 0 && passed.includes(6) && passed.includes(11);
      },
      90_000,
    );
    await eventually(
      'the tree to show tests passing',
      async () => /(?<!\d)2\/2 pass/.test(await rowText(treeRow(wb.page, '1. Fit a line'))),
      30_000,
    );
    await eventually(
      'the milestone that waits for these tests to tick',
      async () => /^Milestones\s*1\/2/.test(await rowText(treeRow(wb.page, 'Milestones'))),
      15_000,
    );
    const progress = JSON.parse(readFileSync(join(env.workspace, '.multimodal-lab', 'progress.json'), 'utf8'));
    assert.equal(progress.exercises.toy.tests.passed, 2);
    assert.equal(progress.exercises.toy.tests.total, 2);
    await eventually(
      'the offer to compare with the reference solution',
      async () =>
        (await wb.page.locator('.notifications-toasts .notification-list-item-message').allTextContents()).some((t) =>
          /All tests of "toy" pass\. Compare your code with the reference solution\?/.test(t),
        ),
      15_000,
    );
    await screenshot(wb.page, env.screenshotDir, 'runner-03-green');
  });

  it('reruns by itself in continuous mode when the learner saves a change', async () => {
    await runCommand(wb.page, 'Test: Start Continuous Run');
    await wb.page.waitForTimeout(1_000); // the watcher starts with the continuous run
    copyFileSync(join(course, 'toy', 'starter', 'model.ts'), join(exerciseDir, 'model.ts'));
    await eventually(
      'the test to turn red after the change',
      async () => (await gutterLines(wb.page, 'failed')).includes(6),
      60_000,
    );
    copyFileSync(join(course, 'toy', 'solution', 'model.ts'), join(exerciseDir, 'model.ts'));
    await eventually(
      'the test to turn green again',
      async () => {
        const [passed, failed] = [await gutterLines(wb.page, 'passed'), await gutterLines(wb.page, 'failed')];
        return failed.length === 0 && passed.includes(6);
      },
      60_000,
    );
    await screenshot(wb.page, env.screenshotDir, 'runner-03b-continuous');
    await runCommand(wb.page, 'Test: Stop Continuous Run');
  });

  it('trains: the run directory fills; Stop ends the run as stopped', async () => {
    await exerciseAction(wb.page, 'Train');
    const runsRoot = join(env.workspace, '.multimodal-lab', 'runs', 'toy');
    const runDir = await eventually(
      'a run directory with scalars',
      async () => {
        const runs = existsSync(runsRoot) ? readdirSync(runsRoot) : [];
        const dir = runs.length ? join(runsRoot, runs[0]) : undefined;
        return dir &&
          existsSync(join(dir, 'scalars.jsonl')) &&
          readFileSync(join(dir, 'scalars.jsonl'), 'utf8').split('\n').length > 20
          ? dir
          : undefined;
      },
      90_000,
    );
    const meta = JSON.parse(readFileSync(join(runDir, 'meta.json'), 'utf8'));
    assert.equal(meta.status, 'running');
    assert.equal(meta.backend, 'wasm', 'no tfjs-node here, so the ladder lands on wasm');
    await screenshot(wb.page, env.screenshotDir, 'runner-04-training');
    await exerciseAction(wb.page, 'Stop Training');
    const ended = await eventually(
      'meta.json to record the end',
      async () => {
        const m = JSON.parse(readFileSync(join(runDir, 'meta.json'), 'utf8'));
        return m.status !== 'running' ? m : undefined;
      },
      30_000,
    );
    assert.equal(ended.status, 'stopped');
    const records = readFileSync(join(runDir, 'scalars.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { name: string; value: number });
    const losses = records.filter((r) => r.name === 'loss').map((r) => r.value);
    assert.ok(
      records.some((r) => r.name === 'runner/steps_per_sec'),
      'the runner adds its step statistics to the run',
    );
    assert.ok(losses[losses.length - 1] < losses[0], `the loss fell: ${losses[0]} → ${losses[losses.length - 1]}`);
    await eventually(
      'the notification to say the run stopped',
      async () =>
        (await wb.page.locator('.notifications-toasts .notification-list-item-message').allTextContents()).some((t) =>
          /run stopped/.test(t),
        ),
      15_000,
    );
    await screenshot(wb.page, env.screenshotDir, 'runner-05-stopped');
  });

  it('Diagnose Backends prints the ladder: wasm active, webgpu without a hardware adapter, no GPU seen', async () => {
    await runCommand(wb.page, 'Multimodal Lab: Diagnose Backends');
    const output = wb.page.locator('.part.panel .output .view-lines, .part.panel .monaco-editor .view-lines').first();
    const text = await eventually(
      'the diagnosis in the output panel',
      async () => {
        const t = ((await output.textContent()) ?? '').replace(/\u00a0/g, ' ');
        return /Active: wasm/.test(t) && /GPUs seen/.test(t) ? t : undefined;
      },
      60_000,
    );
    // No GPU here: Dawn finds no adapter, or only lavapipe (installed for the WebGPU suite), which auto never picks.
    assert.match(text, /webgpu\s+skipped\s+(no adapter|software adapter only)/);
    assert.match(text, /tensorflow\s+skipped\s+@tensorflow\/tfjs-node not installed/);
    assert.match(text, /wasm\s+active\s+[\d.]+ GFLOP\/s/);
    await screenshot(wb.page, env.screenshotDir, 'runner-06-diagnose');
  });
});
