/// <reference lib="dom" />
// The run panel in a real VS Code (code-server): open a stored run from the tree and see its curves and images,
// move the one step cursor and see every image change, compare two runs, and look at it in light and dark themes.
// Runs after exercise.test.ts (the exercise is started, so its runs show in the tree).
import * as assert from 'node:assert/strict';
import type { FrameLocator } from 'playwright-core';
import { makeFixtureRuns } from '../fixtures/runs/make';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  e2eEnvironment,
  eventually,
  rowText,
  screenshot,
  treeRow,
  waitForWorkbench,
  workbenchSuite,
} from '../e2e/workbench';
import { chooseTheme, runCommand, treeAction, visibleWebview } from './helpers';

/** RGBA at the centre of a canvas inside the webview. */
async function centrePixel(view: FrameLocator, selector: string): Promise<number[]> {
  return view
    .locator(selector)
    .first()
    .evaluate((c: HTMLCanvasElement) => [
      ...(c.getContext('2d')?.getImageData((c.width / 2) | 0, (c.height / 2) | 0, 1, 1).data ?? []),
    ]);
}

describe('The run panel in code-server: a stored run, the step cursor, compare, themes', function () {
  this.timeout(180_000);
  const env = e2eEnvironment();
  before(() => makeFixtureRuns(env.workspace));
  const wb = workbenchSuite(env, 'panels', { opened: (page) => runCommand(page, 'View: Close All Editors') });

  it('opens a stored run from the tree and shows its curve and image panels', async () => {
    const exercise = treeRow(wb.page, '1. Fit a line');
    if ((await exercise.getAttribute('aria-expanded')) !== 'true') await exercise.locator('.monaco-tl-twistie').click();
    await treeRow(wb.page, 'baseline').click();
    const view = visibleWebview(wb.page);
    await view.locator('.chart-group[data-group="loss"] canvas').first().waitFor({ timeout: 30_000 });
    await view.locator('.image-series[data-series="samples"] canvas.frame').first().waitFor({ timeout: 30_000 });
    assert.match(
      (await view.locator('.run-header').first().textContent()) ?? '',
      /baseline[\s\S]*finished[\s\S]*wasm/i,
    );
    await screenshot(wb.page, env.screenshotDir, 'panels-01-run-light');
  });

  it('moves every image panel when the step cursor moves', async () => {
    const view = visibleWebview(wb.page);
    const series = ['samples', 'forward'].map((s) => `.image-series[data-series="${s}"] canvas.frame`);
    await eventually('both image panels drawn at the last step', async () =>
      (await centrePixel(view, series[0])).some((v) => v > 200),
    );
    const atEnd = await Promise.all(series.map((s) => centrePixel(view, s)));
    await view.locator('#step-cursor').focus();
    await wb.page.keyboard.press('Home');
    await eventually('the cursor to reach step 0', async () =>
      /^step 0/.test((await view.locator('.cursor-bar output').textContent()) ?? ''),
    );
    const atStart = await eventually('both panels to redraw', async () => {
      const px = await Promise.all(series.map((s) => centrePixel(view, s)));
      return px.every((p, i) => p.join() !== atEnd[i].join()) ? px : undefined;
    });
    assert.ok(atStart[0][0] < atEnd[0][0], `samples got darker at step 0: ${atStart[0]} vs ${atEnd[0]}`);
    await screenshot(wb.page, env.screenshotDir, 'panels-02-cursor-step-0');
  });

  it('compares two runs: both headers, images side by side and the A/B swipe', async () => {
    // With one run selected, Compare asks which runs to compare it with.
    await treeAction(wb.page, 'guided w=3', 'Compare Runs');
    const pick = wb.page.locator('.quick-input-widget .monaco-list-row', { hasText: 'baseline' }).first();
    await pick.waitFor({ timeout: 10_000 });
    // Clicking a row of a multi-select pick toggles it; check the count says so before pressing OK.
    await eventually(
      '"baseline" to be checked in the pick',
      async () => {
        if (
          /^1 Selected/.test(
            (await wb.page
              .locator('.quick-input-widget .quick-input-count')
              .textContent()
              .catch(() => '')) ?? '',
          )
        )
          return true;
        await pick.click({ timeout: 3_000 }).catch(() => undefined);
        await wb.page.waitForTimeout(300);
        return /^1 Selected/.test(
          (await wb.page
            .locator('.quick-input-widget .quick-input-count')
            .textContent()
            .catch(() => '')) ?? '',
        );
      },
      20_000,
    );
    await wb.page
      .locator('.quick-input-widget .quick-input-action a, .quick-input-widget .monaco-button', { hasText: 'OK' })
      .first()
      .click();
    await wb.page.locator('.tabs-container .tab[aria-label^="Compare 2 runs"]').first().waitFor({ timeout: 30_000 });
    const view = visibleWebview(wb.page);
    await eventually('two run headers', async () => (await view.locator('.run-header').count()) === 2, 30_000);
    assert.equal(await view.locator('.image-series[data-series="samples"] .image-cell').count(), 2);
    await view.locator('canvas.swipe-canvas').first().waitFor({ timeout: 15_000 });
    await screenshot(wb.page, env.screenshotDir, 'panels-03-compare-light');
  });

  it('follows the colour theme: dark and light screenshots', async () => {
    const view = visibleWebview(wb.page);
    const background = async (): Promise<number> =>
      view.locator('body').evaluate((b) => {
        const [r, g, bl] = (getComputedStyle(b).backgroundColor.match(/\d+/g) ?? ['0', '0', '0']).map(Number);
        return (r + g + bl) / 3;
      });
    await chooseTheme(wb.page, 'Default Dark Modern');
    await eventually('a dark panel', async () => (await background()) < 80, 30_000);
    await screenshot(wb.page, env.screenshotDir, 'panels-04-compare-dark');
    await chooseTheme(wb.page, 'Default Light Modern');
    await eventually('a light panel', async () => (await background()) > 180, 30_000);
    await screenshot(wb.page, env.screenshotDir, 'panels-05-compare-light-again');
  });

  it('restores the compare panel, with its runs, after a window reload (serializer + replay on ready)', async () => {
    // The browser workbench keeps its open editors in IndexedDB. A plain wb.page reload can outrun the write of the
    // latest editor state (it then restores an older one). "Developer: Reload Window" is the workbench's own reload:
    // it awaits the storage flush before it reloads the wb.page, as a learner's reload does.
    const reloaded = wb.page.waitForEvent('load', { timeout: 60_000 });
    await runCommand(wb.page, 'Developer: Reload Window');
    await reloaded;
    await waitForWorkbench(wb.page);
    const view = visibleWebview(wb.page);
    await eventually(
      'the restored panel to show both runs again',
      async () =>
        (await view
          .locator('.run-header')
          .count()
          .catch(() => 0)) === 2,
      60_000,
    );
    await view.locator('.chart-group[data-group="loss"] canvas').first().waitFor({ timeout: 15_000 });
    await screenshot(wb.page, env.screenshotDir, 'panels-06-restored');
  });

  it('Show Milestones lists each milestone with the evidence that ticked it', async () => {
    await runCommand(wb.page, 'Multimodal Lab: Show Milestones');
    const view = visibleWebview(wb.page);
    await eventually(
      'the milestone panel',
      async () =>
        /You fitted a line/.test(
          (await view
            .locator('body')
            .textContent()
            .catch(() => '')) ?? '',
        ),
      30_000,
    );
    const text = (await view.locator('body').textContent()) ?? '';
    assert.match(text, /all tests of "Fit a line" pass/);
    await screenshot(wb.page, env.screenshotDir, 'panels-07-milestones');
  });

  it('takes a concept check from the milestone panel: paragraph in the notes file, checked on save; answers graded; the milestone ticks', async () => {
    await visibleWebview(wb.page).getByRole('button', { name: 'Take the concept check' }).click();
    await wb.page
      .locator('.tabs-container .tab[aria-label^="Concept check · Fitting a line"]')
      .first()
      .waitFor({ timeout: 30_000 });
    const quiz = visibleWebview(wb.page);
    await quiz.getByRole('button', { name: 'Open notes/milestones/explain-fit.md' }).click({ timeout: 30_000 });
    await wb.page.locator('.tabs-container .tab[aria-label^="explain-fit.md"]').first().waitFor({ timeout: 30_000 });
    const editor = wb.page.locator('.editor-group-container.active .monaco-editor').first();
    await editor.click();
    await wb.page.keyboard.press('Control+End');
    await wb.page.keyboard.type(
      'The model learns a slope and an intercept by lowering the squared error with gradient descent.',
    );
    await wb.page.keyboard.press('Control+S');
    await eventually(
      'the paragraph to pass its check after the save',
      async () =>
        /✓ \d+ words; \d key ideas found \(2 needed\)/.test(
          (await quiz
            .locator('.paragraph .check')
            .textContent()
            .catch(() => '')) ?? '',
        ),
      30_000,
    );
    await quiz.locator('label', { hasText: 'The mean absolute error' }).click(); // wrong first
    await quiz.locator('.number input').fill('5');
    await quiz.getByRole('button', { name: 'Submit answers' }).click();
    await eventually(
      'a graded attempt that is not passed',
      async () =>
        /1 of 2 right — 2 needed/.test(
          (await quiz
            .locator('.score')
            .textContent()
            .catch(() => '')) ?? '',
        ),
      30_000,
    );
    assert.equal(
      await quiz.locator('.model-answer').count(),
      0,
      'the model answer must stay hidden until the check is passed',
    );
    await quiz.locator('label', { hasText: 'The mean squared error' }).click();
    await quiz.getByRole('button', { name: 'Submit answers' }).click();
    await eventually(
      'the passed state with the model answer',
      async () =>
        /Passed ✓/.test(
          (await quiz
            .locator('.status')
            .textContent()
            .catch(() => '')) ?? '',
        ) && (await quiz.locator('.model-answer').count()) === 1,
      30_000,
    );
    await screenshot(wb.page, env.screenshotDir, 'panels-08-concept-check-passed');
    await eventually(
      'both fixture milestones to tick',
      async () => /^Milestones\s*2\/2/.test(await rowText(treeRow(wb.page, 'Milestones'))),
      30_000,
    );
    const progress = JSON.parse(readFileSync(join(env.workspace, '.multimodal-lab', 'progress.json'), 'utf8')) as {
      quizzes?: Record<string, { attempts: number; passedAt?: string }>;
    };
    assert.equal(progress.quizzes?.['explain-fit']?.attempts, 2);
    assert.ok(progress.quizzes?.['explain-fit']?.passedAt);
  });
});
