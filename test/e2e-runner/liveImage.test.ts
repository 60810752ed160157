/// <reference lib="dom" />
// Issue 19, defect 1: images never appeared while a run was live. In a real VS Code (code-server), train the fixture
// exercise "Watch a run" (an image every 10 steps), wait until the run panel has loaded, and watch a frame that was
// not yet on disk at that moment appear: its pixels must be the PNG's in the run folder.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { e2eEnvironment, eventually, screenshot, workbenchSuite } from '../e2e/workbench';
import { ensureExerciseStarted, runCommand, trainFromTree, treeAction, visibleWebview } from './helpers';

const ROW = '2. Watch a run';

/** Decodes an 8-bit RGB PNG (what lab/png.ts writes), handling every filter type, into rows of [r, g, b]. */
function decodePng(file: string): { width: number; height: number; rgb: (x: number, y: number) => number[] } {
  const png = readFileSync(file);
  const width = png.readUInt32BE(16),
    height = png.readUInt32BE(20);
  assert.deepEqual([png[24], png[25]], [8, 2], `${file} is 8-bit RGB`);
  const idat: Buffer[] = [];
  for (let at = 8; at < png.length;) {
    const length = png.readUInt32BE(at);
    if (png.toString('ascii', at + 4, at + 8) === 'IDAT') idat.push(png.subarray(at + 8, at + 8 + length));
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * 3;
  const out = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    for (let i = 0; i < stride; i++) {
      const v = raw[y * (stride + 1) + 1 + i];
      const a = i >= 3 ? out[y * stride + i - 3] : 0,
        b = y > 0 ? out[(y - 1) * stride + i] : 0,
        c = i >= 3 && y > 0 ? out[(y - 1) * stride + i - 3] : 0;
      const p = a + b - c,
        pa = Math.abs(p - a),
        pb = Math.abs(p - b),
        pc = Math.abs(p - c);
      const predictor = [0, a, b, (a + b) >> 1, pa <= pb && pa <= pc ? a : pb <= pc ? b : c][filter];
      out[y * stride + i] = (v + predictor) & 0xff;
    }
  }
  return { width, height, rgb: (x, y) => [...out.subarray(y * stride + x * 3, y * stride + x * 3 + 3)] };
}

/** Steps of the `pattern` PNGs in the run folder's images.jsonl right now. */
function stepsOnDisk(runDir: string): number[] {
  const file = join(runDir, 'images.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .flatMap((l) => {
      try {
        return [(JSON.parse(l) as { step: number }).step];
      } catch {
        return [];
      }
    });
}

describe('A live image in the run panel (code-server)', function () {
  this.timeout(240_000);
  const env = e2eEnvironment();
  let runDir: string | undefined;
  const wb = workbenchSuite(env, 'live-image', {
    // Leave no run going for the specs after this one.
    closing: async (page) => {
      if (!runDir || !page) return;
      await treeAction(page, ROW, 'Stop Training').catch(() => undefined);
      await eventually(
        'the run to end',
        async () => JSON.parse(readFileSync(join(runDir ?? '', 'meta.json'), 'utf8')).status !== 'running',
        30_000,
      ).catch(() => undefined);
      await runCommand(page, 'View: Close All Editors').catch(() => undefined);
    },
  });

  it('draws an image that arrives while the run is live, with the pixels of the PNG on disk', async () => {
    await ensureExerciseStarted(wb.page, ROW, join(env.workspace, 'exercises', 'watch'));
    runDir = await trainFromTree(wb.page, ROW, join(env.workspace, '.multimodal-lab', 'runs', 'watch'));
    const view = visibleWebview(wb.page);
    // A header exists only once the panel has applied the host's `load` (the replay from disk). Every frame logged
    // after this point can only reach the panel through the live path.
    await view.locator('.run-header[data-status="running"]').first().waitFor({ timeout: 60_000 });
    const replayed = stepsOnDisk(runDir);
    const after = Math.max(-1, ...replayed);
    const cell = '.image-series[data-series="pattern"] .image-cell';
    // The caption changes at once, the canvas once the frame is decoded: read both in one go, until they agree
    // with a frame that was not on disk when the panel loaded and with its PNG, pixel for pixel.
    let last = '';
    const shown = await eventually(
      `a frame after step ${after} drawn with its PNG's pixels`,
      async () => {
        const seen = await view
          .locator(cell)
          .first()
          .evaluate((fig) => {
            const canvas = fig.querySelector('canvas') as HTMLCanvasElement;
            const placeholder = fig.querySelector('.placeholder') as HTMLElement;
            const ctx = canvas.getContext('2d');
            return {
              caption: fig.querySelector('figcaption')?.textContent ?? '',
              placeholder: placeholder.hidden ? '' : (placeholder.textContent ?? ''),
              width: canvas.width,
              height: canvas.height,
              hidden: canvas.hidden,
              pixels:
                ctx && canvas.width > 0 ? Array.from(ctx.getImageData(0, 0, canvas.width, canvas.height).data) : [],
            };
          });
        assert.doesNotMatch(seen.placeholder, /could not|not a PNG/, 'the panel failed to show a frame');
        last = `${seen.caption} ${seen.placeholder}`;
        const step = Number(/^step (\d+) · 12×8$/.exec(seen.caption)?.[1] ?? NaN);
        if (!(step > after) || seen.hidden) return undefined;
        const png = decodePng(join(runDir ?? '', 'images', 'pattern', `${step}.png`));
        const scale = seen.width / png.width;
        if (!Number.isInteger(scale) || seen.height !== png.height * scale) return undefined;
        for (let y = 0; y < png.height; y++) {
          for (let x = 0; x < png.width; x++) {
            const at = ((y * scale + (scale >> 1)) * seen.width + x * scale + (scale >> 1)) * 4;
            // an older frame is still drawn
            if (seen.pixels.slice(at, at + 3).join() !== png.rgb(x, y).join()) return undefined;
          }
        }
        return { step, scale };
      },
      120_000,
    ).catch((e: Error) => {
      throw new Error(`${e.message}; the cell showed: ${last}`);
    });
    assert.ok(
      shown.step > after,
      `step ${shown.step} arrived live (the panel loaded with steps ${replayed.join(', ') || 'none'})`,
    );
    assert.equal(
      await view.locator('.run-header').first().getAttribute('data-status'),
      'running',
      'the run was still live',
    );
    await view.locator(cell).first().scrollIntoViewIfNeeded();
    await screenshot(wb.page, env.screenshotDir, 'live-image-01-drawn-while-running');
  });
});
