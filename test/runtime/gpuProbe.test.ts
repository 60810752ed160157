// The GPU verdict: probed once per machine in a short-lived child process (whose native output Dawn and Vulkan
// print is kept out of the learner's), cached until the packages or the driver change.
import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  cachedGpuVerdict,
  gpuCacheDir,
  probeInChild,
  probeKey,
  type GpuVerdict,
  type ProbeKey,
} from '../../templates/workspace/lab/runtime/gpuProbe';
import { REPO } from '../runner/harness';

const KEY: ProbeKey = {
  platform: 'linux',
  arch: 'x64',
  node: '20.20.2',
  host: 'box',
  packages: { webgpu: '0.6.2', '@tensorflow/tfjs-backend-webgpu': '4.22.0' },
  driver: 'vulkan icd lvp_icd.json 1234 5678',
};
const NONE: GpuVerdict = {
  adapter: null,
  nativeOutput: 'XDG_RUNTIME_DIR is invalid or not set\n',
  probedAt: '2026-12-03T00:00:00.000Z',
};

function counting(verdict: GpuVerdict): { probe: () => Promise<GpuVerdict>; calls: () => number } {
  let n = 0;
  return {
    probe: async () => {
      n++;
      return verdict;
    },
    calls: () => n,
  };
}

describe('runtime: the GPU verdict cache', () => {
  let file: string;
  beforeEach(() => {
    file = join(mkdtempSync(join(tmpdir(), 'mml-gpu-cache-')), 'gpu-probe.json');
  });

  it('probes once and reuses the verdict for the same packages and driver', async () => {
    const p = counting(NONE);
    const first = await cachedGpuVerdict(KEY, { file, probe: p.probe });
    const second = await cachedGpuVerdict(KEY, { file, probe: p.probe });
    assert.equal(p.calls(), 1);
    assert.deepEqual([first.cached, second.cached], [false, true]);
    assert.deepEqual(second.verdict, NONE);
  });

  it('probes again when a package version changes', async () => {
    const p = counting(NONE);
    await cachedGpuVerdict(KEY, { file, probe: p.probe });
    const again = await cachedGpuVerdict(
      { ...KEY, packages: { ...KEY.packages, webgpu: '0.6.3' } },
      { file, probe: p.probe },
    );
    assert.equal(p.calls(), 2);
    assert.equal(again.cached, false);
  });

  it('probes again when the driver changes, and keeps both verdicts', async () => {
    const p = counting(NONE);
    const other = { ...KEY, driver: 'nvidia 550.54.14' };
    await cachedGpuVerdict(KEY, { file, probe: p.probe });
    await cachedGpuVerdict(other, { file, probe: p.probe });
    await cachedGpuVerdict(KEY, { file, probe: p.probe });
    await cachedGpuVerdict(other, { file, probe: p.probe });
    assert.equal(p.calls(), 2);
  });

  it('fresh (Diagnose) probes again and replaces the cached verdict', async () => {
    await cachedGpuVerdict(KEY, { file, probe: counting(NONE).probe });
    const found: GpuVerdict = {
      adapter: { description: 'NVIDIA H200', vendor: 'nvidia' },
      nativeOutput: '',
      probedAt: '2026-12-04T00:00:00.000Z',
    };
    const fresh = await cachedGpuVerdict(KEY, { file, probe: counting(found).probe, fresh: true });
    assert.equal(fresh.cached, false);
    const later = await cachedGpuVerdict(KEY, { file, probe: counting(NONE).probe });
    assert.deepEqual([later.cached, later.verdict.adapter?.description], [true, 'NVIDIA H200']);
  });

  it('does not cache a probe that timed out (it may answer next time)', async () => {
    const timedOut: GpuVerdict = {
      adapter: null,
      error: 'the GPU probe did not answer within 20 s',
      timedOut: true,
      nativeOutput: '',
      probedAt: NONE.probedAt,
    };
    const p = counting(timedOut);
    await cachedGpuVerdict(KEY, { file, probe: p.probe });
    await cachedGpuVerdict(KEY, { file, probe: p.probe });
    assert.equal(p.calls(), 2);
  });

  it('a cache file that is not JSON is probed over and rewritten', async () => {
    writeFileSync(file, '{ not json');
    const p = counting(NONE);
    assert.equal((await cachedGpuVerdict(KEY, { file, probe: p.probe })).cached, false);
    assert.equal((await cachedGpuVerdict(KEY, { file, probe: p.probe })).cached, true);
    assert.ok(JSON.parse(readFileSync(file, 'utf8')));
  });

  it('lives in the OS cache folder, or in MULTIMODAL_LAB_CACHE_DIR', () => {
    assert.equal(gpuCacheDir({ MULTIMODAL_LAB_CACHE_DIR: '/x' }, 'linux', '/home/a'), '/x');
    assert.equal(gpuCacheDir({}, 'linux', '/home/a'), '/home/a/.cache/multimodal-lab');
    assert.equal(gpuCacheDir({ XDG_CACHE_HOME: '/c' }, 'linux', '/home/a'), '/c/multimodal-lab');
    assert.equal(gpuCacheDir({}, 'darwin', '/Users/a'), '/Users/a/Library/Caches/multimodal-lab');
    assert.equal(
      gpuCacheDir({ LOCALAPPDATA: 'C:\\Users\\a\\AppData\\Local' }, 'win32', 'C:\\Users\\a').replace(/\\/g, '/'),
      'C:/Users/a/AppData/Local/multimodal-lab/Cache',
    );
  });

  it("keys on the workspace's webgpu packages and on the driver", () => {
    const key = probeKey(createRequire(join(REPO, 'package.json')), () => 'driver X');
    assert.equal(
      key.packages.webgpu,
      (JSON.parse(readFileSync(join(REPO, 'node_modules/webgpu/package.json'), 'utf8')) as { version: string }).version,
    );
    assert.equal(key.driver, 'driver X');
    assert.equal(key.node, process.versions.node);
  });
});

describe('runtime: the GPU probe in a child process', function () {
  this.timeout(120_000);

  it("keeps what Dawn and Vulkan print out of this process's output, and says what it found", async () => {
    const writes: string[] = [];
    const original = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string | Uint8Array) => {
      writes.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
    let verdict: GpuVerdict;
    try {
      // A window far beyond the second the probe takes, so a busy machine cannot turn the verdict into "timed out".
      verdict = await probeInChild(createRequire(join(REPO, 'package.json')).resolve('webgpu'), 100_000);
    } finally {
      process.stderr.write = original;
    }
    assert.deepEqual(writes, []);
    assert.equal(verdict.error, undefined, verdict.nativeOutput);
    // This machine has no GPU: Dawn finds no adapter, or only Mesa's lavapipe (installed for the WebGPU suite).
    assert.ok(verdict.adapter === null || /llvmpipe/.test(`${verdict.adapter.description}`), JSON.stringify(verdict));
    assert.ok(!Number.isNaN(Date.parse(verdict.probedAt)));
  });
});
