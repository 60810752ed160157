import * as assert from 'node:assert/strict';
import { frameAt, resolveCursor, snapAtOrBefore, unionSteps } from '../../webview/src/run/cursor';

describe('webview: the shared step cursor', () => {
  const steps = [0, 100, 200, 500];

  it('snaps to the nearest logged step at or before the cursor', () => {
    assert.equal(snapAtOrBefore(steps, 100), 1);
    assert.equal(snapAtOrBefore(steps, 199), 1);
    assert.equal(snapAtOrBefore(steps, 499), 2);
  });

  it('has nothing before the first step and keeps the last one after the last step', () => {
    assert.equal(snapAtOrBefore([50, 100], 10), -1);
    assert.equal(snapAtOrBefore(steps, 10_000), 3);
    assert.equal(snapAtOrBefore([], 5), -1);
  });

  it('picks each series its own frame for one cursor', () => {
    const samples = [{ step: 0 }, { step: 300 }];
    const reverse = [{ step: 250 }];
    assert.equal(frameAt(samples, 260)?.step, 0);
    assert.equal(frameAt(reverse, 260)?.step, 250);
    assert.equal(frameAt(reverse, 100), undefined);
    assert.equal(frameAt(samples, undefined), undefined);
  });

  it('unions steps sorted without duplicates and resolves a saved cursor', () => {
    const u = unionSteps([300, 0, 100], [100, 250], [NaN]);
    assert.deepEqual(u, [0, 100, 250, 300]);
    assert.equal(resolveCursor(u, null), 300, 'null follows the latest step');
    assert.equal(resolveCursor(u, 260), 250);
    assert.equal(resolveCursor(u, -5), 0);
    assert.equal(resolveCursor([], 5), undefined);
  });
});
