/// <reference lib="dom" />
import * as assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { AudioClip, TableCell, TableEntry } from '../../../src/protocol/panels';
import { hzToMel, SPECTROGRAM_LAYOUT } from '../../../webview/src/run/spectrogram';
import { GREEN, load, run, solidPng } from './fixtures';
import { frames, panelSuite, pixel, postToPanel } from './harness';

/** A 16-bit PCM mono WAV of a sine (the lab's format, templates/workspace/lab/wav.ts), built here byte by byte. */
function sineWav(hz: number, sampleRate: number, seconds: number, amplitude = 0.5): Uint8Array {
  const n = Math.round(sampleRate * seconds);
  const bytes = new Uint8Array(44 + 2 * n);
  const v = new DataView(bytes.buffer);
  const ascii = (o: number, s: string): void => [...s].forEach((c, i) => (bytes[o + i] = c.charCodeAt(0)));
  ascii(0, 'RIFF');
  v.setUint32(4, 36 + 2 * n, true);
  ascii(8, 'WAVEfmt ');
  v.setUint32(16, 16, true);
  v.setUint16(20, 1, true);
  v.setUint16(22, 1, true);
  v.setUint32(24, sampleRate, true);
  v.setUint32(28, sampleRate * 2, true);
  v.setUint16(32, 2, true);
  v.setUint16(34, 16, true);
  ascii(36, 'data');
  v.setUint32(40, 2 * n, true);
  for (let i = 0; i < n; i++)
    v.setInt16(44 + 2 * i, Math.round(amplitude * 32767 * Math.sin((2 * Math.PI * hz * i) / sampleRate)), true);
  return bytes;
}

const clip = (step: number, hz: number, seconds: number, name = 'speech'): AudioClip => ({
  name,
  step,
  sampleRate: 16000,
  samples: Math.round(16000 * seconds),
  wav: sineWav(hz, 16000, seconds),
});

const table = (step: number, columns: string[], rows: TableCell[][], name = 'captions'): TableEntry => ({
  name,
  step,
  columns,
  rows,
});

const { plot } = SPECTROGRAM_LAYOUT;
/** The canvas fraction of a frequency row (linear scale, 16 kHz: Nyquist 8 kHz at the top of the plot). */
const fy = (hz: number): number => (plot.top + plot.height * (1 - hz / 8000)) / SPECTROGRAM_LAYOUT.height;
const fx = (t: number): number => (plot.left + t * plot.width) / SPECTROGRAM_LAYOUT.width;

