import * as assert from 'node:assert/strict';
import { clampWeight, ema } from '../../webview/src/run/ema';

describe('webview: EMA smoothing', () => {
  it('matches a hand-computed debiased series', () => {
    // w = 0.5: biased 0.5, 1.75, 2.375; debias factors 0.5, 0.75, 0.875 -> 1, 2.3333…, 2.7142…
    const out = ema([1, 3, 3], 0.5);
    assert.equal(out[0], 1);
    assert.ok(Math.abs(out[1] - 7 / 3) < 1e-12);
    assert.ok(Math.abs(out[2] - 2.375 / 0.875) < 1e-12);
  });

  it('leaves gaps (null, NaN, Infinity) as NaN and does not let them reset or poison the average', () => {
    const out = ema([1, null, NaN, 3, Infinity, 3], 0.5);
    assert.equal(out[0], 1);
    assert.ok(Number.isNaN(out[1]) && Number.isNaN(out[2]) && Number.isNaN(out[4]));
    assert.ok(Math.abs(out[3] - 7 / 3) < 1e-12);
    assert.ok(Math.abs(out[5] - 2.375 / 0.875) < 1e-12);
  });

  it('is the identity at weight 0 and clamps bad weights', () => {
    assert.deepEqual(Array.from(ema([4, 5, 6], 0)), [4, 5, 6]);
    assert.equal(clampWeight(2), 0.99);
    assert.equal(clampWeight(-1), 0);
    assert.equal(clampWeight(NaN), 0);
  });
});
