/// <reference lib="dom" />
/**
 * A static harness for the panels in headless chromium: builds the webview bundles with esbuild's API into a
 * temp folder, writes one HTML page per panel to test/webview/harness/ (git-ignored) with the same CSP the extension
 * uses (nonce scripts, styles and images only from the page's origin, blob:/data: images), serves them on 127.0.0.1 and
 * mocks `acquireVsCodeApi`: posted messages collect in `window.__posted`, state goes to sessionStorage so it survives a
 * reload the way VS Code keeps a webview's state.
 */
import * as esbuild from 'esbuild';
import { createServer, type Server } from 'node:http';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

const repo = path.resolve(__dirname, '../../..');
export const harnessDir = path.join(repo, 'test/webview/harness');
/** Bundles go to a temp folder (not under test/, where ESLint would lint them). */
const outDir = mkdtempSync(path.join(tmpdir(), 'mmlab-webview-'));
const NONCE = 'dGVzdC1ub25jZS0xMjM0NTY=';

/**
 * What VS Code injects into a webview: theme colours as --vscode-* variables (distinct values, to find them in pixels).
 */
export const THEME_CHART_BLUE = [0, 0, 255] as const;
const THEME = `html {
  --vscode-charts-blue: rgb(0, 0, 255); --vscode-charts-orange: rgb(255, 128, 0); --vscode-charts-green: rgb(0, 160, 0);
  --vscode-charts-purple: rgb(128, 0, 255); --vscode-charts-red: rgb(255, 0, 0); --vscode-charts-yellow: rgb(200, 200, 0);
  --vscode-foreground: rgb(40, 40, 40); --vscode-errorForeground: rgb(200, 0, 0); --vscode-editor-background: rgb(255, 255, 255); --vscode-focusBorder: rgb(0, 120, 212);
  --vscode-font-family: sans-serif; --vscode-font-size: 13px; --vscode-editor-font-family: monospace;
}
`;

/** Bundles `webview/src/<panel>/main.ts` to `out/<panel>.js` (+ `.css` when it imports CSS). */
export async function buildPanels(panels: readonly string[]): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  await esbuild.build({
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    sourcemap: 'inline',
    logLevel: 'error',
    entryPoints: panels.map((p) => ({ in: path.join(repo, `webview/src/${p}/main.ts`), out: p })),
    outdir: outDir,
  });
  writeFileSync(path.join(harnessDir, 'theme.css'), THEME);
  for (const p of panels) writeFileSync(path.join(harnessDir, `${p}.html`), page(p));
}

function page(panel: string): string {
  const csp = `default-src 'none'; img-src 'self' blob: data:; style-src 'self'; font-src 'self'; media-src blob:; script-src 'nonce-${NONCE}'`;
  const bundleCss = existsSync(path.join(outDir, `${panel}.css`))
    ? `<link rel="stylesheet" href="/out/${panel}.css">`
    : '';
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<link rel="stylesheet" href="/theme.css">
${bundleCss}<link rel="stylesheet" href="/media/panels/${panel}.css">
<title>${panel} harness</title></head>
<body><main id="app" aria-live="polite"></main>
<script nonce="${NONCE}">
  window.__posted = [];
  window.acquireVsCodeApi = () => ({
    postMessage: (m) => window.__posted.push(m),
    getState: () => { const s = sessionStorage.getItem('state'); return s === null ? undefined : JSON.parse(s); },
    setState: (s) => { sessionStorage.setItem('state', JSON.stringify(s)); return s; },
  });
</script>
<script nonce="${NONCE}" src="/out/${panel}.js"></script>
</body></html>`;
}

/** Removes the built bundles (the next buildPanels makes the folder again). */
export function removeBundles(): void {
  rmSync(outDir, { recursive: true, force: true });
}

/** Serves the harness pages, the bundles and media/panels on a free local port. */
export async function serve(): Promise<{ url: string; server: Server }> {
  const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };
  const server = createServer((req, res) => {
    const p = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    if (p === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    const file = p.startsWith('/media/')
      ? path.join(repo, p)
      : p.startsWith('/out/')
        ? path.join(outDir, p.slice(5))
        : path.join(harnessDir, p);
    if (!(file.startsWith(repo) || file.startsWith(outDir)) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res
      .writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' })
      .end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/**
 * Launches the browser `npm test` checked for (scripts/prereqs.mjs finds it: CHROMIUM_PATH, else the usual places).
 * With none, it fails with the checker's line naming what to install; a browser suite never skips itself.
 */
export async function launch(): Promise<Browser> {
  const prereqs = await import('../../../scripts/prereqs.mjs');
  const executablePath = prereqs.findChromium();
  if (!executablePath || !existsSync(executablePath))
    throw new Error(prereqs.missingPrerequisites('test', prereqs.probe()).join('\n'));
  return chromium.launch({ executablePath, args: [...prereqs.CHROMIUM_ARGS] });
}

/** Opens a panel page and collects page errors and CSP violations (either fails the test that reads them). */
export async function openPanel(
  browser: Browser,
  base: string,
  panel: string,
): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()} ${m.location().url}`);
  });
  await page.goto(`${base}/${panel}.html`);
  return { page, problems };
}

/**
 * Registers a browser suite's hooks, inside its `describe`: `before` bundles `panels`, serves them and launches the
 * browser; `after` closes both and removes the bundles. `open` then opens one panel page, as openPanel does.
 */
export function panelSuite(panels: readonly string[]): {
  open(panel: string): Promise<{ page: Page; problems: string[] }>;
} {
  let browser: Browser | undefined;
  let server: Server | undefined;
  let base = '';
  before(async () => {
    await buildPanels(panels);
    ({ url: base, server } = await serve());
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    server?.close();
    removeBundles();
  });
  return {
    open(panel) {
      if (!browser) throw new Error("the browser is not running: the suite's before hook failed");
      return openPanel(browser, base, panel);
    },
  };
}

/** Posts a message to the page the way the extension does (structured clone keeps Uint8Array PNG bytes). */
export async function postToPanel(page: Page, message: unknown): Promise<void> {
  await page.evaluate((m) => window.postMessage(m, '*'), message);
}

/** Waits two animation frames, so rAF-throttled redraws have happened. */
export async function frames(page: Page): Promise<void> {
  await page.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));
}

/** The RGBA of one pixel of a canvas (coordinates as fractions of its size). */
export async function pixel(page: Page, selector: string, fx = 0.5, fy = 0.5): Promise<number[]> {
  return page.$eval(
    selector,
    (el, [x, y]) => {
      const c = el as HTMLCanvasElement;
      const ctx = c.getContext('2d');
      if (!ctx || c.width === 0) return [];
      return Array.from(ctx.getImageData(Math.floor(c.width * x), Math.floor(c.height * y), 1, 1).data);
    },
    [fx, fy] as const,
  );
}
