/// <reference lib="dom" />
import * as assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { BLUE, CYAN, GREEN, MAGENTA, RED, YELLOW, curve, frame, load, run } from './fixtures';
import { THEME_CHART_BLUE, frames, panelSuite, pixel, postToPanel } from './harness';

describe('webview (chromium): run panel', function () {
  this.timeout(30_000);
  const panels = panelSuite(['run', 'milestones']);
  let page: Page;
  let problems: string[];

  beforeEach(async () => {
    ({ page, problems } = await panels.open('run'));
  });
  afterEach(async () => {
    await page?.close();
    assert.deepEqual(problems, [], 'no page errors, console errors or CSP violations');
  });

  const posted = (): Promise<{ type: string; runId?: string; message?: string }[]> =>
    page.evaluate(() => (window as unknown as { __posted: never[] }).__posted);
  /** Pixels of the theme's first chart colour (--vscode-charts-blue): the first series' line, not axes or grid. */
  const inkedPixels = (selector: string): Promise<number> =>
    page.$eval(
      selector,
      (el, rgb) => {
        const c = el as HTMLCanvasElement;
        const d = c.getContext('2d')?.getImageData(0, 0, c.width, c.height).data ?? new Uint8ClampedArray();
        let n = 0;
        for (let i = 0; i < d.length; i += 4)
          if (
            Math.abs(d[i] - rgb[0]) < 40 &&
            Math.abs(d[i + 1] - rgb[1]) < 40 &&
            Math.abs(d[i + 2] - rgb[2]) < 40 &&
            d[i + 3] > 200
          )
            n++;
        return n;
      },
      THEME_CHART_BLUE,
    );

  it('posts ready, draws a curve per metric group and keeps the runner group collapsed', async () => {
    assert.deepEqual(await posted(), [{ type: 'ready' }]);
    await postToPanel(page, load(run('a')));
    await frames(page);
    assert.deepEqual(await page.$$eval('.chart-group', (els) => els.map((e) => e.getAttribute('data-group'))), [
      'loss',
      'acc',
      'runner',
    ]);
    assert.ok((await inkedPixels('.chart-group[data-group="loss"] canvas')) > 300, 'the loss curve has ink');
    assert.equal(await page.$$eval('.chart-group[data-group="runner"] canvas', (c) => c.length), 0);
    assert.equal(
      await page.$eval('.chart-group[data-group="runner"] .group-toggle', (b) => b.getAttribute('aria-expanded')),
      'false',
    );
    const header = await page.$eval('.run-header', (e) => e.textContent ?? '');
    for (const s of [
      'run a',
      'ddpm',
      'Running',
      'wasm — @tensorflow/tfjs-node not installed',
      '41.5',
      '12 s',
      '1 min 00 s',
      '120 tensors, 2.9 MB',
    ])
      assert.ok(header.includes(s), `header shows ${s}: ${header}`);
  });

  it('streams appended points incrementally and redraws once per frame', async () => {
    await postToPanel(page, load(run('a', { scalars: { loss: curve(10) } })));
    await frames(page);
    const before = await page.evaluate(() =>
      (window as unknown as { __runPanel: { pointsDrawn(): number } }).__runPanel.pointsDrawn(),
    );
    for (let b = 0; b < 20; b++)
      await postToPanel(page, {
        type: 'append',
        runId: 'a',
        scalars: { loss: curve(1000).map((p) => ({ ...p, step: 10 + b * 1000 + p.step })) },
      });
    await frames(page);
    const after = await page.evaluate(() =>
      (window as unknown as { __runPanel: { pointsDrawn(): number } }).__runPanel.pointsDrawn(),
    );
    assert.equal(before, 10);
    assert.ok(after > 100 && after < 20_010 / 2, `downsampled for display: ${after} of 20010 points drawn`);
  });

  it('moves every image panel with the one step cursor (arrow keys), at the nearest step at or before it', async () => {
    await postToPanel(
      page,
      load(
        run('a', {
          images: [
            frame('samples', 0, RED),
            frame('samples', 100, GREEN),
            frame('samples', 200, BLUE),
            frame('reverse', 50, YELLOW),
            frame('reverse', 150, CYAN),
          ],
        }),
      ),
    );
    await frames(page);
    const samples = '.image-series[data-series="samples"] canvas.frame';
    const reverse = '.image-series[data-series="reverse"] canvas.frame';
    await page.waitForFunction((s) => (document.querySelector(s) as HTMLCanvasElement | null)?.width === 192, samples);
    assert.deepEqual(await pixel(page, samples), [...BLUE, 255], 'follows the latest step: 200');
    assert.deepEqual(await pixel(page, reverse), [...CYAN, 255]);
    assert.equal(
      await page.$eval(samples, (c) => (c as HTMLCanvasElement).width),
      192,
      '8 px scaled by the integer 24',
    );
    await page.focus('#step-cursor');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    await frames(page);
    assert.match(await page.$eval('.cursor-bar output', (o) => o.textContent ?? ''), /^step 100 · 3 of 5/);
    assert.deepEqual(await pixel(page, samples), [...GREEN, 255]);
    assert.deepEqual(await pixel(page, reverse), [...YELLOW, 255], 'reverse snaps back to step 50');
    await page.keyboard.press('Home');
    await frames(page);
    assert.deepEqual(await pixel(page, samples), [...RED, 255]);
    assert.equal(
      await page.$eval(`.image-series[data-series="reverse"] .placeholder`, (p) => p.textContent),
      'No image yet at step 0 (first at step 50)',
    );
  });

  it('compares two runs: overlaid curves with a legend, images side by side, an A/B swipe, the config differences', async () => {
    const b = run('b', {
      meta: { ...run('b').meta!, backend: 'tensorflow', backendWhy: 'native' },
      images: [frame('samples', 0, MAGENTA)],
      summary: { 'acc/heldout': 0.9 },
    });
    await postToPanel(
      page,
      load(run('a', { images: [frame('samples', 0, GREEN)], summary: { 'acc/heldout': 0.8 } }), b),
    );
    await frames(page);
    assert.equal(await page.$$eval('.run-header', (h) => h.length), 2);
    const legend = await page.$$eval('.chart-group[data-group="loss"] .u-legend tr.u-series:not(.raw) th', (th) =>
      th.map((t) => t.textContent?.trim()),
    );
    assert.deepEqual(legend, ['step', 'run a · loss', 'run b · loss']);
    assert.deepEqual(
      await page.$$eval('.image-series[data-series="samples"] .image-cell', (c) =>
        c.map((e) => e.getAttribute('data-run')),
      ),
      ['a', 'b'],
    );
    await page.waitForFunction(
      () => (document.querySelector('canvas.swipe-canvas') as HTMLCanvasElement | null)?.width === 192,
    );
    assert.deepEqual(await pixel(page, 'canvas.swipe-canvas', 0.25), [...GREEN, 255], 'run A left of the divider');
    assert.deepEqual(await pixel(page, 'canvas.swipe-canvas', 0.75), [...MAGENTA, 255], 'run B right of it');
    await page.focus('.swipe-slider');
    await page.keyboard.press('End');
    assert.deepEqual(
      await pixel(page, 'canvas.swipe-canvas', 0.75),
      [...GREEN, 255],
      'divider moved right: A everywhere',
    );
    const diff = await page.$$eval('.config-diff tbody tr', (rows) =>
      rows.map((r) => [...r.children].map((c) => c.textContent)),
    );
    assert.deepEqual(diff, [['backend', 'wasm', 'tensorflow']]);
    assert.deepEqual(await page.$$eval('.summary-table tbody td', (td) => td.map((t) => t.textContent)), [
      '0.8',
      '0.9',
    ]);
  });

  it('shows notices in a banner and still shows what it can: curves, a placeholder for a broken image, text', async () => {
    await postToPanel(
      page,
      load(
        run('a', {
          notices: ['2 cut-off lines in scalars.jsonl were skipped'],
          images: [{ name: 'samples', step: 0, width: 8, height: 8, png: new Uint8Array([1, 2, 3]) }],
          text: [{ name: 'answers', step: 0, text: 'a photo of a cat' }],
        }),
      ),
    );
    await postToPanel(page, { type: 'notice', message: 'images/samples/0.png is missing' });
    await frames(page);
    const banner = await page.$eval('.banner[role="alert"]', (b) => b.textContent ?? '');
    assert.ok(banner.includes('2 cut-off lines') && banner.includes('0.png is missing'), banner);
    assert.ok((await inkedPixels('.chart-group[data-group="loss"] canvas')) > 300);
    await page.waitForFunction(() => /is not a PNG/.test(document.querySelector('.placeholder')?.textContent ?? ''));
    assert.equal(await page.$eval('.text-series pre', (p) => p.textContent), 'a photo of a cat');
    await postToPanel(page, { type: 'load', protocol: 99, runs: [] });
    await frames(page);
    assert.match(await page.$eval('.banner', (b) => b.textContent ?? ''), /received 99/);
    assert.ok(
      (await inkedPixels('.chart-group[data-group="loss"] canvas')) > 300,
      'a bad message does not blank the chart',
    );
  });

  it('says when a run has no scalars', async () => {
    await postToPanel(page, load(run('a', { scalars: {} })));
    await frames(page);
    assert.match(await page.$eval('.chart-groups .empty', (p) => p.textContent ?? ''), /no scalars yet/);
  });

  it('Stop only while running, Resume once it ended with a checkpoint; status updates the header with the reason', async () => {
    await postToPanel(
      page,
      load(
        run('a', { meta: { ...run('a').meta!, latestCheckpoint: '/ws/.multimodal-lab/runs/toy/a/checkpoints/800' } }),
      ),
    );
    await frames(page);
    assert.deepEqual(await page.$$eval('.actions button:not([hidden])', (b) => b.map((x) => x.textContent)), ['Stop']);
    await page.click('.actions button:not([hidden])');
    await postToPanel(page, {
      type: 'status',
      runId: 'a',
      live: { status: 'nan', reason: 'loss became NaN at step 812 (train.ts:40)' },
    });
    await frames(page);
    assert.deepEqual(await page.$$eval('.actions button:not([hidden])', (b) => b.map((x) => x.textContent)), [
      'Resume',
    ]);
    assert.equal(await page.$eval('.reason', (r) => r.textContent), 'loss became NaN at step 812 (train.ts:40)');
    await page.click('.actions button:not([hidden])');
    assert.deepEqual((await posted()).slice(1), [
      { type: 'stop', runId: 'a' },
      { type: 'resume', runId: 'a' },
    ]);
    // A run that saved no checkpoint has nothing to resume from.
    await postToPanel(
      page,
      load(run('b', { meta: { ...run('b').meta!, status: 'finished' }, live: { status: 'finished' } })),
    );
    await frames(page);
    assert.deepEqual(await page.$$eval('.actions button:not([hidden])', (b) => b.map((x) => x.textContent)), []);
  });

  it('draws a live image whose bytes arrived as a serialised Node Buffer (issue 19: "could not be shown")', async () => {
    await postToPanel(page, load(run('a', { images: [] })));
    const png = frame('samples', 7, MAGENTA).png;
    await postToPanel(page, {
      type: 'append',
      runId: 'a',
      images: [{ name: 'samples', step: 7, width: 8, height: 8, png: { type: 'Buffer', data: [...png] } }],
    });
    const canvas = '.image-series[data-series="samples"] canvas.frame';
    await page.waitForFunction((s) => (document.querySelector(s) as HTMLCanvasElement | null)?.width === 192, canvas);
    assert.deepEqual(await pixel(page, canvas), [...MAGENTA, 255]);
    assert.equal(
      await page.$eval('.image-series[data-series="samples"] .placeholder', (p) => (p as HTMLElement).hidden),
      true,
    );
  });

  it('says why an image cannot be shown: bytes that are not a PNG', async () => {
    await postToPanel(
      page,
      load(run('a', { images: [{ name: 'samples', step: 4, width: 8, height: 8, png: new Uint8Array([1, 2, 3]) }] })),
    );
    await page.waitForFunction(() => /not a PNG/.test(document.querySelector('.placeholder')?.textContent ?? ''));
    assert.equal(
      await page.$eval('.placeholder', (p) => p.textContent),
      'The image of step 4 is not a PNG (3 bytes starting 01 02 03); the file in the run folder may be damaged.',
    );
  });

  it('draws "Training finished." in the normal text colour, and only a failure in the error colour', async () => {
    const colourOf = async (status: 'finished' | 'crashed', reason: string): Promise<string> => {
      await postToPanel(page, load(run('a', { meta: { ...run('a').meta!, status }, live: { status, reason } })));
      await frames(page);
      assert.equal(await page.$eval('.reason', (r) => r.textContent), reason);
      return page.$eval('.reason', (r) => getComputedStyle(r).color);
    };
    const ERROR = 'rgb(200, 0, 0)'; // --vscode-errorForeground in the harness theme
    assert.notEqual(await colourOf('finished', 'Training finished.'), ERROR, 'finished is not an error');
    assert.equal(
      await colourOf('crashed', 'Error: boom at exercises/toy/train.ts:3'),
      ERROR,
      'a crash reads as an error',
    );
  });

  it('a run that diverged at its first logged step: the exact value in badge and text, its step, a loss chart with the marker, the last finite values', async () => {
    const divergence = {
      metric: 'loss',
      value: 'Infinity',
      step: 1,
      lastFinite: { 'wer/A': { step: 0, value: 0.407 }, 'wer/B': { step: 0, value: 0.116 } },
    } as const;
    const reason =
      'loss became Infinity at step 1: training diverged. It was not finite at its first logged step, so there is no loss curve before it: check the first step (inputs, initial weights, the loss formula).';
    await postToPanel(
      page,
      load(
        run('a', {
          meta: { ...run('a').meta!, status: 'nan', reason, divergence },
          live: undefined,
          scalars: { 'wer/A': [{ step: 0, value: 0.407, time: 0 }], 'wer/B': [{ step: 0, value: 0.116, time: 0 }] },
        }),
      ),
    );
    await frames(page);
    assert.equal(
      await page.$eval('.run-header .status', (e) => e.textContent),
      'Diverged: loss became Infinity at step 1',
    );
    assert.equal(await page.$eval('.reason', (e) => e.textContent), reason);
    const facts = await page.$$eval('.facts dt, .facts dd', (els) => els.map((e) => e.textContent));
    assert.equal(facts[facts.indexOf('Step') + 1], '1', 'the step it reached, not 0');
    await page.waitForSelector('.chart-group[data-group="loss"] canvas');
    assert.match(
      await page.$eval('.chart-group[data-group="loss"] .chart-note', (e) => e.textContent ?? ''),
      /loss became Infinity at step 1/,
    );
    assert.ok(
      (await inkedPixels('.chart-group[data-group="wer"] canvas')) > 10,
      'the single WER points are drawn, not an empty chart',
    );
    const marker = await page.$eval('.chart-group[data-group="loss"] canvas', (el) => {
      const c = el as HTMLCanvasElement;
      const d = c.getContext('2d')?.getImageData(0, 0, c.width, c.height).data ?? new Uint8ClampedArray();
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i] > 150 && d[i + 1] < 60 && d[i + 2] < 60 && d[i + 3] > 200) n++;
      return n;
    });
    assert.ok(marker > 50, `the divergence step is marked in the error colour on the loss chart (${marker} px)`);
    assert.deepEqual(
      await page.$$eval('.last-finite tbody tr', (rows) => rows.map((r) => [...r.children].map((c) => c.textContent))),
      [
        ['wer/A', '0.407', '0'],
        ['wer/B', '0.116', '0'],
      ],
    );
    const summary = await page.$eval('.summary', (e) => e.textContent ?? '');
    assert.doesNotMatch(summary, /No summary yet/);
    assert.match(summary, /the run diverged \(loss became Infinity at step 1\)/);
  });

  it('marks a chart whose run diverges live, with no record after the ending (an existing series, no layout change)', async () => {
    await postToPanel(page, load(run('a')));
    await frames(page);
    await page.waitForSelector('.chart-group[data-group="loss"] canvas');
    assert.equal(await page.$eval('.chart-group[data-group="loss"] .chart-note', (e) => e.textContent ?? ''), '');
    // The ending's status is the last message: nothing appends after it, so only the status can redraw the chart.
    await postToPanel(page, {
      type: 'status',
      runId: 'a',
      live: {
        status: 'nan',
        reason: 'loss became Infinity at step 500: training diverged.',
        divergence: { metric: 'loss', value: 'Infinity', step: 500, lastFinite: { loss: { step: 499, value: 2 } } },
      },
    });
    await frames(page);
    assert.match(
      await page.$eval('.chart-group[data-group="loss"] .chart-note', (e) => e.textContent ?? ''),
      /loss became Infinity at step 500/,
    );
  });

  it('shows the ETA from the planned steps, and the raw last value of every series beside its chart', async () => {
    await postToPanel(
      page,
      load(
        run('a', {
          scalars: {
            loss: curve(100),
            'wer/B': [0.407, 0.3, 0.2, 0.15, 0.116].map((value, i) => ({ step: i * 25, value, time: i })),
          },
          live: { status: 'running', step: 100, stepsPerSec: 10, totalSteps: 400 },
        }),
      ),
    );
    await frames(page);
    const facts = await page.$$eval('.facts dt, .facts dd', (els) => els.map((e) => e.textContent));
    assert.equal(facts[facts.indexOf('ETA') + 1], '30 s');
    assert.equal(
      await page.$eval('.chart-group[data-group="wer"] .last-values', (e) => e.textContent),
      'last: wer/B 0.116 (step 100)',
    );
    const legend = await page.$$eval('.chart-group[data-group="wer"] .u-legend tr.u-series:not(.raw) th', (th) =>
      th.map((t) => t.textContent?.trim()),
    );
    assert.deepEqual(legend, ['step', 'wer/B'], 'a 5-point series is drawn raw: no smoothed copy');
  });

  it('keeps smoothing, log axes, zoom, collapsed groups and the cursor across a reload (getState/setState)', async () => {
    const fixture = load(
      run('a', { images: [frame('samples', 0, RED), frame('samples', 100, GREEN), frame('samples', 200, BLUE)] }),
    );
    await postToPanel(page, fixture);
    await frames(page);
    await page.$eval('#smoothing', (el) => {
      (el as HTMLInputElement).value = '0.9';
      el.dispatchEvent(new Event('input'));
    });
    await page.check('#log-y');
    await page.click('.chart-group[data-group="acc"] .group-toggle');
    await page.focus('#step-cursor');
    await page.keyboard.press('ArrowLeft');
    const over = await page.$('.chart-group[data-group="loss"] .u-over');
    const box = await over?.boundingBox();
    assert.ok(box);
    await page.mouse.move(box.x + box.width * 0.2, box.y + 20);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.5, box.y + 20, { steps: 5 });
    await page.mouse.up();
    await frames(page);
    await page.reload();
    await postToPanel(page, fixture);
    await frames(page);
    assert.equal(await page.$eval('#smoothing', (el) => (el as HTMLInputElement).value), '0.9');
    assert.equal(await page.$eval('#log-y', (el) => (el as HTMLInputElement).checked), true);
    assert.equal(
      await page.$eval('.chart-group[data-group="acc"] .group-toggle', (b) => b.getAttribute('aria-expanded')),
      'false',
    );
    assert.match(await page.$eval('.cursor-bar output', (o) => o.textContent ?? ''), /^step 100 ·/);
    const zoom = await page.evaluate(
      () => JSON.parse(sessionStorage.getItem('state') ?? '{}').zoom?.loss as number[] | undefined,
    );
    assert.ok(zoom && zoom[0] > 50 && zoom[1] < 300 && zoom[0] < zoom[1], `zoomed to ${zoom}`);
    assert.equal(
      await page.$eval('.chart-group[data-group="loss"] .chart-head .secondary', (b) => (b as HTMLElement).hidden),
      false,
      'Reset zoom offered',
    );
    await page.dblclick('.chart-group[data-group="loss"] .u-over');
    await frames(page);
    assert.equal(
      await page.evaluate(() => JSON.parse(sessionStorage.getItem('state') ?? '{}').zoom?.loss),
      undefined,
      'double-click resets the zoom',
    );
  });
});