describe('webview (chromium): sounds and tables', function () {
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
  const spectro = '.insight-series[data-series="speech"] canvas.spectrogram';
  const audio = '.insight-series[data-series="speech"] audio';

  it('plays a clip from a blob: URL (its duration loads) and draws its spectrogram, bright at the sine', async () => {
    await postToPanel(page, load(run('a', { insights: { audio: [clip(0, 1000, 1.5)] } })));
    await frames(page);
    assert.match(await page.$eval(audio, (a) => (a as HTMLAudioElement).src), /^blob:/);
    const duration = await page.$eval(
      audio,
      (a) =>
        new Promise<number>((resolve) => {
          const el = a as HTMLAudioElement;
          if (el.readyState >= 1) resolve(el.duration);
          else el.addEventListener('loadedmetadata', () => resolve(el.duration), { once: true });
        }),
    );
    assert.ok(Math.abs(duration - 24000 / 16000) < 0.01, `duration ${duration}`);
    assert.equal(
      await page.$eval(spectro, (c) => c.getAttribute('aria-label')),
      'Spectrogram of speech: 1.50 s at 16000 Hz, linear frequency scale up to 8000 Hz',
    );
    const [r, g, b] = await pixel(page, spectro, fx(0.5), fy(1000));
    assert.ok(g > 200 && r > 150 && b < 120, `1 kHz row is bright (viridis yellow): ${[r, g, b]}`);
    const dark = await pixel(page, spectro, fx(0.5), fy(5000));
    assert.ok(dark[1] < 80, `5 kHz row is dark: ${dark}`);
    // The brightest row of the middle column is within a bin or two of 1 kHz.
    const brightest = await page.$eval(
      spectro,
      (c, [x, top, height]) => {
        const d = (c as HTMLCanvasElement).getContext('2d')!.getImageData(x, top, 1, height).data;
        let best = 0;
        for (let y = 1; y < height; y++) if (d[y * 4 + 1] > d[best * 4 + 1]) best = y;
        return best;
      },
      [Math.round(plot.left + plot.width / 2), plot.top, plot.height] as const,
    );
    const hz = (1 - (brightest + 0.5) / plot.height) * 8000;
    assert.ok(Math.abs(hz - 1000) < 80, `peak row at ${hz.toFixed(0)} Hz`);
    // The play-position line moves with the audio's time (here by seeking while paused).
    await page.$eval(
      audio,
      (a) =>
        new Promise<void>((resolve) => {
          a.addEventListener('seeked', () => resolve(), { once: true });
          (a as HTMLAudioElement).currentTime = 0.75;
        }),
    );
    await frames(page);
    const x = (plot.left + Math.round(0.5 * (plot.width - 2)) + 1) / SPECTROGRAM_LAYOUT.width;
    assert.deepEqual(await pixel(page, spectro, x, fy(5000)), [40, 40, 40, 255], 'line in --vscode-foreground');
  });

  it('says why a WAV cannot be decoded and shows no player', async () => {
    const broken: AudioClip = { name: 'speech', step: 3, sampleRate: 16000, samples: 10, wav: new Uint8Array(12) };
    await postToPanel(page, load(run('a', { insights: { audio: [broken] } })));
    await frames(page);
    const reason = await page.$eval('.audio-error', (p) => ((p as HTMLElement).hidden ? '' : p.textContent));
    assert.match(reason ?? '', /"speech" of step 3 cannot be played: it is not a WAV file/);
    assert.equal(await page.$eval(audio, (a) => (a as HTMLElement).hidden && !a.hasAttribute('src')), true);
    assert.equal(await page.$eval(spectro, (c) => (c as HTMLElement).hidden), true);
  });

  it('follows the step cursor: the keyboard moves it and another clip is shown', async () => {
    await postToPanel(page, load(run('a', { insights: { audio: [clip(0, 1000, 1), clip(10, 3000, 0.5)] } })));
    await frames(page);
    const label = (): Promise<string | null> => page.$eval(spectro, (c) => c.getAttribute('aria-label'));
    assert.match((await label()) ?? '', /0\.50 s/, 'the latest step (10) first');
    const src10 = await page.$eval(audio, (a) => (a as HTMLAudioElement).src);
    assert.ok((await pixel(page, spectro, fx(0.5), fy(3000)))[1] > 200, '3 kHz bright at step 10');
    await page.focus('#step-cursor');
    await page.keyboard.press('ArrowLeft');
    await frames(page);
    assert.match((await label()) ?? '', /1\.00 s/);
    const src0 = await page.$eval(audio, (a) => (a as HTMLAudioElement).src);
    assert.ok(src0.startsWith('blob:') && src0 !== src10, 'a new blob: URL for the other clip');
    assert.ok((await pixel(page, spectro, fx(0.5), fy(1000)))[1] > 200, '1 kHz bright at step 0');
    assert.ok((await pixel(page, spectro, fx(0.5), fy(3000)))[1] < 120, '3 kHz no longer');
    assert.match((await texts('.insight-series[data-series="speech"] figcaption'))[0], /^step 0 · 1\.00 s · 16000 Hz/);
  });

  const scores: TableCell[][] = [
    ['a', 0.123456, 'a red square'],
    ['b', null, 'a blue circle'],
    ['c', 2, 'a red circle'],
    ['d', -3, 'a green square'],
  ];

  it('sorts on a header click and on Enter (aria-sort), and the search box hides rows without the text', async () => {
    await postToPanel(page, load(run('a', { insights: { tables: [table(0, ['id', 'score', 'caption'], scores)] } })));
    await frames(page);
    const ids = (): Promise<string[]> => texts('.insight-table tbody tr td:first-child');
    const ariaSort = (): Promise<(string | null)[]> =>
      page.$$eval('.insight-table thead th', (th) => th.map((t) => t.getAttribute('aria-sort')));
    assert.deepEqual(await ids(), ['a', 'b', 'c', 'd']);
    assert.deepEqual(await texts('.insight-table tbody tr td:nth-child(2)'), ['0.1235', '–', '2', '-3']);
    assert.equal(await page.$eval('.insight-table td.num', (td) => getComputedStyle(td).textAlign), 'right');
    await page.click('button.sort[data-column="score"]');
    assert.deepEqual(await ids(), ['d', 'a', 'c', 'b'], 'ascending, the empty score last');
    assert.deepEqual(await ariaSort(), ['none', 'ascending', 'none']);
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-column')), 'score');
    await page.keyboard.press('Enter');
    assert.deepEqual(await ids(), ['c', 'a', 'd', 'b'], 'descending on Enter, still last');
    assert.deepEqual(await ariaSort(), ['none', 'descending', 'none']);
    await page.focus('button.sort[data-column="caption"]');
    await page.keyboard.press('Enter');
    assert.deepEqual(await ids(), ['b', 'd', 'c', 'a']);
    await page.getByLabel('Filter captions').fill('RED');
    assert.deepEqual(await ids(), ['c', 'a'], 'only rows with "red", still sorted');
    assert.match(await page.$eval('.insight-table caption', (c) => c.textContent ?? ''), /4 rows · 2 match “RED”/);
  });

  it('diffs two text columns: <del>/<ins> for substitutions, deletions, insertions, S/D/I per row, WER caption', async () => {
    await page.evaluate(() =>
      document.documentElement.style.setProperty('--vscode-diffEditor-insertedTextBackground', 'rgb(0, 200, 100)'),
    );
    const rows: TableCell[][] = [
      ['the cat sat', 1, 'the cat sit'],
      ['the cat sat', 2, 'the sat'],
      ['the cat sat', 3, 'the fat cat sat'],
    ];
    await postToPanel(page, load(run('a', { insights: { tables: [table(0, ['target', 'n', 'prediction'], rows)] } })));
    await frames(page);
    assert.equal(await page.$eval('select.diff-ref', (s) => (s as HTMLSelectElement).value), 'target');
    assert.equal(await page.$eval('select.diff-hyp', (s) => (s as HTMLSelectElement).value), 'prediction');
    assert.equal(await page.$$eval('td.diff', (td) => td.length), 0, 'no diff until asked');
    await page.getByLabel('Show diff').check();
    const cells = await page.$$eval('.insight-table tbody tr', (trs) =>
      trs.map((tr) => {
        const diff = tr.querySelector('td.diff')!;
        const marks = [...diff.querySelectorAll('del, ins')].map(
          (m) => `${m.tagName.toLowerCase()}.${m.className}:${m.textContent}`,
        );
        return [diff.textContent, marks.join(' '), tr.querySelector('td.wer-counts')?.textContent];
      }),
    );
    assert.deepEqual(cells, [
      ['the cat satsit', 'del.diff-sub:sat ins.diff-sub:sit', '1 / 0 / 0'],
      ['the cat sat', 'del.diff-del:cat', '0 / 1 / 0'],
      ['the fat cat sat', 'ins.diff-ins:fat', '0 / 0 / 1'],
    ]);
    assert.match(
      await page.$eval('.insight-table caption', (c) => c.textContent ?? ''),
      /WER 33\.3% = \(S 1 \+ D 1 \+ I 1\) \/ N 9/,
    );
    const ins = await page.$eval('ins.diff-ins', (e) => [
      getComputedStyle(e).backgroundColor,
      getComputedStyle(e).textDecorationLine,
    ]);
    assert.deepEqual(ins, ['rgb(0, 200, 100)', 'underline'], 'theme colour plus a non-colour cue');
    assert.equal(await page.$eval('del.diff-del', (e) => getComputedStyle(e).textDecorationLine), 'line-through');
    await page.selectOption('select.diff-ref', 'prediction');
    await page.selectOption('select.diff-hyp', 'target');
    assert.match(
      await page.$eval('.insight-table caption', (c) => c.textContent ?? ''),
      /\(S 1 \+ D 1 \+ I 1\) \/ N 9,/,
    );
    assert.deepEqual(
      await page.$$eval('tbody tr:nth-child(2) td.diff > *', (m) => m.map((e) => `${e.tagName}.${e.className}`)),
      ['INS.diff-ins'],
      'swapped: the deleted word is now inserted',
    );
  });

  it('draws image cells pixelated, sound cells as blob: players, and pages 450 rows by 200', async () => {
    const media: TableCell[][] = [
      [
        { image: solidPng(4, 4, GREEN), width: 4, height: 4 },
        { audio: sineWav(440, 16000, 0.2), sampleRate: 16000, samples: 3200 },
      ],
    ];
    const many: TableCell[][] = Array.from({ length: 450 }, (_, i) => [`row ${i}`, i]);
    await postToPanel(
      page,
      load(
        run('a', {
          insights: { tables: [table(0, ['image', 'sound'], media, 'media'), table(0, ['t', 'i'], many, 'many')] },
        }),
      ),
    );
    await frames(page);
    const thumb = '.insight-series[data-series="media"] canvas.thumb';
    assert.equal(await page.$eval(thumb, (c) => (c as HTMLCanvasElement).width), 48, '4 px × 12');
    await page.waitForFunction((s) => {
      const c = document.querySelector(s) as HTMLCanvasElement;
      return c.getContext('2d')!.getImageData(24, 24, 1, 1).data[3] === 255;
    }, thumb);
    assert.deepEqual(await pixel(page, thumb), [...GREEN, 255]);
    assert.match(
      await page.$eval('.insight-series[data-series="media"] audio.compact', (a) => (a as HTMLAudioElement).src),
      /^blob:/,
    );
    const rowsOf = (): Promise<number> => page.$$eval('.insight-series[data-series="many"] tbody tr', (t) => t.length);
    assert.equal(await rowsOf(), 200);
    const more = '.insight-series[data-series="many"] button.show-more';
    assert.equal(await page.$eval(more, (b) => b.textContent), 'Show 200 more rows (250 not shown)');
    await page.click(more);
    await page.click(more);
    assert.equal(await rowsOf(), 450);
    assert.equal(await page.$eval(more, (b) => (b as HTMLElement).hidden), true);
  });

  it('redraws the spectrogram in the new theme colours, and with mel rows when asked', async () => {
    await postToPanel(page, load(run('a', { insights: { audio: [clip(0, 1000, 1)] } })));
    await frames(page);
    const inked = (rgb: readonly number[]): Promise<number> =>
      page.$eval(
        spectro,
        (c, [r, g, b]) => {
          const d = (c as HTMLCanvasElement).getContext('2d')!.getImageData(0, 0, 50, 200).data; // the Hz labels
          let n = 0;
          for (let i = 0; i < d.length; i += 4) if (d[i] === r && d[i + 1] === g && d[i + 2] === b && d[i + 3] > 0) n++;
          return n;
        },
        rgb,
      );
    assert.ok((await inked([40, 40, 40])) > 20, 'labels in the harness foreground');
    await page.evaluate(() => document.documentElement.style.setProperty('--vscode-foreground', 'rgb(200, 0, 200)'));
    await frames(page);
    await frames(page);
    assert.ok((await inked([200, 0, 200])) > 20, 'labels redrawn in the new foreground');
    assert.equal(await inked([40, 40, 40]), 0);
    await page.getByLabel('Mel frequency scale').check();
    await frames(page);
    assert.match((await page.$eval(spectro, (c) => c.getAttribute('aria-label'))) ?? '', /mel frequency scale/);
    const melY = (plot.top + plot.height * (1 - hzToMel(1000) / hzToMel(8000))) / SPECTROGRAM_LAYOUT.height;
    assert.ok((await pixel(page, spectro, fx(0.5), melY))[1] > 200, '1 kHz bright higher up on the mel axis');
    assert.ok((await pixel(page, spectro, fx(0.5), fy(1000)))[1] < 120, 'and no longer at its linear height');
  });

  it('compares two runs: a sound cell and a table cell per run, side by side', async () => {
    await postToPanel(
      page,
      load(
        run('a', { insights: { audio: [clip(0, 1000, 0.5)], tables: [table(0, ['id'], [['x']])] } }),
        run('b', { insights: { audio: [clip(0, 2000, 0.5)], tables: [table(0, ['id'], [['y'], ['z']])] } }),
      ),
    );
    await frames(page);
    assert.deepEqual(
      await page.$$eval('.insight-series[data-series="speech"] figure', (f) =>
        f.map((e) => e.getAttribute('data-run')),
      ),
      ['a', 'b'],
    );
    assert.equal(await page.$$eval(`${spectro}`, (c) => c.length), 2);
    assert.ok((await pixel(page, `figure[data-run="b"] canvas.spectrogram`, fx(0.5), fy(2000)))[1] > 200);
    assert.deepEqual(await texts('.insight-series[data-series="captions"] tbody td'), ['x', 'y', 'z']);
    await page.click('figure[data-run="a"] button.sort[data-column="id"]');
    assert.deepEqual(
      await page.$$eval('.insight-series[data-series="captions"] thead th', (th) =>
        th.map((t) => t.getAttribute('aria-sort')),
      ),
      ['ascending', 'ascending'],
      'the sort is the row’s: both runs follow it',
    );
  });
});
