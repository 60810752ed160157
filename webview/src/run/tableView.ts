/**
 * Tables (`lab.table`): per logged table, an HTML <table> that sorts by a header button (aria-sort on its <th>), a
 * search box that hides rows without the text, and an optional word diff of two text columns with per-row S/D/I and
 * the table's WER in the caption. The sort, the query and the diff are the row's (shared by its runs in Compare).
 * At most PAGE rows are built at once; "Show more" adds the next PAGE.
 */
import type { TableEntry } from '../../../src/protocol/panels';
import { h, setChildren } from '../shared/dom';
import { InsightRows, type InsightCell } from './insightRows';
import type { RunModel } from './model';
import { countsCell, diffCell, MediaUrls, tableCell } from './tableCells';
import { DiffControls, type TableRowState } from './tableControls';
import { visibleRows } from './tableModel';
import { alignWords, sumCounts, wordErrorRate, type WordAlignment } from './textDiff';

const PAGE = 200;

const count = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;

const alignments = new WeakMap<TableEntry, Map<string, WordAlignment[]>>();

/** Every row's alignment of column `hyp` to column `ref` (cached per entry and pair). */
function alignRows(entry: TableEntry, ref: number, hyp: number): WordAlignment[] {
  let byPair = alignments.get(entry);
  if (!byPair) alignments.set(entry, (byPair = new Map()));
  const key = `${ref}:${hyp}`;
  let list = byPair.get(key);
  if (!list) {
    const text = (v: unknown): string => (typeof v === 'string' ? v : '');
    list = entry.rows.map((r) => alignWords(text(r[ref]), text(r[hyp])));
    byPair.set(key, list);
  }
  return list;
}

class TableCellView implements InsightCell<TableEntry> {
  readonly el: HTMLElement;
  entry: TableEntry | undefined;
  private readonly table = h('table', { class: 'insight-table' });
  private readonly more = h('button', { type: 'button', class: 'show-more', hidden: '' });
  private media = new MediaUrls();
  private limit = PAGE;

  constructor(
    private readonly name: string,
    private readonly state: TableRowState,
  ) {
    this.el = h('div', { class: 'table-cell' }, h('div', { class: 'table-scroll' }, this.table), this.more);
    this.more.addEventListener('click', () => {
      this.limit += PAGE;
      this.render();
    });
  }

  show(entry: TableEntry): void {
    if (entry !== this.entry) {
      this.media.revokeAll();
      this.limit = PAGE;
      this.entry = entry;
    }
    this.state.controls?.update();
    this.render();
  }

  clear(): void {
    this.release();
    this.entry = undefined;
    this.state.controls?.update();
  }

  release(): void {
    this.media.revokeAll();
  }

