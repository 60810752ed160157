/**
 * The Embeddings view (`lab.embedding`): each cell projects its entry's N×D vectors to 2-D with PCA (pca.ts; its own
 * axes per run and step, said in the caption) and draws them as a uPlot scatter (mode 2, one points-only series per
 * group, coloured from the theme). Groups are never normalised apart, so CLIP's modality gap stays visible. Hover or
 * the keyboard (arrows, n / p, Home / End on the focused chart) picks a point: a ring marks it and a live line reads
 * its label, group and coordinates. The legend's checkboxes hide a group.
 */
import uPlot from 'uplot';
import type { InsightEntries } from '../../../src/protocol/panels';
import { h, setChildren } from '../shared/dom';
import { themeColors, type ThemeColors } from './colors';
import { formatValue } from './format';
import { InsightRows, type InsightCell } from './insightRows';
import type { RunModel } from './model';
import { pca2, type Projection } from './pca';
import { PointGrid } from './pointGrid';

type Embedding = InsightEntries['embeddings'];

/** One projection per entry: a retheme or a caption does not recompute it. */
const projections = new WeakMap<Embedding, Projection>();
function projectionOf(e: Embedding): Projection {
  let p = projections.get(e);
  if (!p) projections.set(e, (p = pca2(e.vectors, e.count, e.dims)));
  return p;
}

const percent = (share: number): string => `${(share * 100).toFixed(1)}%`;

export class EmbeddingView extends InsightRows<'embeddings'> {
  constructor(model: RunModel) {
    super(model, 'embeddings', 'Embeddings');
  }

  protected createCell(name: string, runIndex: number): InsightCell<Embedding> {
    return new ScatterCell(`${name}, ${this.model.runs[runIndex].label}`, this.model.runs.length > 1);
  }

  protected describe(e: Embedding): string {
    const [a, b] = projectionOf(e).explained;
    return `${e.count} points in ${e.dims}-D · PCA of this step's points alone: PC1 ${percent(a)}, PC2 ${percent(b)} of the variance`;
  }
}

interface Group {
  readonly name: string;
  readonly points: number[];
}

class ScatterCell implements InsightCell<Embedding> {
  readonly el: HTMLElement;
  private readonly plotEl: HTMLElement;
  private readonly legend: HTMLElement;
  private readonly readout: HTMLElement;
  private readonly hidden = new Set<string>();
  private plot: uPlot | undefined;
  private entry: Embedding | undefined;
  private projection: Projection | undefined;
  private groups: Group[] = [];
  private groupOf = new Int32Array(0);
  private grid: PointGrid | undefined;
  private selected = -1;

  constructor(
    private readonly title: string,
    private readonly compact: boolean,
  ) {
    this.readout = h('p', { class: 'embedding-readout', 'aria-live': 'polite' });
    this.plotEl = h('div', {
      class: 'embedding-plot',
      tabindex: '0',
      role: 'group',
      'aria-roledescription': 'scatter plot',
    });
    this.plotEl.addEventListener('keydown', (e) => this.onKey(e));
    this.legend = h('fieldset', { class: 'embedding-legend' });
    this.el = h('div', { class: 'embedding-cell' }, this.plotEl, this.legend, this.readout);
  }

  show(entry: Embedding): void {
    this.entry = entry;
    this.projection = projectionOf(entry);
    const byName = new Map<string, number[]>();
    for (let i = 0; i < entry.count; i++) {
      const g = entry.groups?.[i] ?? 'points';
      const list = byName.get(g);
      if (list) list.push(i);
      else byName.set(g, [i]);
    }
    this.groups = [...byName.keys()].sort().map((name) => ({ name, points: byName.get(name) ?? [] }));
    this.groupOf = new Int32Array(entry.count);
    this.groups.forEach((g, k) => g.points.forEach((i) => (this.groupOf[i] = k)));
    this.select(-1);
    this.plotEl.setAttribute(
      'aria-label',
      `${this.title}: ${entry.count} points in ${this.groups.length} group(s) at step ${entry.step}. ` +
        'Arrow keys or n and p step through the points.',
    );
    this.renderLegend();
    this.draw(themeColors());
  }

  clear(): void {
    this.plot?.destroy();
    this.plot = undefined;
    this.grid = undefined;
    this.entry = undefined;
    this.readout.textContent = '';
  }

