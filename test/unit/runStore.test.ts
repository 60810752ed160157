import * as assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  META_FIELD_RULES,
  RUN_META_GLOB,
  appendRecords,
  createMeta,
  exerciseRunsDir,
  makeRunDir,
  mergeMeta,
  newRunId,
  readMeta,
  runDir,
  runDirForDisplay,
  runFile,
  runsRoot,
  updateMeta,
} from '../../src/core/runStore';
import { RUNNER_SERIES, isRunnerSeries, runnerSeriesValues, type RunMeta } from '../../src/protocol/runFiles';
import { runningMeta } from '../fixtures/runMeta';

const running = runningMeta;

describe('run store: ids and paths', () => {
  it('puts every run under <workspace>/.multimodal-lab/runs/<exercise>/<run>', () => {
    assert.equal(runsRoot('/ws'), path.join('/ws', '.multimodal-lab', 'runs'));
    assert.equal(exerciseRunsDir('/ws', 'toy'), path.join('/ws', '.multimodal-lab', 'runs', 'toy'));
    assert.equal(runDir('/ws', 'toy', 'r1'), path.join('/ws', '.multimodal-lab', 'runs', 'toy', 'r1'));
    assert.equal(
      runFile(runDir('/ws', 'toy', 'r1'), 'meta'),
      path.join('/ws', '.multimodal-lab', 'runs', 'toy', 'r1', 'meta.json'),
    );
    assert.equal(runDirForDisplay('toy', 'r1'), '.multimodal-lab/runs/toy/r1/');
    assert.equal(RUN_META_GLOB, '.multimodal-lab/runs/*/*/meta.json');
  });

  it('refuses ids that are not one folder name, in every path it builds', () => {
    for (const bad of ['', '.', '..', '../x', 'a/b', 'a\\b', 'a\0b']) {
      assert.throws(() => runDir('/ws', 'toy', bad), /Not a run id/, `run id ${JSON.stringify(bad)}`);
      assert.throws(() => runDir('/ws', bad, 'r1'), /Not a run id/, `exercise id ${JSON.stringify(bad)}`);
      assert.throws(() => exerciseRunsDir('/ws', bad), /Not a run id/);
      assert.throws(() => runDirForDisplay('toy', bad), /Not a run id/);
      assert.throws(() => makeRunDir('/ws', 'toy', bad), /Not a run id/);
    }
    assert.doesNotThrow(() => runDir('/ws', 'clip-contrastive', '2026-11-27T10-00-00-000Z-terminal'));
  });

  it('names a run by its start time, marking one started from a terminal', () => {
    const at = new Date('2026-11-27T10:01:02.345Z');
    assert.equal(newRunId(at, 'extension'), '2026-11-27T10-01-02-345');
    assert.equal(newRunId(at, 'terminal'), '2026-11-27T10-01-02-345Z-terminal');
  });
});

describe('run store: meta.json merge rules', () => {
  it('lets any later writer set the name, the latest checkpoint and the planned steps', () => {
    const m = mergeMeta(running(), { name: 'baseline', latestCheckpoint: '/c/4', totalSteps: 100 });
    assert.deepEqual([m.name, m.latestCheckpoint, m.totalSteps, m.status], ['baseline', '/c/4', 100, 'running']);
    const ended = mergeMeta({ ...running(), status: 'finished' }, { name: 'renamed after the end' });
    assert.equal(ended.name, 'renamed after the end');
  });

  it('ends a running run once: the first ending wins, a later one is ignored', () => {
    const first = mergeMeta(running(), {
      status: 'nan',
      reason: 'loss became NaN at step 3',
      endedAt: 't1',
      exitCode: 1,
      divergence: { metric: 'loss', value: 'NaN', step: 3, lastFinite: {} },
    });
    assert.deepEqual(
      [first.status, first.reason, first.endedAt, first.exitCode, first.divergence?.step],
      ['nan', 'loss became NaN at step 3', 't1', 1, 3],
    );
    const later = mergeMeta(first, { status: 'killed', reason: 'VS Code went away', endedAt: 't2', exitCode: null });
    assert.deepEqual(later, first);
  });

  it('ignores ending fields that do not end the run, and never sets it back to running', () => {
    assert.deepEqual(mergeMeta(running(), { reason: 'no status', endedAt: 't' }), running());
    assert.deepEqual(mergeMeta(running(), { status: 'running', reason: 'still going' }), running());
    const stopped = { ...running(), status: 'stopped' as const, endedAt: 't' };
    assert.deepEqual(mergeMeta(stopped, { status: 'running' }), stopped);
  });

  it('keeps the fields fixed at the start, and skips undefined values and unknown fields', () => {
    const m = mergeMeta(running(), {
      runId: 'other',
      config: 'gpu',
      backend: 'webgpu',
      startedAt: 'later',
      pid: 1,
      host: 'elsewhere',
      name: undefined,
      ...{ extra: 1 },
    } as Partial<RunMeta>);
    assert.deepEqual(m, running());
  });

  it('has a rule for every field, and only readers may say a run ended without a record', () => {
    assert.equal(META_FIELD_RULES.endedWithoutRecord, 'readerOnly');
    assert.deepEqual(
      Object.entries(META_FIELD_RULES)
        .filter(([, r]) => r === 'ending')
        .map(([f]) => f)
        .sort(),
      ['divergence', 'endedAt', 'exitCode', 'reason', 'status'],
    );
    assert.deepEqual(mergeMeta(running(), { endedWithoutRecord: true } as Partial<RunMeta>), running());
  });
});

