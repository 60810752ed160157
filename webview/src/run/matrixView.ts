/**
 * The Matrices view: each matrix (a similarity, confusion or attention matrix) as a heatmap on a canvas, one pixel
 * per cell put as ImageData and scaled up by whole pixels, so a 512×512 matrix stays one draw. Row labels sit left,
 * column labels on top (every k-th when they would not fit), the colour scale's legend under it. Hover reads a cell;
 * the canvas takes focus, arrow keys (Home/End, Ctrl+Home/End) or a click select a cell, and a live region says it.
 */
import type { InsightEntries } from '../../../src/protocol/panels';
import { cssVar, h, setChildren } from '../shared/dom';
import { ColorLegend } from './colorLegend';
import { formatTick, formatValue } from './format';
import {
  axisName,
  cellAt,
  cellSize,
  colorScale,
  colormapLut,
  labelStride,
  legendTicks,
  matrixPixels,
  moveCell,
  scaleColormap,
  truncateLabel,
  type CellPos,
} from './heatmap';
import { InsightRows, type InsightCell } from './insightRows';
import type { RunModel } from './model';

type Matrix = InsightEntries['matrices'];

/** A label's line height in CSS pixels (`.heatmap-labels` in insights-heatmap.css). */
const LABEL_PX = 14;
/** Longer labels are cut (the whole label stays in the tooltip). */
const LABEL_CHARS = 12;
/** A rough width of one label character, to tell whether column labels fit side by side. */
const CHAR_PX = 7;

export class MatrixView extends InsightRows<'matrices'> {
  constructor(model: RunModel) {
    super(model, 'matrices', 'Matrices');
  }

  protected createCell(name: string): InsightCell<Matrix> {
    return new MatrixCell(name);
  }

  protected describe(e: Matrix): string {
    return `${e.rows}×${e.cols}${e.range ? '' : ' · colours span its min to max'}`;
  }
}

class MatrixCell implements InsightCell<Matrix> {
  readonly el: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  /** The matrix at one pixel per cell, scaled onto `canvas` (kept to redraw the selection without recolouring). */
  private readonly source = document.createElement('canvas');
  private readonly rowLabels = h('div', { class: 'heatmap-labels heatmap-rows', 'aria-hidden': 'true' });
  private readonly colLabels = h('div', { class: 'heatmap-labels heatmap-cols', 'aria-hidden': 'true' });
  private readonly legend = new ColorLegend();
  private readonly hover = h('div', { class: 'heatmap-hover', 'aria-hidden': 'true' });
  private readonly status = h('div', { class: 'heatmap-status', 'aria-live': 'polite' });
  private entry: Matrix | undefined;
  private labelsOf: Matrix | undefined;
  private selected: CellPos | undefined;
  private cell = { w: 1, h: 1 };

  constructor(private readonly name: string) {
    this.canvas = h('canvas', { class: 'heatmap-canvas', tabindex: '0', role: 'img' });
    this.canvas.addEventListener('keydown', (e) => {
      if (!this.entry) return;
      const next = moveCell(this.selected, e.key, this.entry.rows, this.entry.cols, e.ctrlKey || e.metaKey);
      if (!next) return;
      e.preventDefault();
      this.select(next);
    });
    this.canvas.addEventListener('click', (e) => {
      const at = this.cellUnder(e);
      if (at) this.select(at);
    });
    this.canvas.addEventListener('mousemove', (e) => {
      const at = this.cellUnder(e);
      this.hover.textContent = at && this.entry ? hoverText(this.entry, at) : '';
    });
    this.canvas.addEventListener('mouseleave', () => (this.hover.textContent = ''));
    this.el = h(
      'div',
      { class: 'heatmap' },
      h('div', { class: 'heatmap-grid' }, this.colLabels, this.rowLabels, this.canvas),
      this.legend.el,
      this.hover,
      this.status,
    );
  }

  show(entry: Matrix): void {
    const { rows, cols } = entry;
    this.entry = entry;
    if (this.selected && (this.selected.row >= rows || this.selected.col >= cols)) this.selected = undefined;
    const scale = colorScale(entry.values, entry.range);
    const map = scaleColormap(scale);
    this.source.width = cols;
    this.source.height = rows;
    const pixels = matrixPixels(entry.values, rows, cols, scale, colormapLut(map));
    this.source.getContext('2d')?.putImageData(new ImageData(pixels, cols, rows), 0, 0);
    const { cellW, cellH } = cellSize(rows, cols);
    this.cell = { w: cellW, h: cellH };
    this.canvas.width = cols * cellW;
    this.canvas.height = rows * cellH;
    this.paint();
    if (!sameLabels(this.labelsOf, entry)) this.layoutLabels(entry);
    const [low, high] = [formatTick(scale.low), formatTick(scale.high)];
    this.legend.show(
      map,
      legendTicks(scale).map(formatTick),
      `Colour scale (${map.name}): ${low} to ${high}${entry.range ? '' : ", the matrix's min to max"}`,
    );
    this.canvas.setAttribute(
      'aria-label',
      `${this.name}: ${rows} by ${cols} matrix, values ${low} to ${high}. Arrow keys move between cells.`,
    );
    this.hover.textContent = '';
    this.status.textContent = this.selected ? announceText(entry, this.selected) : '';
  }

