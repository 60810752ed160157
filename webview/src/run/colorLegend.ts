/** A colour scale's legend for the heatmaps: a gradient bar with its tick values under it (low, …, high). */
import { h, setChildren } from '../shared/dom';
import { colorPixels } from './attentionGrid';
import { colormapLut, type Colormap } from './heatmap';

const BAR_WIDTH = 160;
const BAR_HEIGHT = 10;

export class ColorLegend {
  readonly el: HTMLElement;
  private readonly bar = h('canvas', { class: 'legend-bar', width: String(BAR_WIDTH), height: String(BAR_HEIGHT) });
  private readonly ticks = h('div', { class: 'legend-ticks' });
  private drawn: Colormap | undefined;

  constructor() {
    this.el = h('div', { class: 'color-legend', role: 'img' }, this.bar, this.ticks);
  }

  /** Draws `map` low to high with `ticks` spread under it; `label` is the legend's accessible name. */
  show(map: Colormap, ticks: readonly string[], label: string): void {
    this.el.setAttribute('aria-label', label);
    setChildren(this.ticks, ...ticks.map((t) => h('span', { text: t })));
    this.ticks.classList.toggle('single', ticks.length === 1);
    if (this.drawn === map) return;
    const ctx = this.bar.getContext('2d');
    if (!ctx) return;
    this.drawn = map;
    const row = colorPixels(
      Float32Array.from({ length: BAR_WIDTH }, (_, i) => i / (BAR_WIDTH - 1)),
      colormapLut(map),
    );
    const pixels = new Uint8ClampedArray(new ArrayBuffer(BAR_WIDTH * BAR_HEIGHT * 4));
    for (let y = 0; y < BAR_HEIGHT; y++) pixels.set(row, y * BAR_WIDTH * 4);
    ctx.putImageData(new ImageData(pixels, BAR_WIDTH, BAR_HEIGHT), 0, 0);
  }
}
