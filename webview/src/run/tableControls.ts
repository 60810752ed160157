/**
 * A table row's shared settings (sort, filter, diff) and its diff controls: two <select>s for the reference and the
 * hypothesis column (defaults by name, else the first two text columns; tableModel.ts) and a "Show diff" checkbox.
 */
import type { TableEntry } from '../../../src/protocol/panels';
import { h, setChildren } from '../shared/dom';
import { defaultDiffColumns, textColumns, type SortDirection } from './tableModel';

/** What the controls need of a table cell: its shown entry and a redraw. */
export interface TableCellLike {
  readonly entry: TableEntry | undefined;
  render(): void;
}

export interface TableRowState {
  sort?: { column: string; direction: SortDirection };
  query: string;
  diff: { on: boolean; ref?: string; hyp?: string };
  cells: TableCellLike[];
  controls?: DiffControls;
}

let ids = 0;

export class DiffControls {
  readonly el: HTMLElement;
  private readonly ref: HTMLSelectElement;
  private readonly hyp: HTMLSelectElement;
  private readonly toggle: HTMLInputElement;
  private columns = '';

  constructor(
    name: string,
    private readonly state: TableRowState,
    private readonly refresh: () => void,
  ) {
    const id = `table-diff-${++ids}`;
    this.ref = h('select', { id: `${id}-ref`, class: 'diff-ref' });
    this.hyp = h('select', { id: `${id}-hyp`, class: 'diff-hyp' });
    this.toggle = h('input', { type: 'checkbox', id: `${id}-on`, class: 'diff-toggle' });
    this.toggle.checked = state.diff.on;
    this.ref.addEventListener('change', () => this.choose());
    this.hyp.addEventListener('change', () => this.choose());
    this.toggle.addEventListener('change', () => this.choose());
    this.el = h(
      'div',
      { class: 'diff-controls', role: 'group', 'aria-label': `Word diff of two text columns of ${name}` },
      h('label', { for: `${id}-ref`, text: 'Reference' }),
      this.ref,
      h('label', { for: `${id}-hyp`, text: 'Hypothesis' }),
      this.hyp,
      h('label', {}, this.toggle, ' Show diff'),
    );
    this.el.hidden = true;
  }

  /** Refills the column choices from the entries the row's cells show (call after a cell shows a new entry). */
  update(): void {
    const entries = this.state.cells.map((c) => c.entry).filter((e): e is TableEntry => !!e);
    const names: string[] = [];
    for (const e of entries)
      for (const c of textColumns(e.columns, e.rows)) if (!names.includes(e.columns[c])) names.push(e.columns[c]);
    this.el.hidden = names.length < 2;
    const d = this.state.diff;
    if (
      (d.ref === undefined || !names.includes(d.ref) || d.hyp === undefined || !names.includes(d.hyp)) &&
      entries[0]
    ) {
      const pick = defaultDiffColumns(entries[0].columns, entries[0].rows);
      d.ref = pick && entries[0].columns[pick.ref];
      d.hyp = pick && entries[0].columns[pick.hyp];
    }
    const signature = JSON.stringify(names);
    if (signature !== this.columns) {
      this.columns = signature;
      for (const select of [this.ref, this.hyp])
        setChildren(select, ...names.map((n) => h('option', { value: n, text: n })));
    }
    if (d.ref !== undefined) this.ref.value = d.ref;
    if (d.hyp !== undefined) this.hyp.value = d.hyp;
  }

  private choose(): void {
    this.state.diff = { on: this.toggle.checked, ref: this.ref.value, hyp: this.hyp.value };
    this.refresh();
  }
}
