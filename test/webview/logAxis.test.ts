import * as assert from 'node:assert/strict';
import { buildChartData } from '../../webview/src/run/chartData';
import { logRange, positiveOnly } from '../../webview/src/run/logAxis';
import { SeriesStore } from '../../webview/src/run/seriesStore';

describe('webview: log axes', () => {
  it('turns zero and negative values into counted gaps', () => {
    const f = positiveOnly([1, 0, -2, NaN, 3]);
    assert.equal(f.hidden, 2);
    assert.deepEqual(
      Array.from(f.values).map((v) => (Number.isNaN(v) ? 'gap' : v)),
      [1, 'gap', 'gap', 'gap', 3],
    );
  });

  it('ranges from the smallest positive value when the range starts at or below zero', () => {
    assert.deepEqual(logRange(0, 100, 0.5), [0.5, 100]);
    assert.deepEqual(logRange(-3, 100, undefined), [1, 100]);
    assert.deepEqual(logRange(5, 5, undefined), [5, 50]);
  });

  it('drops step 0 on a log step axis, says so, and draws the rest', () => {
    const s = new SeriesStore();
    s.append([
      { step: 0, value: 2 },
      { step: 1, value: 1 },
      { step: 10, value: 0 },
      { step: 100, value: 0.5 },
    ]);
    const d = buildChartData([{ store: s, label: 'loss', runIndex: 0, metric: 'loss' }], {
      smoothing: 0,
      logX: true,
      logY: true,
      zoom: null,
      width: 400,
    });
    assert.deepEqual(d.data[0], [1, 10, 100]);
    assert.deepEqual(d.data[1], [1, null, 0.5]);
    assert.equal(d.hiddenByLog, 2, 'step 0 on x and the value 0 on y');
    assert.deepEqual(d.xRange, [1, 100]);
  });
});
