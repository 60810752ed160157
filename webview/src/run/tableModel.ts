/**
 * A logged table's rows as the view shows them: filtered by a text query, sorted by one column. Pure, no DOM: the view
 * (tableView.ts) gets back row indices into the entry's rows, so the cells themselves are never copied.
 */
import type { TableCell } from '../../../src/protocol/panels';

export type SortDirection = 'ascending' | 'descending';

export interface TableSort {
  readonly column: number;
  readonly direction: SortDirection;
}

/** The order a cell sorts in: numbers, then text; empty and media cells are "empty" and always sort last. */
function rank(c: TableCell): 0 | 1 | 2 {
  return typeof c === 'number' ? 0 : typeof c === 'string' && c !== '' ? 1 : 2;
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/**
 * Compares two cells in ascending order: numbers numerically before text, text by the locale's collation (numeric
 * runs as numbers: "item 2" before "item 10"), empties last. Returns 0 for two empties.
 */
export function compareCells(a: TableCell, b: TableCell): number {
  const [ra, rb] = [rank(a), rank(b)];
  if (ra !== rb) return ra - rb;
  if (ra === 0) return (a as number) - (b as number);
  if (ra === 1) return collator.compare(a as string, b as string);
  return 0;
}

/**
 * Row indices sorted by `sort.column`: stable (equal cells keep their logged order, in either direction), and empty
 * cells stay last when descending too, so flipping the order never brings the blanks to the top.
 */
export function sortRows(rows: ReadonlyArray<readonly TableCell[]>, sort: TableSort, indices?: number[]): number[] {
  const order = indices ?? rows.map((_, i) => i);
  const sign = sort.direction === 'ascending' ? 1 : -1;
  return [...order].sort((i, j) => {
    const [a, b] = [rows[i][sort.column] ?? null, rows[j][sort.column] ?? null];
    const empties = Number(rank(a) === 2) - Number(rank(b) === 2);
    return empties || sign * compareCells(a, b) || i - j;
  });
}

/** Indices of the rows with a text cell containing `query` (case-insensitive); all rows for a blank query. */
export function filterRows(rows: ReadonlyArray<readonly TableCell[]>, query: string): number[] {
  const q = query.trim().toLocaleLowerCase();
  const all = rows.map((_, i) => i);
  if (!q) return all;
  return all.filter((i) => rows[i].some((c) => typeof c === 'string' && c.toLocaleLowerCase().includes(q)));
}

/** Filter, then sort (when a column is chosen): the rows the view shows, in order. */
export function visibleRows(
  rows: ReadonlyArray<readonly TableCell[]>,
  query: string,
  sort: TableSort | undefined,
): number[] {
  const kept = filterRows(rows, query);
  return sort ? sortRows(rows, sort, kept) : kept;
}

/** Columns whose cells are all text or empty, with at least one text cell (the candidates for a diff). */
export function textColumns(columns: readonly string[], rows: ReadonlyArray<readonly TableCell[]>): number[] {
  return columns
    .map((_, c) => c)
    .filter(
      (c) => rows.some((r) => typeof r[c] === 'string') && rows.every((r) => r[c] === null || typeof r[c] === 'string'),
    );
}

const REFERENCE_NAMES = /^(reference|ref|target|truth|ground[ _-]?truth|label|transcript)s?$/i;
const HYPOTHESIS_NAMES = /^(hypothesis|hyp|prediction|pred|predicted|output|generated|decoded)s?$/i;

/**
 * The default reference and hypothesis columns for the diff: named like "reference"/"ref"/"target" and
 * "hypothesis"/"hyp"/"prediction", else the first two text columns; undefined with fewer than two text columns.
 */
export function defaultDiffColumns(
  columns: readonly string[],
  rows: ReadonlyArray<readonly TableCell[]>,
): { ref: number; hyp: number } | undefined {
  const text = textColumns(columns, rows);
  if (text.length < 2) return undefined;
  const named = (re: RegExp): number | undefined => text.find((c) => re.test(columns[c].trim()));
  const namedHyp = named(HYPOTHESIS_NAMES);
  const ref = named(REFERENCE_NAMES) ?? text.find((c) => c !== namedHyp)!;
  const hyp = namedHyp !== undefined && namedHyp !== ref ? namedHyp : text.find((c) => c !== ref)!;
  return { ref, hyp };
}
