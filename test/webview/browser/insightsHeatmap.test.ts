/// <reference lib="dom" />
import * as assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { InsightEntries } from '../../../src/protocol/panels';
import { BLUE, load, run, solidPng } from './fixtures';
import { frames, panelSuite, pixel, postToPanel } from './harness';

type Matrix = InsightEntries['matrices'];
type Attention = InsightEntries['attention'];

// The colour maps' ends (webview/src/run/heatmap.ts), written out so a changed table fails here too.
const VIRIDIS_LOW = [68, 1, 84, 255];
const VIRIDIS_HIGH = [253, 231, 37, 255];
const DIVERGING_LOW = [5, 48, 97, 255];
const DIVERGING_MID = [247, 247, 247, 255];
const INFERNO_LOW = [0, 0, 4];
const INFERNO_HIGH = [252, 255, 164];

const matrix = (step: number, values: number[], extra: Partial<Matrix> = {}): Matrix => ({
  step,
  name: 'sim',
  rows: 2,
  cols: 2,
  values,
  range: [0, 1],
  ...extra,
});

const attention = (weights: number[], extra: Partial<Attention> = {}): Attention => ({
  step: 0,
  name: 'cls',
  width: 8,
  height: 8,
  heads: 1,
  gridHeight: 2,
  gridWidth: 2,
  weights,
  png: solidPng(8, 8, BLUE),
  ...extra,
});

const near = (actual: number[], expected: readonly number[], what: string, tol = 2): void =>
  assert.ok(
    actual.length >= 3 && expected.every((v, i) => Math.abs(actual[i] - v) <= tol),
    `${what}: ${actual} ≈ ${expected}`,
  );

