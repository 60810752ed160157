import * as assert from 'node:assert/strict';
import { jobBase, machineLadder, makeWorkspace, only, run, types } from './harness';

describe('runner: diagnose', function () {
  this.timeout(60_000);

  it('walks the whole ladder and benchmarks every rung that loads', async () => {
    const { events, exit } = await run({ ...jobBase(makeWorkspace()), kind: 'diagnose' });
    assert.deepEqual(types(events), ['hello', 'backend']);
    assert.equal(exit.code, 0);
    const backend = only(events, 'backend')[0];
    assert.equal(backend.active, 'wasm', JSON.stringify(backend.ladder));
    const byName = Object.fromEntries(backend.ladder.map((r) => [r.backend, r]));
    assert.deepEqual(
      backend.ladder.map((r) => [r.backend, r.status]),
      machineLadder('available'),
    );
    assert.match(byName.tensorflow.reason, /^@tensorflow\/tfjs-node not installed/);
    assert.ok((byName.wasm.gflops ?? 0) > 0.5, `wasm matmul ${byName.wasm.gflops} GFLOP/s`);
    assert.ok(
      (byName.cpu.gflops ?? 0) > 0 && (byName.cpu.gflops ?? 0) < (byName.wasm.gflops ?? 0),
      `cpu ${byName.cpu.gflops} < wasm`,
    );
    assert.equal(byName['tensorflow-gpu'].gflops, undefined);
    // The training-step benchmark: a small conv net's forward, backward and Adam update on each rung that loads.
    assert.ok((byName.wasm.trainStepsPerSecond ?? 0) > 1, `wasm ${byName.wasm.trainStepsPerSecond} train steps/s`);
    assert.ok(
      (byName.cpu.trainStepsPerSecond ?? 0) > 0 &&
        (byName.cpu.trainStepsPerSecond ?? 0) < (byName.wasm.trainStepsPerSecond ?? 0),
      `cpu ${byName.cpu.trainStepsPerSecond} < wasm ${byName.wasm.trainStepsPerSecond} train steps/s`,
    );
    assert.equal(byName['tensorflow-gpu'].trainStepsPerSecond, undefined);
    // This machine has no NVIDIA driver; a learner's GPU box lists its devices here.
    assert.deepEqual(backend.gpus, ['none: no NVIDIA driver at /proc/driver/nvidia/gpus']);
  });
});
