// The ladder's webgpu rung: a software adapter is never chosen on `auto`, and a synchronous read on a GPU backend
// teaches instead of failing with tfjs' "OffscreenCanvas is not defined".
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { laddersAgree, workspaceRuntimeNote } from '../../src/runner/backend';
import { RUNTIME_VERSION } from '../../templates/workspace/lab/runtime/version';
import { isSoftwareAdapter } from '../../templates/workspace/lab/runtime/ladder';
import { SyncReadError, guardSyncReads } from '../../templates/workspace/lab/runtime/syncReads';

function ladderWith(adapterInfo: object): {
  active: string;
  why: string;
  ladder: { backend: string; status: string; reason: string }[];
} {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(__dirname, 'fixtures/softwareAdapter.ts'), JSON.stringify(adapterInfo)],
    { encoding: 'utf8', timeout: 120_000 },
  );
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').at(-1) as string);
}

describe('runtime: the webgpu rung', function () {
  this.timeout(150_000);

  it('recognises software adapters by the fallback flag and by name', () => {
    assert.equal(isSoftwareAdapter({ info: { isFallbackAdapter: true, description: 'x' } }), true);
    assert.equal(isSoftwareAdapter({ isFallbackAdapter: true }), true);
    assert.equal(isSoftwareAdapter({ info: { description: 'llvmpipe (LLVM 19.1.7, 256 bits)' } }), true);
    assert.equal(isSoftwareAdapter({ info: { description: 'SwiftShader Device (Subzero)' } }), true);
    assert.equal(
      isSoftwareAdapter({ info: { description: 'NVIDIA H200', vendor: 'nvidia', isFallbackAdapter: false } }),
      false,
    );
    assert.equal(isSoftwareAdapter({ info: { description: 'Apple M2 Pro', vendor: 'apple' } }), false);
  });

  it('on auto with only a software adapter, picks wasm and says why webgpu was skipped', () => {
    const report = ladderWith({
      description: 'llvmpipe (LLVM 19.1.7, 256 bits)',
      vendor: 'mesa',
      isFallbackAdapter: true,
    });
    assert.equal(report.active, 'wasm');
    const webgpu = report.ladder.find((r) => r.backend === 'webgpu');
    assert.equal(webgpu?.status, 'skipped');
    assert.match(
      webgpu?.reason ?? '',
      /^software adapter only \(llvmpipe \(LLVM 19\.1\.7, 256 bits\), mesa\): it emulates a GPU on the CPU, about 18× slower than wasm; force webgpu to use it anyway$/,
    );
    assert.match(report.why, /^Running on wasm \(.*\) because .*webgpu: software adapter only/);
  });

  describe('synchronous reads on a GPU backend', () => {
    class FakeTensor {
      dataSync(): unknown {
        throw new ReferenceError('OffscreenCanvas is not defined');
      }
      arraySync(): unknown {
        return this.dataSync();
      }
      bufferSync(): unknown {
        throw new RangeError('something else');
      }
    }
    before(() => guardSyncReads({ Tensor: FakeTensor, getBackend: () => 'webgpu' }));

    it('dataSync says what to write instead, and why', () => {
      assert.throws(
        () => new FakeTensor().dataSync(),
        (err: unknown) => {
          assert.ok(err instanceof SyncReadError);
          assert.match(
            err.message,
            /^t\.dataSync\(\) cannot read a tensor on the webgpu backend in Node: .* Write `await t\.data\(\)` instead, and make the enclosing function async/,
          );
          assert.match(err.message, /\(tfjs said: OffscreenCanvas is not defined\)$/);
          return true;
        },
      );
    });

    it('arraySync, which reads through dataSync, names the call the learner wrote', () => {
      assert.throws(
        () => new FakeTensor().arraySync(),
        /^SyncReadError: t\.arraySync\(\) cannot read .* Write `await t\.array\(\)` instead/,
      );
    });

    it('other errors pass through unchanged', () => {
      assert.throws(
        () => new FakeTensor().bufferSync(),
        (err: unknown) => err instanceof RangeError && err.message === 'something else',
      );
    });
  });
});

