import * as assert from 'node:assert/strict';
import {
  MEDIAN_INDEX,
  PERCENTILES,
  bandPairs,
  bandSeries,
  bucketBars,
  quantiles,
} from '../../webview/src/run/histogramBands';

const close = (actual: readonly (number | null)[], expected: readonly number[], what: string): void => {
  assert.equal(actual.length, expected.length, what);
  actual.forEach((v, i) => assert.ok(v !== null && Math.abs(v - expected[i]) < 1e-9, `${what}[${i}]: ${v}`));
};

describe('webview: histogram quantiles and bands', () => {
  it('uniform counts give linear quantiles over [min, max]', () => {
    const h = { step: 0, min: -1, max: 3, counts: [5, 5, 5, 5] };
    close(quantiles(h, [0, 25, 50, 75, 100]) ?? [], [-1, 0, 1, 2, 3], 'quartiles');
    close(quantiles(h, PERCENTILES) ?? [], [-1, -0.72, -0.36, 0.24, 1, 1.76, 2.36, 2.72, 3], 'percentiles');
  });

  it('interpolates within the bucket that holds the rank, skipping empty buckets', () => {
    // Buckets of width 1 over [0, 4]: 1 value in [0,1), none in [1,2), 3 in [2,3), none in [3,4].
    const h = { step: 0, min: 0, max: 4, counts: [1, 0, 3, 0] };
    close(quantiles(h, [0, 25, 50, 100]) ?? [], [0, 1, 2 + 1 / 3, 3], 'quantiles');
  });

  it('all values in one bucket: every quantile inside it', () => {
    const h = { step: 0, min: 0, max: 10, counts: [0, 0, 8, 0, 0] };
    close(quantiles(h, [0, 50, 100]) ?? [], [4, 5, 6], 'one bucket');
  });

  it('min = max: every quantile is that value; an empty histogram has none', () => {
    close(quantiles({ step: 0, min: 2.5, max: 2.5, counts: [7] }, PERCENTILES) ?? [], Array(9).fill(2.5), 'min=max');
    assert.equal(quantiles({ step: 0, min: 0, max: 1, counts: [0, 0, 0] }, [50]), undefined);
    assert.equal(quantiles({ step: 0, min: 0, max: 0, counts: [] }, [50]), undefined);
  });

  it('builds one aligned array per percentile for uPlot, with a gap at an empty step', () => {
    const entries = [
      { step: 0, min: 0, max: 4, counts: [1, 1, 1, 1] },
      { step: 10, min: 0, max: 1, counts: [0, 0] },
      { step: 20, min: 5, max: 5, counts: [3] },
    ];
    const { steps, series } = bandSeries(entries);
    assert.deepEqual(steps, [0, 10, 20]);
    assert.equal(series.length, PERCENTILES.length);
    assert.equal(PERCENTILES[MEDIAN_INDEX], 50);
    assert.deepEqual(series[MEDIAN_INDEX], [2, null, 5]);
    assert.deepEqual(series[0], [0, null, 5]);
    assert.deepEqual(series[PERCENTILES.length - 1], [4, null, 5]);
    assert.ok(Math.abs((series[1][0] ?? NaN) - 0.28) < 1e-9, '7th percentile of uniform [0, 4]');
  });

  it("pairs the series into nested bands (uPlot's 1-based indices), outermost first", () => {
    assert.deepEqual(bandPairs(), [
      { series: [9, 1], depth: 0 },
      { series: [8, 2], depth: 1 },
      { series: [7, 3], depth: 2 },
      { series: [6, 4], depth: 3 },
    ]);
  });

  it("gives the current step's buckets as bars: centres and counts; one bar when min = max", () => {
    assert.deepEqual(bucketBars({ step: 0, min: 0, max: 3, counts: [2, 0, 5] }), {
      centres: [0.5, 1.5, 2.5],
      counts: [2, 0, 5],
    });
    assert.deepEqual(bucketBars({ step: 0, min: 1, max: 1, counts: [4] }), { centres: [1], counts: [4] });
  });
});
