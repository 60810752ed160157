/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// Installing dependencies in a real VS Code (code-server), on the fixture course (issue 19): the command is on the
// exercise's context menu; when the workspace has no TensorFlow.js it is also an inline button on the exercise row,
// and running the tests then says so with an "Install Dependencies" button. The command itself is never run here:
// the sandbox's node_modules is a link to the repository's own.
import * as assert from 'node:assert/strict';
import { existsSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { e2eEnvironment, eventually, rowText, screenshot, treeRow, workbenchSuite } from '../e2e/workbench';
import { ensureExerciseStarted, runCommand, treeAction } from './helpers';

const course = process.env.E2E_COURSE ?? '';
const ROW = '1. Fit a line';
const INSTALL = 'Install Exercise Dependencies';

/** The titles of the context menu a right-click on `row` opens (then closed again with Escape). */
async function contextMenu(page: Page, row: string): Promise<string[]> {
  return eventually(
    `the context menu of "${row}"`,
    async () => {
      await page.keyboard.press('Escape');
      await treeRow(page, row).click({ button: 'right' });
      const items = page.locator('.context-view .monaco-menu [role="menuitem"]');
      await items
        .first()
        .waitFor({ timeout: 3_000 })
        .catch(() => undefined);
      const names = (
        await items.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? e.textContent ?? ''))
      )
        .map((t) => t.trim())
        .filter(Boolean);
      await page.keyboard.press('Escape');
      return names.length ? names : undefined;
    },
    30_000,
  );
}

/** The inline action buttons on a tree row, by their titles. */
async function inlineActions(page: Page, row: string): Promise<string[]> {
  await treeRow(page, row).hover();
  return treeRow(page, row)
    .locator('.actions .action-label')
    .evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? e.getAttribute('title') ?? ''));
}

describe('Install Dependencies in code-server: reachable wherever tests and training need it', function () {
  this.timeout(180_000);
  const env = e2eEnvironment();
  const exerciseDir = join(env.workspace, 'exercises', 'toy');
  const modules = join(env.workspace, 'node_modules');
  const parked = join(env.workspace, 'node_modules.parked');
  before(() => {
    assert.ok(course && existsSync(join(course, 'course.json')), 'E2E_COURSE points at the assembled fixture course');
  });
  const wb = workbenchSuite(env, 'install', {
    opened: (page) => ensureExerciseStarted(page, ROW, exerciseDir),
    closing: async () => {
      if (existsSync(parked) && !existsSync(modules)) renameSync(parked, modules);
    },
  });

  it("is on the exercise's context menu, next to running its tests", async () => {
    const menu = await contextMenu(wb.page, ROW);
    assert.ok(
      menu.some((m) => m.startsWith(INSTALL)),
      `context menu: ${menu.join(', ')}`,
    );
    assert.ok(menu.some((m) => m.startsWith('Run Exercise Tests')));
    await treeRow(wb.page, ROW).click({ button: 'right' });
    await screenshot(wb.page, env.screenshotDir, 'install-01-context-menu');
    await wb.page.keyboard.press('Escape');
  });

  it('without TensorFlow.js in the workspace: an inline button on the row, and a button on the test failure', async () => {
    assert.equal(
      (await inlineActions(wb.page, ROW)).includes(INSTALL),
      false,
      'no inline button while the packages are there',
    );
    renameSync(modules, parked);
    try {
      await runCommand(wb.page, 'Multimodal Lab: Reload Curriculum');
      await eventually(
        'the inline Install button on the exercise row',
        async () => (await inlineActions(wb.page, ROW)).includes(INSTALL),
        30_000,
      );
      await screenshot(wb.page, env.screenshotDir, 'install-02-inline-button');
      await treeAction(wb.page, ROW, 'Run Exercise Tests');
      const toast = wb.page
        .locator('.notifications-toasts .notification-list-item')
        .filter({ hasText: /could not start: @tensorflow\/tfjs is not installed/ })
        .first();
      await toast.waitFor({ timeout: 90_000 });
      assert.match(
        (await toast.textContent()) ?? '',
        /Install the workspace's dependencies \(npm install\), then try again/,
      );
      assert.equal(
        await toast.locator('.monaco-button', { hasText: 'Install Dependencies' }).count(),
        1,
        'the notification offers the command as a button',
      );
      await screenshot(wb.page, env.screenshotDir, 'install-03-test-failure-button');
    } finally {
      renameSync(parked, modules);
    }
    await runCommand(wb.page, 'Multimodal Lab: Reload Curriculum');
    await eventually(
      'the inline button to go once the packages are back',
      async () => !(await inlineActions(wb.page, ROW)).includes(INSTALL),
      30_000,
    );
    // And the tests run again (the specs after this one expect them green, as before).
    await treeAction(wb.page, ROW, 'Run Exercise Tests');
    await eventually(
      'the tests to pass again',
      async () => /(?<!\d)2\/2 pass/.test(await rowText(treeRow(wb.page, ROW))),
      90_000,
    );
  });
});
