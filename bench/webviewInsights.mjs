/* global window, document, requestAnimationFrame, performance -- page.evaluate callbacks run in the browser */
// `node bench/webviewInsights.mjs`: how the run panel's views that look inside a model hold up at the sizes issue 16
// names: a 100×100 matrix, 5,000 embedded points (64 dimensions, two groups: the panel projects them with PCA), and
// a histogram over 200 steps of 30 buckets. For each, one run holding only that kind is loaded into the run panel in
// headless Chromium (bench/runPanelPage.mjs), and then the step cursor is moved 40 times across the logged steps.
// Reported per view: the load (message posted → two animation frames later, so the first draw is in), and per
// cursor move the synchronous render (renderMediaAt) and the move until two frames later (median, p95, max). Prints
// JSON and writes bench/results/webview-insights-<date>.json, which docs/PERFORMANCE.md cites.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openRunPanel, quantile as q } from './runPanelPage.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const SIZES = {
  matrix: { rows: 100, cols: 100, steps: 10 },
  embedding: { points: 5000, dims: 64, steps: 5 },
  histogram: { steps: 200, buckets: 30 },
};

const panel = await openRunPanel();
const loadBefore = loadavg()[0];
const views = {};
try {
  for (const kind of Object.keys(SIZES)) {
    await panel.page.reload();
    views[kind] = await panel.page.evaluate(
      async ({ kind, sizes }) => {
        // A seeded generator, so every run of the bench draws the same records.
        let seed = 12345;
        const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
        const gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
        const insights = {};
        let steps = [];
        if (kind === 'matrix') {
          const { rows, cols } = sizes.matrix;
          steps = Array.from({ length: sizes.matrix.steps }, (_, i) => i * 100);
          insights.matrices = steps.map((step) => ({
            name: 'bench/matrix',
            step,
            rows,
            cols,
            values: Array.from({ length: rows * cols }, (_, k) => (k % (cols + 1) === 0 ? 1 : 0) - 0.5 + rand() * 0.5),
            rowLabels: Array.from({ length: rows }, (_, r) => `image ${r + 1}`),
            colLabels: Array.from({ length: cols }, (_, c) => `caption ${c + 1}`),
            range: [-1, 1],
          }));
        } else if (kind === 'embedding') {
          const { points, dims } = sizes.embedding;
          steps = Array.from({ length: sizes.embedding.steps }, (_, i) => i * 100);
          insights.embeddings = steps.map((step) => ({
            name: 'bench/embedding',
            step,
            count: points,
            dims,
            vectors: Array.from(
              { length: points * dims },
              (_, k) => gauss() + (Math.floor(k / dims) < points / 2 ? 1 : -1) * (k % dims === 0 ? 3 : 0),
            ),
            labels: Array.from({ length: points }, (_, i) => `point ${i}`),
            groups: Array.from({ length: points }, (_, i) => (i < points / 2 ? 'image' : 'text')),
          }));
        } else {
          const { buckets } = sizes.histogram;
          steps = Array.from({ length: sizes.histogram.steps }, (_, i) => i * 10);
          insights.histograms = steps.map((step) => {
            const width = 1 + step / 1000;
            return {
              name: 'bench/histogram',
              step,
              min: -4 * width,
              max: 4 * width,
              count: 10000,
              counts: Array.from({ length: buckets }, (_, b) => {
                const x = -4 + (8 * (b + 0.5)) / buckets;
                return Math.round((10000 * 8 * Math.exp((-x * x) / 2)) / (buckets * Math.sqrt(2 * Math.PI)));
              }),
            };
          });
        }
        const twoFrames = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
        const run = {
          runId: 'bench',
          exerciseId: 'bench',
          label: 'bench',
          scalars: {},
          images: [],
          text: [],
          notices: [],
          insights,
        };
        await twoFrames();
        const t0 = performance.now();
        window.postMessage({ type: 'load', protocol: 1, runs: [run] }, '*');
        await twoFrames();
        const loadMs = performance.now() - t0;
        const panel = window.__runPanel;
        const renderMs = [];
        const moveMs = [];
        for (let k = 0; k < 40; k++) {
          const step = steps[(k * 7 + 3) % steps.length];
          const m0 = performance.now();
          renderMs.push(panel.renderMediaAt(step));
          await twoFrames();
          moveMs.push(performance.now() - m0);
        }
        const canvases = document.querySelectorAll('.insights canvas').length;
        return { loadMs, renderMs, moveMs, canvases, steps: steps.length };
      },
      { kind, sizes: SIZES },
    );
  }
} finally {
  await panel.close();
}

const stats = (xs) => ({ median: q(xs, 0.5), p95: q(xs, 0.95), max: q(xs, 1) });
const summary = {
  date: new Date().toISOString(),
  machine: {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    loadAverage1mAtStart: Number(loadBefore.toFixed(2)),
  },
  chromium: panel.version,
  viewport: '1200×900',
  sizes: SIZES,
  views: Object.fromEntries(
    Object.entries(views).map(([kind, v]) => [
      kind,
      {
        loadMs: Math.round(v.loadMs),
        cursorRenderMs: stats(v.renderMs),
        cursorMoveToFrameMs: stats(v.moveMs),
        stepsLogged: v.steps,
        canvases: v.canvases,
      },
    ]),
  ),
  note: 'loadMs: load posted → two animation frames later. cursorRenderMs: the synchronous render of every view at the new step (renderMediaAt). cursorMoveToFrameMs: the same move until two frames later (a frame is ≈ 16.7 ms, so ≈ 33 ms is the floor).',
};
console.log(JSON.stringify(summary, null, 2));
mkdirSync(join(here, 'results'), { recursive: true });
const file = join(here, 'results', `webview-insights-${summary.date.slice(0, 10)}.json`);
writeFileSync(file, `${JSON.stringify(summary, null, 2)}\n`);
console.log(`written ${file}`);
