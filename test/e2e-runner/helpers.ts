/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// Helpers shared by the e2e-runner suites: tree context menus, the command palette, and test-state gutter icons.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FrameLocator, Page } from 'playwright-core';
import { eventually, rowText, treeRow } from '../e2e/workbench';

/**
 * Right-clicks the fixture exercise in the Curriculum tree and picks `action` from its context menu, as a learner does.
 */
export async function exerciseAction(page: Page, action: string): Promise<void> {
  await treeAction(page, '1. Fit a line', action);
}

/** Runs a command from the palette by its exact title. */
export async function runCommand(page: Page, title: string): Promise<void> {
  const escaped = title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // A failed attempt throws; eventually retries and, on timeout, reports the last error.
  await eventually(
    `the command "${title}"`,
    async () => {
      await page.keyboard.press('Escape');
      // A focused webview (the README or hints preview) keeps F1 to itself, so focus the workbench first: take focus
      // out of any iframe (a click on the side bar's title alone did not always), then click the title.
      await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
      await page.locator('.part.sidebar .composite.title').first().click({ timeout: 3_000 });
      await page.keyboard.press('F1');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ timeout: 3_000 });
      await input.fill(`>${title}`, { timeout: 3_000 });
      const row = page
        .locator('.quick-input-widget .monaco-list-row')
        .filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${escaped}$`) }) })
        .first();
      await row.click({ timeout: 5_000 });
      return true;
    },
    30_000,
  );
}

/**
 * The line numbers (1-based) in the active editor whose gutter shows a test-state icon of `state` ('error': errored).
 */
export async function gutterLines(page: Page, state: 'failed' | 'passed' | 'error'): Promise<number[]> {
  const editor = page.locator('.editor-group-container.active .monaco-editor').first();
  // One snapshot of line numbers and icons together: measured in two calls, a scroll in between (the failure peek
  // opening) maps an icon to the wrong line. No named functions inside: tsx (esbuild keepNames) would wrap them in a
  // `__name` helper that does not exist in the browser.
  const lines = await editor.evaluate((root: Element, iconClass: string) => {
    const numbers = Array.from(root.querySelectorAll('.line-numbers')).map((el) => {
      const r = el.getBoundingClientRect();
      return { n: Number(el.textContent), y: r.top + r.height / 2 };
    });
    return Array.from(root.querySelectorAll(`.${iconClass}`)).map((icon) => {
      const r = icon.getBoundingClientRect();
      const y = r.top + r.height / 2;
      let best = { n: NaN, y: Infinity };
      for (const l of numbers) if (Math.abs(l.y - y) < Math.abs(best.y - y)) best = l;
      return best.n;
    });
  }, `codicon-testing-${state}-icon`);
  return lines.filter((n) => Number.isFinite(n)).sort((a, b) => a - b);
}

/** Right-clicks a tree row and picks `action` from its context menu, retrying while the tree re-renders. */
export async function treeAction(page: Page, row: string, action: string): Promise<void> {
  await eventually(
    `the "${action}" menu item on "${row}"`,
    async () => {
      await page.keyboard.press('Escape');
      await treeRow(page, row).click({ button: 'right' });
      // "Train" must not also match "Train: Quick Check …": the name may go on only with a space (e.g. a keybinding).
      const escaped = action.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      const item = page
        .locator('.context-view .monaco-menu')
        .getByRole('menuitem', { name: new RegExp(`^${escaped}(?![\\w:])`) });
      const menu = page.locator('.context-view .monaco-menu');
      try {
        await item.waitFor({ timeout: 3_000 });
        await item.hover({ timeout: 3_000 });
        await item.click({ timeout: 3_000 });
        // Now and then the menu swallows a click made while it is still animating in; the hovered item takes Enter.
        if (await menu.isVisible()) {
          await page.waitForTimeout(300);
          if (await menu.isVisible()) await page.keyboard.press('Enter');
        }
        await menu.waitFor({ state: 'hidden', timeout: 3_000 });
        return true;
      } catch {
        return false;
      }
    },
    30_000,
  );
}

/** Switches the colour theme through "Preferences: Color Theme", as a learner does. */
export async function chooseTheme(page: Page, theme: string): Promise<void> {
  await runCommand(page, 'Preferences: Color Theme');
  const input = page.locator('.quick-input-widget input');
  await input.fill(theme);
  // "Browse Additional Color Themes…" stays first in the list; click the theme's own row.
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: theme }).first().click({ timeout: 10_000 });
}

/** The content frame of the visible webview panel (two iframes deep; hidden panels stay in the DOM). */
export function visibleWebview(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview.ready >> visible=true').frameLocator('iframe#active-frame');
}

/**
 * Starts the exercise of tree row `row` unless `exerciseDir` already has its files (a spec may run alone or after
 * another that started it), then closes all editors so the run panel is the only visible webview.
 */
export async function ensureExerciseStarted(page: Page, row: string, exerciseDir: string): Promise<void> {
  if (!existsSync(join(exerciseDir, 'train.ts'))) {
    await eventually(
      `"${row}" to be startable`,
      async () => /not started/.test(await rowText(treeRow(page, row))),
      30_000,
    );
    await treeAction(page, row, 'Start Exercise');
    await eventually(`${exerciseDir} to be scaffolded`, async () => existsSync(join(exerciseDir, 'train.ts')), 30_000);
  }
  await runCommand(page, 'View: Close All Editors');
}

/** Presses Train on `row` and returns the folder of the run it started (the one not in `runsRoot` before). */
export async function trainFromTree(page: Page, row: string, runsRoot: string): Promise<string> {
  const before = new Set(existsSync(runsRoot) ? readdirSync(runsRoot) : []);
  await treeAction(page, row, 'Train');
  return eventually(
    'the new run folder with its meta.json',
    async () => {
      const fresh = (existsSync(runsRoot) ? readdirSync(runsRoot) : []).filter((d) => !before.has(d));
      return fresh.length === 1 && existsSync(join(runsRoot, fresh[0], 'meta.json'))
        ? join(runsRoot, fresh[0])
        : undefined;
    },
    90_000,
  );
}
