/// <reference lib="dom" />
import * as assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { InsightEntries } from '../../../src/protocol/panels';
import { load, run } from './fixtures';
import { frames, panelSuite, postToPanel } from './harness';

const BLUE = [0, 0, 255] as const;
const ORANGE = [255, 128, 0] as const;
const FOREGROUND = [40, 40, 40] as const;

/** 60 CLIP-like points per group in 8-D: the groups apart along dimension 0 (the modality gap), spread along 1. */
function embedding(name: string, step: number, shift = 0, groups = ['image', 'text']): InsightEntries['embeddings'] {
  const vectors: number[] = [],
    labels: string[] = [],
    kinds: string[] = [];
  groups.forEach((g, k) => {
    for (let i = 0; i < 60; i++) {
      for (let j = 0; j < 8; j++)
        vectors.push(
          j === 0 ? (k === 0 ? -3 : 3) : j === 1 ? Math.sin(i) * (1 + shift) + shift : 0.1 * Math.cos(i * j),
        );
      labels.push(`${g} ${i}`);
      kinds.push(g);
    }
  });
  return { name, step, count: 60 * groups.length, dims: 8, vectors, labels, groups: kinds };
}

/** A normal-ish histogram over 30 buckets whose centre drifts with the step. */
function histogram(name: string, step: number, buckets = 30): InsightEntries['histograms'] {
  const centre = step / 200;
  const counts = Array.from({ length: buckets }, (_, i) =>
    Math.round(200 * Math.exp(-(((i / buckets) * 8 - 4 - centre) ** 2) / 2)),
  );
  return { name, step, min: -4, max: 4, count: counts.reduce((a, b) => a + b, 0), counts };
}

