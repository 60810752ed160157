// The verdicts of the tfjs spec comparison (test/tfjs-specs/compare.ts) on small made-up runs: what counts as a
// regression, what the expected-failures list must match, and how repeated spec names are told apart.
import * as assert from 'node:assert/strict';
import { compareRuns, keyed, loadExpected, type Expected, type SpecOutcome, type SpecRun } from '../tfjs-specs/compare';

function run(mode: SpecRun['mode'], specs: [string, SpecOutcome['status']][]): SpecRun {
  return {
    mode,
    threads: 1,
    threadsReported: 1,
    fallbacks: [],
    suiteErrors: [],
    seconds: 1,
    bridgeCalls: {},
    specs: specs.map(([name, status]) =>
      status === 'failed' ? { name, status, message: `${name} failed` } : { name, status },
    ),
  };
}

const none: Expected = { failOnStockToo: [], intendedDifferences: [] };

describe('tfjs spec comparison', () => {
  it('calls a spec that passes on stock and fails with the kernels a regression, even when it is listed', () => {
    const expected: Expected = { failOnStockToo: [{ reason: 'r', specs: ['b'] }], intendedDifferences: [] };
    const c = compareRuns(
      run('stock', [
        ['a', 'passed'],
        ['b', 'passed'],
      ]),
      run('kernels', [
        ['a', 'passed'],
        ['b', 'failed'],
      ]),
      expected,
    );
    assert.deepEqual(c.regressions, ['b']);
    assert.deepEqual(c.passesOnStock, ['b']);
    assert.match(c.problems.join('\n'), /pass on stock wasm but fail with the training kernels:\n {4}b\n {6}b failed/);
  });

  it('counts a spec that went missing with the kernels as a regression', () => {
    const c = compareRuns(
      run('stock', [
        ['a', 'passed'],
        ['b', 'passed'],
      ]),
      run('kernels', [['a', 'passed']]),
      none,
    );
    assert.deepEqual(c.regressions, ['b']);
    assert.deepEqual(c.notInBoth, ['b']);
  });

  it('reports a failure on both that is not listed, and a listed spec that now passes', () => {
    const expected: Expected = { failOnStockToo: [{ reason: 'r', specs: ['b', 'gone'] }], intendedDifferences: [] };
    const c = compareRuns(
      run('stock', [
        ['a', 'failed'],
        ['b', 'failed'],
      ]),
      run('kernels', [
        ['a', 'failed'],
        ['b', 'passed'],
      ]),
      expected,
    );
    assert.deepEqual(
      [c.regressions, c.unexpectedFailures, c.nowPassing, c.unknownExpected, c.fixed],
      [[], ['a'], ['b'], ['gone'], ['b']],
    );
    assert.equal(c.problems.length, 3);
  });

  it('accepts a listed intended difference only while it passes on stock and fails with the kernels', () => {
    const expected: Expected = { failOnStockToo: [], intendedDifferences: [{ reason: 'r', specs: ['a', 'b'] }] };
    const c = compareRuns(
      run('stock', [
        ['a', 'passed'],
        ['b', 'passed'],
      ]),
      run('kernels', [
        ['a', 'failed'],
        ['b', 'passed'],
      ]),
      expected,
    );
    assert.deepEqual(
      [c.regressions, c.unexpectedFailures, c.intendedDifferences, c.staleDifferences],
      [[], [], ['a'], ['b']],
    );
    assert.equal(c.problems.length, 1);
  });

  it('finds nothing to report when the runs match the list', () => {
    const expected: Expected = { failOnStockToo: [{ reason: 'r', specs: ['b'] }], intendedDifferences: [] };
    const c = compareRuns(
      run('stock', [
        ['a', 'passed'],
        ['b', 'failed'],
        ['c', 'failed'],
      ]),
      run('kernels', [
        ['a', 'passed'],
        ['b', 'failed'],
        ['c', 'passed'],
      ]),
      expected,
    );
    assert.deepEqual(c.problems, []);
    assert.deepEqual(c.fixed, ['c']);
    assert.deepEqual(c.counts, { stock: { passed: 1, failed: 2 }, kernels: { passed: 2, failed: 1 } });
  });

  it('reports a wasm backend that came back on fewer threads after a reset', () => {
    const kernels = {
      ...run('kernels', [['a', 'passed']]),
      threads: 2,
      threadsReported: 2,
      fallbacks: ['threaded wasm start did not finish'],
    };
    const c = compareRuns({ ...run('stock', [['a', 'passed']]), threads: 2, threadsReported: 2 }, kernels, none);
    assert.match(c.problems.join('\n'), /fell back: threaded wasm start/);
  });

  it('tells repeated spec names apart by their order', () => {
    const k = keyed([
      { name: 'x', status: 'passed' },
      { name: 'x', status: 'failed' },
      { name: 'y', status: 'passed' },
    ]);
    assert.deepEqual([...k.keys()], ['x', 'x #2', 'y']);
    assert.equal(k.get('x #2')?.status, 'failed');
  });

  it('reads the checked-in list: every group has a reason, and no spec is listed twice', () => {
    const expected = loadExpected();
    assert.ok(expected.failOnStockToo.length > 0);
    for (const g of [...expected.failOnStockToo, ...expected.intendedDifferences])
      assert.ok(g.reason.length > 40, `a reason too short to explain: ${g.reason}`);
  });
});
