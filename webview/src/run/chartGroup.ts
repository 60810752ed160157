/**
 * One metric group's chart (uPlot on a canvas). Its data is rebuilt from the stores on each redraw — only the
 * visible step range, downsampled to one min/max bucket per pixel column — so zooming in reveals the stored detail.
 * Drag selects a step range to zoom; double-click (or the Reset zoom button) returns to all steps.
 */
import uPlot from 'uplot';
import { h } from '../shared/dom';
import { buildChartData, type ChartOptions, type ChartSeriesInput } from './chartData';
import type { ThemeColors } from './colors';
import { formatValue } from './format';

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
  private readonly toggleButton: HTMLButtonElement;
  private readonly resetButton: HTMLButtonElement;
  private plot: uPlot | undefined;
  private signature = '';
  private xRange: readonly [number, number] = [0, 1];
  /** Last rendered data, for tests and the benchmark to inspect. */
  lastPointCount = 0;

  constructor(readonly group: string, private readonly events: ChartGroupEvents) {
    this.toggleButton = h('button', { class: 'group-toggle', 'aria-expanded': 'true', text: group });
    this.toggleButton.addEventListener('click', () => this.events.toggle(group));
    this.resetButton = h('button', { class: 'secondary', text: 'Reset zoom', title: 'Show all steps (or double-click the chart)' });
    this.resetButton.addEventListener('click', () => this.events.zoom(group, null));
    this.note = h('span', { class: 'chart-note' });
    this.plotEl = h('div', { class: 'plot', 'aria-label': `Chart of ${group}`, role: 'img' });
    this.el = h('section', { class: 'chart-group', 'data-group': group }, h('div', { class: 'chart-head' }, this.toggleButton, this.note, this.resetButton), this.plotEl);
  }

  /** Redraws with the current stores and options; recreates the plot only when its series or axes change. */
  render(inputs: readonly ChartSeriesInput[], options: Omit<ChartOptions, 'width'>, collapsed: boolean, colors: ThemeColors, compare: boolean): void {
    this.toggleButton.setAttribute('aria-expanded', String(!collapsed));
    this.el.classList.toggle('collapsed', collapsed);
    this.resetButton.hidden = collapsed || options.zoom === null;
    if (collapsed) {
      this.destroy();
      this.note.textContent = `${inputs.length} series`;
      return;
    }
    const width = Math.max(200, this.plotEl.clientWidth || 600);
    const built = buildChartData(inputs, { ...options, width });
    this.xRange = built.xRange ?? [0, 1];
    this.lastPointCount = built.data[0].length;
    this.note.textContent = built.hiddenByLog > 0 ? `${built.hiddenByLog} point(s) ≤ 0 not shown on a log axis` : '';
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

  private create(series: ReturnType<typeof buildChartData>['series'], o: Omit<ChartOptions, 'width'>, c: ThemeColors, compare: boolean, width: number): uPlot {
    const metrics = [...new Set(series.map((s) => s.metric))];
    const axis = { stroke: c.foreground, grid: { stroke: c.grid, width: 1 }, ticks: { stroke: c.grid, width: 1 } };
    const opts: uPlot.Options = {
      width,
      height: HEIGHT,
      scales: {
        x: { time: false, distr: o.logX ? 3 : 1, range: () => [this.xRange[0], this.xRange[1]] },
        y: { distr: o.logY ? 3 : 1 },
      },
      axes: [{ ...axis, label: o.logX ? 'step (log)' : 'step' }, { ...axis, size: 60 }],
      legend: { show: true, live: true },
      cursor: {
        drag: { x: true, y: false, setScale: false },
        bind: { dblclick: () => () => { this.events.zoom(this.group, null); return null; } },
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
            points: { show: false },
            spanGaps: false,
            value: (_u: uPlot, v: number | null) => formatValue(v),
          };
        }),
      ],
      hooks: { setSelect: [(u) => this.onSelect(u)] },
    };
    const plot = new uPlot(opts, [[]], this.plotEl);
    // Raw series stay out of the legend; their smoothed line's row carries the read-out.
    plot.root.querySelectorAll('.u-legend tr.u-series').forEach((row, i) => {
      if (i > 0 && series[i - 1].raw) row.classList.add('raw');
    });
    return plot;
  }

  private onSelect(u: uPlot): void {
    const { left, width } = u.select;
    if (width > 2) {
      const a = u.posToVal(left, 'x'), b = u.posToVal(left + width, 'x');
      if (Number.isFinite(a) && Number.isFinite(b) && b > a) this.events.zoom(this.group, [a, b]);
    }
    u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
  }
}
