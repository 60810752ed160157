/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// Exercise 1 of the shipped course in a real VS Code (code-server): start "CLIP from scratch" from the tree and see
// its files appear, run its tests and see the expected failures, put the reference solution in and see green, then
// run a quick training run and see its loss curve in the run panel.
import * as assert from 'node:assert/strict';
import { cpSync, existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { chromiumArgs, e2eEnvironment, eventually, rowText, screenshot, showMultimodalLab, treeRow, waitForWorkbench } from '../e2e/workbench';
import { gutterLines, treeAction } from '../e2e-runner/helpers';

const templates = process.env.E2E_COURSE ?? '';
const ROW = '1. CLIP from scratch';

describe('Exercise 1 (CLIP) of the shipped course in code-server', function () {
  this.timeout(300_000);
  const env = e2eEnvironment();
  const exerciseDir = join(env.workspace, 'exercises', 'clip');
  let browser: Browser;
  let page: Page;

  before(async () => {
    assert.ok(templates && existsSync(join(templates, 'clip', 'solution')), 'E2E_COURSE points at the repo templates with exercise 1');
    browser = await chromium.launch({ executablePath: env.chromiumPath, args: chromiumArgs });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(env.folderUrl);
    await waitForWorkbench(page);
    await showMultimodalLab(page);
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') await screenshot(page, env.screenshotDir, `course-failed-${this.currentTest.title.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}`).catch(() => undefined);
  });

  after(async () => browser?.close());

  it('starts exercise 1 from the tree: README, starter, tests and training script appear', async () => {
    await eventually('exercise 1 to be startable', async () => /not started/.test(await rowText(treeRow(page, ROW))), 30_000);
    await treeAction(page, ROW, 'Start Exercise');
    await eventually('exercises/clip/ to be scaffolded', async () => existsSync(join(exerciseDir, 'train.ts')) && existsSync(join(exerciseDir, 'tests')), 30_000);
    const starter = readdirSync(join(templates, 'clip', 'starter')).sort();
    for (const f of starter) assert.ok(existsSync(join(exerciseDir, f)), `exercises/clip/${f}`);
    assert.ok(existsSync(join(exerciseDir, 'README.md')));
    assert.ok(existsSync(join(env.workspace, 'lab', 'shapes.ts')), 'the shapes-world generator is in the workspace lab/');
    await page.locator('.tabs-container .tab[aria-label^="README.md"], .tabs-container .tab[aria-label^="Preview README.md"]').first().waitFor({ timeout: 30_000 });
    await eventually('the tree to show the exercise in progress', async () => /in progress/.test(await rowText(treeRow(page, ROW))));
    await screenshot(page, env.screenshotDir, 'course-01-clip-started');
  });

  it('runs the tests: every one fails on the starter, at a TODO', async () => {
    await treeAction(page, ROW, 'Run Exercise Tests');
    await eventually('the tree to count the tests, none passing', async () => /in progress · 0\/\d+ tests pass/.test(await rowText(treeRow(page, ROW))), 120_000);
    const failed = await eventually('failed-test icons in the gutter of the opened test file', async () => {
      const lines = await gutterLines(page, 'failed');
      return lines.length > 0 ? lines : undefined;
    }, 60_000);
    assert.ok(failed.length > 0);
    const peek = page.locator('.monaco-editor .peekview-widget').first();
    await eventually('the failure peek to point at a TODO', async () => /TODO\(\d+\)/.test((await peek.textContent()) ?? ''), 30_000);
    await screenshot(page, env.screenshotDir, 'course-02-clip-red');
  });

  it('turns green with the reference solution in place', async () => {
    await page.keyboard.press('Escape');
    cpSync(join(templates, 'clip', 'solution'), exerciseDir, { recursive: true });
    await treeAction(page, ROW, 'Run Exercise Tests');
    await eventually('the tree to show every test passing', async () => /tests passing · (\d+)\/\1\b/.test(await rowText(treeRow(page, ROW))), 120_000);
    const progress = JSON.parse(readFileSync(join(env.workspace, '.multimodal-lab', 'progress.json'), 'utf8'));
    assert.ok(progress.exercises.clip.tests.total > 0);
    assert.equal(progress.exercises.clip.tests.passed, progress.exercises.clip.tests.total);
    // The failing run left the learner's vision.ts open (where TODO(1) threw); the Test Results tree shows the rerun.
    const results = page.locator('.part.panel');
    await eventually('the test results to show passes and no failure', async () =>
      (await results.locator('.codicon-testing-failed-icon').count()) === 0 && (await results.locator('.codicon-testing-passed-icon').count()) > 0, 30_000);
    await screenshot(page, env.screenshotDir, 'course-03-clip-green');
  });

  it('trains a quick run and shows its loss curve in the run panel', async () => {
    await treeAction(page, ROW, 'Train: Quick Check');
    const runsRoot = join(env.workspace, '.multimodal-lab', 'runs', 'clip');
    const meta = await eventually('the quick run to finish', async () => {
      const runs = existsSync(runsRoot) ? readdirSync(runsRoot) : [];
      if (runs.length === 0 || !existsSync(join(runsRoot, runs[0], 'meta.json'))) return undefined;
      const m = JSON.parse(readFileSync(join(runsRoot, runs[0], 'meta.json'), 'utf8')) as { status: string; config: string; backend: string };
      return m.status !== 'running' ? m : undefined;
    }, 240_000);
    assert.deepEqual([meta.status, meta.config, meta.backend], ['finished', 'smoke', 'wasm']);
    await page.locator('.tabs-container .tab[aria-label^="Run clip"]').first().click({ timeout: 30_000 });
    const view = page.frameLocator('iframe.webview.ready >> visible=true').frameLocator('iframe#active-frame');
    await view.locator('.chart-group[data-group="loss"] canvas').first().waitFor({ timeout: 30_000 });
    await eventually('the run header to say finished', async () => /Finished/i.test((await view.locator('.run-header').first().textContent()) ?? ''), 30_000);
    await screenshot(page, env.screenshotDir, 'course-04-clip-quick-run');
  });
});
