// The WebGPU suite's set-up: the workspace runtime's ladder, forced to webgpu, in this process. On a machine
// without a GPU it needs a software Vulkan driver that Dawn accepts: Mesa ≥ 25's lavapipe (Debian 12:
// `apt-get install -t bookworm-backports mesa-vulkan-drivers libdrm2 libdrm-amdgpu1`, plus libvulkan1).
// Without an adapter the suite fails at once with that instruction; it never skips.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {
  selectBackend,
  installTrainingKernels,
  type BackendReport,
  type TfCore,
} from '../../templates/workspace/lab/runtime/index';

const REPO = join(__dirname, '..', '..');
let ready: Promise<BackendReport> | undefined;

/** Selects webgpu (forced: lavapipe is a software adapter) and installs the cpu kernel fixes for the reference. */
export function webgpuReady(): Promise<BackendReport> {
  ready ??= (async () => {
    const req = createRequire(join(REPO, 'package.json'));
    const report = await selectBackend({ require: req, tf }, { preference: 'webgpu' }).catch((err: unknown) => {
      throw new Error(
        `${err instanceof Error ? err.message : String(err)}\nThe WebGPU suite needs a Vulkan, Metal or D3D12 adapter. ` +
          'Without a GPU on Debian 12: apt-get install -t bookworm-backports mesa-vulkan-drivers libdrm2 libdrm-amdgpu1 && apt-get install libvulkan1, ' +
          'and set XDG_RUNTIME_DIR (and VK_ICD_FILENAMES=/usr/share/vulkan/icd.d/lvp_icd.json if several drivers are installed).',
      );
    });
    installTrainingKernels(tf as unknown as TfCore);
    return report;
  })();
  return ready;
}

/** Switches backends, failing loudly if tfjs fell back to another one. */
export async function use(name: 'cpu' | 'webgpu'): Promise<void> {
  const ok = await tf.setBackend(name);
  await tf.ready();
  if (!ok || tf.getBackend() !== name) throw new Error(`backend ${name} requested, got ${tf.getBackend()}`);
}

export { tf };
