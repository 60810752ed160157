// Training on wasm with the training kernels: the three reference models (small sizes) follow the cpu
// backend's loss curve to 1e-4 over 5 Adam steps, use no cpu-bridged kernel, and leak no tensor (neither
// engine tensors nor wasm-heap buffers) over 100 steps.
import * as assert from 'node:assert/strict';
import { convNet, unet, vit, type TrainableModel } from '../../bench/training/models';
import { setupBackends, tf, useBackend } from './backends';
import type { TrainingKernelReport } from '../../templates/workspace/lab/runtime/kernels';

const small: Record<string, () => TrainableModel> = {
  'conv net': () => convNet({ batch: 4, c1: 4, c2: 8, hidden: 16 }),
  'UNet (strided conv, upsampling, conv2dTranspose, concat skips, time embedding)': () =>
    unet({ batch: 3, ch: 4, temb: 8, size: 8 }),
  'transformer (patch and token embeddings, attention)': () =>
    vit({ batch: 3, dim: 16, depth: 2, heads: 2, patch: 4, image: 8, vocab: 20, textLen: 5, classes: 4 }),
};

/** Adam steps; `sameBatch` fits one batch (so the loss must fall), otherwise each step draws a new one. */
function train(model: TrainableModel, steps: number, sameBatch: boolean, onStep?: (step: number) => void): number[] {
  const opt = tf.train.adam(1e-2);
  const losses: number[] = [];
  for (let step = 0; step < steps; step++) {
    const inputs = model.batch(sameBatch ? 0 : step);
    const loss = opt.minimize(() => model.loss(inputs), true, model.params);
    losses.push(loss!.dataSync()[0]);
    loss!.dispose();
    inputs.forEach((t) => t.dispose());
    onStep?.(step);
  }
  opt.dispose();
  return losses;
}

function bridged(report: TrainingKernelReport): number {
  return Object.values(report.bridgeCalls).reduce((a, b) => a + b, 0);
}

describe('training on wasm with the training kernels', function () {
  this.timeout(120000);
  let report: TrainingKernelReport;
  before(async () => {
    report = await setupBackends();
  });

  for (const [name, make] of Object.entries(small)) {
    it(`${name}: loss matches cpu to 1e-4 over 5 steps, with no cpu-bridged kernel`, async () => {
      await useBackend('cpu');
      const onCpu = make();
      const cpuLosses = train(onCpu, 5, true);
      onCpu.dispose();
      await useBackend('wasm');
      const onWasm = make();
      const before = bridged(report);
      const wasmLosses = train(onWasm, 5, true);
      onWasm.dispose();
      assert.equal(bridged(report), before, `bridged kernels used: ${JSON.stringify(report.bridgeCalls)}`);
      cpuLosses.forEach((l, i) => {
        assert.ok(Number.isFinite(l), `cpu loss ${i} is ${l}`);
        assert.ok(
          Math.abs(wasmLosses[i] - l) <= 1e-4 * Math.max(1, Math.abs(l)),
          `step ${i}: wasm ${wasmLosses[i]} vs cpu ${l}`,
        );
      });
      assert.ok(cpuLosses[4] < cpuLosses[0], `loss should fall: ${cpuLosses}`);
    });

    it(`${name}: tensor and wasm-buffer counts stay flat over 100 steps`, async () => {
      await useBackend('wasm');
      const backend = tf.backend() as unknown as { numDataIds(): number };
      const model = make();
      const seen: Array<[number, number]> = [];
      train(model, 100, false, (step) => {
        if (step === 2 || step === 99) seen.push([tf.memory().numTensors, backend.numDataIds()]);
      });
      model.dispose();
      assert.deepEqual(seen[1], seen[0], `after step 3 [tensors, buffers] = ${seen[0]}, after step 100 = ${seen[1]}`);
    });
  }
});