describe('webview (chromium): matrices and attention maps', function () {
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

  const texts = (selector: string): Promise<string[]> =>
    page.$$eval(selector, (els) => els.map((e) => e.textContent ?? ''));
  const simCanvas = '.insight-series[data-series="sim"] canvas.heatmap-canvas';
  const drawnAttention = (selector: string): Promise<unknown> =>
    page.waitForFunction(
      (s) => [...document.querySelectorAll<HTMLCanvasElement>(s)].every((c) => c.width === 192),
      selector,
    );

  it("draws a matrix in the colour map's end colours, with labels and a legend of its range", async () => {
    const sim = matrix(0, [0, 1, 1, 0], {
      rowLabels: ['cat', 'dog'],
      colLabels: ['a photo of a cat', 'a photo of a dog'],
    });
    const cos = matrix(0, [-1, 0, 0, 1], { name: 'cos', range: [-1, 1] });
    await postToPanel(page, load(run('a', { insights: { matrices: [sim, cos] } })));
    await frames(page);
    assert.deepEqual(
      await page.$eval(simCanvas, (c) => [(c as HTMLCanvasElement).width, (c as HTMLCanvasElement).height]),
      [256, 256],
    );
    assert.deepEqual(await pixel(page, simCanvas, 0.25, 0.25), VIRIDIS_LOW, 'a 0 cell is the low end');
    assert.deepEqual(await pixel(page, simCanvas, 0.75, 0.25), VIRIDIS_HIGH, 'a 1 cell is the high end');
    const sel = '.insight-series[data-series="sim"]';
    assert.deepEqual(await texts(`${sel} .legend-ticks span`), ['0', '0.5', '1']);
    assert.deepEqual(await texts(`${sel} .heatmap-rows > span`), ['cat', 'dog']);
    assert.deepEqual(await texts(`${sel} .heatmap-cols > span`), ['a photo of …', 'a photo of …']);
    assert.deepEqual(
      await page.$$eval(`${sel} .heatmap-cols > span`, (els) => els.map((e) => e.getAttribute('title'))),
      ['a photo of a cat', 'a photo of a dog'],
      'the whole label in the tooltip',
    );
    assert.equal(await page.$eval(`${sel} figcaption`, (e) => e.textContent), 'step 0 · 2×2');

    const cosCanvas = '.insight-series[data-series="cos"] canvas.heatmap-canvas';
    assert.deepEqual(await pixel(page, cosCanvas, 0.25, 0.25), DIVERGING_LOW, 'a symmetric range diverges: -1 is blue');
    assert.deepEqual(await pixel(page, cosCanvas, 0.75, 0.25), DIVERGING_MID, '0 is the near-white centre');
    assert.deepEqual(await texts('.insight-series[data-series="cos"] .legend-ticks span'), ['-1', '0', '1']);
  });

  it('thins the labels of a 100×100 matrix to every k-th and keeps every slot aligned with its cells', async () => {
    const n = 100;
    const big = matrix(
      0,
      Array.from({ length: n * n }, (_, i) => (i % n) / n),
      {
        rows: n,
        cols: n,
        rowLabels: Array.from({ length: n }, (_, i) => `token ${i}`),
        range: undefined,
      },
    );
    await postToPanel(page, load(run('a', { insights: { matrices: [big] } })));
    await frames(page);
    const labelled = await page.$$eval('.heatmap-rows > span', (els) => els.filter((e) => e.textContent).length);
    assert.equal(await page.$$eval('.heatmap-rows > span', (els) => els.length), n, 'one slot per row');
    assert.ok(labelled > 5 && labelled < 30, `every k-th row labelled: ${labelled}`);
    const [canvas, rows] = await Promise.all(
      [simCanvas, '.heatmap-rows'].map((s) => page.$eval(s, (e) => e.getBoundingClientRect().height)),
    );
    assert.equal(rows, canvas, 'the row labels span exactly the canvas');
    assert.deepEqual(await texts('.legend-ticks span'), ['0', '0.495', '0.99'], "no range: the values' min and max");
  });

  it('follows the step cursor: moving it back with the keyboard redraws the earlier matrix', async () => {
    const early = matrix(0, [0, 0, 0, 0]);
    const late = matrix(10, [1, 1, 1, 1]);
    await postToPanel(page, load(run('a', { insights: { matrices: [early, late] } })));
    await frames(page);
    assert.deepEqual(await pixel(page, simCanvas), VIRIDIS_HIGH, 'the latest step (10)');
    await page.focus('#step-cursor');
    await page.keyboard.press('ArrowLeft');
    await frames(page);
    assert.deepEqual(await pixel(page, simCanvas), VIRIDIS_LOW, 'step 0');
    assert.equal(
      await page.$eval('.insight-series[data-series="sim"] figcaption', (e) => e.textContent),
      'step 0 · 2×2',
    );
  });

  it('compares two runs side by side, each cell drawing its own run', async () => {
    await postToPanel(
      page,
      load(
        run('a', { insights: { matrices: [matrix(0, [0, 0, 0, 0])] } }),
        run('b', { insights: { matrices: [matrix(0, [1, 1, 1, 1])] } }),
      ),
    );
    await frames(page);
    const cells = await page.$$('.insight-series[data-series="sim"] figure.insight-cell');
    assert.equal(cells.length, 2);
    const [a, b] = await Promise.all(cells.map((c) => c.boundingBox()));
    assert.ok(a && b && Math.abs(a.y - b.y) < 1 && b.x >= a.x + a.width, `side by side: ${JSON.stringify([a, b])}`);
    assert.deepEqual(await pixel(page, 'figure[data-run="a"] canvas.heatmap-canvas'), VIRIDIS_LOW);
    assert.deepEqual(await pixel(page, 'figure[data-run="b"] canvas.heatmap-canvas'), VIRIDIS_HIGH);
    assert.deepEqual(await texts('.insight-series[data-series="sim"] figcaption'), [
      'run a · step 0 · 2×2',
      'run b · step 0 · 2×2',
    ]);
  });

  it('moves a selected cell with the keyboard and a click, and says its row, column and value', async () => {
    const m = matrix(0, [1, 2, 3, 4, 5, 6], {
      rows: 2,
      cols: 3,
      rowLabels: ['cat', 'dog'],
      colLabels: ['x', 'y', 'z'],
      range: undefined,
    });
    await postToPanel(page, load(run('a', { insights: { matrices: [m] } })));
    await frames(page);
    const status = (): Promise<string> => page.$eval('.heatmap-status', (e) => e.textContent ?? '');
    assert.equal(await page.$eval('.heatmap-status', (e) => e.getAttribute('aria-live')), 'polite');
    assert.equal(await page.$eval(simCanvas, (e) => e.getAttribute('tabindex')), '0');
    await page.focus(simCanvas);
    await page.keyboard.press('ArrowRight');
    assert.equal(await status(), 'row cat, column x: 1', 'the first key selects the first cell');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowDown');
    assert.equal(await status(), 'row dog, column y: 5');
    await page.keyboard.press('End');
    assert.equal(await status(), 'row dog, column z: 6');
    await page.keyboard.press('Home');
    assert.equal(await status(), 'row dog, column x: 4');
    const box = await (await page.$(simCanvas))?.boundingBox();
    assert.ok(box);
    await page.mouse.move(box.x + box.width * 0.9, box.y + box.height * 0.2);
    assert.equal(await page.$eval('.heatmap-hover', (e) => e.textContent), 'cat × z: 3', 'hover reads the cell');
    await page.mouse.click(box.x + box.width * 0.5, box.y + box.height * 0.2);
    assert.equal(await status(), 'row cat, column y: 2', 'a click selects');
  });

  it('takes label and outline colours from the theme and redraws when it changes', async () => {
    await postToPanel(
      page,
      load(run('a', { insights: { matrices: [matrix(0, [0, 1, 1, 0], { rowLabels: ['p', 'q'] })] } })),
    );
    await frames(page);
    const labelColor = (): Promise<string> =>
      page.$eval('.heatmap-rows > span > span', (e) => getComputedStyle(e).color);
    assert.equal(await labelColor(), 'rgb(40, 40, 40)', "the harness theme's --vscode-foreground");
    await page.focus(simCanvas);
    await page.keyboard.press('ArrowDown'); // selects (0, 0): its outline is drawn in the focus colour
    const outline = (): Promise<number[]> => pixel(page, simCanvas, 1.5 / 256, 0.25);
    assert.deepEqual(await outline(), [0, 120, 212, 255], "the harness theme's --vscode-focusBorder");
    await page.evaluate(() => {
      document.documentElement.style.setProperty('--vscode-foreground', 'rgb(200, 0, 100)');
      document.documentElement.style.setProperty('--vscode-focusBorder', 'rgb(255, 0, 255)');
    });
    await frames(page);
    assert.equal(await labelColor(), 'rgb(200, 0, 100)');
    assert.deepEqual(await outline(), [255, 0, 255, 255], 'redrawn with the new focus colour');
    assert.deepEqual(await pixel(page, simCanvas, 0.75, 0.75), VIRIDIS_LOW, 'the cells keep their colours');
    assert.equal(await page.$eval('.heatmap-status', (e) => e.textContent), 'row p, column 1: 0');
  });

  it('blends the attention overlay over the image at the opacity slider, 60% by default', async () => {
    await postToPanel(page, load(run('a', { insights: { attention: [attention([0, 1, 0, 0])] } })));
    await drawnAttention('canvas.attention-canvas');
    const hot = (): Promise<number[]> => pixel(page, 'canvas.attention-canvas', 0.99, 0.01);
    const cold = (): Promise<number[]> => pixel(page, 'canvas.attention-canvas', 0.01, 0.99);
    const blend = (over: readonly number[], a: number): number[] => BLUE.map((b, i) => b * (1 - a) + over[i] * a);
    near(await hot(), blend(INFERNO_HIGH, 0.6), 'the strongest patch at 60%');
    near(await cold(), blend(INFERNO_LOW, 0.6), 'a weakest patch at 60%');
    assert.equal(await page.$eval('.attention-opacity', (e) => e.getAttribute('aria-valuetext')), '60%');
    await page.focus('.attention-opacity');
    await page.keyboard.press('Home');
    await frames(page);
    near(await hot(), BLUE, 'opacity 0: only the image');
    await page.keyboard.press('End');
    await frames(page);
    near(await hot(), INFERNO_HIGH, 'opacity 100: only the overlay');
    near(await cold(), INFERNO_LOW, 'opacity 100: only the overlay');
    assert.equal(await page.$eval('.attention-opacity + output', (e) => e.textContent), '100%');
    assert.equal(
      await page.$eval('.attention-head', (e) => (e.parentElement as HTMLElement).hidden),
      true,
      'one head: no selector',
    );
    assert.equal(
      await page.$eval('.insight-series[data-series="cls"] figcaption', (e) => e.textContent),
      'step 0 · 1 head · 2×2 grid',
    );
    assert.deepEqual(await texts('.insight-series[data-series="cls"] .legend-ticks span'), ['0', '1']);
  });

  it('draws the head the row selects, in every compared run', async () => {
    // Head 1 looks at the top-left patch, head 2 at the bottom-right; their mean at both.
    const two = attention([1, 0, 0, 0, 0, 0, 0, 1], { heads: 2 });
    await postToPanel(
      page,
      load(run('a', { insights: { attention: [two] } }), run('b', { insights: { attention: [two] } })),
    );
    await drawnAttention('canvas.attention-canvas');
    await page.focus('.attention-opacity');
    await page.keyboard.press('End');
    assert.deepEqual(await texts('.attention-head option'), ['mean of 2 heads', 'head 1', 'head 2']);
    const corners = (run: string): Promise<number[][]> =>
      Promise.all([0.01, 0.99].map((f) => pixel(page, `figure[data-run="${run}"] canvas.attention-canvas`, f, f)));
    for (const r of ['a', 'b']) {
      const [tl, br] = await corners(r);
      near(tl, INFERNO_HIGH, `${r}: mean, top-left`);
      near(br, INFERNO_HIGH, `${r}: mean, bottom-right`);
    }
    await page.selectOption('.attention-head', '1');
    await frames(page);
    for (const r of ['a', 'b']) {
      const [tl, br] = await corners(r);
      near(tl, INFERNO_LOW, `${r}: head 2, top-left`);
      near(br, INFERNO_HIGH, `${r}: head 2, bottom-right`);
    }
    await page.selectOption('.attention-head', '0');
    await frames(page);
    const [tl, br] = await corners('b');
    near(tl, INFERNO_HIGH, 'head 1, top-left');
    near(br, INFERNO_LOW, 'head 1, bottom-right');
    assert.match(
      (await page.$eval('canvas.attention-canvas', (e) => e.getAttribute('aria-label'))) ?? '',
      /head 1 .* row 1, column 1/,
    );
  });

  it('says why an attention map cannot be drawn when its image is not a PNG or does not decode', async () => {
    const notPng = attention([0, 1, 0, 0], { png: new Uint8Array([1, 2, 3]) });
    const broken = attention([0, 1, 0, 0], {
      name: 'broken',
      png: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 1, 2, 3]),
    });
    await postToPanel(page, load(run('a', { insights: { attention: [notPng, broken] } })));
    await page.waitForFunction(() => document.querySelectorAll('.attention-reason:not([hidden])').length === 2);
    const [first, second] = await Promise.all(
      ['cls', 'broken'].map((n) =>
        page.$eval(`.insight-series[data-series="${n}"] .attention-reason`, (e) => e.textContent),
      ),
    );
    assert.equal(
      first,
      'The image of step 0 is not a PNG (3 bytes starting 01 02 03); the file in the run folder may be damaged.',
    );
    assert.match(
      second,
      /^The image of step 0 could not be decoded \(.+\); the PNG in the run folder may be damaged\.$/,
    );
    assert.deepEqual(await page.$$eval('canvas.attention-canvas', (els) => els.map((e) => (e as HTMLElement).hidden)), [
      true,
      true,
    ]);
  });
});