describe('webview (chromium): embeddings and histograms', function () {
  this.timeout(30_000);
  const panels = panelSuite(['run']);
  let page: Page;
  let problems: string[];

  beforeEach(async () => {
    ({ page, problems } = await panels.open('run'));
  });
  afterEach(async () => {
    await page?.close();
    assert.deepEqual(problems, [], 'no page errors, console errors or CSP violations');
  });

  /** Pixels of colour `rgb` (±30 per channel) with alpha in [minAlpha, maxAlpha], over the canvases of `selector`. */
  const ink = (selector: string, rgb: readonly number[], minAlpha = 200, maxAlpha = 255, nth = 0): Promise<number> =>
    page.$$eval(
      selector,
      (els, [rgb, lo, hi, nth]) => {
        const c = els[nth as number] as HTMLCanvasElement | undefined;
        const d = c?.getContext('2d')?.getImageData(0, 0, c.width, c.height).data ?? new Uint8ClampedArray();
        const [r, g, b] = rgb as number[];
        let n = 0;
        for (let i = 0; i < d.length; i += 4)
          if (
            Math.abs(d[i] - r) < 30 &&
            Math.abs(d[i + 1] - g) < 30 &&
            Math.abs(d[i + 2] - b) < 30 &&
            d[i + 3] >= (lo as number) &&
            d[i + 3] <= (hi as number)
          )
            n++;
        return n;
      },
      [rgb, minAlpha, maxAlpha, nth] as const,
    );
  /** The canvas's pixels as one signature string, to tell two drawings apart. */
  const drawing = (selector: string): Promise<string> =>
    page.$eval(selector, (el) => (el as HTMLCanvasElement).toDataURL());
  /** The x (canvas px) of the column with the most pixels of colour `rgb`: a vertical line's position. */
  const tallestColumn = (selector: string, rgb: readonly number[]): Promise<{ x: number; n: number }> =>
    page.$eval(
      selector,
      (el, rgb) => {
        const c = el as HTMLCanvasElement;
        const d = c.getContext('2d')?.getImageData(0, 0, c.width, c.height).data ?? new Uint8ClampedArray();
        const cols = new Array(c.width).fill(0);
        for (let i = 0; i < d.length; i += 4)
          if (Math.abs(d[i] - rgb[0]) < 20 && Math.abs(d[i + 1] - rgb[1]) < 20 && Math.abs(d[i + 2] - rgb[2]) < 20)
            cols[(i / 4) % c.width]++;
        const x = cols.indexOf(Math.max(...cols));
        return { x, n: cols[x] };
      },
      rgb,
    );
  const scatter = '.insight-series[data-kind="embeddings"] .embedding-plot canvas';
  const dist = '.insight-series[data-kind="histograms"] .histogram-distribution canvas';
  const bars = '.insight-series[data-kind="histograms"] .histogram-bars canvas';

  it('draws the embedding scatter in two group colours with a legend naming each group and its count', async () => {
    await postToPanel(page, load(run('a', { insights: { embeddings: [embedding('clip', 0)] } })));
    await frames(page);
    assert.ok((await ink(scatter, BLUE)) > 100, 'image points in the first theme colour');
    assert.ok((await ink(scatter, ORANGE)) > 100, 'text points in the second');
    assert.deepEqual(await page.$$eval('.embedding-legend label', (ls) => ls.map((l) => l.textContent)), [
      'image (60)',
      'text (60)',
    ]);
    const caption = await page.$eval('.insight-series[data-kind="embeddings"] figcaption', (f) => f.textContent ?? '');
    assert.match(caption, /^step 0 · 120 points in 8-D · PCA of this step's points alone: PC1 \d+\.\d%/);
    const pc1 = Number(/PC1 (\d+\.\d)%/.exec(caption)?.[1]);
    assert.ok(pc1 > 90, `the gap is the first axis, with most of the variance: ${caption}`);
  });

  it('hovering a point or stepping with the keyboard reads its label, group and coordinates', async () => {
    await postToPanel(page, load(run('a', { insights: { embeddings: [embedding('clip', 0)] } })));
    await frames(page);
    // Find an orange (text) pixel and hover it (the chart scrolled into the viewport first).
    await page.$eval(scatter, (c) => c.scrollIntoView());
    const spot = await page.$eval(
      scatter,
      (el, rgb) => {
        const c = el as HTMLCanvasElement;
        const d = c.getContext('2d')?.getImageData(0, 0, c.width, c.height).data ?? new Uint8ClampedArray();
        for (let i = 0; i < d.length; i += 4)
          if (d[i] === rgb[0] && d[i + 1] === rgb[1] && d[i + 2] === rgb[2] && d[i + 3] === 255) {
            const r = c.getBoundingClientRect();
            const px = (i / 4) % c.width,
              py = Math.floor(i / 4 / c.width);
            return { x: r.left + (px * r.width) / c.width, y: r.top + (py * r.height) / c.height };
          }
        return undefined;
      },
      ORANGE,
    );
    assert.ok(spot, 'an orange point is drawn');
    await page.mouse.move(spot.x, spot.y);
    await frames(page);
    assert.match(await page.$eval('.embedding-readout', (r) => r.textContent ?? ''), /^text \d+ · text · PC1 /);
    await page.focus('.embedding-plot');
    await page.keyboard.press('Home');
    assert.match(await page.$eval('.embedding-readout', (r) => r.textContent ?? ''), /^image 0 · image · PC1 -?\d/);
    await page.keyboard.press('n');
    await page.keyboard.press('ArrowRight');
    assert.match(await page.$eval('.embedding-readout', (r) => r.textContent ?? ''), /^image 2 · image/);
    await page.keyboard.press('End');
    assert.match(await page.$eval('.embedding-readout', (r) => r.textContent ?? ''), /^text 59 · text/);
    assert.equal(await page.$eval('.embedding-readout', (r) => r.getAttribute('aria-live')), 'polite');
  });

  it('unchecking a group in the legend hides its points (keyboard: space on the checkbox)', async () => {
    await postToPanel(page, load(run('a', { insights: { embeddings: [embedding('clip', 0)] } })));
    await frames(page);
    const before = await ink(scatter, BLUE);
    await page.focus('.embedding-legend input[data-group="image"]');
    await page.keyboard.press('Space');
    await frames(page);
    assert.equal(
      await page.$eval('.embedding-legend input[data-group="image"]', (b) => (b as HTMLInputElement).checked),
      false,
    );
    assert.ok(before > 100);
    assert.equal(await ink(scatter, BLUE), 0, 'no image points left');
    assert.ok((await ink(scatter, ORANGE)) > 100, 'text points still drawn');
    await page.focus('.embedding-plot');
    await page.keyboard.press('Home');
    assert.match(await page.$eval('.embedding-readout', (r) => r.textContent ?? ''), /^text 0 · text/, 'skips hidden');
  });

  it('follows the step cursor: another step, another drawing', async () => {
    await postToPanel(
      page,
      load(run('a', { insights: { embeddings: [embedding('clip', 0), embedding('clip', 10, 2)] } })),
    );
    await frames(page);
    const at10 = await drawing(scatter);
    assert.match(
      await page.$eval('.insight-series[data-kind="embeddings"] figcaption', (f) => f.textContent ?? ''),
      /^step 10 /,
    );
    await page.focus('#step-cursor');
    await page.keyboard.press('ArrowLeft');
    await frames(page);
    assert.match(
      await page.$eval('.insight-series[data-kind="embeddings"] figcaption', (f) => f.textContent ?? ''),
      /^step 0 /,
    );
    assert.notEqual(await drawing(scatter), at10, 'the scatter changed with the cursor');
    assert.ok((await ink(scatter, BLUE)) > 100);
  });

  it('compares two runs: one embedding cell and one histogram cell per run', async () => {
    await postToPanel(
      page,
      load(
        run('a', { insights: { embeddings: [embedding('clip', 0)], histograms: [histogram('w', 0)] } }),
        run('b', { insights: { embeddings: [embedding('clip', 0, 1)], histograms: [histogram('w', 0)] } }),
      ),
    );
    await frames(page);
    for (const kind of ['embeddings', 'histograms'])
      assert.deepEqual(
        await page.$$eval(`.insight-series[data-kind="${kind}"] .insight-cell`, (c) =>
          c.map((e) => e.getAttribute('data-run')),
        ),
        ['a', 'b'],
        kind,
      );
    assert.equal(await page.$$eval(scatter, (c) => c.length), 2);
    assert.ok((await ink(scatter, BLUE, 200, 255, 1)) > 100, "run b's scatter is drawn");
    assert.ok((await ink(bars, ORANGE, 100, 255, 1)) > 100, "run b's histogram in run b's colour");
  });

  it('draws the distribution: nested bands, the median line, a marker that moves with the cursor, the bars', async () => {
    const steps = Array.from({ length: 11 }, (_, i) => histogram('weights', i * 20));
    await postToPanel(page, load(run('a', { insights: { histograms: steps } })));
    await frames(page);
    const bandPixels = await ink(dist, BLUE, 20, 190);
    const linePixels = await ink(dist, BLUE, 230, 255);
    assert.ok(bandPixels > 2000, `bands are filled: ${bandPixels}`);
    assert.ok(linePixels > 150, `the median line: ${linePixels}`);
    // Deeper bands are more opaque: the band alphas in use are several.
    const alphas = await page.$eval(dist, (el) => {
      const c = el as HTMLCanvasElement;
      const d = c.getContext('2d')?.getImageData(0, 0, c.width, c.height).data ?? new Uint8ClampedArray();
      const seen = new Set<number>();
      for (let i = 0; i < d.length; i += 4) if (d[i + 2] > 200 && d[i] < 30 && d[i + 3] < 200) seen.add(d[i + 3]);
      return seen.size;
    });
    assert.ok(alphas >= 4, `four nested opacities: ${alphas}`);
    const marker = await tallestColumn(dist, FOREGROUND);
    assert.ok(marker.n > 60, `a vertical marker: ${JSON.stringify(marker)}`);
    assert.ok((await ink(bars, BLUE, 100, 255)) > 200, 'the bars of the current step');
    assert.match(
      await page.$eval('.insight-series[data-kind="histograms"] figcaption', (f) => f.textContent ?? ''),
      /^step 200 · median [\d.]+ · 5–95%: -?[\d.]+ to [\d.]+ · \d+ values$/,
    );
    const median = Number(
      /median ([\d.]+)/.exec(
        await page.$eval('.insight-series[data-kind="histograms"] figcaption', (f) => f.textContent ?? ''),
      )?.[1],
    );
    assert.ok(Math.abs(median - 1) < 0.15, `the drifted centre: ${median}`);
    assert.match(
      (await page.$eval('.histogram-distribution', (d) => d.getAttribute('aria-label'))) ?? '',
      /^Distribution of weights, run a over steps 0 to 200; at step 200: median/,
    );
    assert.equal(await page.$eval('.histogram-distribution', (d) => d.getAttribute('tabindex')), '0');
    await page.focus('#step-cursor');
    for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowLeft');
    await frames(page);
    const moved = await tallestColumn(dist, FOREGROUND);
    assert.ok(moved.x < marker.x - 50, `the marker moved left with the cursor: ${marker.x} → ${moved.x}`);
    assert.ok((await ink(dist, BLUE, 20, 190)) < bandPixels * 0.8, 'only steps up to the cursor are drawn');
  });

  it('draws 200 steps × 30 buckets, a single step, min = max and an empty step without errors', async () => {
    const many = Array.from({ length: 200 }, (_, i) => histogram('many', i));
    const single = [histogram('single', 0)];
    const flat = [{ name: 'flat', step: 0, min: 2, max: 2, count: 5, counts: [5] }];
    const empty = [{ name: 'empty', step: 0, min: 0, max: 1, count: 0, counts: [0, 0, 0] }];
    await postToPanel(page, load(run('a', { insights: { histograms: [...many, ...single, ...flat, ...empty] } })));
    await frames(page);
    const at = (name: string): string => `.insight-series[data-series="${name}"]`;
    assert.ok((await ink(`${at('many')} .histogram-distribution canvas`, BLUE, 20, 190)) > 2000, '200 steps: bands');
    assert.ok((await ink(`${at('single')} .histogram-bars canvas`, BLUE, 100, 255)) > 100, 'single step: bars');
    assert.ok((await ink(`${at('flat')} .histogram-bars canvas`, BLUE, 100, 255)) > 50, 'min = max: one bar');
    assert.match(await page.$eval(`${at('flat')} figcaption`, (f) => f.textContent ?? ''), /median 2 · 5–95%: 2 to 2/);
    assert.match(await page.$eval(`${at('empty')} figcaption`, (f) => f.textContent ?? ''), /no values at this step/);
  });

  it('redraws in the new colour when the theme changes', async () => {
    await postToPanel(
      page,
      load(
        run('a', {
          insights: { embeddings: [embedding('clip', 0)], histograms: [histogram('w', 0), histogram('w', 5)] },
        }),
      ),
    );
    await frames(page);
    const PINK = [200, 0, 200] as const;
    assert.equal(await ink(scatter, PINK), 0);
    await page.evaluate(() => document.documentElement.style.setProperty('--vscode-charts-blue', 'rgb(200, 0, 200)'));
    await frames(page);
    await frames(page);
    assert.ok((await ink(scatter, PINK)) > 100, 'image points in the new colour');
    assert.equal(await ink(scatter, BLUE), 0, 'none left in the old one');
    assert.ok((await ink(dist, PINK, 20, 255)) > 500, 'the distribution in the new colour');
    assert.equal(await ink(dist, BLUE, 20, 255), 0);
  });
});
