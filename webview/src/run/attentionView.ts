/**
 * The Attention maps view: the image drawn crisp at a whole-pixel scale, with the attention grid (one head, or the
 * heads' mean) normalised per map and stretched over it bilinearly as a translucent inferno overlay. A row's controls
 * (overlay opacity, which head) apply to every run's cell in it, so compared runs stay comparable.
 */
import type { InsightEntries } from '../../../src/protocol/panels';
import { h } from '../shared/dom';
import { colorPixels, headMap, normalizeMap, strongestCell, upsampleBilinear, type HeadChoice } from './attentionGrid';
import { describeBytes, isPng } from './bytes';
import { ColorLegend } from './colorLegend';
import { formatTick } from './format';
import { INFERNO, colormapLut } from './heatmap';
import { decodeFrame, drawPixelated } from './imageCanvas';
import { InsightRows, type InsightCell } from './insightRows';
import type { RunModel } from './model';

type Attention = InsightEntries['attention'];

const DEFAULT_OPACITY = 0.6;
/** The overlay is coloured at most this wide and stretched further by the canvas (smoothly: it is a blur anyway). */
const OVERLAY_MAX = 384;
const OVERLAY_LUT = colormapLut(INFERNO);

/** What a row's controls set for all its cells. */
interface RowSettings {
  opacity: number;
  head: HeadChoice;
}

export class AttentionView extends InsightRows<'attention'> {
  /** Per series name; kept when the rows are rebuilt (a run added to Compare keeps the chosen head). */
  private readonly settings = new Map<string, RowSettings>();

  constructor(model: RunModel) {
    super(model, 'attention', 'Attention maps');
  }

  protected createCell(name: string): InsightCell<Attention> {
    return new AttentionCell(name, this.settingsOf(name));
  }

  protected rowControls(name: string, cells: ReadonlyArray<InsightCell<Attention>>): HTMLElement {
    const settings = this.settingsOf(name);
    const redraw = (): void => {
      for (const c of cells) if (c instanceof AttentionCell) c.redraw();
    };
    const percent = Math.round(settings.opacity * 100);
    const opacity = h('input', { type: 'range', class: 'attention-opacity', min: '0', max: '100', step: '5' });
    opacity.value = String(percent);
    const shown = h('output', { text: `${percent}%` });
    opacity.setAttribute('aria-valuetext', `${percent}%`);
    opacity.addEventListener('input', () => {
      settings.opacity = Number(opacity.value) / 100;
      shown.textContent = `${opacity.value}%`;
      opacity.setAttribute('aria-valuetext', `${opacity.value}%`);
      redraw();
    });
    const heads = Math.max(1, ...this.model.runs.flatMap((_, i) => (this.entries(i, name) ?? []).map((e) => e.heads)));
    const select = h(
      'select',
      { class: 'attention-head' },
      h('option', { value: 'mean', text: `mean of ${heads} heads` }),
      ...Array.from({ length: heads }, (_, i) => h('option', { value: String(i), text: `head ${i + 1}` })),
    );
    select.value = String(settings.head);
    select.addEventListener('change', () => {
      settings.head = select.value === 'mean' ? 'mean' : Number(select.value);
      redraw();
    });
    return h(
      'div',
      { class: 'insight-controls' },
      h('label', {}, `Overlay opacity (${name})`, opacity, shown),
      h('label', { hidden: heads > 1 ? undefined : '' }, `Heads (${name})`, select),
    );
  }

  protected describe(e: Attention): string {
    return `${e.heads} head${e.heads === 1 ? '' : 's'} · ${e.gridHeight}×${e.gridWidth} grid`;
  }

  private settingsOf(name: string): RowSettings {
    let s = this.settings.get(name);
    if (!s) this.settings.set(name, (s = { opacity: DEFAULT_OPACITY, head: 'mean' }));
    return s;
  }
}

class AttentionCell implements InsightCell<Attention> {
  readonly el: HTMLElement;
  private readonly canvas = h('canvas', { class: 'attention-canvas', role: 'img' });
  /** The coloured overlay at grid-stretched size, drawn onto `canvas` at the row's opacity. */
  private readonly overlay = document.createElement('canvas');
  private readonly reason = h('p', { class: 'attention-reason', hidden: '' });
  private readonly legend = new ColorLegend();
  private entry: Attention | undefined;
  private bitmap: ImageBitmap | undefined;

  constructor(
    private readonly name: string,
    private readonly settings: RowSettings,
  ) {
    this.el = h('div', { class: 'attention-cell' }, this.canvas, this.reason, this.legend.el);
  }

  show(entry: Attention): void {
    this.entry = entry;
    this.bitmap = undefined;
    if (!isPng(entry.png)) {
      this.fail(
        `The image of step ${entry.step} is not a PNG (${describeBytes(entry.png)}); the file in the run folder may be damaged.`,
      );
      return;
    }
    decodeFrame(entry).then(
      (bitmap) => {
        if (this.entry !== entry) return; // the cursor moved on while this decoded
        this.bitmap = bitmap;
        this.redraw();
      },
      (err: unknown) => {
        const why = err instanceof Error ? err.message : String(err);
        if (this.entry === entry)
          this.fail(
            `The image of step ${entry.step} could not be decoded (${why}); the PNG in the run folder may be damaged.`,
          );
      },
    );
  }

  clear(): void {
    this.entry = undefined;
    this.bitmap = undefined;
  }

  /** Draws the image and the overlay with the row's current head and opacity (nothing until the image decoded). */
  redraw(): void {
    const { entry, bitmap } = this;
    if (!entry || !bitmap) return;
    const { gridHeight: gh, gridWidth: gw } = entry;
    drawPixelated(this.canvas, bitmap);
    const ctx = this.canvas.getContext('2d');
    if (!ctx) return;
    const map = headMap(entry.weights, entry.heads, gh, gw, this.settings.head); // [gh, gw]
    const { values, min, max } = normalizeMap(map);
    const ow = Math.min(this.canvas.width, OVERLAY_MAX);
    const oh = Math.max(1, Math.round((this.canvas.height * ow) / this.canvas.width));
    this.overlay.width = ow;
    this.overlay.height = oh;
    const pixels = colorPixels(upsampleBilinear(values, gh, gw, ow, oh), OVERLAY_LUT); // [oh, ow, 4]
    this.overlay.getContext('2d')?.putImageData(new ImageData(pixels, ow, oh), 0, 0);
    ctx.imageSmoothingEnabled = true;
    ctx.globalAlpha = this.settings.opacity;
    ctx.drawImage(this.overlay, 0, 0, this.canvas.width, this.canvas.height);
    ctx.globalAlpha = 1;
    const head = this.settings.head === 'mean' ? `the mean of ${entry.heads} heads` : `head ${this.settings.head + 1}`;
    const top = strongestCell(map, gw);
    this.canvas.setAttribute(
      'aria-label',
      `${this.name}: attention of ${head} over the ${bitmap.width}×${bitmap.height} image on a ${gh}×${gw} grid, ` +
        `strongest at grid row ${top.row + 1}, column ${top.col + 1}`,
    );
    this.legend.show(
      INFERNO,
      [formatTick(min), formatTick(max)],
      `Overlay colours (${INFERNO.name}): weight ${formatTick(min)} to ${formatTick(max)}`,
    );
    this.canvas.hidden = false;
    this.legend.el.hidden = false;
    this.reason.hidden = true;
  }

  private fail(why: string): void {
    this.canvas.hidden = true;
    this.legend.el.hidden = true;
    this.reason.hidden = false;
    this.reason.textContent = why;
  }
}
