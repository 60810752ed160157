// The workspace runtime from a terminal: `lab.run` and the workspace's `npm test` pick their backend with the same
// ladder, kernels and threads as the extension's runner, print the same "Running on … because …" line, and honour
// MULTIMODAL_LAB_BACKEND. Each case runs in a child process, as a learner's terminal would.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { workspaceTemplateFiles } from '../../src/core/scaffold';
import { REPO, writeFile } from '../runner/harness';

const PROBE = `import * as tf from '@tensorflow/tfjs';
import { lab } from '../../lab';

async function main(): Promise<void> {
  console.log(\`probe backend=\${tf.getBackend()} conv2dGrad=\${tf.getKernel('Conv2DBackpropFilter', tf.getBackend()) !== undefined}\`);
  lab.scalar('loss', 1, 0);
}

lab.run(main);
`;

const TEST = `import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';

describe('probe', () => {
  it('runs on the backend the runtime chose', () => {
    console.log(\`probe backend=\${tf.getBackend()} conv2dGrad=\${tf.getKernel('Conv2DBackpropFilter', tf.getBackend()) !== undefined}\`);
    assert.ok(tf.getBackend());
  });
});
`;

function workspace(): string {
  // As Start Exercise lays it out: the workspace template (package.json, tsconfig, lab/) and one exercise.
  const ws = mkdtempSync(join(tmpdir(), 'mml-runtime-'));
  cpSync(join(REPO, 'templates/workspace'), ws, { recursive: true });
  symlinkSync(join(REPO, 'node_modules'), join(ws, 'node_modules'), 'dir');
  writeFile(ws, 'exercises/probe/train.ts', PROBE);
  writeFile(ws, 'exercises/probe/tests/probe.test.ts', TEST);
  return ws;
}

function terminal(ws: string, args: string[], env: Record<string, string> = {}): { status: number | null; out: string } {
  const r = spawnSync(args[0], args.slice(1), {
    cwd: ws, encoding: 'utf8', timeout: 240_000,
    env: { ...process.env, MULTIMODAL_LAB_RUN_DIR: '', MULTIMODAL_LAB_RUNNER: '', MULTIMODAL_LAB_BACKEND: '', ...env },
  });
  return { status: r.status, out: `${r.stdout}\n${r.stderr}` };
}

const tsx = (ws: string, env?: Record<string, string>) => terminal(ws, [process.execPath, '--import', 'tsx', 'exercises/probe/train.ts'], env);

function lastMeta(ws: string): { status: string; reason?: string } {
  const runs = join(ws, '.multimodal-lab/runs/probe');
  const dir = readdirSync(runs).sort().at(-1) as string;
  return JSON.parse(readFileSync(join(runs, dir, 'meta.json'), 'utf8')) as { status: string; reason?: string };
}

describe('runtime: the same ladder from a terminal', function () {
  this.timeout(300_000);
  let ws: string;
  before(() => { ws = workspace(); });

  it('lab.run selects wasm with its threads and the training kernels, says why, and ends the process', () => {
    const { status, out } = tsx(ws);
    assert.equal(status, 0, out);
    assert.match(out, /\[lab\] Running on wasm \(WebAssembly \(XNNPACK\), SIMD on, \d+ thread\(s\)\) because tensorflow-gpu: /);
    assert.match(out, /probe backend=wasm conv2dGrad=true/);
    assert.equal(lastMeta(ws).status, 'finished');
  });

  it('MULTIMODAL_LAB_BACKEND forces a rung, as the extension setting does', () => {
    const { status, out } = tsx(ws, { MULTIMODAL_LAB_BACKEND: 'cpu' });
    assert.equal(status, 0, out);
    assert.match(out, /\[lab\] Running on cpu \(pure JavaScript/);
    assert.match(out, /probe backend=cpu/);
  });

  it('an unknown MULTIMODAL_LAB_BACKEND ends the run as crashed with the valid values', () => {
    const { status, out } = tsx(ws, { MULTIMODAL_LAB_BACKEND: 'cuda' });
    assert.equal(status, 1, out);
    assert.match(out, /MULTIMODAL_LAB_BACKEND=cuda is not a backend\. Use one of: auto, tensorflow-gpu, tensorflow, webgpu, wasm, cpu\./);
    assert.doesNotMatch(out, /probe backend=/);
    const meta = lastMeta(ws);
    assert.equal(meta.status, 'crashed');
    assert.match(meta.reason ?? '', /is not a backend/);
  });

  it('a forced rung that cannot load is an error, never a silent fallback', () => {
    const { status, out } = tsx(ws, { MULTIMODAL_LAB_BACKEND: 'tensorflow' });
    assert.equal(status, 1, out);
    assert.match(out, /The backend tensorflow, forced in the settings, could not start: tensorflow: @tensorflow\/tfjs-node not installed/);
    assert.doesNotMatch(out, /probe backend=/);
  });

  it("the workspace's npm test runs on the same rung through the mocha root hook, and exits", () => {
    const { status, out } = terminal(ws, ['npm', 'test', '--silent']);
    assert.equal(status, 0, out);
    assert.match(out, /\[lab\] Running on wasm \(WebAssembly \(XNNPACK\), SIMD on, \d+ thread\(s\)\)/);
    assert.match(out, /probe backend=wasm conv2dGrad=true/);
    assert.match(out, /1 passing/);
  });
});

describe('runtime: shipped into the workspace by Start Exercise', () => {
  it('the workspace template carries the ladder, the kernels, the threads and the mocha root hook', async () => {
    
    const dests = (await workspaceTemplateFiles(join(REPO, 'templates'))).map((f) => f.dest);
    for (const f of ['lab/runtime/index.ts', 'lab/runtime/ladder.ts', 'lab/runtime/mocha.ts', 'lab/runtime/syncReads.ts',
      'lab/runtime/limitations.ts', 'lab/runtime/version.ts', 'lab/runtime/kernels/index.ts', 'lab/runtime/kernels/threads.ts']) {
      assert.ok(dests.includes(f), `${f} is not scaffolded`);
    }
    const pkg = JSON.parse(readFileSync(join(REPO, 'templates/workspace/package.json'), 'utf8')) as { scripts: { test: string } };
    assert.match(pkg.scripts.test, /--require lab\/runtime\/mocha\.ts/);
  });
});
