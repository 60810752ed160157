/// <reference lib="dom" />
// `npm start` as a developer runs it on a fresh machine: its first screen is the product, not VS Code's own
// Get Started page. The Multimodal Lab view is in front, the walkthrough of the learner's loop is open, and no
// prompt asks about the git repository that holds sample-workspace/.
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { curriculumTree, launchChromium, eventually, screenshot, waitForWorkbench } from '../e2e/workbench';

const repoRoot = join(__dirname, '..', '..');
const screenshotDir = process.env.E2E_SCREENSHOT_DIR ?? join(repoRoot, 'test-output', 'e2e');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

describe('npm start on a fresh machine', function () {
  this.timeout(300_000);
  const stateDir = mkdtempSync(join(tmpdir(), 'multimodal-lab-start-'));
  let start: ChildProcess;
  let output = '';
  let browser: Browser;
  let page: Page;

  before(async () => {
    const port = await freePort();
    // What `npm start` runs, with a fresh state folder standing in for a fresh machine.
    start = spawn(process.execPath, [join(repoRoot, 'scripts', 'start.mjs')], {
      cwd: repoRoot,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        PORT: String(port),
        MULTIMODAL_LAB_START_DIR: stateDir,
        MULTIMODAL_LAB_USE_CODE_SERVER: '1',
      },
    });
    start.stdout!.on('data', (c: Buffer) => {
      output += c.toString();
    });
    start.stderr!.on('data', (c: Buffer) => {
      output += c.toString();
    });
    const url = await eventually(
      'npm start to print the URL to open',
      async () => /(http:\/\/127\.0\.0\.1:\d+\/\?folder=\S+)/.exec(output)?.[1],
      180_000,
    );
    browser = await launchChromium(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium');
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(url);
    await waitForWorkbench(page);
  });

  after(async () => {
    await browser?.close();
    if (start?.pid) {
      try {
        process.kill(-start.pid, 'SIGINT');
      } catch {
        /* gone */
      }
      await new Promise((r) => setTimeout(r, 3_000));
      try {
        process.kill(-start.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('opens on the Multimodal Lab view with the walkthrough of the learner loop, and nothing else in front', async () => {
    await eventually('the Curriculum view to be in the side bar', async () => curriculumTree(page).isVisible(), 60_000);
    const tab = page
      .locator('.tabs-container .tab')
      .filter({ hasText: /Welcome|Walkthrough|Get started/i })
      .first();
    await tab.waitFor({ timeout: 60_000 });
    const editor = page.locator('.editor-group-container.active');
    await eventually(
      'the walkthrough to show the first step of the learner loop',
      async () =>
        /Get started with Multimodal Lab/.test((await editor.textContent()) ?? '') &&
        /Start an exercise/.test((await editor.textContent()) ?? ''),
      60_000,
    );
    assert.equal(
      await page
        .locator('.part.sidebar .composite.title')
        .filter({ hasText: /Explorer/i })
        .count(),
      0,
      'the Explorer is not the side bar in front',
    );
    // The one editor open is our walkthrough, not VS Code's own Get Started page.
    const tabs = await page.locator('.tabs-container .tab').allTextContents();
    assert.equal(tabs.length, 1, `one editor is open: ${JSON.stringify(tabs)}`);
    assert.match(tabs[0], /Walkthrough: Multimodal Lab/);
    await screenshot(page, screenshotDir, 'start-first-screen');
    // Give the git extension time to scan, then look for its prompt about the parent repository.
    await new Promise((r) => setTimeout(r, 5_000));
    const toasts = await page.locator('.notifications-toasts .notification-list-item-message').allTextContents();
    assert.ok(
      !toasts.some((t) => /git repository/i.test(t)),
      `no git prompt; notifications: ${JSON.stringify(toasts)}`,
    );
  });
});
