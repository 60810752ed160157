// The workspace runtime from a terminal: `lab.run` and the workspace's `npm test` pick their backend with the same
// ladder, kernels and threads as the extension's runner, print the same "Running on … because …" line, and honour
// MULTIMODAL_LAB_BACKEND. Each case runs in a child process, as a learner's terminal would.
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
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

function terminal(
  ws: string,
  args: string[],
  env: Record<string, string> = {},
): { status: number | null; out: string } {
  const r = spawnSync(args[0], args.slice(1), {
    cwd: ws,
    encoding: 'utf8',
    timeout: 240_000,
    env: { ...process.env, MULTIMODAL_LAB_RUN_DIR: '', MULTIMODAL_LAB_RUNNER: '', MULTIMODAL_LAB_BACKEND: '', ...env },
  });
  return { status: r.status, out: `${r.stdout}\n${r.stderr}` };
}

const tsx = (ws: string, env?: Record<string, string>) =>
  terminal(ws, [process.execPath, '--import', 'tsx', 'exercises/probe/train.ts'], env);

interface TerminalMeta {
  status: string;
  reason?: string;
  pid?: number;
  host?: string;
}

function lastMeta(ws: string, exercise = 'probe'): TerminalMeta {
  const runs = join(ws, '.multimodal-lab/runs', exercise);
  const dir = readdirSync(runs).sort().at(-1) as string;
  return JSON.parse(readFileSync(join(runs, dir, 'meta.json'), 'utf8')) as TerminalMeta;
}

