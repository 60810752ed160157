import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import * as path from 'node:path';
import { endedWithoutRecord, settleRunMeta } from '../../src/core/runLiveness';
import { runStatusPhrase } from '../../src/core/runLabels';
import { isScalarLine, listRuns, parseJsonl, readRun } from '../../src/core/runs';
import { createMeta, readMeta } from '../../src/core/runStore';
import { localLiveness } from '../../src/runner/liveness';
import { runningMeta } from '../fixtures/runMeta';

const line = (step: number, value: number | null) =>
  JSON.stringify({ step, name: 'loss', value, time: 1_700_000_000_000 + step });

async function runDir(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'mml-run-'));
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await writeFile(path.join(dir, rel), text);
  }
  return dir;
}

const META = JSON.stringify({
  version: 1,
  exerciseId: 'toy',
  runId: 'r1',
  config: 'cpu',
  startedAt: '2026-11-27T10:00:00Z',
  status: 'finished',
});

describe('run store: JSON lines', () => {
  it('reads complete lines in order', () => {
    const r = parseJsonl(`${line(1, 2.5)}\n${line(2, 2.0)}\n`, 'scalars.jsonl', isScalarLine);
    assert.deepEqual(
      r.items.map((s) => [s.step, s.value]),
      [
        [1, 2.5],
        [2, 2.0],
      ],
    );
    assert.deepEqual(r.notices, []);
  });

  it('drops a last line cut off by a kill, and says so', () => {
    const text = `${line(1, 2.5)}\n${line(2, 2.0)}\n${line(3, 1.5).slice(0, 17)}`;
    const r = parseJsonl(text, 'scalars.jsonl', isScalarLine);
    assert.deepEqual(
      r.items.map((s) => s.step),
      [1, 2],
    );
    assert.deepEqual(r.notices, [
      {
        file: 'scalars.jsonl',
        message: 'the last line (3) was cut off mid-write, probably by a killed process; it was skipped',
      },
    ]);
  });

  it('keeps a complete last line that lacks only its newline', () => {
    const r = parseJsonl(`${line(1, 2.5)}\n${line(2, 2.0)}`, 'scalars.jsonl', isScalarLine);
    assert.deepEqual(
      r.items.map((s) => s.step),
      [1, 2],
    );
    assert.deepEqual(r.notices, []);
  });

  it('skips garbage in the middle with a count and the first line number', () => {
    const r = parseJsonl(`${line(1, 2.5)}\n{oops\n{"step":"x"}\n${line(4, 1.0)}\n`, 'scalars.jsonl', isScalarLine);
    assert.deepEqual(
      r.items.map((s) => s.step),
      [1, 4],
    );
    assert.deepEqual(
      r.notices.map((n) => n.message),
      ['2 line(s) were not valid records and were skipped (first at line 2)'],
    );
  });

  it('keeps non-finite values, which JSON writes as null, so a NaN step stays visible', () => {
    const r = parseJsonl(`${line(1, 2.5)}\n${line(2, null)}\n`, 'scalars.jsonl', isScalarLine);
    assert.deepEqual(
      r.items.map((s) => s.value),
      [2.5, null],
    );
  });
});

