/**
 * One metric group's chart (uPlot on a canvas). Its data is rebuilt from the stores on each redraw — only the
 * visible step range, downsampled to one min/max bucket per pixel column — so zooming in reveals the stored detail.
 * Drag selects a step range to zoom; double-click (or the Reset zoom button) returns to all steps.
 */
import uPlot from 'uplot';
import { h } from '../shared/dom';
import { buildChartData, lastRawValue, type ChartOptions, type ChartSeriesInput } from './chartData';
import type { ThemeColors } from './colors';
import { formatTick, formatValue } from './format';

export interface ChartGroupEvents {
  zoom(group: string, range: [number, number] | null): void;
  toggle(group: string): void;
}

const HEIGHT = 220;
const DASHES: readonly (number[] | undefined)[] = [undefined, [6, 3], [2, 3], [10, 3, 2, 3]];

export class ChartGroupView {
  readonly el: HTMLElement;
  private readonly plotEl: HTMLElement;
  private readonly note: HTMLElement;
  private readonly lastValues: HTMLElement;
  /** Steps where a shown run diverged: drawn as vertical lines in the error colour. */
  private markers: number[] = [];
  private readonly toggleButton: HTMLButtonElement;
  private readonly resetButton: HTMLButtonElement;
  private plot: uPlot | undefined;
  private signature = '';
  private xRange: readonly [number, number] = [0, 1];
  /** Last rendered data, for tests and the benchmark to inspect. */
  lastPointCount = 0;

  constructor(
    readonly group: string,
    private readonly events: ChartGroupEvents,
  ) {
    this.toggleButton = h('button', { class: 'group-toggle', 'aria-expanded': 'true', text: group });
    this.toggleButton.addEventListener('click', () => this.events.toggle(group));
    this.resetButton = h('button', {
      class: 'secondary',
      text: 'Reset zoom',
      title: 'Show all steps (or double-click the chart)',
    });
    this.resetButton.addEventListener('click', () => this.events.zoom(group, null));
    this.note = h('span', { class: 'chart-note' });
    this.lastValues = h('p', { class: 'last-values' });
    this.plotEl = h('div', { class: 'plot', 'aria-label': `Chart of ${group}`, role: 'img' });
    this.el = h(
      'section',
      { class: 'chart-group', 'data-group': group },
      h('div', { class: 'chart-head' }, this.toggleButton, this.note, this.resetButton),
      this.lastValues,
      this.plotEl,
    );
  }

  /** Redraws with the current stores and options; recreates the plot only when its series or axes change. */
  render(
    inputs: readonly ChartSeriesInput[],
    options: Omit<ChartOptions, 'width'>,
    collapsed: boolean,
    colors: ThemeColors,
    compare: boolean,
  ): void {
    this.toggleButton.setAttribute('aria-expanded', String(!collapsed));
    this.el.classList.toggle('collapsed', collapsed);
    this.resetButton.hidden = collapsed || options.zoom === null;
    this.lastValues.textContent = collapsed ? '' : lastValuesText(inputs);
    if (collapsed) {
      this.destroy();
      this.note.textContent = `${inputs.length} series`;
      return;
    }
    const width = Math.max(200, this.plotEl.clientWidth || 600);
    const built = buildChartData(inputs, { ...options, width });
    this.xRange = built.xRange ?? [0, 1];
    this.lastPointCount = built.data[0].length;
    const diverged = inputs.filter((i) => i.divergence);
    this.markers = diverged.map((i) => i.divergence?.step ?? NaN);
    this.note.textContent = [
      ...diverged.map((i) => divergenceNote(i)),
      built.hiddenByLog > 0 ? `${built.hiddenByLog} point(s) ≤ 0 not shown on a log axis` : '',
    ]
      .filter(Boolean)
      .join(' · ');
    const signature = JSON.stringify([built.series, options.logX, options.logY, compare]);
    if (!this.plot || signature !== this.signature) {
      this.destroy();
      this.signature = signature;
      this.plot = this.create(built.series, options, colors, compare, width);
    }
    if (this.plot.width !== width) this.plot.setSize({ width, height: HEIGHT });
    this.plot.setData(built.data as uPlot.AlignedData);
  }

  destroy(): void {
    this.plot?.destroy();
    this.plot = undefined;
    this.signature = '';
  }

