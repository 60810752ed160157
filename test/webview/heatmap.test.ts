import * as assert from 'node:assert/strict';
import {
  colorPixels,
  headMap,
  normalizeMap,
  strongestCell,
  upsampleBilinear,
} from '../../webview/src/run/attentionGrid';
import {
  DIVERGING,
  INFERNO,
  VIRIDIS,
  axisName,
  cellAt,
  cellSize,
  colorAt,
  colorScale,
  colormapLut,
  labelStride,
  legendTicks,
  matrixPixels,
  moveCell,
  scaleColormap,
  scaleT,
  truncateLabel,
  type Colormap,
  type Rgb,
} from '../../webview/src/run/heatmap';

/** WCAG relative luminance of an sRGB colour. */
function luminance([r, g, b]: Rgb): number {
  const lin = (c: number): number => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

const samples = (map: Colormap, n = 101): Rgb[] => Array.from({ length: n }, (_, i) => colorAt(map, i / (n - 1)));
/** Float32 maps hold 0.7 as 0.699999988…: equal to 1e-6. */
const close = (a: ArrayLike<number>, b: readonly number[], what = ''): void =>
  assert.ok(
    Array.from(a).every((v, i) => Math.abs(v - b[i]) < 1e-6) && a.length === b.length,
    `${what} ${Array.from(a)} ≈ ${b}`,
  );

describe('webview: heatmap colour scales', () => {
  it('viridis and inferno run from their first to their last stop with strictly rising luminance', () => {
    assert.deepEqual(colorAt(VIRIDIS, 0), [68, 1, 84]);
    assert.deepEqual(colorAt(VIRIDIS, 1), [253, 231, 37]);
    assert.deepEqual(colorAt(INFERNO, 0), [0, 0, 4]);
    assert.deepEqual(colorAt(INFERNO, 1), [252, 255, 164]);
    for (const map of [VIRIDIS, INFERNO]) {
      const l = samples(map).map(luminance);
      for (let i = 1; i < l.length; i++) assert.ok(l[i] > l[i - 1], `${map.name} luminance rises at ${i}: ${l[i]}`);
    }
  });

  it('clamps t outside [0, 1] to the end colours and reads NaN as the low end', () => {
    assert.deepEqual(colorAt(VIRIDIS, -3), colorAt(VIRIDIS, 0));
    assert.deepEqual(colorAt(VIRIDIS, 7), colorAt(VIRIDIS, 1));
    assert.deepEqual(colorAt(VIRIDIS, NaN), colorAt(VIRIDIS, 0));
  });

  it('the diverging map is near-white at its centre and darkens symmetrically towards blue and red ends', () => {
    assert.deepEqual(colorAt(DIVERGING, 0.5), [247, 247, 247]);
    const l = samples(DIVERGING).map(luminance);
    for (let i = 1; i <= 50; i++) assert.ok(l[i] > l[i - 1], `rises to the centre at ${i}`);
    for (let i = 51; i < l.length; i++) assert.ok(l[i] < l[i - 1], `falls from the centre at ${i}`);
    const [low, high] = [colorAt(DIVERGING, 0), colorAt(DIVERGING, 1)];
    assert.ok(low[2] > low[0], 'low end is blue');
    assert.ok(high[0] > high[2], 'high end is red');
  });

  it('the lookup table holds the map at 257 evenly spaced points, the centre among them', () => {
    const lut = colormapLut(VIRIDIS);
    assert.equal(lut.length, 257 * 3);
    assert.deepEqual(Array.from(lut.subarray(0, 3)), [68, 1, 84]);
    assert.deepEqual(Array.from(lut.subarray(256 * 3)), [253, 231, 37]);
    assert.deepEqual(Array.from(lut.subarray(128 * 3, 129 * 3)), [...colorAt(VIRIDIS, 0.5)]);
  });

  it('takes the scale from range when given (either order), else from the values; symmetric ranges diverge', () => {
    assert.deepEqual(colorScale([0.2, 0.5, 0.9]), { low: 0.2, high: 0.9, diverging: false });
    assert.deepEqual(colorScale([0.2, 0.5], [0, 1]), { low: 0, high: 1, diverging: false });
    assert.deepEqual(colorScale([0.2], [1, -1]), { low: -1, high: 1, diverging: true });
    assert.equal(colorScale([-1, 1]).diverging, false, 'the values alone never choose the diverging map');
    assert.equal(colorScale([0], [-1, 2]).diverging, false, 'asymmetric range');
    assert.equal(scaleColormap(colorScale([0], [-1, 1])), DIVERGING);
    assert.equal(scaleColormap(colorScale([0, 1])), VIRIDIS);
    assert.deepEqual(colorScale([]), { low: 0, high: 0, diverging: false });
  });

  it('clamps values outside the range to its ends and puts everything mid-scale when min = max', () => {
    const s = colorScale([], [0, 10]);
    assert.equal(scaleT(s, 5), 0.5);
    assert.equal(scaleT(s, -4), 0);
    assert.equal(scaleT(s, 40), 1);
    const flat = colorScale([3, 3, 3]);
    assert.deepEqual([flat.low, flat.high], [3, 3]);
    assert.equal(scaleT(flat, 3), 0.5);
    assert.deepEqual(legendTicks(flat), [3]);
  });

  it('legend ticks are low, middle and high, with 0 exactly in the middle of a diverging scale', () => {
    assert.deepEqual(legendTicks(colorScale([2, 4, 6])), [2, 4, 6]);
    assert.deepEqual(legendTicks(colorScale([], [-0.5, 0.5])), [-0.5, 0, 0.5]);
  });

  it('colours one pixel per cell: the low value gets the first colour, the high value the last', () => {
    const lut = colormapLut(VIRIDIS);
    const px = matrixPixels([0, 1, 0.5, 9], 2, 2, colorScale([], [0, 1]), lut);
    assert.deepEqual(Array.from(px.subarray(0, 4)), [68, 1, 84, 255]);
    assert.deepEqual(Array.from(px.subarray(4, 8)), [253, 231, 37, 255]);
    assert.deepEqual(Array.from(px.subarray(8, 12)), [...colorAt(VIRIDIS, 0.5), 255]);
    assert.deepEqual(Array.from(px.subarray(12, 16)), [253, 231, 37, 255], '9 clamps to the top');
    const diverging = matrixPixels([0], 1, 1, colorScale([], [-1, 1]), colormapLut(DIVERGING));
    assert.deepEqual(Array.from(diverging), [247, 247, 247, 255], '0 on a symmetric scale is exactly the centre');
  });

  it('colours a 512×512 matrix fast enough to redraw on every cursor move', () => {
    const n = 512;
    const values = Float32Array.from({ length: n * n }, (_, i) => Math.sin(i));
    const lut = colormapLut(VIRIDIS);
    const t0 = performance.now();
    const px = matrixPixels(values, n, n, colorScale(values), lut);
    const ms = performance.now() - t0;
    assert.equal(px.length, n * n * 4);
    assert.ok(ms < 250, `took ${ms.toFixed(1)} ms`);
  });
});

describe('webview: heatmap layout, labels and cells', () => {
  it('sizes cells in whole pixels near the target, never a side over 4× the other', () => {
    assert.deepEqual(cellSize(2, 2), { cellW: 128, cellH: 128 });
    assert.deepEqual(cellSize(100, 100), { cellW: 2, cellH: 2 });
    assert.deepEqual(cellSize(512, 512), { cellW: 1, cellH: 1 });
    assert.deepEqual(cellSize(1, 10), { cellW: 25, cellH: 100 });
  });

  it('thins labels to every k-th so they stay at least the spacing apart', () => {
    assert.equal(labelStride(10, 200, 14), 1, '20 px per label is room enough');
    assert.equal(labelStride(100, 200, 14), 7, '2 px per row: every 7th row is 14 px apart');
    assert.equal(labelStride(512, 512, 14), 14);
    assert.equal(labelStride(5, 0, 14), 5, 'no room: only the first');
  });

  it('truncates long labels with an ellipsis to the given length', () => {
    assert.equal(truncateLabel('cat', 12), 'cat');
    assert.equal(truncateLabel('a photo of a golden retriever', 12), 'a photo of …');
    assert.equal(truncateLabel('a photo of a golden retriever', 12).length, 12);
  });

  it('finds the cell under a point, and nothing outside the drawing', () => {
    assert.deepEqual(cellAt(0, 0, 200, 100, 4, 10), { row: 0, col: 0 });
    assert.deepEqual(cellAt(199.9, 99.9, 200, 100, 4, 10), { row: 3, col: 9 });
    assert.deepEqual(cellAt(45, 30, 200, 100, 4, 10), { row: 1, col: 2 });
    assert.equal(cellAt(-1, 5, 200, 100, 4, 10), undefined);
    assert.equal(cellAt(200, 5, 200, 100, 4, 10), undefined);
  });

  it('moves the selected cell with arrows, Home/End and Ctrl+Home/End, stopping at the edges', () => {
    assert.deepEqual(moveCell(undefined, 'ArrowDown', 3, 4), { row: 0, col: 0 }, 'first key selects the first cell');
    assert.deepEqual(moveCell({ row: 1, col: 1 }, 'ArrowRight', 3, 4), { row: 1, col: 2 });
    assert.deepEqual(moveCell({ row: 1, col: 3 }, 'ArrowRight', 3, 4), { row: 1, col: 3 });
    assert.deepEqual(moveCell({ row: 0, col: 1 }, 'ArrowUp', 3, 4), { row: 0, col: 1 });
    assert.deepEqual(moveCell({ row: 1, col: 1 }, 'ArrowDown', 3, 4), { row: 2, col: 1 });
    assert.deepEqual(moveCell({ row: 1, col: 2 }, 'Home', 3, 4), { row: 1, col: 0 });
    assert.deepEqual(moveCell({ row: 1, col: 2 }, 'End', 3, 4), { row: 1, col: 3 });
    assert.deepEqual(moveCell({ row: 1, col: 2 }, 'End', 3, 4, true), { row: 2, col: 3 });
    assert.deepEqual(moveCell({ row: 1, col: 2 }, 'Home', 3, 4, true), { row: 0, col: 0 });
    assert.equal(moveCell({ row: 1, col: 2 }, 'a', 3, 4), undefined);
  });

  it('names a cell by its label, else by its 1-based number', () => {
    assert.equal(axisName(['cat', 'dog'], 1, 'row'), 'dog');
    assert.equal(axisName(undefined, 2, 'col'), 'col 3');
  });
});

describe('webview: attention maps', () => {
  // 2 heads over a 2×2 grid: head 0 looks top-left, head 1 bottom-right.
  const weights = [0.7, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.7];

  it('picks one head or averages them', () => {
    close(headMap(weights, 2, 2, 2, 0), [0.7, 0.1, 0.1, 0.1]);
    close(headMap(weights, 2, 2, 2, 1), [0.1, 0.1, 0.1, 0.7]);
    close(headMap(weights, 2, 2, 2, 'mean'), [0.4, 0.1, 0.1, 0.4]);
    close(headMap(weights, 2, 2, 2, 5), [0.1, 0.1, 0.1, 0.7], 'a head past the last reads as the last');
  });

  it('normalises a map from its min..max to [0, 1], a flat map to 0.5', () => {
    const n = normalizeMap([0.2, 0.4, 0.6]);
    close(n.values, [0, 0.5, 1]);
    assert.deepEqual([n.min, n.max], [0.2, 0.6]);
    close(normalizeMap([0.25, 0.25]).values, [0.5, 0.5]);
  });

  it('upsamples bilinearly: cell centres keep their value, between them it blends, edges clamp', () => {
    const up = upsampleBilinear([0, 1], 1, 2, 4, 1);
    // centres of output pixels map to grid x = -0.25, 0.25, 0.75, 1.25 -> clamped 0, 0.25, 0.75, 1
    close(up, [0, 0.25, 0.75, 1]);
    const same = upsampleBilinear([1, 2, 3, 4], 2, 2, 2, 2);
    close(same, [1, 2, 3, 4], 'same size is the identity');
    const big = upsampleBilinear([0, 0, 0, 1], 2, 2, 8, 8);
    assert.equal(big[0], 0, 'top-left corner is the top-left cell');
    assert.equal(big[63], 1, 'bottom-right corner is the bottom-right cell');
    assert.ok(big[4 * 8 + 4] > 0 && big[4 * 8 + 4] < 1, 'the middle blends');
  });

  it('colours normalised values through the table and finds the strongest cell', () => {
    const px = colorPixels([0, 1], colormapLut(INFERNO));
    assert.deepEqual(Array.from(px), [0, 0, 4, 255, 252, 255, 164, 255]);
    assert.deepEqual(strongestCell([0.1, 0.2, 0.9, 0.3], 2), { row: 1, col: 0 });
  });
});
