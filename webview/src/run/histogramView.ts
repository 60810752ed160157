/**
 * The Histograms view (`lab.histogram`), TensorBoard's distribution view: per cell, the series' quantiles over every
 * step up to the cursor (histogramBands.ts) as nested bands around the median line (uPlot `bands`), the step axis
 * spanning the whole series so a dashed marker shows where the cursor is; under it, the cursor step's buckets as bars.
 * The caption reads the median and the 5–95% range at that step.
 */
import uPlot from 'uplot';
import type { InsightEntries } from '../../../src/protocol/panels';
import { h } from '../shared/dom';
import { themeColors, type ThemeColors } from './colors';
import { formatTick, formatValue } from './format';
import { MEDIAN_INDEX, PERCENTILES, bandPairs, bandSeries, bucketBars, quantiles } from './histogramBands';
import { InsightRows, type InsightCell } from './insightRows';
import type { RunModel } from './model';

type Histogram = InsightEntries['histograms'];

/** Quantiles once per entry: moving the cursor recomputes nothing already seen. */
const cache = new WeakMap<Histogram, number[] | undefined>();
function cachedQuantiles(e: Histogram): number[] | undefined {
  if (!cache.has(e)) cache.set(e, quantiles(e, PERCENTILES));
  return cache.get(e);
}

/** Median and 5–95% range at one step, or why there is none. */
function summary(e: Histogram): string {
  const q = quantiles(e, [5, 50, 95]);
  if (!q) return 'no values at this step';
  return `median ${formatValue(q[1])} · 5–95%: ${formatValue(q[0])} to ${formatValue(q[2])} · ${e.count} values`;
}

export class HistogramView extends InsightRows<'histograms'> {
  constructor(model: RunModel) {
    super(model, 'histograms', 'Histograms');
  }

  protected createCell(name: string, runIndex: number): InsightCell<Histogram> {
    return new DistributionCell(
      `${name}, ${this.model.runs[runIndex].label}`,
      runIndex,
      this.model.runs.length > 1,
      () => this.entries(runIndex, name) ?? [],
    );
  }

  protected describe(e: Histogram): string {
    return summary(e);
  }
}

class DistributionCell implements InsightCell<Histogram> {
  readonly el: HTMLElement;
  private readonly distEl: HTMLElement;
  private readonly barsEl: HTMLElement;
  private dist: uPlot | undefined;
  private bars: uPlot | undefined;
  private cursorStep = 0;

  constructor(
    private readonly title: string,
    private readonly runIndex: number,
    private readonly compact: boolean,
    private readonly series: () => readonly Histogram[],
  ) {
    this.distEl = h('div', { class: 'histogram-distribution', tabindex: '0', role: 'img' });
    this.barsEl = h('div', { class: 'histogram-bars', role: 'img' });
    this.el = h('div', { class: 'histogram-cell' }, this.distEl, this.barsEl);
  }

  show(entry: Histogram): void {
    const all = this.series();
    const shown = all.filter((e) => e.step <= entry.step);
    this.cursorStep = entry.step;
    const first = all[0]?.step ?? entry.step,
      last = all[all.length - 1]?.step ?? entry.step;
    this.distEl.setAttribute(
      'aria-label',
      `Distribution of ${this.title} over steps ${first} to ${entry.step}; at step ${entry.step}: ${summary(entry)}`,
    );
    this.barsEl.setAttribute('aria-label', `Histogram of ${this.title} at step ${entry.step}`);
    const c = themeColors();
    this.clear();
    this.dist = this.drawDistribution(shown, first === last ? [first - 1, last + 1] : [first, last], c);
    this.bars = this.drawBars(entry, c);
  }

  clear(): void {
    this.dist?.destroy();
    this.bars?.destroy();
    this.dist = this.bars = undefined;
  }

  private width(): number {
    return this.compact ? 360 : 520;
  }

