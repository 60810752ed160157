/**
 * All scalar charts of the panel: the toolbar (smoothing, log axes) and one ChartGroupView per metric group,
 * with every run's series of that group overlaid in compare mode. Redraws are coalesced into one per animation
 * frame however many `append` messages arrive.
 */
import { h, setChildren } from '../shared/dom';
import type { ChartSeriesInput } from './chartData';
import { ChartGroupView } from './chartGroup';
import { themeColors } from './colors';
import { RUNNER_GROUP, groupMetrics } from './grouping';
import type { RunModel } from './model';
import type { RunPanelState } from './state';

export class ChartsView {
  readonly el: HTMLElement;
  private readonly groupsEl: HTMLElement;
  private readonly smoothingOut: HTMLOutputElement;
  private readonly smoothing: HTMLInputElement;
  private readonly logX: HTMLInputElement;
  private readonly logY: HTMLInputElement;
  private views = new Map<string, ChartGroupView>();
  private layout = -1;
  private frame = 0;
  /** Milliseconds the last redraw took (shown to nobody; read by the benchmark). */
  lastRenderMs = 0;

  constructor(
    private readonly model: RunModel,
    private readonly state: RunPanelState,
    private readonly save: () => void,
  ) {
    this.smoothing = h('input', { type: 'range', id: 'smoothing', min: '0', max: '0.99', step: '0.01' });
    this.smoothingOut = h('output', { for: 'smoothing' });
    this.logX = h('input', { type: 'checkbox', id: 'log-x' });
    this.logY = h('input', { type: 'checkbox', id: 'log-y' });
    this.smoothing.addEventListener('input', () =>
      this.setOption(() => (this.state.smoothing = Number(this.smoothing.value))),
    );
    this.logX.addEventListener('change', () =>
      this.setOption(() => {
        this.state.logX = this.logX.checked;
        this.state.zoom = {};
      }),
    );
    this.logY.addEventListener('change', () => this.setOption(() => (this.state.logY = this.logY.checked)));
    const toolbar = h(
      'div',
      { class: 'toolbar', role: 'group', 'aria-label': 'Chart options' },
      h('label', { for: 'smoothing', text: 'Smoothing' }),
      this.smoothing,
      this.smoothingOut,
      h('label', { class: 'check' }, this.logY, 'Log y'),
      h('label', { class: 'check' }, this.logX, 'Log step axis'),
    );
    this.groupsEl = h('div', { class: 'chart-groups' });
    this.el = h('section', { class: 'charts', 'aria-label': 'Scalar charts' }, toolbar, this.groupsEl);
    new ResizeObserver(() => this.schedule()).observe(this.groupsEl);
    this.syncControls();
  }

  /** Asks for a redraw on the next animation frame (many calls, one redraw). */
  schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  render(): void {
    const started = performance.now();
    const names = new Set<string>();
    for (const r of this.model.runs) for (const n of r.scalars.keys()) names.add(n);
    const groups = groupMetrics(names);
    if (this.layout !== this.model.layoutVersion) this.rebuild(groups.map((g) => g.name));
    const colors = themeColors();
    for (const g of groups) {
      const inputs: ChartSeriesInput[] = [];
      this.model.runs.forEach((run, runIndex) => {
        for (const metric of g.series) {
          const store = run.scalars.get(metric);
          const divergence = run.divergence?.metric === metric ? run.divergence : undefined;
          if (store)
            inputs.push({
              store,
              runIndex,
              metric,
              label: this.model.compare ? `${run.label} · ${metric}` : metric,
              ...(divergence ? { divergence } : {}),
            });
        }
      });
      const collapsed = this.state.collapsed[g.name] ?? g.collapsedByDefault;
      const zoom = this.state.zoom[g.name] ?? null;
      this.views
        .get(g.name)
        ?.render(
          inputs,
          { smoothing: this.state.smoothing, logX: this.state.logX, logY: this.state.logY, zoom },
          collapsed,
          colors,
          this.model.compare,
        );
    }
    this.lastRenderMs = performance.now() - started;
  }

  /** Total points drawn in the last render, over all groups (for tests). */
  pointsDrawn(): number {
    let n = 0;
    for (const v of this.views.values()) n += v.lastPointCount;
    return n;
  }

  private rebuild(groups: readonly string[]): void {
    this.layout = this.model.layoutVersion;
    for (const [name, view] of this.views)
      if (!groups.includes(name)) {
        view.destroy();
        this.views.delete(name);
      }
    for (const g of groups) {
      if (this.views.has(g)) continue;
      this.views.set(
        g,
        new ChartGroupView(g, {
          zoom: (group, range) =>
            this.setOption(() => {
              if (range) this.state.zoom[group] = range;
              else delete this.state.zoom[group];
            }),
          toggle: (group) =>
            this.setOption(() => {
              this.state.collapsed[group] = !(this.state.collapsed[group] ?? group === RUNNER_GROUP);
            }),
        }),
      );
    }
    const hasScalars = groups.length > 0;
    setChildren(
      this.groupsEl,
      ...(hasScalars
        ? groups.map((g) => this.views.get(g)?.el)
        : [
            h('p', {
              class: 'empty',
              text: this.model.runs.length
                ? 'This run has logged no scalars yet. Curves appear here when the script calls lab.scalar().'
                : 'No run loaded.',
            }),
          ]),
    );
  }

  private setOption(apply: () => void): void {
    apply();
    this.syncControls();
    this.save();
    this.schedule();
  }

  private syncControls(): void {
    this.smoothing.value = String(this.state.smoothing);
    this.smoothingOut.textContent = this.state.smoothing.toFixed(2);
    this.logX.checked = this.state.logX;
    this.logY.checked = this.state.logY;
  }
}
