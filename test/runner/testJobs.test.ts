import * as assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunnerJob, TestJob } from '../../src/protocol/runner';
import { prepareRunner, startRunner, type RunnerHandle, type RunnerOptions } from '../../src/runner/client';
import { RunnerPool } from '../../src/runner/pool';
import {
  REPO,
  RUNNER,
  buildRunner,
  jobBase,
  machineLadder,
  makeWorkspace,
  only,
  run,
  testJobEvents,
  types,
  writeFile,
} from './harness';

describe('runner: test jobs', function () {
  this.timeout(60_000);
  let ws: string;
  before(async () => {
    await buildRunner();
    ws = makeWorkspace();
  });

  const job = (exerciseId: string, files: string[], extra: Partial<TestJob> = {}): TestJob => ({
    ...jobBase(ws),
    kind: 'test',
    exerciseId,
    files,
    ...extra,
  });

  it('reports discovery, each outcome with its location, diffs and tensors, and stdout, in order', async () => {
    const file = join(ws, 'exercises/vectors/tests/vectors.test.ts');
    const model = join(ws, 'exercises/vectors/model.ts');
    const { events, exit } = await run(job('vectors', [file]));
    const id = (...path: string[]): string => `${file}::${path.join(' > ')}`;

    assert.deepEqual(
      types(events),
      testJobEvents(
        'testPassed',
        'testPassed',
        'testPassed',
        'testFailed',
        'testFailed',
        'testFailed',
        'testPassed',
        'testSkipped',
      ),
    );
    assert.deepEqual(exit, { code: 0, signal: null, reportedEnding: true });

    const backend = only(events, 'backend')[0];
    assert.equal(backend.active, 'wasm');
    assert.deepEqual(
      backend.ladder.map((r) => [r.backend, r.status]),
      machineLadder('skipped'),
    );
    assert.match(backend.ladder[1].reason, /^@tensorflow\/tfjs-node not installed/);
    // The repo installs webgpu (Dawn) as a devDependency; this machine has no GPU, so it loads and finds no adapter,
    // or only Mesa's lavapipe (installed for the WebGPU suite), which `auto` never picks.
    assert.match(
      backend.ladder[2].reason,
      /^(no adapter: webgpu \(Dawn\) loaded but found no GPU adapter|software adapter only \(llvmpipe)/,
    );
    assert.match(
      backend.why,
      /^Running on wasm .*SIMD on.* because tensorflow-gpu: @tensorflow\/tfjs-node-gpu not installed/,
    );
    assert.equal(backend.versions['@tensorflow/tfjs'], '4.22.0');
    assert.ok(
      backend.kernels.some((k) => k.startsWith('wasm Conv2DBackpropFilter: added')),
      backend.kernels.join('\n'),
    );

    const discovered = only(events, 'testsDiscovered')[0].tests;
    assert.deepEqual(
      discovered.map((t) => [t.path.join(' > '), t.location?.line]),
      [
        ['normalize > keeps the shape [B, D]', 7],
        ['normalize > makes every row unit length', 10],
        ['normalize > leaks no tensor', 13],
        ['failures > plain assertion', 20],
        ['failures > tensor mismatch', 23],
        ['failures > learner code throws', 26],
        ['failures > prints to stdout', 29],
        ['failures > is skipped', 34],
      ],
    );
    assert.ok(discovered.every((t) => t.file === file && t.location?.file === file));
    assert.equal(discovered[0].id, id('normalize', 'keeps the shape [B, D]'));

    const [plain, tensor, thrown] = only(events, 'testFailed');
    assert.equal(plain.id, id('failures', 'plain assertion'));
    assert.deepEqual([plain.expected, plain.actual], ['5', '4']);
    assert.deepEqual(plain.location, { file, line: 21, column: 12 });

    assert.equal(tensor.id, id('failures', 'tensor mismatch'));
    assert.match(tensor.message, /^the logits: values differ, worst at flat index 2: got 3, expected 4/);
    assert.deepEqual([tensor.expected, tensor.actual], ['[1.0000, 2.0000, 4.0000]', '[1.0000, 2.0000, 3.0000]']);
    assert.deepEqual(tensor.tensors?.expected, { shape: [3], dtype: 'float32', min: 1, max: 4, mean: 7 / 3 });
    assert.deepEqual(tensor.tensors?.actual, { shape: [3], dtype: 'float32', min: 1, max: 3, mean: 2 });
    assert.equal(tensor.location?.file, file);
    assert.equal(tensor.location?.line, 24);

    assert.equal(thrown.message, 'TODO(2): compute the cosine similarity matrix');
    assert.deepEqual(thrown.location, { file: model, line: 10, column: 9 });
    assert.equal(thrown.expected, undefined);
    assert.doesNotMatch(thrown.stack ?? '', /runner\.js|node:internal/);

    const printed = events.findIndex((e) => e.type === 'testStarted' && e.id === id('failures', 'prints to stdout'));
    assert.deepEqual(events.slice(printed + 1, printed + 3), [
      { type: 'output', stream: 'stdout', text: 'hello from a test\n' },
      { type: 'output', stream: 'stdout', text: 'raw write\n' },
    ]);
    assert.deepEqual(only(events, 'testSkipped')[0], {
      type: 'testSkipped',
      id: id('failures', 'is skipped'),
      reason: 'skipped in the test file (it.skip, xit or this.skip())',
    });
    assert.deepEqual(only(events, 'testsFinished')[0], { type: 'testsFinished', passed: 4, failed: 3, skipped: 1 });
  });

  it('runs only the tests matching grep, and sees edits made since the last run', async () => {
    const file = join(ws, 'exercises/vectors/tests/vectors.test.ts');
    const first = await run(job('vectors', [file], { grep: 'learner code throws' }));
    assert.deepEqual(types(first.events), testJobEvents('testFailed'));
    assert.deepEqual(
      only(first.events, 'testsDiscovered')[0].tests.map((t) => t.path.at(-1)),
      ['learner code throws'],
    );

    const model = join(ws, 'exercises/vectors/model.ts');
    writeFileSync(
      model,
      readFileSync(model, 'utf8').replace(
        "throw new Error('TODO(2): compute the cosine similarity matrix');",
        'return tf.eye(2) as tf.Tensor2D;',
      ),
    );
    const second = await run(job('vectors', [file], { grep: 'learner code throws' }));
    assert.deepEqual(types(second.events), testJobEvents('testPassed'));
  });

  it('kills a test that never ends with the watchdog and says which test hung', async () => {
    const file = join(ws, 'exercises/hang/tests/hang.test.ts');
    // The watchdog's window starts when the job is handed over, so the runner's start and backend selection (seconds
    // on a busy machine) happen before it, in a spare: the window covers only loading one small test file and the
    // test that passes, which a 10 s window holds however loaded the machine is. The hang itself is certain.
    const spare = prepareRunner(
      { type: 'prepare', protocol: 1, workspaceRoot: ws, backend: 'auto' },
      { runnerPath: RUNNER },
    );
    assert.equal(await spare.ready, true);
    const { events, exit } = await run(job('hang', [file]), {
      hangTimeoutMs: 10_000,
      start: (j, o) => spare.assign(j, o),
    });
    assert.deepEqual(types(events), [
      'hello',
      'backend',
      'testsDiscovered',
      'testStarted',
      'testPassed',
      'testStarted',
      'runEnded',
    ]);
    const ended = only(events, 'runEnded')[0];
    assert.equal(ended.status, 'hung');
    assert.match(
      ended.reason,
      /^The runner sent nothing for 10 s while the test "hang > never ends" was running, so it was killed\./,
    );
    assert.equal(exit.signal, 'SIGKILL');
    assert.equal(exit.reportedEnding, false);
  });

  it('reports a test file whose code does not compile at its file and line, and still finishes the job', async () => {
    const model = writeFile(
      ws,
      'exercises/broken/model.ts',
      'export function f(a: number): number {\n  const b = 2;\n  return a +;\n}\n',
    );
    const file = writeFile(
      ws,
      'exercises/broken/tests/broken.test.ts',
      "import * as assert from 'node:assert/strict';\nimport { f } from '../model';\n\nit('adds', () => assert.equal(f(1), 3));\n",
    );
    const { events, exit } = await run(job('broken', [file]));
    assert.deepEqual(types(events), ['hello', 'backend', 'testFileFailed', 'testsDiscovered', 'testsFinished']);
    const failed = only(events, 'testFileFailed')[0];
    assert.equal(failed.file, file);
    assert.match(
      failed.message,
      /^Could not load exercises\/broken\/tests\/broken\.test\.ts: Error transforming .*model\.ts: Unexpected token \(3:13\)$/,
    );
    assert.deepEqual(failed.location, { file: model, line: 3, column: 14 });
    assert.match(failed.hint ?? '', /Fix the syntax error at \(or just after\) the marked line/);
    assert.deepEqual(only(events, 'testsFinished')[0], { type: 'testsFinished', passed: 0, failed: 0, skipped: 0 });
    assert.equal(exit.code, 0);
  });

  it('loads each test file on its own: a syntax error errors only the files that import the broken module', async () => {
    const dir = join(ws, 'exercises/split');
    const files = ['1-features', '2-wer', '3-decode'].map((f) => join(dir, 'tests', `${f}.test.ts`));
    writeFileSync(
      join(dir, 'wer.ts'),
      'export function wer(ref: string[], hyp: string[]): number {\n  return ref.filter((w, i) => hyp[i] !== w).length /;\n}\n',
    );
    const { events, exit } = await run(job('split', files));
    assert.deepEqual(types(events), [
      'hello',
      'backend',
      'testFileFailed',
      'testsDiscovered',
      'testStarted',
      'testPassed',
      'testStarted',
      'testPassed',
      'testStarted',
      'testPassed',
      'testsFinished',
    ]);
    const failed = only(events, 'testFileFailed');
    assert.deepEqual(
      failed.map((f) => f.file),
      [files[1]],
    );
    assert.match(
      failed[0].message,
      /^Could not load exercises\/split\/tests\/2-wer\.test\.ts: Error transforming .*wer\.ts: /,
    );
    assert.equal(failed[0].location?.file, join(dir, 'wer.ts'));
    assert.equal(failed[0].location?.line, 2);
    assert.deepEqual(
      only(events, 'testsDiscovered')[0].tests.map((t) => [t.file, t.path.join(' > ')]),
      [
        [files[0], 'features > covers a second with 100 frames'],
        [files[0], 'features > rounds a partial frame up'],
        [files[2], 'decode > has one step per frame'],
      ],
    );
    assert.deepEqual(only(events, 'testsFinished')[0], { type: 'testsFinished', passed: 3, failed: 0, skipped: 0 });
    assert.equal(exit.code, 0);
  });

  it('a spare runner, prepared before its job, runs it with the edits made meanwhile and reports as a fresh one does', async () => {
    const dir = join(ws, 'exercises/split');
    writeFileSync(join(dir, 'wer.ts'), readFileSync(join(REPO, 'test/fixtures/runner/exercises/split/wer.ts'), 'utf8'));
    const spare = prepareRunner(
      { type: 'prepare', protocol: 1, workspaceRoot: ws, backend: 'auto' },
      { runnerPath: RUNNER },
    );
    assert.equal(await spare.ready, true);
    const edited = writeFile(
      ws,
      'exercises/split/tests/4-later.test.ts',
      "import * as assert from 'node:assert/strict';\nimport { wer } from '../wer';\n\nit('is written after the spare started', () => assert.equal(wer(['a'], ['a']), 0));\n",
    );
    const files = ['1-features', '2-wer', '3-decode', '4-later'].map((f) => join(dir, 'tests', `${f}.test.ts`));
    const { events, exit } = await run(job('split', files), { start: (j, o) => spare.assign(j, o) });
    assert.deepEqual(types(events).slice(0, 3), ['hello', 'backend', 'testsDiscovered']);
    assert.equal(only(events, 'backend')[0].active, 'wasm');
    assert.ok(only(events, 'testsDiscovered')[0].tests.some((t) => t.file === edited));
    assert.deepEqual(only(events, 'testsFinished')[0], { type: 'testsFinished', passed: 5, failed: 0, skipped: 0 });
    assert.equal(exit.code, 0);
  });

  it('the pool runs the next test job on the spare it prepared after the last one, and a job it does not fit on a fresh runner', async () => {
    const pool = new RunnerPool({ runnerPath: RUNNER });
    try {
      const file = join(ws, 'exercises/hang/tests/hang.test.ts');
      const starts: boolean[] = [];
      const start = (j: RunnerJob, o: RunnerOptions): RunnerHandle => {
        const h = pool.start(j, o);
        starts.push(h.warm);
        return h;
      };
      const first = await run(job('hang', [file], { grep: 'finishes' }), { start });
      assert.equal(await pool.spareReady(), true);
      const second = await run(job('hang', [file], { grep: 'finishes' }), { start });
      assert.equal(await pool.spareReady(), true);
      const other = await run(job('hang', [file], { grep: 'finishes', backend: 'cpu' }), { start });
      assert.deepEqual(starts, [false, true, false]);
      for (const r of [first, second]) assert.deepEqual(types(r.events), testJobEvents('testPassed'));
      assert.equal(only(other.events, 'backend')[0].active, 'cpu');
    } finally {
      pool.dispose();
    }
  });

  it('keeps what native code writes to the process output out of the events, unless the runner dies without an ending', async () => {
    // fs.writeSync(2, …) bypasses the runner's capture, as Dawn's or libtensorflow's C++ writes do.
    const file = writeFile(
      ws,
      'exercises/native/tests/native.test.ts',
      "import { writeSync } from 'node:fs';\n\n" +
        "it('prints natively', () => { writeSync(2, 'Warning: native banner\\n'); console.log('from the test'); });\n" +
        "it('dies', () => { writeSync(2, 'native last words\\n'); process.exit(3); });\n",
    );
    const native: string[] = [];
    const quiet = await run(job('native', [file], { grep: 'prints natively' }), {
      start: (j, o) => startRunner(j, { ...o, onNativeOutput: (t) => native.push(t) }),
    });
    assert.deepEqual(
      only(quiet.events, 'output').map((e) => e.text),
      ['from the test\n'],
    );
    assert.match(native.join(''), /Warning: native banner/);
    const died = await run(job('native', [file], { grep: 'dies' }), {
      start: (j, o) => startRunner(j, { ...o, onNativeOutput: () => undefined }),
    });
    const shown = only(died.events, 'output')
      .map((e) => e.text)
      .join('');
    assert.match(shown, /native last words/);
    const shownAt = died.events.findIndex((e) => e.type === 'output' && /native last words/.test(e.text));
    assert.ok(
      shownAt >= 0 && shownAt < died.events.findIndex((e) => e.type === 'fatal'),
      'shown before the ending it may explain',
    );
    assert.match(
      only(died.events, 'fatal')[0].message,
      /^The runner exited with code 3 while the test "dies" was running/,
    );
  });

  it('says how to install tfjs when the workspace has none', async () => {
    const bare = makeWorkspace({ bare: true });
    const { events, exit } = await run({
      ...jobBase(bare),
      kind: 'test',
      exerciseId: 'hang',
      files: [join(bare, 'exercises/hang/tests/hang.test.ts')],
    });
    assert.deepEqual(types(events), ['hello', 'fatal']);
    const fatal = only(events, 'fatal')[0];
    assert.equal(
      fatal.message,
      `@tensorflow/tfjs is not installed in the workspace ${bare} (no node_modules/@tensorflow/tfjs found from there).`,
    );
    assert.match(fatal.hint ?? '', /"Multimodal Lab: Install Exercise Dependencies"/);
    assert.equal(exit.code, 1);
  });

  it('honours a forced backend, and fails clearly when the forced one cannot load', async () => {
    const file = join(ws, 'exercises/hang/tests/hang.test.ts');
    const cpu = await run(job('hang', [file], { backend: 'cpu', grep: 'finishes' }));
    const backend = only(cpu.events, 'backend')[0];
    assert.equal(backend.active, 'cpu');
    assert.deepEqual(
      backend.ladder.map((r) => r.status),
      ['skipped', 'skipped', 'skipped', 'skipped', 'active'],
    );
    assert.equal(backend.ladder[3].reason, 'not tried: the backend setting forces cpu');
    assert.ok(backend.limitations.some((l) => /about 500× slower/.test(l)));
    assert.deepEqual(only(cpu.events, 'testsFinished')[0], { type: 'testsFinished', passed: 1, failed: 0, skipped: 0 });

    const forced = await run(job('hang', [file], { backend: 'tensorflow' }));
    assert.deepEqual(types(forced.events), ['hello', 'fatal']);
    assert.match(
      only(forced.events, 'fatal')[0].message,
      /^The backend tensorflow, forced in the settings, could not start: tensorflow: @tensorflow\/tfjs-node not installed/,
    );
  });
});
