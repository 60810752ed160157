/// <reference lib="dom" />
// Exercise 9 of the shipped course (OpenCLIP's distributed loss and SigLIP), one of the four exercises added for the
// readings that had none, in a real VS Code (code-server): the tree lists it with the milestone it feeds, starting
// it scaffolds its files and the lab/ modules it shares with exercise 1, its tests fail at their TODOs, the
// reference solution turns them green, and the milestone panel and the tree tick that piece of the milestone's
// evidence.
import * as assert from 'node:assert/strict';
import { cpSync, existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import {
  collapse,
  curriculumTree,
  e2eEnvironment,
  eventually,
  expand,
  rowText,
  screenshot,
  treeRow,
  workbenchSuite,
} from '../e2e/workbench';
import { gutterLines, runCommand, treeAction, visibleWebview } from '../e2e-runner/helpers';

const templates = process.env.E2E_COURSE ?? '';
const ID = 'openclip';
// The row's accessible name is its number and full title (the label shows the short title).
const ROW = '9. OpenCLIP';
const MILESTONE = 'You can compute a contrastive loss across workers';
const TESTS_EVIDENCE = 'all tests of "OpenCLIP';

/** Shows only the `open` group of the Curriculum tree expanded, so that its rows are rendered in view. */
async function showOnly(page: Page, open: 'Reading path' | 'Exercises' | 'Milestones'): Promise<void> {
  for (const group of ['Reading path', 'Exercises', 'Milestones'] as const) {
    if (group !== open) await collapse(treeRow(page, group));
  }
  await expand(treeRow(page, open));
}

/** The text of the evidence rows under the milestone row whose label starts with `milestone`. */
async function evidenceRows(page: Page, milestone: string): Promise<string[]> {
  return curriculumTree(page).evaluate((tree, title) => {
    const rows = [...tree.querySelectorAll('[role="treeitem"]')];
    const start = rows.findIndex((r) => (r.getAttribute('aria-label') ?? r.textContent ?? '').startsWith(title));
    const texts: string[] = [];
    for (const r of rows.slice(start + 1)) {
      if (r.getAttribute('aria-level') !== '3') break;
      texts.push((r.textContent ?? '').replace(/\s+/g, ' ').trim());
    }
    return start < 0 ? [] : texts;
  }, milestone);
}

describe('Exercise 9 (OpenCLIP), one of the exercises for the readings, in code-server', function () {
  this.timeout(300_000);
  const env = e2eEnvironment();
  const exerciseDir = join(env.workspace, 'exercises', ID);
  before(() => {
    assert.ok(
      templates && existsSync(join(templates, ID, 'solution')),
      'E2E_COURSE points at the repo templates with the openclip exercise',
    );
  });
  const wb = workbenchSuite(env, 'course-openclip');

  it('lists the exercise in the tree, and its milestone with the evidence it waits for', async () => {
    await showOnly(wb.page, 'Exercises');
    const row = treeRow(wb.page, ROW);
    await eventually('exercise 9 to be startable', async () => /not started/.test(await rowText(row)), 30_000);
    await showOnly(wb.page, 'Milestones');
    const milestone = treeRow(wb.page, MILESTONE);
    await expand(milestone);
    const evidence = await eventually(
      'the milestone to list its two pieces of evidence',
      async () => {
        const rows = await evidenceRows(wb.page, MILESTONE);
        return rows.length === 2 ? rows : undefined;
      },
      30_000,
    );
    const tests = evidence.find((t) => t.includes(TESTS_EVIDENCE));
    assert.ok(tests, `a tests-pass piece of evidence among ${evidence.join(' | ')}`);
    assert.match(tests, /waiting/);
    await screenshot(wb.page, env.screenshotDir, 'course-10-openclip-milestone-waiting');
  });

  it('starts exercise 9 from the tree: README, starter, tests and the lab/ modules it shares with exercise 1', async () => {
    await showOnly(wb.page, 'Exercises');
    await treeAction(wb.page, ROW, 'Start Exercise');
    // Exercise 9 builds on exercise 1: unless exercise 1's tests all pass (when this spec runs after clip.test.ts),
    // starting it first asks whether to start exercise 1 instead, since its provided code holds exercise 1's answers.
    const anyway = wb.page.getByRole('button', { name: 'Start anyway' });
    await eventually(
      `exercises/${ID}/ to be scaffolded`,
      async () => {
        if (await anyway.isVisible().catch(() => false)) {
          const dialog = (await wb.page.locator('.monaco-dialog-box').textContent()) ?? '';
          assert.match(dialog, /builds on "CLIP from scratch"/);
          await anyway.click();
        }
        return existsSync(join(exerciseDir, 'train.ts')) && existsSync(join(exerciseDir, 'tests'));
      },
      30_000,
    );
    for (const f of readdirSync(join(templates, ID, 'starter'))) {
      assert.ok(existsSync(join(exerciseDir, f)), `exercises/${ID}/${f}`);
    }
    assert.ok(existsSync(join(exerciseDir, 'README.md')));
    const course = JSON.parse(readFileSync(join(templates, 'course.json'), 'utf8')) as {
      exercises: { id: string; lab?: string[] }[];
    };
    const lab = course.exercises.find((e) => e.id === ID)?.lab ?? [];
    assert.ok(lab.length > 0, 'the course lists lab/ modules for the exercise');
    for (const m of lab) assert.ok(existsSync(join(env.workspace, 'lab', m)), `lab/${m} in the workspace`);
    await eventually('the tree to show the exercise in progress', async () =>
      /in progress/.test(await rowText(treeRow(wb.page, ROW))),
    );
    await screenshot(wb.page, env.screenshotDir, 'course-11-openclip-started');
  });

  it('runs its tests: every one fails on the starter, at a TODO', async () => {
    await treeAction(wb.page, ROW, 'Run Exercise Tests');
    await eventually(
      'the tree to count the tests, none passing',
      async () => /(?<!\d)0\/\d+ pass/.test(await rowText(treeRow(wb.page, ROW))),
      180_000,
    );
    const failed = await eventually(
      'failed-test icons in the gutter of the opened test file',
      async () => {
        const lines = await gutterLines(wb.page, 'failed');
        return lines.length > 0 ? lines : undefined;
      },
      60_000,
    );
    assert.ok(failed.length > 0);
    const peek = wb.page.locator('.monaco-editor .peekview-widget').first();
    await eventually(
      'the failure peek to point at a TODO',
      async () => /TODO\(\d+\)/.test((await peek.textContent()) ?? ''),
      30_000,
    );
    await screenshot(wb.page, env.screenshotDir, 'course-12-openclip-red');
  });

  it('turns green with the reference solution, and the milestone panel and the tree tick the tests evidence', async () => {
    await wb.page.keyboard.press('Escape');
    cpSync(join(templates, ID, 'solution'), exerciseDir, { recursive: true });
    await treeAction(wb.page, ROW, 'Run Exercise Tests');
    await eventually(
      'the tree to show every test passing',
      async () => /(?<!\d)(\d+)\/\1 pass/.test(await rowText(treeRow(wb.page, ROW))),
      180_000,
    );
    const progress = JSON.parse(readFileSync(join(env.workspace, '.multimodal-lab', 'progress.json'), 'utf8'));
    assert.ok(progress.exercises[ID].tests.total > 0);
    assert.equal(progress.exercises[ID].tests.passed, progress.exercises[ID].tests.total);

    await runCommand(wb.page, 'Multimodal Lab: Show Milestones');
    const view = visibleWebview(wb.page);
    const item = view.locator('li.milestone', { hasText: MILESTONE }).first();
    await eventually(
      'the milestone panel to tick the tests evidence of exercise 9',
      async () =>
        (await item
          .locator('ul.evidence li.met', { hasText: TESTS_EVIDENCE })
          .count()
          .catch(() => 0)) === 1,
      30_000,
    );
    assert.match((await item.locator('h2').textContent()) ?? '', /1 of 2 pieces of evidence/);
    await screenshot(wb.page, env.screenshotDir, 'course-13-openclip-milestone-panel');

    await showOnly(wb.page, 'Milestones');
    await expand(treeRow(wb.page, MILESTONE));
    await eventually(
      'the tree to show the tests evidence done',
      async () => (await evidenceRows(wb.page, MILESTONE)).some((t) => t.includes(TESTS_EVIDENCE) && /done/.test(t)),
      30_000,
    );
  });
});
