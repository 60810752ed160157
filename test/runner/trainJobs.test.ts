import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import { join } from 'node:path';
import type { RunMeta } from '../../src/protocol/runFiles';
import type { TrainJob } from '../../src/protocol/runner';
import { fork } from 'node:child_process';
import { RUNNER, buildRunner, jobBase, makeWorkspace, only, readJsonl, run, types } from './harness';

/** The records the training script wrote, without the runner's own `runner/…` measurements. */
function scriptScalars(records: unknown[]): { step: number; value: number; name: string }[] {
  return (records as { step: number; value: number; name: string }[]).filter((r) => !r.name?.startsWith('runner/'));
}

describe('runner: train jobs', function () {
  this.timeout(60_000);
  let ws: string;
  before(async () => {
    await buildRunner();
    ws = makeWorkspace();
  });

  let n = 0;
  const job = (entry: string, extra: Partial<TrainJob> = {}): TrainJob => {
    n++;
    return {
      ...jobBase(ws),
      kind: 'train',
      exerciseId: 'fit',
      runId: `run-${n}`,
      entry: join(ws, 'exercises/fit', entry),
      runDir: join(ws, '.multimodal-lab/runs/fit', `run-${n}`),
      config: 'auto',
      ...extra,
    };
  };
  const meta = (j: TrainJob): RunMeta => JSON.parse(readFileSync(join(j.runDir, 'meta.json'), 'utf8')) as RunMeta;

  it('forwards every lab record with step stats, writes the run files, and finishes', async () => {
    const j = job('train.ts');
    const { events, exit } = await run(j);
    assert.deepEqual(types(events), [
      'hello',
      'backend',
      'runStarted',
      'scalar',
      'stats',
      'scalar',
      'image',
      'text',
      'stats',
      'scalar',
      'stats',
      'scalar',
      'checkpoint',
      'summary',
      'runEnded',
    ]);
    assert.equal(exit.code, 0);
    assert.deepEqual(only(events, 'runStarted')[0], { type: 'runStarted', runId: j.runId, config: 'cpu' });
    assert.deepEqual(
      only(events, 'stats').map((s) => s.step),
      [1, 2, 3],
    );
    assert.ok(only(events, 'stats').every((s) => s.numTensors > 0 && s.stepMs >= 0));
    const losses = only(events, 'scalar').map((s) => s.value);
    assert.equal(losses.length, 4);
    assert.ok(losses[3] < losses[0] / 2, `loss should fall: ${losses.join(', ')}`);
    const image = only(events, 'image')[0];
    assert.deepEqual(image, {
      type: 'image',
      seq: image.seq,
      step: 2,
      name: 'samples/rgb',
      file: 'images/samples_rgb/2.png',
      width: 7,
      height: 2,
    });
    assert.deepEqual(only(events, 'runEnded')[0], {
      type: 'runEnded',
      status: 'finished',
      reason: 'Training finished.',
    });

    const scalars = readJsonl(join(j.runDir, 'scalars.jsonl'));
    assert.equal(scalars.partialLastLine, false);
    assert.deepEqual(
      scriptScalars(scalars.records).map((r) => [r.step, r.value]),
      losses.map((v, i) => [i + 1, v]),
    );
    // The runner's own measurements sit beside them under runner/, one set per stats event.
    const stats = only(events, 'stats');
    const stepMs = scalars.records
      .map((r) => r as { step: number; name: string; value: number })
      .filter((r) => r.name === 'runner/step_ms');
    assert.deepEqual(
      stepMs.map((r) => [r.step, r.value]),
      stats.map((e) => [e.step, e.stepMs]),
    );
    assert.equal(scalars.records.filter((r) => (r as { name: string }).name === 'runner/tensors').length, stats.length);
    const png = readFileSync(join(j.runDir, 'images/samples_rgb/2.png'));
    assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20), png[24], png[25]], [7, 2, 8, 2]); // 7×2, 8-bit RGB
    const idatLength = png.readUInt32BE(33);
    const raw = inflateSync(png.subarray(41, 41 + idatLength));
    assert.equal(raw.length, 2 * (1 + 7 * 3));
    // linspace(-1, 1, 36) read as [-1, 1]: -1 → 0, -0.943 → 7, -0.886 → 15
    assert.deepEqual([raw[1], raw[2], raw[3]], [0, 7, 15]);
    assert.deepEqual([...raw.subarray(1 + 9, 1 + 12)], [0, 0, 0]);
    assert.deepEqual(
      readJsonl(join(j.runDir, 'text.jsonl')).records.map((r) => (r as { text: string }).text),
      ['w=1.21'],
    );

    // One record counter for the run, shared by the script's records and the runner's: each file in order, the
    // numbers distinct, and every live record carries the number of its line (a stats event: its last runner line).
    const seqsOf = (file: string): number[] =>
      readJsonl(join(j.runDir, file)).records.map((r) => (r as { seq: number }).seq);
    const [scalarSeqs, imageSeqs, textSeqs] = [seqsOf('scalars.jsonl'), seqsOf('images.jsonl'), seqsOf('text.jsonl')];
    for (const seqs of [scalarSeqs, imageSeqs, textSeqs])
      assert.deepEqual(
        seqs,
        [...seqs].sort((a, b) => a - b),
      );
    const all = [...scalarSeqs, ...imageSeqs, ...textSeqs].sort((a, b) => a - b);
    assert.deepEqual(
      all,
      all.map((_, i) => i + 1),
      'numbered 1…n without gaps or repeats',
    );
    const lineOf = new Map(
      scalars.records.map((r) => [(r as { seq: number }).seq, r as { name: string; step: number }]),
    );
    for (const e of only(events, 'scalar'))
      assert.deepEqual([lineOf.get(e.seq!)?.name, lineOf.get(e.seq!)?.step], [e.name, e.step]);
    for (const e of only(events, 'stats'))
      assert.deepEqual([lineOf.get(e.seq!)?.name, lineOf.get(e.seq!)?.step], ['runner/tensor_bytes', e.step]);
    assert.deepEqual([image.seq], imageSeqs);
    assert.deepEqual(
      only(events, 'text').map((e) => e.seq),
      textSeqs,
    );
    assert.deepEqual(JSON.parse(readFileSync(join(j.runDir, 'summary.json'), 'utf8')), {
      finalLoss: losses[3],
      config: 'cpu',
    });
    assert.deepEqual(readdirSync(join(j.runDir, 'checkpoints/4')), ['weights.json']);

    const m = meta(j);
    assert.deepEqual(
      [m.status, m.config, m.backend, m.exitCode, m.latestCheckpoint],
      ['finished', 'cpu', 'wasm', 0, join(j.runDir, 'checkpoints/4')],
    );
    assert.equal(m.versions?.['@tensorflow/tfjs'], '4.22.0');
    assert.ok(m.endedAt && m.startedAt <= m.endedAt);
  });

  it('ends a run whose loss becomes NaN as nan, with the teaching message and the learner line', async () => {
    const j = job('nan.ts', { config: 'smoke' });
    const { events, exit } = await run(j);
    assert.deepEqual(types(events), ['hello', 'backend', 'runStarted', 'scalar', 'stats', 'scalar', 'runEnded']);
    const ended = only(events, 'runEnded')[0];
    assert.equal(ended.status, 'nan');
    assert.match(
      ended.reason,
      /^loss became NaN at step 3: training diverged\. Usual causes: a learning rate that is too high/,
    );
    assert.deepEqual(ended.location, { file: j.entry, line: 6, column: 9 });
    assert.equal(exit.code, 1);
    assert.deepEqual([meta(j).status, meta(j).config, meta(j).reason], ['nan', 'smoke', ended.reason]);
    assert.equal(scriptScalars(readJsonl(join(j.runDir, 'scalars.jsonl')).records).length, 2);
    // Which value, at which step, and what was last finite: in the event (the notification) and in meta.json (the
    // panel).
    const divergence = { metric: 'loss', value: 'NaN', step: 3, lastFinite: { loss: { step: 2, value: 0.7 } } };
    assert.deepEqual(ended.divergence, divergence);
    assert.deepEqual(meta(j).divergence, divergence);
    assert.match(ended.reason, /The loss chart shows its values up to step 2 \(last finite value 0\.7\)\.$/);
    assert.doesNotMatch(ended.reason, /Look at the curve just before this step/);
  });

  it('records a divergence at the first logged step exactly: -Infinity, no curve to look back at, the other last finite values', async () => {
    const j = job('firstStepInfinity.ts');
    const { events } = await run(j);
    const ended = only(events, 'runEnded')[0];
    assert.equal(ended.status, 'nan');
    assert.match(ended.reason, /^loss became -Infinity at step 1: training diverged\./);
    assert.match(
      ended.reason,
      /It was not finite at its first logged step, so there is no loss curve before it: check the first step \(inputs, initial weights, the loss formula\)\.$/,
    );
    const divergence = {
      metric: 'loss',
      value: '-Infinity',
      step: 1,
      lastFinite: { 'wer/A': { step: 0, value: 0.407 }, 'wer/B': { step: 0, value: 0.116 } },
    };
    assert.deepEqual(ended.divergence, divergence);
    assert.deepEqual(meta(j).divergence, divergence);
  });

  it('tells the panel how many steps the chosen config plans (for the ETA), in an event and in meta.json', async () => {
    const j = job('planned.ts');
    const { events } = await run(j);
    assert.deepEqual(types(events), [
      'hello',
      'backend',
      'runStarted',
      'plan',
      'scalar',
      'stats',
      'scalar',
      'stats',
      'scalar',
      'runEnded',
    ]);
    assert.deepEqual(only(events, 'plan'), [{ type: 'plan', totalSteps: 3 }]);
    assert.equal(meta(j).totalSteps, 3);
  });

  it('ends a run whose code throws as crashed, pointing at the learner line (exported main)', async () => {
    const j = job('crash.ts');
    const { events } = await run(j);
    assert.deepEqual(types(events), ['hello', 'backend', 'runStarted', 'scalar', 'runEnded']);
    const ended = only(events, 'runEnded')[0];
    assert.equal(ended.reason, 'Error: matMul: inner dimensions 3 and 4 do not match at exercises/fit/model.ts:10');
    assert.deepEqual(
      [ended.status, ended.location?.file, ended.location?.line],
      ['crashed', join(ws, 'exercises/fit/model.ts'), 10],
    );
    assert.deepEqual([meta(j).status, meta(j).exitCode], ['crashed', 1]);
  });

  it('synthesizes the ending and finalises meta.json when the process dies mid-run', async () => {
    const j = job('exits.ts');
    const { events, exit } = await run(j);
    assert.deepEqual(types(events), ['hello', 'backend', 'runStarted', 'scalar', 'fatal', 'runEnded']);
    const reason =
      'The runner exited with code 3 before reporting the end of the train job. If your code calls process.exit(), remove it; otherwise see the output above for the cause.';
    assert.deepEqual(only(events, 'fatal')[0], { type: 'fatal', message: reason });
    assert.deepEqual(only(events, 'runEnded')[0], { type: 'runEnded', status: 'crashed', reason });
    assert.deepEqual(exit, { code: 3, signal: null, reportedEnding: false });
    assert.deepEqual([meta(j).status, meta(j).exitCode, meta(j).reason], ['crashed', 3, reason]);
  });

  it('stops at lab.shouldStop() when asked, and records stopped', async () => {
    const j = job('stopMidStep.ts');
    let asked = false;
    const { events, exit } = await run(j, {
      // ending takes milliseconds; a window this wide cannot turn "stopped" into "killed" on a busy machine
      graceMs: 30_000,
      onEvent: (e, handle) => {
        if (e.type === 'scalar' && e.step === 3 && !asked) {
          asked = true;
          handle.stop();
        }
      },
    });
    assert.deepEqual(types(events).slice(0, 4), ['hello', 'backend', 'runStarted', 'scalar']);
    assert.deepEqual(types(events).slice(-1), ['runEnded']);
    assert.deepEqual(only(events, 'runEnded')[0], {
      type: 'runEnded',
      status: 'stopped',
      reason: 'Stopped on request.',
    });
    // The request arrives during step 3 (the fixture holds that step until it has), so the loop ends at its next check.
    assert.deepEqual(
      only(events, 'scalar').map((s) => s.step),
      [1, 2, 3],
    );
    assert.equal(exit.code, 0);
    assert.deepEqual([meta(j).status, meta(j).exitCode], ['stopped', 0]);
  });

  it('kills a run that ignores Stop after the grace period, and says to check lab.shouldStop()', async () => {
    const j = job('ignoresStop.ts');
    const { events, exit } = await run(j, {
      graceMs: 500,
      onEvent: (e, handle) => {
        if (e.type === 'scalar' && e.step === 2) handle.stop();
      },
    });
    assert.equal(exit.signal, 'SIGKILL');
    assert.deepEqual(types(events).slice(-2), ['fatal', 'runEnded']);
    const ended = only(events, 'runEnded')[0];
    assert.equal(ended.status, 'killed');
    assert.match(
      ended.reason,
      /^The run did not stop within 1 s of the Stop request, so it was killed\. Check lab\.shouldStop\(\)/,
    );
    assert.deepEqual([meta(j).status, meta(j).reason], ['killed', ended.reason]);
  });

  it('a kill during a burst of writes leaves only whole lines (at most one partial last line) and a killed meta.json', async () => {
    const j = job('burst.ts');
    let received = 0;
    const { events, exit } = await run(j, {
      onEvent: (e, handle) => {
        if (e.type === 'scalar' && ++received === 200) handle.cancel();
      },
    });
    assert.equal(exit.signal, 'SIGKILL');
    const ended = only(events, 'runEnded');
    assert.deepEqual(
      ended.map((e) => e.status),
      ['killed'],
    );
    assert.equal(ended[0].reason, 'Cancelled: the runner was killed at once.');
    for (const file of ['scalars.jsonl', 'text.jsonl']) {
      const records = scriptScalars(readJsonl(join(j.runDir, file)).records);
      assert.ok(records.length >= 199, `${file}: ${records.length} whole records`);
      records.forEach((r, i) => assert.equal((r as { step: number }).step, i + 1, `${file} line ${i + 1}`));
    }
    const scalarSteps = scriptScalars(readJsonl(join(j.runDir, 'scalars.jsonl')).records).length;
    assert.ok(scalarSteps >= only(events, 'scalar').length, 'every scalar the extension saw is on disk');
    assert.deepEqual(
      [meta(j).status, meta(j).reason, meta(j).exitCode],
      ['killed', 'Cancelled: the runner was killed at once.', null],
    );
  });

  it('exits, recording the run as killed, when the extension goes away (no orphan process)', async () => {
    const j = job('forever.ts');
    const child = fork(RUNNER, [], {
      detached: true,
      stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
      serialization: 'json',
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await new Promise<void>((resolve) => {
      child.on('message', (m: { type?: string }) => {
        if (m.type === 'scalar') resolve();
      });
      child.send(j);
    });
    child.disconnect(); // what the runner sees when VS Code or its extension host dies
    assert.equal(await exited, 137);
    const m = meta(j);
    assert.equal(m.status, 'killed');
    assert.match(m.reason ?? '', /^VS Code \(or the extension host\) went away while the run was in progress/);
  });

  it('from a terminal (npx tsx) the lab makes its own run directory and meta.json', async () => {
    const { execFileSync } = await import('node:child_process');
    execFileSync(process.execPath, ['--import', 'tsx', join(ws, 'exercises/fit/train.ts')], {
      cwd: ws,
      stdio: 'pipe',
      env: { ...process.env, MULTIMODAL_LAB_RUN_DIR: '' },
    });
    const runs = join(ws, '.multimodal-lab/runs/fit');
    const terminal = readdirSync(runs).filter((d) => d.endsWith('-terminal'));
    assert.equal(terminal.length, 1);
    const dir = join(runs, terminal[0]);
    const m = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as RunMeta;
    assert.deepEqual(
      [m.status, m.exerciseId, m.config, m.latestCheckpoint],
      ['finished', 'fit', 'cpu', join(dir, 'checkpoints/4')],
    );
    assert.equal(readJsonl(join(dir, 'scalars.jsonl')).records.length, 4);
    assert.ok(existsSync(join(dir, 'images/samples_rgb/2.png')));
  });
});
