import * as assert from 'node:assert/strict';
import { buildChartData, lastRawValue, MIN_POINTS_TO_SMOOTH } from '../../webview/src/run/chartData';
import { SeriesStore } from '../../webview/src/run/seriesStore';

function store(values: readonly (number | null)[], firstStep = 0, every = 25): SeriesStore {
  const s = new SeriesStore();
  s.append(values.map((value, i) => ({ step: firstStep + i * every, value })));
  return s;
}

const OPTIONS = { smoothing: 0.6, logX: false, logY: false, zoom: null, width: 600 } as const;

describe('webview: chart data for short and long series', () => {
  it('does not smooth a short series: the bold line is the true value (5 WER points end at 11.6%, not ~14%)', () => {
    const wer = store([0.407, 0.3, 0.2, 0.15, 0.116]);
    const built = buildChartData([{ store: wer, label: 'wer/B', runIndex: 0, metric: 'wer/B' }], OPTIONS);
    assert.deepEqual(
      built.series.map((s) => [s.label, s.raw]),
      [['wer/B', false]],
      'one bold line, no faint raw copy',
    );
    assert.deepEqual(built.data[1], [0.407, 0.3, 0.2, 0.15, 0.116]);
  });

  it('smooths a series once it is long enough, behind its faint raw points', () => {
    const loss = store(
      Array.from({ length: MIN_POINTS_TO_SMOOTH }, (_, i) => 1 / (i + 1)),
      1,
      1,
    );
    const built = buildChartData([{ store: loss, label: 'loss', runIndex: 0, metric: 'loss' }], OPTIONS);
    assert.deepEqual(
      built.series.map((s) => [s.label, s.raw]),
      [
        ['loss (raw)', true],
        ['loss', false],
      ],
    );
  });

  it('reads the raw last value and its step, whatever the smoothing', () => {
    assert.deepEqual(lastRawValue(store([0.407, 0.3, 0.116])), { step: 50, value: 0.116 });
    assert.deepEqual(lastRawValue(store([2, null])), { step: 25, value: null });
    assert.equal(lastRawValue(new SeriesStore()), undefined);
  });
});
