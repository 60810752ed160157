import * as assert from 'node:assert/strict';
import { lowerBound, minMaxDownsample, upperBound, visibleRange } from '../../webview/src/run/downsample';

describe('webview: min/max downsampling', () => {
  const N = 100_000;
  const xs = Float64Array.from({ length: N }, (_, i) => i);

  it('keeps a single spike among 100k points, and its step', () => {
    const ys = Float64Array.from({ length: N }, (_, i) => Math.sin(i / 1000));
    ys[54_321] = 50;
    const ds = minMaxDownsample(xs, ys, 0, N, 800, 0, N - 1);
    assert.ok(ds.x.length <= 800 * 5, `${ds.x.length} points for 800 columns`);
    assert.ok(ds.x.length < N / 20);
    const i = ds.y.indexOf(50);
    assert.ok(i >= 0, 'the spike survived');
    assert.equal(ds.x[i], 54_321);
  });

  it('keeps a negative spike too, and the first and last point', () => {
    const ys = new Float64Array(N).fill(1);
    ys[777] = -9;
    const ds = minMaxDownsample(xs, ys, 0, N, 100, 0, N - 1);
    assert.ok(Array.from(ds.y).includes(-9));
    assert.equal(ds.x[0], 0);
    assert.equal(ds.x[ds.x.length - 1], N - 1);
  });

  it('emits points in step order and keeps one NaN per bucket so gaps still break the line', () => {
    const ys = Float64Array.from({ length: N }, (_, i) => i % 7);
    for (let i = 5000; i < 5100; i++) ys[i] = NaN;
    const ds = minMaxDownsample(xs, ys, 0, N, 200, 0, N - 1);
    for (let i = 1; i < ds.x.length; i++) assert.ok(ds.x[i] > ds.x[i - 1], `x increases at ${i}`);
    assert.ok(Array.from(ds.y).some(Number.isNaN));
  });

  it('returns small inputs unchanged', () => {
    const ds = minMaxDownsample([1, 2, 3], [5, 6, 7], 0, 3, 100, 1, 3);
    assert.deepEqual(Array.from(ds.x), [1, 2, 3]);
    assert.deepEqual(Array.from(ds.y), [5, 6, 7]);
  });

  it('buckets by the mapped axis (log steps): early steps get their own columns', () => {
    const n = 10_000;
    const lx = Float64Array.from({ length: n }, (_, i) => i + 1);
    const ly = Float64Array.from({ length: n }, (_, i) => i);
    const ds = minMaxDownsample(lx, ly, 0, n, 100, 1, n, Math.log10);
    // On a log axis, steps 1..10 span a quarter of the width, so they are all kept.
    for (let s = 1; s <= 10; s++) assert.ok(Array.from(ds.x).includes(s), `step ${s} kept`);
  });

  it('finds the visible index range with one neighbour each side', () => {
    const x = [0, 10, 20, 30, 40];
    assert.equal(lowerBound(x, 20), 2);
    assert.equal(upperBound(x, 20), 3);
    assert.deepEqual(visibleRange(x, 5, 15, 25), [1, 4], 'steps 10..30: one point either side of 15..25');
    assert.deepEqual(visibleRange(x, 5, 0, 40), [0, 5]);
  });
});
