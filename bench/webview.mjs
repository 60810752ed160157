/* global window, requestAnimationFrame, performance -- page.evaluate callbacks run in the browser */
// `node bench/webview.mjs`: how the run panel's charts hold up while a run streams 100k points per series.
// Builds the run panel bundle, opens it in headless chromium (Debian's, as the e2e tests do), loads one run with
// three series (loss, acc/seen, acc/heldout) and appends 1000 points per series on every animation frame until
// each holds 100k, the way the extension's `append` batches arrive (only faster: the host sends a few a second).
// It records the requestAnimationFrame intervals while streaming (median, p95, max: a smooth panel stays near
// 16.7 ms) and then the time of one full redraw at 100k points per series. Prints JSON and writes
// bench/results/webview-<date>.json, which docs/PERFORMANCE.md cites.
// Options, for development runs only: --points=N (per series, default 100000), --batch=N (default 1000).
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openRunPanel, quantile as q } from './runPanelPage.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const arg = (name, def) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? def);
const points = arg('points', 100_000);
const batch = arg('batch', 1000);
const series = ['loss', 'acc/seen', 'acc/heldout'];

const panel = await openRunPanel();
const loadBefore = loadavg()[0];
let result;
try {
  result = await panel.page.evaluate(
    async ({ points, batch, series }) => {
      // Batches are made before streaming, so the measured frames hold only the panel's work (and the clone).
      const batches = [];
      for (let from = 0; from < points; from += batch) {
        const scalars = {};
        series.forEach((name, k) => {
          scalars[name] = Array.from({ length: Math.min(batch, points - from) }, (_, i) => {
            const step = from + i;
            return {
              step,
              value: (k + 1) * Math.exp(-step / 20000) + 0.05 * Math.sin(step) + (step === 54321 ? 5 : 0),
              time: step,
            };
          });
        });
        batches.push({ type: 'append', runId: 'bench', scalars });
      }
      window.postMessage(
        {
          type: 'load',
          protocol: 1,
          runs: [
            { runId: 'bench', exerciseId: 'bench', label: 'bench', scalars: {}, images: [], text: [], notices: [] },
          ],
        },
        '*',
      );
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      const intervals = [];
      const started = performance.now();
      await new Promise((resolve) => {
        let last = performance.now();
        let i = 0;
        const tick = (t) => {
          intervals.push(t - last);
          last = t;
          if (i < batches.length) {
            window.postMessage(batches[i++], '*');
            requestAnimationFrame(tick);
          } else resolve();
        };
        requestAnimationFrame(tick);
      });
      const streamMs = performance.now() - started;
      const panel = window.__runPanel;
      const redraws = [];
      for (let k = 0; k < 7; k++) {
        const t0 = performance.now();
        panel.renderNow();
        redraws.push(performance.now() - t0);
      }
      return { intervals: intervals.slice(1), streamMs, redraws, pointsDrawn: panel.pointsDrawn() };
    },
    { points, batch, series },
  );
} finally {
  await panel.close();
}

const summary = {
  date: new Date().toISOString(),
  machine: {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    loadAverage1mAtStart: Number(loadBefore.toFixed(2)),
  },
  chromium: panel.version,
  viewport: '1200×900',
  pointsPerSeries: points,
  series: series.length,
  batchPerSeries: batch,
  appendsPerFrame: 1,
  frames: result.intervals.length,
  frameMs: { median: q(result.intervals, 0.5), p95: q(result.intervals, 0.95), max: q(result.intervals, 1) },
  streamWallMs: Math.round(result.streamMs),
  finalRedrawMs: { median: q(result.redraws, 0.5), max: q(result.redraws, 1) },
  pointsDrawnAtEnd: result.pointsDrawn,
  note: `Frame intervals of requestAnimationFrame while one append (${batch} points × ${series.length} series) arrives per frame; final redraw = one full rebuild (downsample + EMA + uPlot draw) of every chart at ${points} points per series.`,
};
console.log(JSON.stringify(summary, null, 2));
if (points === 100_000 && batch === 1000) {
  mkdirSync(join(here, 'results'), { recursive: true });
  const file = join(here, 'results', `webview-${summary.date.slice(0, 10)}.json`);
  writeFileSync(file, `${JSON.stringify(summary, null, 2)}\n`);
  console.log(`written ${file}`);
}