  render(): void {
    const e = this.entry;
    if (!e) return;
    const sortColumn = this.state.sort ? e.columns.indexOf(this.state.sort.column) : -1;
    const sort = sortColumn >= 0 ? { column: sortColumn, direction: this.state.sort!.direction } : undefined;
    const order = visibleRows(e.rows, this.state.query, sort);
    const shown = order.slice(0, this.limit);
    const diff = this.diffColumns(e);
    const aligned = diff && alignRows(e, diff.ref, diff.hyp);
    setChildren(
      this.table,
      h('caption', { text: this.caption(e, order.length, shown.length, aligned) }),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...e.columns.map((c) => this.header(c)),
          diff && h('th', { scope: 'col', text: `Diff: ${e.columns[diff.ref]} → ${e.columns[diff.hyp]}` }),
          diff && h('th', { scope: 'col', class: 'num', text: 'S / D / I', title: 'substituted / deleted / inserted' }),
        ),
      ),
      h(
        'tbody',
        {},
        ...shown.map((i) =>
          h(
            'tr',
            { 'data-row': String(i) },
            ...e.rows[i].map((cell, c) => tableCell(cell, `row ${i + 1}, ${e.columns[c]}`, this.media)),
            aligned && diffCell(aligned[i].ops),
            aligned && countsCell(aligned[i]),
          ),
        ),
      ),
    );
    const hidden = order.length - shown.length;
    this.more.hidden = hidden === 0;
    this.more.textContent = `Show ${Math.min(PAGE, hidden)} more rows (${hidden} not shown)`;
  }

  private diffColumns(e: TableEntry): { ref: number; hyp: number } | undefined {
    const d = this.state.diff;
    if (!d.on || d.ref === undefined || d.hyp === undefined) return undefined;
    const [ref, hyp] = [e.columns.indexOf(d.ref), e.columns.indexOf(d.hyp)];
    return ref >= 0 && hyp >= 0 ? { ref, hyp } : undefined;
  }

  private caption(e: TableEntry, matching: number, shown: number, aligned: WordAlignment[] | undefined): string {
    const query = this.state.query.trim();
    const parts = [`${this.name}: ${count(e.rows.length, 'row')}`];
    if (query) parts.push(`${matching} match “${query}”`);
    if (shown < matching) parts.push(`first ${shown} shown`);
    if (aligned) {
      const t = sumCounts(aligned);
      const wer = wordErrorRate(t);
      const rate = Number.isFinite(wer) ? `${(wer * 100).toFixed(1)}%` : 'undefined (no reference words)';
      parts.push(
        `WER ${rate} = (S ${t.substitutions} + D ${t.deletions} + I ${t.insertions}) / N ${t.refWords}, all rows`,
      );
    }
    return parts.join(' · ');
  }

  private header(column: string): HTMLTableCellElement {
    const sorted = this.state.sort?.column === column ? this.state.sort.direction : undefined;
    const button = h(
      'button',
      { type: 'button', class: 'sort', 'data-column': column },
      column,
      h('span', {
        class: 'sort-mark',
        'aria-hidden': 'true',
        text: sorted ? (sorted === 'ascending' ? '▲' : '▼') : '',
      }),
    );
    button.addEventListener('click', () => {
      const direction = sorted === 'ascending' ? 'descending' : 'ascending';
      this.state.sort = { column, direction };
      for (const c of this.state.cells) c.render();
      // The header was rebuilt: keep the keyboard where it was.
      this.table.querySelector<HTMLButtonElement>(`button.sort[data-column="${CSS.escape(column)}"]`)?.focus();
    });
    return h('th', { scope: 'col', 'aria-sort': sorted ?? 'none' }, button);
  }
}

export class TableView extends InsightRows<'tables'> {
  private readonly states = new Map<string, TableRowState>();
  private cells: TableCellView[] = [];

  constructor(model: RunModel) {
    super(model, 'tables', 'Tables');
  }

  override render(cursor: number | undefined): void {
    super.render(cursor);
    for (const c of this.cells) if (!c.el.isConnected) c.release();
    this.cells = this.cells.filter((c) => c.el.isConnected);
  }

  protected createCell(name: string, runIndex: number): InsightCell<TableEntry> {
    let state = this.states.get(name);
    if (!state) this.states.set(name, (state = { query: '', diff: { on: false }, cells: [] }));
    if (runIndex === 0) state.cells = []; // the row is being rebuilt
    const cell = new TableCellView(name, state);
    state.cells.push(cell);
    this.cells.push(cell);
    return cell;
  }

  protected override rowControls(name: string): HTMLElement | undefined {
    const state = this.states.get(name);
    if (!state) return undefined;
    const refresh = (): void => state.cells.forEach((c) => c.render());
    const search = h('input', { type: 'search', class: 'table-filter', placeholder: 'text in any cell' });
    search.value = state.query;
    search.addEventListener('input', () => {
      state.query = search.value;
      refresh();
    });
    state.controls = new DiffControls(name, state, refresh);
    return h(
      'div',
      { class: 'insight-controls table-controls' },
      h('label', {}, `Filter ${name}: `, search),
      state.controls.el,
    );
  }

  protected override describe(entry: TableEntry): string {
    return `${count(entry.rows.length, 'row')} × ${count(entry.columns.length, 'column')}`;
  }
}