  clear(): void {
    this.entry = undefined;
    this.hover.textContent = '';
    this.status.textContent = '';
  }

  private select(at: CellPos): void {
    if (!this.entry) return;
    this.selected = at;
    this.paint();
    this.status.textContent = announceText(this.entry, at);
  }

  private cellUnder(e: MouseEvent): CellPos | undefined {
    if (!this.entry) return undefined;
    const r = this.canvas.getBoundingClientRect();
    return cellAt(e.clientX - r.left, e.clientY - r.top, r.width, r.height, this.entry.rows, this.entry.cols);
  }

  /** The matrix scaled up crisp, then the selected cell's outline in the theme's focus colour. */
  private paint(): void {
    const ctx = this.canvas.getContext('2d');
    if (!ctx) return;
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(this.source, 0, 0, this.canvas.width, this.canvas.height);
    if (!this.selected) return;
    const { w, h: ht } = this.cell;
    const [x, y] = [this.selected.col * w, this.selected.row * ht];
    // Inside a cell big enough to hold it, around a small one; the inner line keeps it visible on any colour.
    const inside = w >= 6 && ht >= 6;
    ctx.lineWidth = 2;
    ctx.strokeStyle = cssVar('--vscode-focusBorder', '#007fd4');
    if (inside) ctx.strokeRect(x + 1, y + 1, w - 2, ht - 2);
    else ctx.strokeRect(x - 1, y - 1, w + 2, ht + 2);
    ctx.lineWidth = 1;
    ctx.strokeStyle = cssVar('--vscode-editor-background', '#1e1e1e');
    if (inside) ctx.strokeRect(x + 2.5, y + 2.5, w - 5, ht - 5);
    else ctx.strokeRect(x - 2.5, y - 2.5, w + 5, ht + 5);
  }

  /** One slot per row and per column, so slots line up with cells; every k-th holds its label when all cannot fit. */
  private layoutLabels(entry: Matrix): void {
    this.labelsOf = entry;
    const rowStride = labelStride(entry.rows, this.canvas.height, LABEL_PX);
    setChildren(this.rowLabels, ...slots(entry.rowLabels, entry.rows, rowStride, 'row'));
    const colTexts = Array.from({ length: entry.cols }, (_, i) =>
      truncateLabel(axisName(entry.colLabels, i, 'col'), LABEL_CHARS),
    );
    const widest = Math.max(...colTexts.map((t) => t.length)) * CHAR_PX + 4;
    const across = this.canvas.width / entry.cols >= widest;
    this.colLabels.classList.toggle('vertical', !across);
    const colStride = across ? 1 : labelStride(entry.cols, this.canvas.width, LABEL_PX);
    setChildren(this.colLabels, ...slots(entry.colLabels, entry.cols, colStride, 'col'));
  }
}

function slots(
  labels: readonly string[] | undefined,
  count: number,
  stride: number,
  axis: 'row' | 'col',
): HTMLElement[] {
  return Array.from({ length: count }, (_, i) => {
    if (i % stride !== 0) return h('span');
    const full = labels?.[i] ?? String(i + 1);
    return h('span', { title: axisName(labels, i, axis) }, h('span', { text: truncateLabel(full, LABEL_CHARS) }));
  });
}

function sameLabels(a: Matrix | undefined, b: Matrix): boolean {
  const eq = (x?: readonly string[], y?: readonly string[]): boolean =>
    x === y || (!!x && !!y && x.length === y.length && x.every((s, i) => s === y[i]));
  return !!a && a.rows === b.rows && a.cols === b.cols && eq(a.rowLabels, b.rowLabels) && eq(a.colLabels, b.colLabels);
}

const valueAt = (e: Matrix, at: CellPos): string => formatValue(e.values[at.row * e.cols + at.col]);

/** "cat × dog: 0.92" (hover). */
function hoverText(e: Matrix, at: CellPos): string {
  return `${axisName(e.rowLabels, at.row, 'row')} × ${axisName(e.colLabels, at.col, 'col')}: ${valueAt(e, at)}`;
}

/** "row cat, column dog: 0.92" (the live region, for the selected cell). */
function announceText(e: Matrix, at: CellPos): string {
  const name = (labels: readonly string[] | undefined, i: number): string => labels?.[i] ?? String(i + 1);
  return `row ${name(e.rowLabels, at.row)}, column ${name(e.colLabels, at.col)}: ${valueAt(e, at)}`;
}
