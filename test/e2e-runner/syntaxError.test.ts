/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// Issue 19, defect 6: a syntax error in one module errored every test of the exercise, and the tree kept saying
// "24/24 tests pass". In a real VS Code (code-server), on the fixture course: a second test file that does not import
// model.ts, a green run, then a syntax error in model.ts. Only model.test.ts's tests error (at the broken line), the
// other file's test still passes, and the tree and progress.json say 1/3.
import * as assert from 'node:assert/strict';
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { e2eEnvironment, eventually, rowText, screenshot, treeRow, workbenchSuite } from '../e2e/workbench';
import { ensureExerciseStarted, exerciseAction, gutterLines } from './helpers';

const course = process.env.E2E_COURSE ?? '';
const ROW = '1. Fit a line';

const SCALE = `/** Doubles every value: a module of its own, which model.test.ts does not import. */
export function double(values: number[]): number[] {
  return values.map((v) => 2 * v);
}
`;
const SCALE_TEST = `import * as assert from 'node:assert/strict';
import { double } from '../scale';

describe('double', () => {
  it('doubles every value', () => assert.deepEqual(double([1, 2]), [2, 4]));
});
`;
// The solution's model.ts with line 5 cut short: sucrase stops at "as;".
const BROKEN_MODEL = `import * as tf from '@tensorflow/tfjs';

/** A line through the data: y = w·x + b.  x: [N] → [N] */
export function predict(w: tf.Scalar, b: tf.Scalar, x: tf.Tensor1D): tf.Tensor1D {
  return tf.add(tf.mul(w, x), b) as;
}
`;

/** Opens a workspace file through Quick Open, as a learner does, retrying while the list is still filling. */
async function openFile(page: Page, rel: string): Promise<void> {
  const name = rel.split('/').pop() as string;
  await eventually(
    `${rel} to be open`,
    async () => {
      try {
        await page.keyboard.press('Escape');
        await page.locator('.part.sidebar .composite.title').first().click({ timeout: 3_000 });
        await page.keyboard.press('Control+P');
        const input = page.locator('.quick-input-widget input');
        await input.waitFor({ timeout: 3_000 });
        await input.fill(rel);
        await page.locator('.quick-input-widget .monaco-list-row', { hasText: name }).first().click({ timeout: 5_000 });
        await eventually(
          `the ${name} tab`,
          async () => ((await page.locator('.tabs-container .tab.active').first().textContent()) ?? '').includes(name),
          5_000,
        );
        return true;
      } catch {
        return false;
      }
    },
    45_000,
  );
}

/** Waits for the exercise's row to show `count`; on timeout, says what the row showed. */
async function treeCount(page: Page, count: RegExp): Promise<void> {
  let seen = '';
  await eventually(
    `the tree to show ${count.source}`,
    async () => {
      seen = await rowText(treeRow(page, ROW)).catch((e: unknown) => String(e));
      return count.test(seen);
    },
    90_000,
  ).catch((e: unknown) => {
    throw new Error(`${(e as Error).message}; the row showed "${seen}"`);
  });
}

describe('A syntax error in code-server: only the tests that import the broken module error', function () {
  this.timeout(240_000);
  const env = e2eEnvironment();
  const exerciseDir = join(env.workspace, 'exercises', 'toy');
  const wb = workbenchSuite(env, 'syntax', {
    opened: (page) => ensureExerciseStarted(page, ROW, exerciseDir),
    closing: async () => {
      // Leave the exercise as the other specs expect it: the solution in place, no extra files.
      copyFileSync(join(course, 'toy', 'solution', 'model.ts'), join(exerciseDir, 'model.ts'));
      rmSync(join(exerciseDir, 'scale.ts'), { force: true });
      rmSync(join(exerciseDir, 'tests', 'scale.test.ts'), { force: true });
    },
  });

  it('is green first: the solution and a second test file that does not import model.ts, 3/3', async () => {
    copyFileSync(join(course, 'toy', 'solution', 'model.ts'), join(exerciseDir, 'model.ts'));
    writeFileSync(join(exerciseDir, 'scale.ts'), SCALE);
    writeFileSync(join(exerciseDir, 'tests', 'scale.test.ts'), SCALE_TEST);
    // Run Exercise Tests lists the test files again before it runs, so the run includes the new one.
    await exerciseAction(wb.page, 'Run Exercise Tests');
    // The row's wording may change ("3/3 pass", "tests passing · 3/3"); the count is what this checks.
    await treeCount(wb.page, /(?<!\d)3\/3(?!\d)/);
  });

  it('a syntax error in model.ts errors model.test.ts at the broken line, scale.test.ts still passes, and the tree says 1/3', async () => {
    writeFileSync(join(exerciseDir, 'model.ts'), BROKEN_MODEL);
    await exerciseAction(wb.page, 'Run Exercise Tests');
    await treeCount(wb.page, /(?<!\d)1\/3(?!\d)/);
    const progress = JSON.parse(readFileSync(join(env.workspace, '.multimodal-lab', 'progress.json'), 'utf8'));
    assert.deepEqual([progress.exercises.toy.tests.passed, progress.exercises.toy.tests.total], [1, 3]);

    // The failure peek opens at the broken line of model.ts and says what, where and what to do.
    const peek = wb.page.locator('.monaco-editor .peekview-widget').first();
    const said = await eventually(
      'the peek to name the file that could not load',
      async () => {
        const t = ((await peek.textContent()) ?? '').replace(/\u00a0/g, ' ');
        return /Could not load exercises\/toy\/tests\/model\.test\.ts/.test(t) ? t : undefined;
      },
      30_000,
    );
    assert.match(said, /model\.ts: Unexpected token \(5:/);
    assert.match(said, /Test files that do not import it still ran/);

    // model.test.ts: its two tests (lines 6 and 11) errored, none passed or failed.
    await openFile(wb.page, 'exercises/toy/tests/model.test.ts');
    const errored = await eventually(
      'errored icons at lines 6 and 11 of model.test.ts',
      async () => {
        const lines = await gutterLines(wb.page, 'error');
        return lines.includes(6) && lines.includes(11) ? lines : undefined;
      },
      30_000,
    );
    assert.deepEqual(errored, [6, 11]);
    assert.deepEqual(await gutterLines(wb.page, 'passed'), []);
    await screenshot(wb.page, env.screenshotDir, 'syntax-01-model-test-errored');

    await openFile(wb.page, 'exercises/toy/tests/scale.test.ts');
    await eventually(
      'a passed icon at line 5 of scale.test.ts',
      async () => (await gutterLines(wb.page, 'passed')).includes(5),
      30_000,
    );
    assert.deepEqual(await gutterLines(wb.page, 'error'), []);
    await screenshot(wb.page, env.screenshotDir, 'syntax-02-scale-test-passed');
  });
});