describe('runtime: the webgpu rung asks the GPU verdict, probed once per machine', function () {
  this.timeout(150_000);
  type Report = {
    active: string;
    why: string;
    ladder: { backend: string; status: string; reason: string }[];
    dawnLoaded: boolean;
  };
  function ladderIn(cacheDir: string): { report: Report; stderr: string } {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, 'fixtures/ladderCache.ts')], {
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, MULTIMODAL_LAB_CACHE_DIR: cacheDir },
    });
    assert.equal(r.status, 0, r.stderr);
    return { report: JSON.parse(r.stdout.trim().split('\n').at(-1) as string) as Report, stderr: r.stderr };
  }

  it('probes in a child process the first time, so nothing Dawn or Vulkan prints reaches this process, and caches the verdict', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mml-gpu-verdict-'));
    const { report, stderr } = ladderIn(dir);
    assert.equal(report.active, 'wasm');
    // No GPU here: Dawn finds no adapter, or only Mesa's lavapipe, which auto never picks.
    assert.match(
      report.ladder[2].reason,
      /^(no adapter: webgpu \(Dawn\) loaded but found no GPU adapter|software adapter only \(llvmpipe)/,
    );
    assert.equal(report.dawnLoaded, false, 'Dawn was loaded in the process that runs the learner code');
    assert.doesNotMatch(stderr, /Warning: maxDynamic|XDG_RUNTIME_DIR|Vulkan|Dawn/i);
    assert.match(report.why, /^Running on wasm .* because .*webgpu: /);
    const cache = JSON.parse(readFileSync(join(dir, 'gpu-probe.json'), 'utf8')) as {
      entries: Record<string, { verdict: { probedAt: string } }>;
    };
    assert.equal(Object.keys(cache.entries).length, 1);
  });

  it('a cached verdict of "no adapter" skips webgpu without loading Dawn', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mml-gpu-verdict-'));
    ladderIn(dir);
    const file = join(dir, 'gpu-probe.json');
    const cache = JSON.parse(readFileSync(file, 'utf8')) as { entries: Record<string, { verdict: object }> };
    for (const e of Object.values(cache.entries))
      e.verdict = { adapter: null, nativeOutput: '', probedAt: '2026-12-01T00:00:00.000Z' };
    writeFileSync(file, JSON.stringify(cache));
    const { report } = ladderIn(dir);
    assert.equal(report.ladder[2].status, 'skipped');
    assert.match(report.ladder[2].reason, /^no adapter: webgpu \(Dawn\) loaded but found no GPU adapter/);
    assert.equal(report.dawnLoaded, false);
  });
});

describe('runtime: the protocol and the runtime name one ladder', () => {
  it('lists the same rungs in the same order', () => {
    assert.equal(laddersAgree(), true);
  });
});

describe("runtime: the workspace's copy against the extension's", () => {
  it('says nothing when the versions agree, and names both when they differ', () => {
    const ws = mkdtempSync(join(tmpdir(), 'mml-runtime-version-'));
    assert.equal(workspaceRuntimeNote(ws), undefined, 'no copy: nothing to compare');
    mkdirSync(join(ws, 'lab', 'runtime'), { recursive: true });
    copyFileSync(
      join(__dirname, '../../templates/workspace/lab/runtime/version.ts'),
      join(ws, 'lab/runtime/version.ts'),
    );
    assert.equal(workspaceRuntimeNote(ws), undefined);
    writeFileSync(join(ws, 'lab/runtime/version.ts'), "export const RUNTIME_VERSION = '1';\n");
    assert.match(
      workspaceRuntimeNote(ws) ?? '',
      new RegExp(
        `^This workspace's lab/runtime is version 1, the extension's is ${RUNTIME_VERSION}: runs from a terminal use the workspace's copy\\.`,
      ),
    );
  });
});