describe('run store: a run folder', () => {
  it('reads meta, scalars, images, text and summary', async () => {
    const dir = await runDir({
      'meta.json': META,
      'scalars.jsonl': `${line(1, 2.5)}\n`,
      'images.jsonl': `${JSON.stringify({ step: 1, name: 'samples', file: 'images/samples/1.png', width: 28, height: 28, time: 1 })}\n`,
      'images/samples/1.png': 'png bytes',
      'text.jsonl': `${JSON.stringify({ step: 1, name: 'answer', text: 'a red circle', time: 1 })}\n`,
      'summary.json': '{"zero_shot_acc": 0.71}',
    });
    const run = await readRun(dir);
    assert.equal(run.meta?.status, 'finished');
    assert.equal(run.scalars.length, 1);
    assert.equal(run.images[0].file, 'images/samples/1.png');
    assert.equal(run.text[0].text, 'a red circle');
    assert.deepEqual(run.summary, { zero_shot_acc: 0.71 });
    assert.deepEqual(run.notices, []);
  });

  it('shows what it can of a run with a truncated JSONL, a missing images folder and a future meta version', async () => {
    const dir = await runDir({
      'meta.json': META.replace('"version":1', '"version":3'),
      'scalars.jsonl': `${line(1, 2.5)}\n${line(2, 2.1)}\n{"step":3,"na`,
      'images.jsonl': `${JSON.stringify({ step: 1, name: 'samples', file: 'images/samples/1.png', width: 28, height: 28, time: 1 })}\n`,
    });
    const run = await readRun(dir);
    assert.equal(run.meta?.runId, 'r1');
    assert.deepEqual(
      run.scalars.map((s) => s.step),
      [1, 2],
    );
    assert.deepEqual(run.images, []);
    assert.deepEqual(
      run.notices.map((n) => n.message),
      [
        'meta.json is version 3, newer than this Multimodal Lab reads (1); fields it does not know are ignored',
        'the last line (3) was cut off mid-write, probably by a killed process; it was skipped',
        '1 logged image(s) are missing from disk and are not shown',
      ],
    );
  });

  it('survives a missing or corrupt meta.json and a corrupt summary', async () => {
    const noMeta = await readRun(await runDir({ 'scalars.jsonl': `${line(1, 1)}\n` }));
    assert.equal(noMeta.meta, undefined);
    assert.match(noMeta.notices[0].message, /^meta\.json is missing/);
    const corrupt = await readRun(await runDir({ 'meta.json': '{"runId": "r', 'summary.json': '[1,' }));
    assert.deepEqual(
      corrupt.notices.map((n) => n.message.replace(/ \(.*\)/, '')),
      ['meta.json is not valid JSON; it was ignored', 'summary.json is not valid JSON; it was ignored'],
    );
  });

  it('lists an exercise’s runs newest first, and none for an exercise never run', async () => {
    const ws = await mkdtemp(path.join(tmpdir(), 'mml-ws-'));
    const base = path.join(ws, '.multimodal-lab', 'runs', 'toy');
    for (const [id, startedAt] of [
      ['a', '2026-11-27T10:00:00Z'],
      ['b', '2026-11-27T11:00:00Z'],
      ['c', '2026-11-26T09:00:00Z'],
    ]) {
      await mkdir(path.join(base, id), { recursive: true });
      await writeFile(path.join(base, id, 'meta.json'), JSON.stringify({ runId: id, startedAt, status: 'finished' }));
    }
    await mkdir(path.join(base, 'broken'));
    assert.deepEqual(
      (await listRuns(ws, 'toy')).map((r) => r.runId),
      ['b', 'a', 'c', 'broken'],
    );
    assert.deepEqual(await listRuns(ws, 'other'), []);
  });
});

describe('run store: a "running" run whose process is gone', () => {
  const running = runningMeta;
  const alive = (pids: number[]) => ({ host: 'here', isAlive: (pid: number) => pids.includes(pid) });

  it('reads as ended without a record when its pid is not alive on this host', () => {
    const settled = settleRunMeta(running(), alive([]));
    assert.equal(settled.status, 'killed');
    assert.equal(settled.endedWithoutRecord, true);
    assert.match(settled.reason ?? '', /^Ended without a record: its process \(pid 4242\) is gone/);
    assert.equal(runStatusPhrase(settled), 'ended without a record');
  });

  it('stays running while its process lives, on another host, without a pid, or when nobody can check', () => {
    assert.equal(settleRunMeta(running(), alive([4242])).status, 'running');
    assert.equal(settleRunMeta(running({ host: 'elsewhere' }), alive([])).status, 'running');
    assert.equal(settleRunMeta(running({ pid: undefined }), alive([])).status, 'running');
    assert.equal(endedWithoutRecord(running(), undefined), false);
    assert.equal(settleRunMeta(running({ status: 'stopped' }), alive([])).status, 'stopped');
  });

  it('a run killed with SIGKILL reads as ended without a record in the listing and the run reader', async () => {
    const ws = await mkdtemp(path.join(tmpdir(), 'mml-ws-'));
    const dir = path.join(ws, '.multimodal-lab', 'runs', 'toy', 'r1');
    // A stand-in for a training process: it writes meta.json as the runner does (pid and host), then is killed.
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    const pid = child.pid as number;
    createMeta(dir, { ...running(), host: hostname(), pid });
    const liveness = localLiveness();
    assert.equal((await listRuns(ws, 'toy', liveness))[0].meta?.status, 'running');
    child.kill('SIGKILL');
    await once(child, 'exit');
    const [listed] = await listRuns(ws, 'toy', liveness);
    assert.equal(listed.meta?.status, 'killed');
    assert.equal(runStatusPhrase(listed.meta), 'ended without a record');
    const read = await readRun(dir, liveness);
    assert.equal(read.meta?.endedWithoutRecord, true);
    // Readers only read: meta.json on disk still says what was last written.
    assert.equal(readMeta(dir)?.status, 'running');
  });

  it('the runner records its pid and host in a running meta.json', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'mml-run-'));
    createMeta(dir, running({ pid: undefined, host: undefined }));
    assert.equal(readMeta(dir)?.pid, process.pid);
    assert.equal(readMeta(dir)?.host, hostname());
  });
});
