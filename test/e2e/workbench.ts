// Page helpers for driving code-server's workbench like a learner does. Selectors follow
// notes/e2e-code-server.md; everything waits on what is visible rather than on fixed sleeps.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';

/** What scripts/e2e.mjs hands the UI tests: a running code-server and a fresh workspace copy. */
export interface E2eEnvironment {
  readonly folderUrl: string;
  readonly workspace: string;
  readonly screenshotDir: string;
  readonly chromiumPath: string;
}

export function e2eEnvironment(): E2eEnvironment {
  const folderUrl = process.env.E2E_FOLDER_URL;
  const workspace = process.env.E2E_WORKSPACE;
  if (!folderUrl || !workspace) {
    throw new Error('E2E_FOLDER_URL and E2E_WORKSPACE are not set: run these tests through `npm run test:e2e`.');
  }
  return {
    folderUrl,
    workspace,
    screenshotDir: process.env.E2E_SCREENSHOT_DIR ?? join(process.cwd(), 'test-output', 'e2e'),
    chromiumPath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  };
}

/** Polls `probe` until it returns a truthy value; fails with `what` and the last value seen. */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T>,
  timeoutMs = 15_000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      last = await probe();
      if (last) return last as NonNullable<T>;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `Timed out after ${timeoutMs} ms waiting for ${what}; last seen: ${last instanceof Error ? last.message : JSON.stringify(last)}`,
      );
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function screenshot(page: Page, dir: string, name: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  // Park the pointer over the empty editor area so no hover tooltip covers the tree.
  if (!name.includes('context-menu')) await page.mouse.move(1000, 900);
  await page.screenshot({ path });
  return path;
}

/** A headless Chromium with the flags every suite uses (scripts/prereqs.mjs: offline and quiet). */
export async function launchChromium(executablePath: string): Promise<Browser> {
  const { CHROMIUM_ARGS } = await import('../../scripts/prereqs.mjs');
  return chromium.launch({ executablePath, args: [...CHROMIUM_ARGS] });
}

/** A headless chromium on the workspace's workbench, restored, with the Multimodal Lab view shown. */
export async function openWorkbench(env: E2eEnvironment): Promise<{ browser: Browser; page: Page }> {
  const browser = await launchChromium(env.chromiumPath);
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  await page.goto(env.folderUrl);
  await waitForWorkbench(page);
  await showMultimodalLab(page);
  return { browser, page };
}

/** For an afterEach hook: a screenshot `<prefix>-failed-<test title>` when the test that just ran failed. */
export async function screenshotIfFailed(
  test: { state?: string; title: string } | undefined,
  page: Page | undefined,
  dir: string,
  prefix: string,
): Promise<void> {
  if (test?.state !== 'failed' || !page) return;
  await screenshot(page, dir, `${prefix}-failed-${test.title.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}`).catch(
    () => undefined,
  );
}

/** The browser page of a suite that called `workbenchSuite`, there from its first `before` hook on. */
export interface WorkbenchSuite {
  readonly page: Page;
}

/** What a suite does around its workbench, besides opening it, screenshotting failures and closing it. */
export interface WorkbenchSuiteHooks {
  /** false: only a blank page, for a suite whose first test opens the workbench itself. */
  readonly open?: boolean;
  /** After the workbench is open (e.g. start the exercise the suite works on). */
  readonly opened?: (page: Page) => Promise<void>;
  /** Before the browser closes (leave the workspace as the suites after this one expect it); page is unset when
   * `before` failed early. */
  readonly closing?: (page: Page | undefined) => Promise<void>;
}

/**
 * Registers the hooks every code-server suite has, inside its `describe`: `before` launches Chromium and (unless
 * `open` is false) opens the workbench with the Multimodal Lab view shown, then runs `opened`; `afterEach` keeps a
 * screenshot `<prefix>-failed-<test title>` of a failed test; `after` runs `closing` and closes the browser.
 * A suite's own `before` hooks registered earlier run first (preconditions, files the workbench should see).
 */
export function workbenchSuite(env: E2eEnvironment, prefix: string, hooks: WorkbenchSuiteHooks = {}): WorkbenchSuite {
  let browser: Browser | undefined;
  let page: Page | undefined;
  before(async () => {
    if (hooks.open === false) {
      browser = await launchChromium(env.chromiumPath);
      page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    } else {
      ({ browser, page } = await openWorkbench(env));
    }
    await hooks.opened?.(page);
  });
  afterEach(async function () {
    await screenshotIfFailed(this.currentTest, page, env.screenshotDir, prefix);
  });
  after(async () => {
    try {
      await hooks.closing?.(page);
    } finally {
      await browser?.close();
    }
  });
  return {
    get page(): Page {
      if (!page) throw new Error(`the ${prefix} suite's workbench is not open: its before hook failed`);
      return page;
    },
  };
}