  private drawDistribution(shown: readonly Histogram[], range: [number, number], c: ThemeColors): uPlot {
    const colour = c.series[this.runIndex % c.series.length];
    const { steps, series } = bandSeries(shown, cachedQuantiles);
    const axis = { stroke: c.foreground, grid: { stroke: c.grid, width: 1 }, ticks: { stroke: c.grid, width: 1 } };
    const opts: uPlot.Options = {
      width: this.width(),
      height: 200,
      legend: { show: false },
      cursor: { drag: { x: false, y: false, setScale: false } },
      scales: { x: { time: false, range: () => range } },
      axes: [
        { ...axis, label: 'step' },
        { ...axis, size: 56, values: (_u, splits) => splits.map((v) => formatTick(v)) },
      ],
      series: [
        {},
        ...PERCENTILES.map((p, i): uPlot.Series => {
          const median = i === MEDIAN_INDEX;
          return {
            label: `${p}th percentile`,
            stroke: colour,
            width: median ? 2 : 0,
            points: { show: median && steps.length === 1, size: 6 },
            spanGaps: false,
          };
        }),
      ],
      bands: bandPairs().map(({ series: pair, depth }) => ({
        series: pair,
        fill: withAlpha(colour, 0.14 + 0.06 * depth),
      })),
      hooks: { draw: [(u) => this.drawMarker(u, c.foreground)] },
    };
    return new uPlot(opts, [steps, ...series] as uPlot.AlignedData, this.distEl);
  }

  /** A dashed vertical line at the cursor's step. */
  private drawMarker(u: uPlot, colour: string): void {
    const x = Math.round(u.valToPos(this.cursorStep, 'x', true));
    if (!Number.isFinite(x)) return;
    const ctx = u.ctx;
    ctx.save();
    ctx.strokeStyle = colour;
    ctx.lineWidth = 2 * devicePixelRatio;
    ctx.setLineDash([5 * devicePixelRatio, 3 * devicePixelRatio]);
    ctx.beginPath();
    ctx.moveTo(x, u.bbox.top);
    ctx.lineTo(x, u.bbox.top + u.bbox.height);
    ctx.stroke();
    ctx.restore();
  }

  private drawBars(entry: Histogram, c: ThemeColors): uPlot {
    const colour = c.series[this.runIndex % c.series.length];
    const { centres, counts } = bucketBars(entry);
    const half = entry.max > entry.min ? (entry.max - entry.min) / entry.counts.length / 2 : 0.5;
    const top = Math.max(1, ...counts) * 1.05;
    const axis = { stroke: c.foreground, grid: { stroke: c.grid, width: 1 }, ticks: { stroke: c.grid, width: 1 } };
    const opts: uPlot.Options = {
      width: this.width(),
      height: 130,
      legend: { show: false },
      cursor: { show: false },
      scales: {
        x: { time: false, range: () => [centres[0] - half, centres[centres.length - 1] + half] },
        y: { range: () => [0, top] },
      },
      axes: [
        { ...axis, label: `value at step ${entry.step}`, values: (_u, splits) => splits.map((v) => formatTick(v)) },
        { ...axis, size: 56, label: 'count', values: (_u, splits) => splits.map((v) => formatTick(v)) },
      ],
      series: [
        {},
        {
          label: 'count',
          stroke: colour,
          fill: withAlpha(colour, 0.6),
          width: 1,
          paths: uPlot.paths.bars?.({ size: [1, Infinity], gap: 1 }),
          points: { show: false },
        },
      ],
    };
    return new uPlot(opts, [centres, counts], this.barsEl);
  }
}

let probe: CanvasRenderingContext2D | null | undefined;

/** `colour` (any CSS colour the theme gives) at opacity `alpha`, for fills under lines drawn in the same colour. */
function withAlpha(colour: string, alpha: number): string {
  probe ??= document.createElement('canvas').getContext('2d');
  if (!probe) return colour;
  probe.fillStyle = '#000000';
  probe.fillStyle = colour;
  const normal = String(probe.fillStyle);
  if (normal.startsWith('#')) {
    const n = parseInt(normal.slice(1), 16);
    return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
  }
  const parts = normal.match(/[\d.]+/g)?.map(Number) ?? [];
  return parts.length >= 3 ? `rgba(${parts[0]}, ${parts[1]}, ${parts[2]}, ${alpha * (parts[3] ?? 1)})` : colour;
}