describe('runtime: the same ladder from a terminal', function () {
  this.timeout(300_000);
  let ws: string;
  before(() => {
    ws = workspace();
  });

  it('lab.run selects wasm with its threads and the training kernels, says why, and ends the process', () => {
    const { status, out } = tsx(ws);
    assert.equal(status, 0, out);
    assert.match(
      out,
      /\[lab\] Running on wasm \(WebAssembly \(XNNPACK\), SIMD on, \d+ thread\(s\)\) because tensorflow-gpu: /,
    );
    assert.match(out, /probe backend=wasm conv2dGrad=true/);
    const meta = lastMeta(ws);
    assert.equal(meta.status, 'finished');
    // Who ran it, so a reader can tell a live run from one whose process is gone.
    assert.ok(Number.isInteger(meta.pid) && (meta.pid as number) > 0, JSON.stringify(meta));
    assert.equal(meta.host, hostname());
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
    assert.match(
      out,
      /MULTIMODAL_LAB_BACKEND=cuda is not a backend\. Use one of: auto, tensorflow-gpu, tensorflow, webgpu, wasm, cpu\./,
    );
    assert.doesNotMatch(out, /probe backend=/);
    const meta = lastMeta(ws);
    assert.equal(meta.status, 'crashed');
    assert.match(meta.reason ?? '', /is not a backend/);
  });

  it('a forced rung that cannot load is an error, never a silent fallback', () => {
    const { status, out } = tsx(ws, { MULTIMODAL_LAB_BACKEND: 'tensorflow' });
    assert.equal(status, 1, out);
    assert.match(
      out,
      /The backend tensorflow, forced in the settings, could not start: tensorflow: @tensorflow\/tfjs-node not installed/,
    );
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
  it('the workspace template carries the ladder, the kernels, the threads, the run store and the mocha root hook', async () => {
    const dests = (await workspaceTemplateFiles(join(REPO, 'templates'))).map((f) => f.dest);
    for (const f of [
      'lab/runtime/index.ts',
      'lab/runtime/ladder.ts',
      'lab/runtime/mocha.ts',
      'lab/runtime/syncReads.ts',
      'lab/runtime/limitations.ts',
      'lab/runtime/version.ts',
      'lab/runtime/runStore.ts',
      'lab/runtime/kernels/index.ts',
      'lab/runtime/kernels/threads.ts',
    ]) {
      assert.ok(dests.includes(f), `${f} is not scaffolded`);
    }
    const pkg = JSON.parse(readFileSync(join(REPO, 'templates/workspace/package.json'), 'utf8')) as {
      scripts: { test: string };
    };
    assert.match(pkg.scripts.test, /--require lab\/runtime\/mocha\.ts/);
  });
});

// A training step is synchronous for seconds (a forward and backward pass on wasm). This one spins until the test
// releases it with a file, so the test knows the script is mid-step when Ctrl+C arrives, however loaded the machine is.
const SLOW = `import * as fs from 'node:fs';
import { lab } from '../../lab';

async function main(): Promise<void> {
  for (let step = 0; step < 5 && !lab.shouldStop(); step++) {
    const release = \`release-\${step}\`;
    console.log(\`slow step \${step} begins pid=\${process.pid}\`);
    const until = Date.now() + 60_000; // never spin forever if the test is gone
    while (step > 0 && !fs.existsSync(release) && Date.now() < until) { /* one synchronous training step */ }
    lab.scalar('loss', 1 / (step + 1), step);
    await new Promise((resolve) => setImmediate(resolve)); // as a real step's await (loss.data()) does
  }
}

lab.run(main);
`;

/** Resolves true once `target` (a pid, or a whole process group as -pgid) is gone, or false after `ms`. */
async function gone(target: number, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) {
    try {
      process.kill(target, 0);
    } catch {
      return true;
    }
  }
  return false;
}

describe('runtime: Ctrl+C in a terminal', function () {
  this.timeout(300_000);
  let ws: string;
  let group: number | undefined;
  before(() => {
    ws = workspace();
    writeFile(ws, 'exercises/slow/train.ts', SLOW);
  });
  afterEach(() => {
    if (group)
      try {
        process.kill(-group, 'SIGKILL');
      } catch {
        /* already gone */
      }
    group = undefined;
  });

  it("stops the README's `npx tsx` run after the current step, with status stopped", async () => {
    // As a terminal runs a command: its own process group, and Ctrl+C sends SIGINT to the whole group
    // (npm exec, sh, the tsx CLI, the node that runs the script, and anything it started).
    const child = spawn('npx', ['tsx', 'exercises/slow/train.ts'], {
      cwd: ws,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, MULTIMODAL_LAB_RUN_DIR: '', MULTIMODAL_LAB_RUNNER: '', MULTIMODAL_LAB_BACKEND: 'cpu' },
    });
    group = child.pid;
    let out = '';
    const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
    const midStep = new Promise<number>((resolve, reject) => {
      const read = (d: Buffer): void => {
        out += d.toString();
        const m = /slow step 1 begins pid=(\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      };
      child.stdout.on('data', read);
      child.stderr.on('data', read);
      child.on('close', () => reject(new Error(`the script ended before its second step:\n${out}`)));
    });
    const pid = await midStep;
    process.kill(-(group as number), 'SIGINT');
    // tsx's CLI gives the script about 30 ms to answer, then 30 ms more, then SIGKILLs it. Give it far longer
    // before releasing the step: a script still alive after that was not killed.
    const killed = await gone(pid, 5_000);
    writeFileSync(join(ws, 'release-1'), '');
    await closed;
    assert.equal(killed, false, `the script was killed mid-step by Ctrl+C:\n${out}`);
    const meta = lastMeta(ws, 'slow');
    assert.equal(meta.status, 'stopped', `${JSON.stringify(meta)}\n${out}`);
    assert.match(out, /Stopping after this step/);
    const runs = join(ws, '.multimodal-lab/runs/slow');
    const scalars = readFileSync(join(runs, readdirSync(runs).sort().at(-1) as string, 'scalars.jsonl'), 'utf8');
    assert.deepEqual(
      scalars
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { step: number }).step),
      [0, 1],
      'it stops after the step it was in',
    );
    // Nothing it started outlives it (the helper that answers tsx exits with the script).
    assert.equal(await gone(-(group as number), 30_000), true, 'a process of the run is still alive');
  });
});
