import * as assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestJob } from '../../src/protocol/runner';
import { buildRunner, jobBase, makeWorkspace, only, run, types, writeFile } from './harness';

describe('runner: test jobs', function () {
  this.timeout(60_000);
  let ws: string;
  before(async () => {
    await buildRunner();
    ws = makeWorkspace();
  });

  const job = (exerciseId: string, files: string[], extra: Partial<TestJob> = {}): TestJob =>
    ({ ...jobBase(ws), kind: 'test', exerciseId, files, ...extra });

  it('reports discovery, each outcome with its location, diffs and tensors, and stdout, in order', async () => {
    const file = join(ws, 'exercises/vectors/tests/vectors.test.ts');
    const model = join(ws, 'exercises/vectors/model.ts');
    const { events, exit } = await run(job('vectors', [file]));
    const id = (...path: string[]): string => `${file}::${path.join(' > ')}`;

    assert.deepEqual(types(events), [
      'hello', 'backend', 'testsDiscovered',
      'testStarted', 'testPassed', 'testStarted', 'testPassed', 'testStarted', 'testPassed',
      'testStarted', 'testFailed', 'testStarted', 'testFailed', 'testStarted', 'testFailed',
      'testStarted', 'testPassed', 'testStarted', 'testSkipped', 'testsFinished',
    ]);
    assert.deepEqual(exit, { code: 0, signal: null, reportedEnding: true });

    const backend = only(events, 'backend')[0];
    assert.equal(backend.active, 'wasm');
    assert.deepEqual(backend.ladder.map((r) => [r.backend, r.status]),
      [['tensorflow-gpu', 'skipped'], ['tensorflow', 'skipped'], ['webgpu', 'skipped'], ['wasm', 'active'], ['cpu', 'skipped']]);
    assert.match(backend.ladder[1].reason, /^@tensorflow\/tfjs-node not installed/);
    // The repo installs webgpu (Dawn) as a devDependency; this machine has no GPU, so it loads and finds no adapter,
    // or only Mesa's lavapipe (installed for the WebGPU suite), which `auto` never picks.
    assert.match(backend.ladder[2].reason, /^(no adapter: webgpu \(Dawn\) loaded but found no GPU adapter|software adapter only \(llvmpipe)/);
    assert.match(backend.why, /^Running on wasm .*SIMD on.* because tensorflow-gpu: @tensorflow\/tfjs-node-gpu not installed/);
    assert.equal(backend.versions['@tensorflow/tfjs'], '4.22.0');
    assert.ok(backend.kernels.some((k) => k.startsWith('wasm Conv2DBackpropFilter: added')), backend.kernels.join('\n'));

    const discovered = only(events, 'testsDiscovered')[0].tests;
    assert.deepEqual(discovered.map((t) => [t.path.join(' > '), t.location?.line]), [
      ['normalize > keeps the shape [B, D]', 7], ['normalize > makes every row unit length', 10],
      ['normalize > leaks no tensor', 13], ['failures > plain assertion', 20], ['failures > tensor mismatch', 23],
      ['failures > learner code throws', 26], ['failures > prints to stdout', 29], ['failures > is skipped', 34],
    ]);
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
    assert.deepEqual(only(events, 'testSkipped')[0], { type: 'testSkipped', id: id('failures', 'is skipped'), reason: 'skipped in the test file (it.skip, xit or this.skip())' });
    assert.deepEqual(only(events, 'testsFinished')[0], { type: 'testsFinished', passed: 4, failed: 3, skipped: 1 });
  });

  it('runs only the tests matching grep, and sees edits made since the last run', async () => {
    const file = join(ws, 'exercises/vectors/tests/vectors.test.ts');
    const first = await run(job('vectors', [file], { grep: 'learner code throws' }));
    assert.deepEqual(types(first.events), ['hello', 'backend', 'testsDiscovered', 'testStarted', 'testFailed', 'testsFinished']);
    assert.deepEqual(only(first.events, 'testsDiscovered')[0].tests.map((t) => t.path.at(-1)), ['learner code throws']);

    const model = join(ws, 'exercises/vectors/model.ts');
    writeFileSync(model, readFileSync(model, 'utf8').replace("throw new Error('TODO(2): compute the cosine similarity matrix');", 'return tf.eye(2) as tf.Tensor2D;'));
    const second = await run(job('vectors', [file], { grep: 'learner code throws' }));
    assert.deepEqual(types(second.events), ['hello', 'backend', 'testsDiscovered', 'testStarted', 'testPassed', 'testsFinished']);
  });

  it('kills a test that never ends with the watchdog and says which test hung', async () => {
    const file = join(ws, 'exercises/hang/tests/hang.test.ts');
    const started = Date.now();
    // The window also covers the runner's start and backend selection, so it is generous; the hang is certain.
    const { events, exit } = await run(job('hang', [file]), { hangTimeoutMs: 20_000 });
    assert.deepEqual(types(events), ['hello', 'backend', 'testsDiscovered', 'testStarted', 'testPassed', 'testStarted', 'runEnded']);
    const ended = only(events, 'runEnded')[0];
    assert.equal(ended.status, 'hung');
    assert.match(ended.reason, /^The runner sent nothing for 20 s while the test "hang > never ends" was running, so it was killed\./);
    assert.equal(exit.signal, 'SIGKILL');
    assert.equal(exit.reportedEnding, false);
    assert.ok(Date.now() - started < 120_000);
  });

  it('reports learner code that does not compile as fatal, at its file and line', async () => {
    const model = writeFile(ws, 'exercises/broken/model.ts', 'export function f(a: number): number {\n  const b = 2;\n  return a +;\n}\n');
    const file = writeFile(ws, 'exercises/broken/tests/broken.test.ts',
      "import * as assert from 'node:assert/strict';\nimport { f } from '../model';\n\nit('adds', () => assert.equal(f(1), 3));\n");
    const { events, exit } = await run(job('broken', [file]));
    assert.deepEqual(types(events), ['hello', 'backend', 'fatal']);
    const fatal = only(events, 'fatal')[0];
    assert.match(fatal.message, /^Could not load exercises\/broken\/tests\/broken\.test\.ts: Error transforming .*model\.ts: Unexpected token \(3:13\)$/);
    assert.deepEqual(fatal.location, { file: model, line: 3, column: 14 });
    assert.match(fatal.hint ?? '', /Fix the syntax error at \(or just after\) the marked line/);
    assert.equal(exit.code, 1);
  });

  it('says how to install tfjs when the workspace has none', async () => {
    const bare = makeWorkspace({ bare: true });
    const { events, exit } = await run({ ...jobBase(bare), kind: 'test', exerciseId: 'hang', files: [join(bare, 'exercises/hang/tests/hang.test.ts')] });
    assert.deepEqual(types(events), ['hello', 'fatal']);
    const fatal = only(events, 'fatal')[0];
    assert.equal(fatal.message, `@tensorflow/tfjs is not installed in the workspace ${bare} (no node_modules/@tensorflow/tfjs found from there).`);
    assert.match(fatal.hint ?? '', /"Multimodal Lab: Install exercise dependencies"/);
    assert.equal(exit.code, 1);
  });

  it('honours a forced backend, and fails clearly when the forced one cannot load', async () => {
    const file = join(ws, 'exercises/hang/tests/hang.test.ts');
    const cpu = await run(job('hang', [file], { backend: 'cpu', grep: 'finishes' }));
    const backend = only(cpu.events, 'backend')[0];
    assert.equal(backend.active, 'cpu');
    assert.deepEqual(backend.ladder.map((r) => r.status), ['skipped', 'skipped', 'skipped', 'skipped', 'active']);
    assert.equal(backend.ladder[3].reason, 'not tried: the backend setting forces cpu');
    assert.ok(backend.limitations.some((l) => /about 500× slower/.test(l)));
    assert.deepEqual(only(cpu.events, 'testsFinished')[0], { type: 'testsFinished', passed: 1, failed: 0, skipped: 0 });

    const forced = await run(job('hang', [file], { backend: 'tensorflow' }));
    assert.deepEqual(types(forced.events), ['hello', 'fatal']);
    assert.match(only(forced.events, 'fatal')[0].message,
      /^The backend tensorflow, forced in the settings, could not start: tensorflow: @tensorflow\/tfjs-node not installed/);
  });
});
