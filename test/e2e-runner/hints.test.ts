/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// Hints in a real VS Code (code-server), on the fixture course: "Show Next Hint" reveals the hints of the TODO at the
// cursor one at a time in a single preview that grows in place (issue 19: three clicks used to open three previews,
// and hints ran as one sequence across TODOs), and "Show Hints for a TODO…" offers each TODO with its count.
import * as assert from 'node:assert/strict';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { e2eEnvironment, eventually, screenshot, workbenchSuite } from '../e2e/workbench';
import { ensureExerciseStarted, exerciseAction } from './helpers';

const course = process.env.E2E_COURSE ?? '';
const ROW = '1. Fit a line';

// Two TODOs, so revealing TODO(1) must not reveal TODO(2). Written into the spec's own copy of the fixture course.
const HINTS = `# Hints

## TODO(1): the prediction
1. It is a line: multiply, then add.
2. \`tf.mul(w, x)\` scales every x; \`tf.add(…, b)\` shifts it.
3. \`return tf.add(tf.mul(w, x), b)\` — the scalars broadcast over [N].

## TODO(2): the loss
1. The mean of the squared differences.
2. \`tf.losses.meanSquaredError(y, predict(w, b, x))\`.
`;

/** Text of the hints preview (a webview two iframes deep), or '' while it is not there. */
async function hintsPreviewText(page: Page): Promise<string> {
  for (const frame of page.frames()) {
    const text = await frame.evaluate(() => document.body?.innerText ?? '').catch(() => '');
    if (text.includes('Hints — Fit a line')) return text;
  }
  return '';
}

/** Editor tabs showing the toy exercise's hints, in every editor group. */
async function hintTabs(page: Page): Promise<string[]> {
  return page
    .locator('.tabs-container .tab')
    .evaluateAll((tabs) =>
      tabs.map((t) => t.getAttribute('aria-label') ?? t.textContent ?? '').filter((l) => /toy hints\.md/.test(l)),
    );
}

describe('Hints in code-server: one preview, per TODO', function () {
  this.timeout(180_000);
  const env = e2eEnvironment();
  const exerciseDir = join(env.workspace, 'exercises', 'toy');
  before(() => {
    assert.ok(course && existsSync(join(course, 'course.json')), 'E2E_COURSE points at the assembled fixture course');
    writeFileSync(join(course, 'toy', 'hints.md'), HINTS);
  });
  const wb = workbenchSuite(env, 'hints', {
    opened: async (page) => {
      await ensureExerciseStarted(page, ROW, exerciseDir);
      // The starter's model.ts, whose TODO(1) the cursor names (the specs before this one leave the solution there).
      copyFileSync(join(course, 'toy', 'starter', 'model.ts'), join(exerciseDir, 'model.ts'));
    },
    closing: async () => {
      // Leave the exercise as the specs after this one expect it: the solution in place.
      copyFileSync(join(course, 'toy', 'solution', 'model.ts'), join(exerciseDir, 'model.ts'));
    },
  });

  it("three clicks on Show Next Hint leave exactly one hints editor, whose content grows with TODO(1)'s hints", async () => {
    // The cursor in model.ts (line 1, above `// TODO(1)`) names the TODO, as when the learner is stuck there.
    await eventually(
      'exercises/toy/model.ts to open through Quick Open',
      async () => {
        await wb.page.keyboard.press('Escape');
        await wb.page.locator('.part.sidebar .composite.title').first().click();
        await wb.page.keyboard.press('Control+P');
        await wb.page.locator('.quick-input-widget input').fill('exercises/toy/model.ts', { timeout: 3_000 });
        // The file index of a freshly scaffolded folder can take a moment on a loaded machine.
        await wb.page
          .locator('.quick-input-widget .monaco-list-row', { hasText: 'model.ts' })
          .first()
          .click({ timeout: 5_000 });
        return eventually(
          'model.ts to be the active tab',
          async () =>
            /model\.ts/.test((await wb.page.locator('.tabs-container .tab.active').first().textContent()) ?? ''),
          5_000,
        ).catch(() => false);
      },
      60_000,
    );

    const lengths: number[] = [];
    for (const n of [1, 2, 3]) {
      await exerciseAction(wb.page, 'Show Next Hint');
      const text = await eventually(
        `the hints preview to show ${n} of TODO(1)'s 3 hints`,
        async () => {
          const t = await hintsPreviewText(wb.page);
          return t.includes(`${n} of 3 hints shown`) ? t : undefined;
        },
        30_000,
      );
      const tabs = await hintTabs(wb.page);
      assert.equal(tabs.length, 1, `after click ${n}: hints tabs ${JSON.stringify(tabs)}`);
      assert.doesNotMatch(text, /The mean of the squared differences/, "TODO(2)'s hints stay hidden");
      lengths.push(text.length);
    }
    assert.ok(lengths[0] < lengths[1] && lengths[1] < lengths[2], `the content grows: ${lengths.join(' < ')}`);
    assert.equal(await wb.page.locator('.editor-group-container').count(), 2, 'the code and one hints column');
    const progress = JSON.parse(readFileSync(join(env.workspace, '.multimodal-lab', 'progress.json'), 'utf8'));
    assert.deepEqual(progress.exercises.toy.hintsRevealed, { 1: 3 });
    await screenshot(wb.page, env.screenshotDir, 'hints-01-three-clicks-one-preview');
  });

  it('"Show Hints for a TODO…" lists each TODO with its count and reveals the chosen one in the same preview', async () => {
    await exerciseAction(wb.page, 'Show Hints for a TODO…');
    const rows = wb.page.locator('.quick-input-widget .monaco-list-row');
    await eventually(
      'both TODOs in the pick list with their counts',
      async () => {
        const texts = (await rows.allTextContents()).join(' | ');
        return (
          /TODO\(1\): the prediction.*3 of 3 hints shown/.test(texts) &&
          /TODO\(2\): the loss.*0 of 2 hints shown/.test(texts)
        );
      },
      15_000,
    );
    await rows.filter({ hasText: 'TODO(2)' }).first().click();
    const text = await eventually(
      "TODO(2)'s first hint next to TODO(1)'s three",
      async () => {
        const t = await hintsPreviewText(wb.page);
        return t.includes('The mean of the squared differences') ? t : undefined;
      },
      30_000,
    );
    assert.match(text, /TODO\(2\): the loss — 1 of 2 hints shown/);
    assert.match(text, /TODO\(1\): the prediction — 3 of 3 hints shown/);
    assert.equal((await hintTabs(wb.page)).length, 1);
    await screenshot(wb.page, env.screenshotDir, 'hints-02-per-todo');
  });
});