/** Waits until the workbench has restored, the folder is open and extensions have had a chance to activate. */
export async function waitForWorkbench(page: Page): Promise<void> {
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  await page.locator('.activitybar').waitFor({ timeout: 60_000 });
}

/** The Multimodal Lab icon in the activity bar (its aria-label may carry a keybinding suffix). */
export function activityBarIcon(page: Page): Locator {
  return page.locator('.activitybar a[aria-label^="Multimodal Lab"]').first();
}

/**
 * Opens the Multimodal Lab side bar unless it is already showing. Clicking the icon of the active
 * container hides the side bar, so click only when our container is not the selected one.
 */
export async function showMultimodalLab(page: Page): Promise<void> {
  const icon = activityBarIcon(page);
  await icon.waitFor({ timeout: 30_000 });
  const tab = icon.locator('xpath=ancestor::li[1]');
  await eventually(
    'the Curriculum tree to show',
    async () => {
      if (await curriculumTree(page).isVisible()) return true;
      const selected = /\bchecked\b/.test((await tab.getAttribute('class')) ?? '');
      if (!selected || !(await page.locator('.part.sidebar').isVisible())) {
        await icon.click();
        await curriculumTree(page)
          .waitFor({ timeout: 3_000 })
          .catch(() => undefined);
      }
      return curriculumTree(page).isVisible();
    },
    30_000,
  );
}

/** The Curriculum tree inside the side bar. */
export function curriculumTree(page: Page): Locator {
  return page
    .locator('.part.sidebar [role="tree"]')
    .filter({ has: page.getByRole('treeitem', { name: /^Reading path/ }) })
    .first();
}

/** A row of the Curriculum tree whose accessible name starts with `prefix`. */
export function treeRow(page: Page, prefix: string): Locator {
  const escaped = prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return curriculumTree(page)
    .getByRole('treeitem', { name: new RegExp(`^${escaped}`) })
    .first();
}

/** Visible text of a tree row (label plus description), with whitespace collapsed. */
export async function rowText(row: Locator): Promise<string> {
  return ((await row.textContent()) ?? '').replace(/\s+/g, ' ').trim();
}

/** Expands a group row if it is collapsed. */
export async function expand(row: Locator): Promise<void> {
  if ((await row.getAttribute('aria-expanded')) === 'false') await row.locator('.monaco-tl-twistie').click();
  await eventually('the group to expand', async () => (await row.getAttribute('aria-expanded')) === 'true');
}

/** Collapses a group row if it is expanded. */
export async function collapse(row: Locator): Promise<void> {
  if ((await row.getAttribute('aria-expanded')) === 'true') await row.locator('.monaco-tl-twistie').click();
  await eventually('the group to collapse', async () => (await row.getAttribute('aria-expanded')) === 'false');
}

/**
 * The accessible names of the children of a top-level group. Rows are flat siblings with an
 * aria-level, so the children are the level-2 rows that follow the group's row.
 */
export async function childNames(page: Page, groupLabel: string): Promise<string[]> {
  return curriculumTree(page).evaluate((tree, label) => {
    const rows = [...tree.querySelectorAll('[role="treeitem"]')];
    const start = rows.findIndex(
      (r) =>
        r.getAttribute('aria-level') === '1' && (r.getAttribute('aria-label') ?? r.textContent ?? '').startsWith(label),
    );
    if (start < 0) return [];
    const names: string[] = [];
    for (const row of rows.slice(start + 1)) {
      if (row.getAttribute('aria-level') === '1') break;
      if (row.getAttribute('aria-level') !== '2') continue;
      names.push((row.getAttribute('aria-label') ?? row.textContent ?? '').trim());
    }
    return names;
  }, groupLabel);
}

/** Text Monaco shows in the active editor; Monaco renders spaces as U+00A0. */
export async function activeEditorText(page: Page): Promise<string> {
  const lines = page.locator('.editor-group-container.active .monaco-editor .view-lines').first();
  return ((await lines.textContent()) ?? '').replace(/\u00a0/g, ' ');
}
