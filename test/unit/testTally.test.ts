import * as assert from 'node:assert/strict';
import { TestTally } from '../../src/core/testTally';

describe('TestTally: the k/n the tree shows after a test run', () => {
  it('counts tests errored by a file that failed to load as not passing', () => {
    const tally = new TestTally();
    tally.record('a.test.ts::x', 'passed');
    tally.record('b.test.ts::y', 'errored');
    tally.record('b.test.ts::z', 'errored');
    assert.deepEqual(tally.count(), { passed: 1, total: 3 });
  });

  it('gives a count to record when every file failed to load (no test ran)', () => {
    const tally = new TestTally();
    tally.record('wer.test.ts::a', 'errored');
    tally.record('wer.test.ts::b', 'errored');
    assert.deepEqual(tally.toRecord({ wholeExercise: true, cancelled: false }), { passed: 0, total: 2 });
  });

  it('keeps the first outcome of a test, and leaves skipped tests out of the total', () => {
    const tally = new TestTally();
    tally.record('t::a', 'failed');
    tally.record('t::a', 'errored');
    tally.record('t::b', 'skipped');
    tally.record('t::c', 'passed');
    assert.equal(tally.outcome('t::a'), 'failed');
    assert.deepEqual(tally.count(), { passed: 1, total: 2 });
  });

  it('records nothing for a cancelled run, a run of part of an exercise, or a run with no outcome', () => {
    const tally = new TestTally();
    tally.record('t::a', 'passed');
    assert.equal(tally.toRecord({ wholeExercise: true, cancelled: true }), undefined);
    assert.equal(tally.toRecord({ wholeExercise: false, cancelled: false }), undefined);
    assert.equal(new TestTally().toRecord({ wholeExercise: true, cancelled: false }), undefined);
    assert.deepEqual(tally.toRecord({ wholeExercise: true, cancelled: false }), { passed: 1, total: 1 });
  });
});