  private draw(c: ThemeColors): void {
    const p = this.projection;
    if (!p) return;
    this.plot?.destroy();
    const width = this.compact ? 360 : 480,
      height = this.compact ? 320 : 400;
    const axis = { stroke: c.foreground, grid: { stroke: c.grid, width: 1 }, ticks: { stroke: c.grid, width: 1 } };
    const [xr, yr] = [padded(p.x), padded(p.y)];
    const opts: uPlot.Options = {
      mode: 2,
      width,
      height,
      legend: { show: false },
      cursor: { drag: { x: false, y: false, setScale: false }, points: { show: false } },
      scales: { x: { time: false, auto: false, range: () => xr }, y: { auto: false, range: () => yr } },
      axes: [
        { ...axis, label: `PC1 (${percent(p.explained[0])} of variance)` },
        { ...axis, size: 56, label: `PC2 (${percent(p.explained[1])})` },
      ],
      series: [
        {},
        ...this.groups.map((g, k) => {
          const colour = c.series[k % c.series.length];
          return {
            label: g.name,
            fill: colour,
            stroke: colour,
            width: 0,
            show: !this.hidden.has(g.name),
            paths: uPlot.paths.points?.(),
            points: { show: false, size: 4, width: 0 },
            facets: [
              { scale: 'x', auto: false },
              { scale: 'y', auto: false },
            ],
          } as uPlot.Series;
        }),
      ],
      hooks: {
        draw: [(u) => this.afterDraw(u, c.foreground)],
      },
    };
    const data = [null, ...this.groups.map((g) => [g.points.map((i) => p.x[i]), g.points.map((i) => p.y[i])])];
    const plot = new uPlot(opts, data as unknown as uPlot.AlignedData, this.plotEl);
    // Positions relative to the plotting area (`over`), as the grid's are; the target may be a cursor line in it.
    plot.over.addEventListener('mousemove', (e) => {
      const r = plot.over.getBoundingClientRect();
      this.hover(plot, e.clientX - r.left, e.clientY - r.top);
    });
    this.plot = plot;
  }

  /** Indexes the drawn points for hover, and rings the selected one. */
  private afterDraw(u: uPlot, ring: string): void {
    const p = this.projection;
    if (!p) return;
    const xs = new Float64Array(p.x.length).fill(NaN),
      ys = new Float64Array(p.y.length).fill(NaN);
    for (const g of this.groups)
      if (!this.hidden.has(g.name))
        for (const i of g.points) {
          xs[i] = u.valToPos(p.x[i], 'x');
          ys[i] = u.valToPos(p.y[i], 'y');
        }
    this.grid = new PointGrid(xs, ys);
    if (this.selected < 0) return;
    const ctx = u.ctx;
    ctx.save();
    ctx.strokeStyle = ring;
    ctx.lineWidth = 2 * devicePixelRatio;
    ctx.beginPath();
    ctx.arc(
      u.valToPos(p.x[this.selected], 'x', true),
      u.valToPos(p.y[this.selected], 'y', true),
      6 * devicePixelRatio,
      0,
      2 * Math.PI,
    );
    ctx.stroke();
    ctx.restore();
  }

  private hover(u: uPlot, left: number, top: number): void {
    if (!this.grid) return;
    const i = this.grid.nearest(left, top);
    if (i >= 0 && i !== this.selected) {
      this.select(i);
      u.redraw(false);
    }
  }

  private onKey(e: KeyboardEvent): void {
    const visible = this.visiblePoints();
    if (visible.length === 0) return;
    const at = visible.indexOf(this.selected);
    const next: Record<string, number> = {
      ArrowRight: at + 1,
      ArrowDown: at + 1,
      n: at + 1,
      ArrowLeft: at < 0 ? visible.length - 1 : at - 1,
      ArrowUp: at < 0 ? visible.length - 1 : at - 1,
      p: at < 0 ? visible.length - 1 : at - 1,
      Home: 0,
      End: visible.length - 1,
    };
    if (!(e.key in next)) return;
    e.preventDefault();
    this.select(visible[(next[e.key] + visible.length) % visible.length]);
    this.plot?.redraw(false);
  }

  private visiblePoints(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.groupOf.length; i++) if (!this.hidden.has(this.groups[this.groupOf[i]].name)) out.push(i);
    return out;
  }

  private select(i: number): void {
    this.selected = i;
    const p = this.projection,
      e = this.entry;
    if (i < 0 || !p || !e) {
      this.readout.textContent = 'Hover a point, or focus the chart and use the arrow keys, to read its label.';
      return;
    }
    const label = e.labels?.[i] ?? `point ${i + 1}`;
    this.readout.textContent = `${label} · ${this.groups[this.groupOf[i]].name} · PC1 ${formatValue(p.x[i])}, PC2 ${formatValue(p.y[i])}`;
  }

  private renderLegend(): void {
    setChildren(
      this.legend,
      h('legend', { text: 'Groups (uncheck to hide)' }),
      ...this.groups.map((g, k) => {
        const box = h('input', { type: 'checkbox', 'data-group': g.name });
        box.checked = !this.hidden.has(g.name);
        box.addEventListener('change', () => this.toggle(g.name, k, box.checked));
        return h(
          'label',
          { class: 'check' },
          box,
          h('span', { class: `embedding-swatch swatch-${k % 6}`, 'aria-hidden': 'true' }),
          `${g.name} (${g.points.length})`,
        );
      }),
    );
  }

  private toggle(group: string, k: number, show: boolean): void {
    if (show) this.hidden.delete(group);
    else this.hidden.add(group);
    if (!show && this.selected >= 0 && this.groupOf[this.selected] === k) this.select(-1);
    this.plot?.setSeries(k + 1, { show });
  }
}

/** The values' range with 5% on each side (a unit range around a single value). */
function padded(values: Float64Array): [number, number] {
  let lo = Infinity,
    hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!Number.isFinite(lo)) return [-1, 1];
  const pad = hi > lo ? (hi - lo) * 0.05 : 1;
  return [lo - pad, hi + pad];
}
