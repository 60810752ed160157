/**
 * Draws a spectrogram (spectrogram.ts) on a canvas: time → along x, frequency ↑ along y, colour = dB on viridis, with
 * second and Hz/kHz ticks, a colour legend in dB, and a play-position line. The canvas's size is its attributes
 * (SPECTROGRAM_LAYOUT), never an inline style, so the panel's CSP holds.
 */
import { frequencyFraction, SPECTROGRAM_LAYOUT as L, viridis, type Spectrogram } from './spectrogram';

/** How much below the loudest value the colour scale reaches (as librosa's `top_db`); quieter reads darkest. */
const DYNAMIC_RANGE_DB = 80;

export interface SpectrogramColors {
  readonly foreground: string;
  readonly font: string;
}

/** The smallest 1, 2 or 5 × 10^k step that cuts `range` into at most `maxTicks` parts. */
export function niceStep(range: number, maxTicks: number): number {
  const raw = range / Math.max(1, maxTicks);
  const p = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? 10 * p;
}

/** "500 Hz", "1 kHz", "2.5 kHz". */
export function formatHz(hz: number): string {
  return hz < 1000 ? `${Math.round(hz)} Hz` : `${Number((hz / 1000).toPrecision(3))} kHz`;
}

/** The colour scale's [low, high] dB for a spectrogram. */
export function colorRange(spec: Spectrogram): [number, number] {
  const lo = Math.max(spec.floorDb, spec.maxDb - DYNAMIC_RANGE_DB);
  return [lo, Math.max(spec.maxDb, lo + 1)];
}

/** Draws the whole figure; returns what the play-position line is drawn over (see drawPlayhead). */
export function drawSpectrogram(
  canvas: HTMLCanvasElement,
  spec: Spectrogram,
  seconds: number,
  colors: SpectrogramColors,
): ImageData | undefined {
  canvas.width = L.width;
  canvas.height = L.height;
  const ctx = canvas.getContext('2d');
  if (!ctx) return undefined;
  const { left, top, width, height } = L.plot;
  const [lo, hi] = colorRange(spec);
  const img = ctx.createImageData(width, height);
  const rowOf = (fraction: number): number =>
    spec.mel
      ? Math.min(spec.bins - 1, Math.max(0, Math.round(fraction * (spec.bins + 1)) - 1))
      : Math.round(fraction * (spec.bins - 1));
  const rows = Int32Array.from({ length: height }, (_, y) => rowOf((height - 1 - y + 0.5) / height));
  for (let x = 0; x < width; x++) {
    const frame = Math.min(spec.frames - 1, Math.floor((x * spec.frames) / width));
    for (let y = 0; y < height; y++) {
      const [r, g, b] = viridis((spec.db[frame * spec.bins + rows[y]] - lo) / (hi - lo));
      const p = (y * width + x) * 4;
      img.data[p] = r;
      img.data[p + 1] = g;
      img.data[p + 2] = b;
      img.data[p + 3] = 255;
    }
  }
  ctx.putImageData(img, left, top);
  ctx.fillStyle = colors.foreground;
  ctx.font = colors.font;
  drawTimeAxis(ctx, seconds);
  drawFrequencyAxis(ctx, spec);
  drawLegend(ctx, lo, hi, colors.foreground);
  return ctx.getImageData(0, 0, L.width, L.height);
}

function drawTimeAxis(ctx: CanvasRenderingContext2D, seconds: number): void {
  const { left, top, width, height } = L.plot;
  const step = niceStep(seconds, 6);
  const digits = step < 1 ? Math.ceil(-Math.log10(step)) : 0;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  for (let t = 0; t <= seconds + 1e-9; t += step) {
    const x = left + (t / seconds) * width;
    ctx.fillRect(Math.round(x), top + height, 1, 4);
    ctx.fillText(`${t.toFixed(digits)} s`, x, top + height + 6);
  }
}

function drawFrequencyAxis(ctx: CanvasRenderingContext2D, spec: Spectrogram): void {
  const { left, top, height } = L.plot;
  const nyquist = spec.sampleRate / 2;
  const step = niceStep(nyquist, 5);
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  let lastY = Infinity;
  for (let f = 0; f <= nyquist + 1e-9; f += step) {
    const y = top + height - frequencyFraction(spec, f) * height;
    if (lastY - y < 12) continue; // mel ticks crowd at the top: keep the labels apart
    lastY = y;
    ctx.fillRect(left - 4, Math.round(y), 4, 1);
    ctx.fillText(formatHz(f), left - 6, y);
  }
}

function drawLegend(ctx: CanvasRenderingContext2D, lo: number, hi: number, foreground: string): void {
  const { top, height } = L.plot;
  const { left, width } = L.legend;
  for (let y = 0; y < height; y++) {
    const [r, g, b] = viridis(1 - y / (height - 1));
    ctx.fillStyle = `rgb(${r}, ${g}, ${b})`;
    ctx.fillRect(left, top + y, width, 1);
  }
  ctx.fillStyle = foreground;
  ctx.textAlign = 'left';
  ctx.textBaseline = 'middle';
  for (const [v, y] of [
    [hi, top],
    [(hi + lo) / 2, top + height / 2],
    [lo, top + height],
  ])
    ctx.fillText(`${Math.round(v)} dB`, left + width + 4, y);
}

/** Restores the figure and draws the play position at `seconds` of `duration` (none when undefined). */
export function drawPlayhead(
  canvas: HTMLCanvasElement,
  figure: ImageData,
  seconds: number | undefined,
  duration: number,
  color: string,
): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.putImageData(figure, 0, 0);
  if (seconds === undefined || !(duration > 0)) return;
  const { left, top, width, height } = L.plot;
  const x = Math.round(left + Math.min(1, Math.max(0, seconds / duration)) * (width - 2));
  ctx.fillStyle = color;
  ctx.fillRect(x, top, 2, height);
}
