// The report of installTrainingKernels: what it registered, that a second call changes nothing, and that a
// kernel wasm lacks runs through the counted cpu bridge with the right values.
import * as assert from 'node:assert/strict';
import { describeTrainingKernels, installTrainingKernels } from '../../templates/workspace/lab/runtime/kernels';
import { setupBackends, tf, useBackend } from './backends';

describe('installTrainingKernels report', function () {
  this.timeout(30000);
  before(setupBackends);

  it('lists every added, replaced and bridged kernel with its backend', async () => {
    const report = await setupBackends();
    const byKernel = (backend: string, change: string) =>
      report.changes
        .filter((c) => c.backend === backend && c.change === change)
        .map((c) => c.kernel)
        .sort();
    assert.deepEqual(byKernel('wasm', 'added'), [
      'Conv2DBackpropFilter',
      'DepthwiseConv2dNativeBackpropFilter',
      'DepthwiseConv2dNativeBackpropInput',
      'UnsortedSegmentSum',
    ]);
    assert.deepEqual(byKernel('wasm', 'replaced'), [
      'AvgPoolGrad',
      'BatchMatMul',
      'Conv2D',
      'Conv2DBackpropInput',
      'DepthwiseConv2dNative',
      'FusedConv2D',
      'FusedDepthwiseConv2D',
      'Identity',
      'MaxPoolGrad',
      'ResizeBilinearGrad',
      'ResizeNearestNeighborGrad',
      'SplitV',
      'Sum',
      'Tanh',
    ]);
    assert.deepEqual(byKernel('cpu', 'replaced'), ['AvgPoolGrad', 'ResizeBilinearGrad', 'ResizeNearestNeighborGrad']);
    assert.deepEqual(byKernel('all', 'replaced'), ['BatchMatMul gradient']);
    assert.ok(byKernel('wasm', 'bridged').includes('Einsum'));
    assert.equal(report.tfjsVersion, '4.22.0');
    assert.equal(report.wasmLoaded, true);
    assert.equal(report.gradientsRegistered, true);
    assert.match(describeTrainingKernels(report).join('\n'), /wasm Conv2DBackpropFilter: added/);
  });

  it('returns the first report when called again, registering nothing twice', async () => {
    const first = await setupBackends();
    const count = first.changes.length;
    assert.equal(installTrainingKernels(tf), first);
    assert.equal(first.changes.length, count);
  });

  it('counts a bridged kernel (einsum) and returns the cpu result', async () => {
    const report = await setupBackends();
    await useBackend('wasm');
    const before = report.bridgeCalls.Einsum;
    const out = tf.tidy(() =>
      tf
        .einsum(
          'ij,jk->ik',
          tf.tensor2d([
            [1, 2],
            [3, 4],
          ]),
          tf.tensor2d([[5], [6]]),
        )
        .arraySync(),
    );
    assert.deepEqual(out, [[17], [39]]);
    assert.equal(report.bridgeCalls.Einsum, before + 1);
    assert.match(describeTrainingKernels(report).join('\n'), /Einsum×/);
  });
});
