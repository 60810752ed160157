/**
 * The views that look inside a model (matrices, attention maps, embeddings, sounds, histograms, tables) share one
 * layout and one rule, as the image panels do: per kind, one row per series name, one cell per run (side by side when
 * 2–4 runs are compared), and every cell shows its entry at the nearest logged step at or before the shared step
 * cursor (cursor.ts). A kind's view says how to draw one entry in a cell (InsightCell); this file places the cells,
 * captions them, says why a cell is empty, and redraws every cell when the theme changes.
 */
import type { InsightEntries } from '../../../src/protocol/panels';
import { h, setChildren } from '../shared/dom';
import { frameAt, seriesNames, seriesSteps } from './cursor';
import type { InsightKind } from './insights';
import type { RunModel } from './model';

/** What main.ts needs of a view: its element, the steps it can show (for the cursor), and a redraw at the cursor. */
export interface InsightView {
  readonly el: HTMLElement;
  steps(): number[];
  render(cursor: number | undefined): void;
  /** Redraws with the theme's current colours (VS Code switched theme). */
  retheme(): void;
}

/** One cell's drawing: `show` draws an entry (the same entry is not shown twice in a row unless the theme changed). */
export interface InsightCell<E> {
  /** The cell's content; the row adds the caption under it. */
  readonly el: HTMLElement;
  show(entry: E): void;
  /** Leaves the cell with nothing drawn (the placeholder says why). */
  clear?(): void;
}

interface Slot<E> {
  readonly runIndex: number;
  readonly cell: InsightCell<E>;
  readonly figure: HTMLElement;
  readonly placeholder: HTMLElement;
  readonly caption: HTMLElement;
  shown?: E;
}

export abstract class InsightRows<K extends InsightKind> implements InsightView {
  readonly el: HTMLElement;
  private signature = '';
  private readonly rows = new Map<string, Array<Slot<InsightEntries[K]>>>();
  private lastCursor: number | undefined;

  constructor(
    protected readonly model: RunModel,
    protected readonly kind: K,
    /** The section's accessible name, e.g. "Matrices". */
    label: string,
  ) {
    this.el = h('section', { class: `insights insights-${kind}`, 'aria-label': label });
  }

  /** A new cell for series `name` of run `runIndex`. */
  protected abstract createCell(name: string, runIndex: number): InsightCell<InsightEntries[K]>;

  /** Controls for a whole row (shared by its runs' cells), placed under the row's title; none by default. */
  protected rowControls(_name: string, _cells: ReadonlyArray<InsightCell<InsightEntries[K]>>): HTMLElement | undefined {
    return undefined;
  }

  /** The caption under a drawn entry: the run in Compare, the step, and what the kind adds (`describe`). */
  protected describe(_entry: InsightEntries[K]): string {
    return '';
  }

  steps(): number[] {
    return seriesSteps(this.model.runs, (r) => r.insights[this.kind] as Map<string, InsightEntries[K][]>);
  }

  entries(runIndex: number, name: string): readonly InsightEntries[K][] | undefined {
    return (this.model.runs[runIndex]?.insights[this.kind] as Map<string, InsightEntries[K][]> | undefined)?.get(name);
  }

  render(cursor: number | undefined): void {
    this.lastCursor = cursor;
    const names = seriesNames(this.model.runs, (r) => r.insights[this.kind] as ReadonlyMap<string, unknown>);
    const signature = JSON.stringify([names, this.model.runs.map((r) => r.runId)]);
    if (signature !== this.signature) this.rebuild(names, signature);
    this.el.hidden = names.length === 0;
    for (const [name, slots] of this.rows)
      for (const slot of slots) {
        const list = this.entries(slot.runIndex, name);
        this.showSlot(slot, list, frameAt(list, cursor), cursor);
      }
  }

  retheme(): void {
    for (const slots of this.rows.values()) for (const slot of slots) slot.shown = undefined;
    this.render(this.lastCursor);
  }

  private rebuild(names: readonly string[], signature: string): void {
    this.signature = signature;
    this.rows.clear();
    const runs = this.model.runs;
    this.el.classList.toggle('compare', runs.length > 1);
    setChildren(
      this.el,
      ...names.map((name) => {
        const slots = runs.map((run, runIndex): Slot<InsightEntries[K]> => {
          const cell = this.createCell(name, runIndex);
          const placeholder = h('div', { class: 'placeholder', hidden: '' });
          const caption = h('figcaption');
          const figure = h(
            'figure',
            { class: 'insight-cell', 'data-run': run.runId, 'aria-label': `${name}, ${run.label}` },
            cell.el,
            placeholder,
            caption,
          );
          return { runIndex, cell, figure, placeholder, caption };
        });
        this.rows.set(name, slots);
        return h(
          'div',
          { class: 'insight-series', 'data-kind': this.kind, 'data-series': name },
          h('h3', { text: name }),
          this.rowControls(
            name,
            slots.map((s) => s.cell),
          ),
          h('div', { class: 'insight-row' }, ...slots.map((s) => s.figure)),
        );
      }),
    );
  }

  private showSlot(
    slot: Slot<InsightEntries[K]>,
    list: readonly InsightEntries[K][] | undefined,
    entry: InsightEntries[K] | undefined,
    cursor: number | undefined,
  ): void {
    const label = this.model.runs[slot.runIndex].label;
    const who = this.model.compare ? `${label} · ` : '';
    if (!entry) {
      slot.shown = undefined;
      slot.cell.clear?.();
      slot.cell.el.hidden = true;
      slot.placeholder.hidden = false;
      slot.placeholder.textContent =
        !list || list.length === 0
          ? 'Not logged in this run'
          : `Nothing yet at step ${cursor} (first at step ${list[0].step})`;
      slot.caption.textContent = this.model.compare ? label : '';
      return;
    }
    const more = this.describe(entry);
    slot.caption.textContent = `${who}step ${entry.step}${more ? ` · ${more}` : ''}`;
    slot.cell.el.hidden = false;
    slot.placeholder.hidden = true;
    if (slot.shown === entry) return;
    slot.shown = entry;
    slot.cell.show(entry);
  }
}
