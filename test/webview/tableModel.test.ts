import * as assert from 'node:assert/strict';
import type { TableCell } from '../../src/protocol/panels';
import {
  compareCells,
  defaultDiffColumns,
  filterRows,
  sortRows,
  textColumns,
  visibleRows,
} from '../../webview/src/run/tableModel';

// columns: id, score, caption
const rows: TableCell[][] = [
  ['a', 10, 'a red square'],
  ['b', null, 'A blue circle'],
  ['c', 2, 'item 10'],
  ['d', 10, 'item 2'],
  ['e', -1.5, null],
  ['f', 2, 'zebra'],
];
const ids = (indices: number[]): string[] => indices.map((i) => rows[i][0] as string);

describe('webview: table sort and filter', () => {
  it('sorts numbers numerically (not as text), empties last, ties in logged order', () => {
    assert.deepEqual(ids(sortRows(rows, { column: 1, direction: 'ascending' })), ['e', 'c', 'f', 'a', 'd', 'b']);
  });

  it('descending reverses the values but keeps ties stable and empties last', () => {
    assert.deepEqual(ids(sortRows(rows, { column: 1, direction: 'descending' })), ['a', 'd', 'c', 'f', 'e', 'b']);
  });

  it('sorts text by locale collation: case-insensitive, numeric runs as numbers, empties last', () => {
    assert.deepEqual(ids(sortRows(rows, { column: 2, direction: 'ascending' })), ['b', 'a', 'd', 'c', 'f', 'e']);
    assert.deepEqual(ids(sortRows(rows, { column: 2, direction: 'descending' })), ['f', 'c', 'd', 'a', 'b', 'e']);
  });

  it('puts numbers before text and media cells with the empties', () => {
    const media: TableCell = { image: new Uint8Array([1]), width: 1, height: 1 };
    assert.ok(compareCells(3, 'x') < 0);
    assert.ok(compareCells('x', media) < 0);
    assert.equal(compareCells(null, media), 0);
    assert.equal(compareCells('', null), 0);
  });

  it('filters on text cells, case-insensitively; a blank query keeps every row', () => {
    assert.deepEqual(ids(filterRows(rows, 'ITEM')), ['c', 'd']);
    assert.deepEqual(ids(filterRows(rows, 'circle')), ['b']);
    assert.deepEqual(ids(filterRows(rows, '10')), ['c'], 'the number 10 is not text');
    assert.deepEqual(filterRows(rows, '  ').length, 6);
    assert.deepEqual(filterRows(rows, 'nothing like it'), []);
  });

  it('filter then sort', () => {
    assert.deepEqual(ids(visibleRows(rows, 'item', { column: 2, direction: 'ascending' })), ['d', 'c']);
    assert.deepEqual(ids(visibleRows(rows, 'item', undefined)), ['c', 'd']);
  });

  it('picks the diff columns by name, else the first two text columns', () => {
    const text: TableCell[][] = [['x', 'y', 'z', 1]];
    assert.deepEqual(textColumns(['audio', 'Prediction', 'Target', 'n'], text), [0, 1, 2]);
    assert.deepEqual(defaultDiffColumns(['audio', 'Prediction', 'Target', 'n'], text), { ref: 2, hyp: 1 });
    assert.deepEqual(defaultDiffColumns(['a', 'b', 'c', 'n'], text), { ref: 0, hyp: 1 });
    assert.deepEqual(defaultDiffColumns(['hyp', 'b', 'c', 'n'], text), { ref: 1, hyp: 0 });
    assert.equal(defaultDiffColumns(['a', 'n'], [['x', 1]]), undefined);
  });
});
