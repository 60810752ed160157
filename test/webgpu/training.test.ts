// Training on webgpu: the bench's three reference models (small sizes) follow the cpu backend's loss over 5 Adam
// steps, and neither engine tensors nor GPU buffers grow over 20 steps.
import * as assert from 'node:assert/strict';
import { convNet, unet, vit, type TrainableModel } from '../../bench/training/models';
import { tf, use, webgpuReady } from './setup';

const small: Record<string, () => TrainableModel> = {
  'conv net': () => convNet({ batch: 4, c1: 4, c2: 8, hidden: 16 }),
  UNet: () => unet({ batch: 3, ch: 4, temb: 8, size: 8 }),
  'ViT with a text tower': () =>
    vit({ batch: 3, dim: 16, depth: 2, heads: 2, patch: 4, image: 8, vocab: 20, textLen: 5, classes: 4 }),
};

async function train(
  model: TrainableModel,
  steps: number,
  sameBatch: boolean,
  onStep?: (step: number) => void,
): Promise<number[]> {
  const opt = tf.train.adam(1e-2);
  const losses: number[] = [];
  for (let step = 0; step < steps; step++) {
    const inputs = model.batch(sameBatch ? 0 : step);
    const loss = opt.minimize(() => model.loss(inputs), true, model.params) as tf.Scalar;
    losses.push((await loss.data())[0]);
    loss.dispose();
    inputs.forEach((t) => t.dispose());
    onStep?.(step);
  }
  opt.dispose();
  return losses;
}

describe('webgpu: the bench models train as on cpu', function () {
  this.timeout(300_000);
  before(async () => {
    await webgpuReady();
  });

  for (const [name, make] of Object.entries(small)) {
    it(`${name}: 5 Adam steps within 1e-4 of cpu, and the loss falls`, async () => {
      await use('cpu');
      const onCpu = make();
      const cpu = await train(onCpu, 5, true);
      onCpu.dispose();
      await use('webgpu');
      const onGpu = make();
      const gpu = await train(onGpu, 5, true);
      onGpu.dispose();
      cpu.forEach((l, i) =>
        assert.ok(Math.abs(gpu[i] - l) <= 1e-4 * Math.max(1, Math.abs(l)), `step ${i}: webgpu ${gpu[i]} vs cpu ${l}`),
      );
      assert.ok(gpu[4] < gpu[0], `loss should fall: ${gpu}`);
    });

    it(`${name}: tensor and GPU-buffer counts stay flat over 20 steps`, async () => {
      await use('webgpu');
      const backend = tf.backend() as unknown as { numDataIds(): number };
      const model = make();
      const seen: Array<[number, number]> = [];
      await train(model, 20, false, (step) => {
        if (step === 2 || step === 19) seen.push([tf.memory().numTensors, backend.numDataIds()]);
      });
      model.dispose();
      assert.deepEqual(seen[1], seen[0], `after step 3 [tensors, buffers] = ${seen[0]}, after step 20 = ${seen[1]}`);
    });
  }
});