  private create(
    series: ReturnType<typeof buildChartData>['series'],
    o: Omit<ChartOptions, 'width'>,
    c: ThemeColors,
    compare: boolean,
    width: number,
  ): uPlot {
    const metrics = [...new Set(series.map((s) => s.metric))];
    const axis = { stroke: c.foreground, grid: { stroke: c.grid, width: 1 }, ticks: { stroke: c.grid, width: 1 } };
    const opts: uPlot.Options = {
      width,
      height: HEIGHT,
      scales: {
        x: { time: false, distr: o.logX ? 3 : 1, range: () => [this.xRange[0], this.xRange[1]] },
        y: { distr: o.logY ? 3 : 1 },
      },
      // Values in the panel's own short format: uPlot's grouped digits ("100,000,000,…") are cut off by the axis.
      axes: [
        { ...axis, label: o.logX ? 'step (log)' : 'step' },
        { ...axis, size: 60, values: (_u, splits) => splits.map((v) => formatTick(v)) },
      ],
      legend: { show: true, live: true },
      cursor: {
        drag: { x: true, y: false, setScale: false },
        bind: {
          dblclick: () => () => {
            this.events.zoom(this.group, null);
            return null;
          },
        },
      },
      series: [
        { label: 'step', value: (_u, v) => (v === null ? '–' : String(v)) },
        ...series.map((s) => {
          const colour = c.series[(compare ? s.runIndex : metrics.indexOf(s.metric)) % c.series.length];
          return {
            label: s.label,
            stroke: colour,
            width: s.raw ? 1 : 2,
            alpha: s.raw ? 0.3 : 1,
            dash: compare ? DASHES[metrics.indexOf(s.metric) % DASHES.length] : undefined,
            // Points only where they are sparse (uPlot's default rule): a 1-point evaluation series is a dot, not
            // nothing.
            points: s.raw ? { show: false } : { size: 6 },
            spanGaps: false,
            value: (_u: uPlot, v: number | null) => formatValue(v),
          };
        }),
      ],
      hooks: { setSelect: [(u) => this.onSelect(u)], draw: [(u) => this.drawMarkers(u, c.error)] },
    };
    const plot = new uPlot(opts, [[]], this.plotEl);
    // Raw series stay out of the legend; their smoothed line's row carries the read-out.
    plot.root.querySelectorAll('.u-legend tr.u-series').forEach((row, i) => {
      if (i > 0 && series[i - 1].raw) row.classList.add('raw');
    });
    return plot;
  }

  /** A dashed vertical line at each divergence step, so the curve's end is visibly where the run blew up. */
  private drawMarkers(u: uPlot, colour: string): void {
    const ctx = u.ctx;
    for (const step of this.markers) {
      const x = Math.round(u.valToPos(step, 'x', true));
      if (!Number.isFinite(x) || x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue;
      ctx.save();
      ctx.strokeStyle = colour;
      ctx.lineWidth = 2 * devicePixelRatio;
      ctx.setLineDash([6 * devicePixelRatio, 4 * devicePixelRatio]);
      ctx.beginPath();
      ctx.moveTo(x, u.bbox.top);
      ctx.lineTo(x, u.bbox.top + u.bbox.height);
      ctx.stroke();
      ctx.restore();
    }
  }

  private onSelect(u: uPlot): void {
    const { left, width } = u.select;
    if (width > 2) {
      const a = u.posToVal(left, 'x'),
        b = u.posToVal(left + width, 'x');
      if (Number.isFinite(a) && Number.isFinite(b) && b > a) this.events.zoom(this.group, [a, b]);
    }
    u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
  }
}

/** "last: loss 0.116 (step 100) · acc 0.9 (step 100)": each series' raw last value, whatever the smoothing shows. */
function lastValuesText(inputs: readonly ChartSeriesInput[]): string {
  const parts: string[] = [];
  for (const i of inputs) {
    const last = lastRawValue(i.store);
    if (!last) continue;
    const value =
      last.value === null && i.divergence?.step === last.step
        ? i.divergence.value
        : last.value === null
          ? 'not finite'
          : formatValue(last.value);
    parts.push(`${i.label} ${value} (step ${last.step})`);
  }
  return parts.length ? `last: ${parts.join(' · ')}` : '';
}

/** What the chart of a diverged metric says beside its marker. */
function divergenceNote(i: ChartSeriesInput): string {
  const d = i.divergence;
  if (!d) return '';
  const before = d.lastFinite?.[d.metric];
  return `${i.label.endsWith(d.metric) ? i.label.slice(0, i.label.length - d.metric.length) : ''}${d.metric} became ${d.value} at step ${d.step} (dashed line): ${
    before
      ? `last finite value ${formatValue(before.value)} at step ${before.step}`
      : 'its first logged value, so there is no finite value to draw before it'
  }`;
}
