// The run panel bundle in headless Chromium, for the webview benchmarks (webview.mjs, webviewInsights.mjs): builds
// webview/src/run/main.ts minified with esbuild, serves it with media/panels on 127.0.0.1 and opens it at 1200×900
// with a stand-in for acquireVsCodeApi. `close` shuts the browser and the server and removes the bundle.
import * as esbuild from 'esbuild';
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, findChromium } from '../scripts/prereqs.mjs';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Opens the run panel; returns the page, the browser's version and `close`. */
export async function openRunPanel() {
  const out = mkdtempSync(join(tmpdir(), 'mmlab-webview-bench-'));
  await esbuild.build({
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    minify: true,
    logLevel: 'error',
    entryPoints: { run: join(repo, 'webview/src/run/main.ts') },
    outdir: out,
  });
  writeFileSync(
    join(out, 'index.html'),
    `<!DOCTYPE html><html><head><meta charset="UTF-8">
<link rel="stylesheet" href="/run.css"><link rel="stylesheet" href="/media/panels/run.css"></head>
<body><main id="app"></main><script>window.acquireVsCodeApi = () => ({ postMessage() {}, getState() {}, setState(s) { return s; } });</script>
<script src="/run.js"></script></body></html>`,
  );
  const server = createServer((req, res) => {
    const p = new URL(req.url ?? '/', 'http://x').pathname;
    const file = p === '/' ? join(out, 'index.html') : p.startsWith('/media/') ? join(repo, p) : join(out, p);
    let body;
    try {
      body = readFileSync(file);
    } catch {
      res.writeHead(404).end();
      return;
    }
    res
      .writeHead(200, {
        'content-type': file.endsWith('.css') ? 'text/css' : file.endsWith('.js') ? 'text/javascript' : 'text/html',
      })
      .end(body);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const browser = await chromium.launch({
    executablePath: findChromium() ?? '/usr/bin/chromium',
    args: [...CHROMIUM_ARGS],
  });
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  await page.goto(`http://127.0.0.1:${server.address().port}/`);
  return {
    page,
    version: browser.version(),
    async close() {
      await browser.close();
      server.close();
      rmSync(out, { recursive: true, force: true });
    },
  };
}

/** The value at quantile `p` of `xs`, to 2 decimals. */
export const quantile = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return Number(s[Math.min(s.length - 1, Math.floor(p * (s.length - 1)))].toFixed(2));
};
