import * as assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Course } from '../../src/core/course/types';
import { readRunHeadline } from '../../src/core/runHeadline';
import {
  chooseHeadline,
  declaredMetrics,
  isQuickRun,
  lastScalarValue,
  runEndedMessage,
  runRowLabel,
  runStatusPhrase,
  trainingTitle,
} from '../../src/core/runLabels';
import type { RunMeta } from '../../src/protocol/runFiles';

const meta = (over: Partial<RunMeta> = {}): RunMeta => ({
  version: 1,
  exerciseId: 'whisper',
  runId: 'r1',
  config: 'cpu',
  startedAt: '2026-11-27T10:00:00Z',
  status: 'finished',
  backend: 'wasm',
  ...over,
});

/** The tree row of run r1 with `runMeta`, started at 10:00 on Nov 27, whose headline metric is `headline`. */
const rowAt10 = (runMeta: RunMeta, headline?: { name: string; value: number }) =>
  runRowLabel({ runId: 'r1', meta: runMeta, when: 'Nov 27, 10:00', headline });

const COURSE = {
  milestones: [
    {
      id: 'm1',
      title: 'Diffusion',
      evidence: [{ kind: 'runMetric', exercise: 'ddpm', metric: 'sample_confidence', op: '>=', value: 0.8, label: '' }],
    },
    { id: 'm2', title: 'Tests', evidence: [{ kind: 'tests', exercise: 'ddpm', label: '' }] },
  ],
} as unknown as Course;

describe('run labels: the tree row', () => {
  it('leads with the run name and its headline metric, not the first summary key', () => {
    const row = rowAt10(meta(), { name: 'loss', value: 0.123456 });
    assert.equal(row.label, 'Nov 27, 10:00 · loss 0.123');
    assert.equal(row.description, 'finished · wasm');
  });

  it("uses the learner's name for the run when it has one", () => {
    const row = rowAt10(meta({ name: 'lr 1e-3' }), { name: 'wer_b_after', value: 0.1163 });
    assert.equal(row.label, 'lr 1e-3 · wer_b_after 0.116');
  });

  it('labels a quick run as quick', () => {
    const row = rowAt10(meta({ config: 'smoke' }), { name: 'loss', value: 2 });
    assert.equal(row.label, 'Nov 27, 10:00 (quick) · loss 2');
    assert.equal(isQuickRun(meta({ config: 'smoke' })), true);
    assert.equal(isQuickRun(meta({ config: 'gpu' })), false);
  });

  it('shows a run whose process is gone as ended without a record, never as running', () => {
    const row = rowAt10(meta({ status: 'killed', endedWithoutRecord: true }));
    assert.equal(row.label, 'Nov 27, 10:00');
    assert.equal(row.description, 'ended without a record · wasm');
    assert.equal(row.running, false);
    assert.equal(runRowLabel({ runId: 'r1', meta: meta({ status: 'running' }), when: 'x' }).running, true);
  });

  it('says so when meta.json is missing', () => {
    const row = runRowLabel({ runId: '2026-11-27T10-00-00', when: '2026-11-27T10-00-00' });
    assert.equal(row.label, '2026-11-27T10-00-00');
    assert.equal(row.description, 'no meta.json');
  });
});

describe('run labels: the headline metric', () => {
  it('prefers the metric a milestone checks for the exercise, then the last loss', () => {
    assert.deepEqual(declaredMetrics(COURSE, 'ddpm'), ['sample_confidence']);
    assert.deepEqual(declaredMetrics(COURSE, 'whisper'), []);
    assert.deepEqual(chooseHeadline(['sample_confidence'], { steps: 3, sample_confidence: 0.91 }, 0.2), {
      name: 'sample_confidence',
      value: 0.91,
    });
    assert.deepEqual(chooseHeadline(['sample_confidence'], { wer_a_before: 0, steps: 3 }, 0.2), {
      name: 'loss',
      value: 0.2,
    });
    assert.equal(chooseHeadline([], { wer_a_before: 0 }, undefined), undefined);
  });

  it('reads the last finite value of a series from the tail of scalars.jsonl, cut-off lines included', () => {
    const line = (step: number, name: string, value: number | null) => JSON.stringify({ step, name, value, time: 0 });
    const text = [
      line(1, 'loss', 2),
      line(1, 'wer/B', 0.4),
      line(2, 'loss', 1.5),
      line(3, 'loss', null),
      line(3, 'wer/B', 0.3),
    ].join('\n');
    assert.equal(lastScalarValue(`${text}\n`, 'loss'), 1.5);
    assert.equal(lastScalarValue(`{"step":9,"na\n${text}\n{"step":4,"name":"loss","val`, 'loss'), 1.5);
    assert.equal(lastScalarValue(text, 'accuracy'), undefined);
  });

  it('reads it from a run folder: the declared summary metric, else the last loss of a long scalars.jsonl', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'mml-run-'));
    const lines = Array.from({ length: 5000 }, (_, i) =>
      JSON.stringify({ step: i, name: 'loss', value: 1 / (i + 1), time: 0 }),
    );
    await writeFile(path.join(dir, 'scalars.jsonl'), `${lines.join('\n')}\n`);
    assert.deepEqual(await readRunHeadline(dir, ['sample_confidence']), { name: 'loss', value: 1 / 5000 });
    await writeFile(path.join(dir, 'summary.json'), '{"wer_a_before": 0, "sample_confidence": 0.9}');
    assert.deepEqual(await readRunHeadline(dir, ['sample_confidence']), { name: 'sample_confidence', value: 0.9 });
    assert.equal(await readRunHeadline(await mkdtemp(path.join(tmpdir(), 'mml-run-')), []), undefined);
  });
});

describe('run labels: notifications', () => {
  it('name the exercise by its title and the ending in words', () => {
    assert.equal(trainingTitle('Fine-tune Whisper', true), 'Training “Fine-tune Whisper” (quick check)');
    const nan = runEndedMessage('Fine-tune Whisper', { status: 'nan', reason: 'loss became NaN at step 3.' }, false);
    assert.equal(nan.severity, 'error');
    assert.equal(nan.text, 'The “Fine-tune Whisper” run diverged: loss became NaN at step 3.');
    assert.doesNotMatch(nan.text, /whisper|ended as nan/);
    const quick = runEndedMessage('Fine-tune Whisper', { status: 'finished', reason: '' }, true);
    assert.equal(quick.severity, 'info');
    assert.match(quick.text, /^The quick check of “Fine-tune Whisper” finished: the pipeline runs end to end\./);
    assert.equal(
      runEndedMessage('T', undefined, false).text,
      'The “T” run crashed without saying why. See the output for details.',
    );
    assert.equal(runStatusPhrase({ status: 'hung' }), 'hung and was killed');
  });
});
