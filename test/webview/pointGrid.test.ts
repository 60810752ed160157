import * as assert from 'node:assert/strict';
import { PointGrid } from '../../webview/src/run/pointGrid';

/** The nearest point within `radius` by looking at every point: what PointGrid must agree with. */
function bruteNearest(xs: number[], ys: number[], x: number, y: number, radius: number): number {
  let best = -1,
    bestDist = radius * radius;
  xs.forEach((px, i) => {
    const d = (px - x) ** 2 + (ys[i] - y) ** 2;
    if (Number.isFinite(d) && d <= bestDist) [best, bestDist] = [i, d];
  });
  return best;
}

describe('webview: the scatter hover grid (pointGrid)', () => {
  it('finds the nearest point within one cell, across cell borders, and nothing farther away', () => {
    const grid = new PointGrid([10, 25, 100], [10, 10, 100], 12);
    assert.equal(grid.nearest(11, 11), 0);
    assert.equal(grid.nearest(23, 10), 1, 'the point in the next cell is nearer');
    assert.equal(grid.nearest(100, 111), 2, 'within 12 px, in the cell below');
    assert.equal(grid.nearest(60, 60), -1, 'no point within 12 px');
    assert.equal(grid.nearest(100, 113), -1, '13 px away is out of reach');
  });

  it('skips points that are not drawn (NaN) and agrees with a search of every point on 5,000 points', () => {
    let seed = 7;
    const rand = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const xs = Array.from({ length: 5000 }, () => rand() * 800);
    const ys = Array.from({ length: 5000 }, () => rand() * 400);
    xs[3] = NaN;
    const grid = new PointGrid(xs, ys, 12);
    assert.equal(grid.nearest(xs[4], ys[4]), 4);
    for (let k = 0; k < 500; k++) {
      const [x, y] = [rand() * 800, rand() * 400];
      const found = grid.nearest(x, y);
      const want = bruteNearest(xs, ys, x, y, 12);
      if (want === -1) assert.equal(found, -1);
      else
        assert.equal(
          Math.hypot(xs[found] - x, ys[found] - y),
          Math.hypot(xs[want] - x, ys[want] - y),
          `at (${x}, ${y})`,
        );
    }
  });
});