describe('run store: writing meta.json', () => {
  it('starts a running meta with this process as its writer, and never writes a reader-only field', async () => {
    const dir = path.join(await mkdtemp(path.join(tmpdir(), 'mml-store-')), 'new', 'run');
    const written = createMeta(dir, { ...running({ pid: undefined, host: undefined }), endedWithoutRecord: true });
    assert.deepEqual([written.pid, written.host], [process.pid, hostname()]);
    const onDisk = JSON.parse(await readFile(runFile(dir, 'meta'), 'utf8')) as RunMeta;
    assert.deepEqual(onDisk, written);
    assert.equal('endedWithoutRecord' in onDisk, false);
    // A meta written as already ended (a run that could not start) records no process.
    const crashed = createMeta(dir, {
      ...running({ pid: undefined, host: undefined }),
      status: 'crashed',
      reason: 'no backend',
    });
    assert.equal(crashed.pid, undefined);
  });

  it('updates by the rules through a renamed temporary file, leaving nothing else behind', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'mml-store-'));
    createMeta(dir, running());
    updateMeta(dir, { totalSteps: 10 });
    updateMeta(dir, { status: 'finished', endedAt: 't1', exitCode: 0 });
    updateMeta(dir, { status: 'killed', reason: 'too late', endedAt: 't2' });
    assert.deepEqual(readMeta(dir), { ...running(), totalSteps: 10, status: 'finished', endedAt: 't1', exitCode: 0 });
    assert.deepEqual(await readdir(dir), ['meta.json']);
  });

  it('does not rewrite meta.json when an update changes nothing, and does not create one that is missing', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'mml-store-'));
    const compact = JSON.stringify({ ...running(), status: 'finished' });
    await writeFile(runFile(dir, 'meta'), compact);
    assert.equal(updateMeta(dir, { status: 'killed' })?.status, 'finished');
    assert.equal(await readFile(runFile(dir, 'meta'), 'utf8'), compact, 'a write would have re-indented it');
    const empty = await mkdtemp(path.join(tmpdir(), 'mml-store-'));
    assert.equal(updateMeta(empty, { name: 'x' }), undefined);
    assert.deepEqual(await readdir(empty), []);
  });
});

describe("run store: the runner's own series", () => {
  it('names one runner/ series per stats measurement, in a fixed order', () => {
    assert.deepEqual(runnerSeriesValues({ stepMs: 12.5, stepsPerSec: 80, numTensors: 41, numBytes: 4096 }), [
      ['runner/step_ms', 12.5],
      ['runner/steps_per_sec', 80],
      ['runner/tensors', 41],
      ['runner/tensor_bytes', 4096],
    ]);
    assert.ok(Object.values(RUNNER_SERIES).every(isRunnerSeries));
    assert.equal(isRunnerSeries('loss'), false);
    assert.equal(isRunnerSeries('runners/x'), false);
  });
});

describe('run store: numbered records', () => {
  it('numbers every record of a run on one counter across its files, in file order, one counter per run', async () => {
    const [a, b] = [await mkdtemp(path.join(tmpdir(), 'mml-seq-')), await mkdtemp(path.join(tmpdir(), 'mml-seq-'))];
    appendRecords(a, 'scalars', [{ step: 0, name: 'loss', value: 1, time: 0 }]);
    appendRecords(a, 'images', [{ step: 0, name: 's', file: 'images/s/0.png', width: 1, height: 1, time: 0 }]);
    const stats = appendRecords(a, 'scalars', [
      { step: 0, name: 'runner/step_ms', value: 3, time: 0 },
      { step: 0, name: 'runner/tensors', value: 9, time: 0 },
    ]);
    appendRecords(b, 'text', [{ step: 0, name: 't', text: 'x', time: 0 }]);
    appendRecords(a, 'text', [{ step: 1, name: 't', text: 'y', time: 0 }]);
    assert.deepEqual(
      stats.map((r) => r.seq),
      [3, 4],
    );
    const lines = async (dir: string, file: 'scalars' | 'images' | 'text'): Promise<number[]> =>
      (await readFile(runFile(dir, file), 'utf8'))
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { seq: number }).seq);
    assert.deepEqual(await lines(a, 'scalars'), [1, 3, 4]);
    assert.deepEqual(await lines(a, 'images'), [2]);
    assert.deepEqual(await lines(a, 'text'), [5]);
    assert.deepEqual(await lines(b, 'text'), [1], 'another run counts from 1');
  });

  it('shares the counter with another copy of the module in the same process (the lab and the runner)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'mml-seq-'));
    appendRecords(dir, 'scalars', [{ step: 0, name: 'loss', value: 1, time: 0 }]);
    // A second instance of the module, as the runner bundle and the workspace's lab are.
    const file = require.resolve('../../templates/workspace/lab/runtime/runStore');
    const cached = require.cache[file];
    delete require.cache[file];
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const other = require(file) as typeof import('../../templates/workspace/lab/runtime/runStore');
    if (cached) require.cache[file] = cached;
    assert.notEqual(other.appendRecords, appendRecords, 'a distinct module instance');
    assert.deepEqual(
      other.appendRecords(dir, 'scalars', [{ step: 0, name: 'runner/step_ms', value: 2, time: 0 }]).map((r) => r.seq),
      [2],
    );
    assert.deepEqual(
      appendRecords(dir, 'text', [{ step: 0, name: 't', text: 'z', time: 0 }]).map((r) => r.seq),
      [3],
    );
  });
});
