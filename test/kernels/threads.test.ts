// Threaded wasm in Node (templates/workspace/lab/runtime/kernels/threads.ts): two XNNPACK threads start and train to
// the same losses as one, and a package without the threaded build falls back to one thread with the reason. Each case
// runs in a child process, since a process holds one wasm backend.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

interface Run {
  threads: number;
  fallback?: string;
  reported: number;
  losses: number[];
  error?: string;
}

function run(threads: number, packageDir?: string): Run {
  const fixture = path.join(__dirname, 'fixtures', 'threadedRun.ts');
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', fixture, String(threads), ...(packageDir ? [packageDir] : [])],
    { encoding: 'utf8', timeout: 60000, stdio: ['ignore', 'pipe', 'ignore'] },
  );
  const last = out.trim().split('\n').pop() ?? '';
  return JSON.parse(last) as Run;
}

describe('wasm threads in Node', function () {
  this.timeout(120000);

  it('runs two XNNPACK threads and trains to the single-thread losses', () => {
    const one = run(1);
    const two = run(2);
    assert.equal(one.error, undefined, one.error);
    assert.equal(two.error, undefined, two.error);
    assert.deepEqual([one.threads, one.reported], [1, 1]);
    assert.deepEqual([two.threads, two.reported, two.fallback], [2, 2, undefined]);
    two.losses.forEach((l, i) =>
      assert.ok(Math.abs(l - one.losses[i]) <= 1e-5 * Math.max(1, Math.abs(l)), `step ${i}: ${l} vs ${one.losses[i]}`),
    );
  });

  it('falls back to one thread, saying why, when the threaded build is missing', () => {
    const real = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
    const fake = mkdtempSync(path.join(os.tmpdir(), 'wasm-no-threads-'));
    symlinkSync(path.join(real, 'dist'), path.join(fake, 'dist'));
    symlinkSync(path.join(real, 'package.json'), path.join(fake, 'package.json'));
    const r = run(2, fake);
    rmSync(fake, { recursive: true, force: true });
    assert.equal(r.error, undefined, r.error);
    assert.equal(r.threads, 1);
    assert.match(r.fallback ?? '', /threaded wasm files missing/);
    assert.ok(r.losses.every(Number.isFinite));
  });
});
