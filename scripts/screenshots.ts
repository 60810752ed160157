/**
 * README screenshots of the run panel's views that look inside a model, from real run folders:
 *
 *   npx tsx scripts/screenshots.ts docs/views <runDir>=<kind>:<series>:<file>[@<step>][,…] …
 *
 * Each run folder is read the way the extension reads it (loadRunSnapshot), loaded into the run panel bundle in
 * headless Chromium with VS Code's Dark Modern colours, and each listed series (its `.insight-series` element) is
 * captured to `<outDir>/<file>.png`, with the step cursor at `<step>` (default: the latest step). A `!<label>`
 * after a shot ticks the checkbox of that label in the view first (e.g. `!Show diff` for a table's word diff).
 */
import * as path from 'node:path';
import { loadRunSnapshot } from '../src/core/runSnapshot';
// @ts-expect-error -- a plain .mjs helper without types (bench/runPanelPage.mjs)
import { openRunPanel } from '../bench/runPanelPage.mjs';
import type { Page } from 'playwright-core';

/** The colours VS Code's Dark Modern theme gives a webview (a subset: what the panels read). */
const DARK = `html {
  --vscode-charts-blue: #3794ff; --vscode-charts-orange: #d18616; --vscode-charts-green: #89d185;
  --vscode-charts-purple: #b180d7; --vscode-charts-red: #f14c4c; --vscode-charts-yellow: #cca700;
  --vscode-foreground: #cccccc; --vscode-descriptionForeground: #9d9d9d; --vscode-errorForeground: #f85149;
  --vscode-editor-background: #1f1f1f; --vscode-focusBorder: #0078d4; --vscode-panel-border: #2b2b2b;
  --vscode-widget-border: #313131; --vscode-textCodeBlock-background: #2b2b2b; --vscode-input-background: #313131;
  --vscode-input-foreground: #cccccc; --vscode-button-background: #0078d4; --vscode-button-foreground: #ffffff;
  --vscode-diffEditor-insertedTextBackground: rgba(156, 204, 44, 0.2);
  --vscode-diffEditor-removedTextBackground: rgba(255, 0, 0, 0.2);
  --vscode-font-family: system-ui, sans-serif; --vscode-font-size: 13px; --vscode-editor-font-family: monospace;
}
body { background: #1f1f1f; color: #cccccc; font-family: system-ui, sans-serif; font-size: 13px; }`;

interface Shot {
  readonly kind: string;
  readonly series: string;
  readonly file: string;
  readonly step?: number;
  readonly check?: string;
}

function parse(arg: string): { runDir: string; shots: Shot[] } {
  const [runDir, list] = arg.split('=');
  const shots = list.split(',').map((s) => {
    const [kind, series, target] = s.split(':');
    const [shot, check] = target.split('!');
    const [file, step] = shot.split('@');
    return { kind, series, file, step: step === undefined ? undefined : Number(step), check };
  });
  return { runDir, shots };
}

async function capture(page: Page, runDir: string, shots: readonly Shot[], outDir: string): Promise<void> {
  const runId = path.basename(runDir);
  const exerciseId = path.basename(path.dirname(runDir));
  const workspace = path.resolve(runDir, '../../../..');
  const snapshot = await loadRunSnapshot(workspace, exerciseId, runId);
  await page.reload();
  await page.addStyleTag({ content: DARK });
  await page.evaluate((runs) => window.postMessage({ type: 'load', protocol: 1, runs }, '*'), [snapshot]);
  await page.waitForTimeout(1500); // decodes (PNG, WAV) and the first draws
  for (const shot of shots) {
    await page.evaluate((step) => {
      const panel = (window as unknown as { __runPanel: { renderMediaAt(s: number | null): number } }).__runPanel;
      panel.renderMediaAt(step ?? null);
    }, shot.step);
    await page.waitForTimeout(500);
    const el = page.locator(`.insight-series[data-kind="${shot.kind}"][data-series="${shot.series}"]`).first();
    if (shot.check) await el.getByLabel(shot.check).check();
    await el.scrollIntoViewIfNeeded();
    const file = path.join(outDir, `${shot.file}.png`);
    await el.screenshot({ path: file });
    console.log(`${file}: ${exerciseId} ${shot.kind} "${shot.series}"`);
  }
}

async function main(): Promise<void> {
  const [outDir, ...runs] = process.argv.slice(2);
  if (!outDir || runs.length === 0) throw new Error('usage: screenshots.ts <outDir> <runDir>=<kind>:<series>:<file>,…');
  const panel = (await openRunPanel()) as { page: Page; close(): Promise<void> };
  try {
    for (const arg of runs) {
      const { runDir, shots } = parse(arg);
      await capture(panel.page, runDir, shots, outDir);
    }
  } finally {
    await panel.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
