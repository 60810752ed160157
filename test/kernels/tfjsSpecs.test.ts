// The training kernels against TensorFlow.js's own op specs (tfjs-core 4.22's jasmine specs for every op the
// kernels touch, run with tfjs-backend-wasm's own test set-up: an engine reset and a fresh wasm backend per
// describe block). Each configuration runs in a child process, since a process holds one wasm build:
// stock wasm and wasm + kernels, single-threaded and on 2 threads. A spec that passes on stock wasm must pass
// with the kernels, unless it asserts a stock result the kernels deliberately correct; those, and the specs
// that fail on both, are test/tfjs-specs/expected-failures.json, each with its reason, and that list must
// match the runs exactly.
// Also here: the two engine sequences that once broke the replacement kernels (an engine reset, and an
// install before wasm is initialised), each in its own process.
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import type { Comparison, SpecRun } from '../tfjs-specs/compare';
import { compareAt } from '../tfjs-specs/run';
import { relErr } from './gradcheck';

/** Specs of kernels stock wasm lacks (or gets wrong), one per kernel the training kernels add or bridge. */
const MUST_BE_FIXED = [
  'conv2d test-wasm {} gradient x=[2,3,3,1] f=[2,2,1,1] s=1 p=0', // Conv2DBackpropFilter
  'depthwiseConv2d gradients test-wasm {} wrt input', // DepthwiseConv2dNativeBackpropInput
  'depthwiseConv2d gradients test-wasm {} wrt filter', // DepthwiseConv2dNativeBackpropFilter
  'unsortedSegmentSum test-wasm {} tensor2D', // UnsortedSegmentSum
  'gather test-wasm {} gradient 2D (gather) axis=0 shape=[2, 2] 1D indices', // gather's gradient
];

for (const threads of [1, 2]) {
  describe(`tfjs-core op specs on wasm + training kernels, ${threads === 1 ? 'single-threaded' : `${threads} XNNPACK threads`}`, function () {
    // About 15 s single-threaded and 70 s threaded for both runs on an idle 2-core machine; far more when shared.
    this.timeout(900000);
    let c: Comparison;
    let kernels: SpecRun;
    before(async () => {
      ({ comparison: c, kernels } = await compareAt(threads));
    });

    it(`runs the same specs on stock wasm and with the kernels, on ${threads} thread(s), without hook errors`, () => {
      assert.deepEqual(c.notInBoth, []);
      assert.ok(
        c.counts.stock.passed + c.counts.stock.failed > 500,
        `only ${c.counts.stock.passed + c.counts.stock.failed} specs ran`,
      );
      assert.deepEqual(
        c.problems.filter((p) => /threads|fell back|suite error/.test(p)),
        [],
      );
    });

    it('fails no spec that passes on stock wasm', () => {
      assert.deepEqual(c.regressions, [], c.problems.join('\n'));
    });

    it('fails exactly the specs in expected-failures.json, each as listed there', () => {
      assert.deepEqual(
        {
          unexpected: c.unexpectedFailures,
          nowPassing: c.nowPassing,
          notRun: c.unknownExpected,
          passOnStock: c.passesOnStock,
          staleDifferences: c.staleDifferences,
        },
        { unexpected: [], nowPassing: [], notRun: [], passOnStock: [], staleDifferences: [] },
        c.problems.join('\n'),
      );
    });

    it('passes the specs of kernels stock wasm lacks, and of the ones it bridges to cpu', () => {
      for (const name of MUST_BE_FIXED) assert.ok(c.fixed.includes(name), `not fixed by the kernels: ${name}`);
      assert.ok(
        c.fixed.some((n) => n.startsWith('einsum ')) && kernels.bridgeCalls.Einsum > 0,
        'einsum specs did not pass through the cpu bridge',
      );
      assert.ok(
        c.fixed.some((n) => n.startsWith('raggedGather ')) && kernels.bridgeCalls.RaggedGather > 0,
        'raggedGather specs (tensor-list inputs) did not pass through the cpu bridge',
      );
    });
  });
}

interface Lifecycle {
  wasm?: number[][];
  cpu?: number[];
  error?: string;
}

function lifecycle(sequence: 'reset' | 'install-first'): Promise<Lifecycle> {
  const fixture = path.join(__dirname, '..', 'tfjs-specs', 'engineLifecycle.ts');
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', fixture, sequence],
      { timeout: 120000, encoding: 'utf8' },
      (error, stdout) => {
        const last = stdout.trim().split('\n').pop() ?? '';
        try {
          resolve(JSON.parse(last) as Lifecycle);
        } catch {
          reject(new Error(`engine lifecycle fixture (${sequence}) printed no result: ${error?.message ?? last}`));
        }
      },
    );
  });
}

describe('training kernels across the engine lifecycle', function () {
  this.timeout(180000);

  it('survive tf.engine().reset() and a new setBackend("wasm"): the loss and gradients match cpu before and after', async () => {
    const r = await lifecycle('reset');
    assert.equal(r.error, undefined, r.error);
    assert.equal(r.wasm?.length, 2);
    r.wasm!.forEach((w, i) =>
      assert.ok(relErr(w, r.cpu!) <= 1e-5, `${i === 0 ? 'before' : 'after'} the reset: rel err ${relErr(w, r.cpu!)}`),
    );
  });

  it('work when installed before wasm is initialised: the loss and gradients match cpu', async () => {
    const r = await lifecycle('install-first');
    assert.equal(r.error, undefined, r.error);
    assert.equal(r.wasm?.length, 1);
    assert.ok(relErr(r.wasm![0], r.cpu!) <= 1e-5, `rel err ${relErr(r.wasm![0], r.cpu!)}`);
  });
});
