import * as assert from 'node:assert/strict';
import type { RunSnapshot } from '../../src/protocol/panels';
import type { RunDivergence, RunMeta } from '../../src/protocol/runFiles';
import { etaMs, lastFiniteValues, statusText, stepReached, summaryNote } from '../../webview/src/run/ending';
import { RunModel, type RunState } from '../../webview/src/run/model';

const META: RunMeta = {
  version: 1,
  exerciseId: 'whisper',
  runId: 'r',
  config: 'cpu',
  startedAt: '2026-01-01T00:00:00Z',
  status: 'running',
};

function loaded(extra: Partial<RunSnapshot> = {}): { model: RunModel; run: RunState } {
  const model = new RunModel();
  model.load([
    {
      runId: 'r',
      exerciseId: 'whisper',
      label: 'r',
      meta: META,
      scalars: {},
      images: [],
      text: [],
      notices: [],
      ...extra,
    },
  ]);
  const run = model.run('r');
  assert.ok(run);
  return { model, run };
}

/** What the whisper run of issue 19 left: WER at step 0, then the loss +Infinity at its first logged step. */
const DIED_AT_FIRST_LOSS: RunDivergence = {
  metric: 'loss',
  value: 'Infinity',
  step: 1,
  lastFinite: { 'wer/A': { step: 0, value: 0.407 }, 'wer/B': { step: 0, value: 0.116 } },
};
const WER = { 'wer/A': [{ step: 0, value: 0.407, time: 0 }], 'wer/B': [{ step: 0, value: 0.116, time: 0 }] };

describe('webview: how a run ended, said once and the same everywhere', () => {
  it('names the exact non-finite value, metric and step in the badge (not "NaN" for an Infinity)', () => {
    const { run } = loaded({
      meta: {
        ...META,
        status: 'nan',
        reason: 'loss became Infinity at step 1: training diverged.',
        divergence: DIED_AT_FIRST_LOSS,
      },
      scalars: WER,
    });
    assert.equal(statusText(run), 'Diverged: loss became Infinity at step 1');
    const minus = loaded({
      meta: { ...META, status: 'nan' },
      divergence: { metric: 'acc', value: '-Infinity', step: 7, lastFinite: {} },
    }).run;
    assert.equal(statusText(minus), 'Diverged: acc became -Infinity at step 7');
    assert.equal(
      statusText(loaded({ meta: { ...META, status: 'nan' } }).run),
      'Diverged: a watched value became NaN or infinite',
    );
    assert.equal(statusText(loaded({ meta: { ...META, status: 'finished' } }).run), 'Finished');
  });

  it('says "Ended without a record" for a run whose process vanished (meta settled by the reader), "Killed" otherwise', () => {
    assert.equal(
      statusText(loaded({ meta: { ...META, status: 'killed', endedWithoutRecord: true } }).run),
      'Ended without a record',
    );
    assert.equal(statusText(loaded({ meta: { ...META, status: 'killed' } }).run), 'Killed');
  });

  it('takes the divergence from a live status too (the run ended while the panel was open)', () => {
    const { model, run } = loaded({ scalars: WER, live: { status: 'running', step: 0 } });
    model.status('r', {
      status: 'nan',
      reason: 'loss became Infinity at step 1: training diverged.',
      step: 0,
      divergence: DIED_AT_FIRST_LOSS,
    });
    assert.equal(statusText(run), 'Diverged: loss became Infinity at step 1');
    assert.equal(stepReached(run), 1, 'the header shows the step the run reached, not the last loss step the host saw');
  });

  it('the header step is the last step reached, from any record, the divergence or the live status', () => {
    assert.equal(stepReached(loaded().run), undefined);
    assert.equal(
      stepReached(
        loaded({
          scalars: { loss: [{ step: 3, value: 1, time: 0 }], 'runner/step_ms': [{ step: 2, value: 5, time: 0 }] },
        }).run,
      ),
      3,
    );
    assert.equal(
      stepReached(loaded({ text: [{ step: 9, name: 't', text: 'x' }], live: { status: 'running', step: 4 } }).run),
      9,
    );
    assert.equal(stepReached(loaded({ scalars: WER, divergence: DIED_AT_FIRST_LOSS }).run), 1);
    assert.equal(stepReached(loaded({ live: { status: 'running', step: 12 } }).run), 12);
  });

  it('charts the diverged metric even when it died at its first logged step: its series exists, ending at that step', () => {
    const { run } = loaded({ meta: { ...META, status: 'nan', divergence: DIED_AT_FIRST_LOSS }, scalars: WER });
    const loss = run.scalars.get('loss');
    assert.ok(loss, 'a loss series to draw the chart and its marker in');
    assert.deepEqual(Array.from(loss.steps.subarray(0, loss.length)), [1]);
    assert.ok(Number.isNaN(loss.values[0]), 'the non-finite point is a gap, not a value');
  });

  it('lists the last finite values and their steps', () => {
    const died = loaded({ meta: { ...META, status: 'nan', divergence: DIED_AT_FIRST_LOSS }, scalars: WER }).run;
    assert.deepEqual(lastFiniteValues(died), [
      { metric: 'wer/A', step: 0, value: 0.407 },
      { metric: 'wer/B', step: 0, value: 0.116 },
    ]);
    // Without a recorded divergence (an older run) they come from the series themselves; runner/ measurements are left
    // out.
    const crashed = loaded({
      meta: { ...META, status: 'crashed' },
      scalars: {
        loss: [
          { step: 1, value: 2, time: 0 },
          { step: 2, value: 1.5, time: 0 },
          { step: 3, value: null, time: 0 },
        ],
        'runner/step_ms': [{ step: 2, value: 4, time: 0 }],
      },
    }).run;
    assert.deepEqual(lastFiniteValues(crashed), [{ metric: 'loss', step: 2, value: 1.5 }]);
  });

  it('never says "No summary yet" for a run that has ended', () => {
    assert.match(
      summaryNote(loaded({ live: { status: 'running' } }).run),
      /^No summary yet: the script writes one with lab\.summary\(\)/,
    );
    const died = loaded({ meta: { ...META, status: 'nan', divergence: DIED_AT_FIRST_LOSS }, scalars: WER }).run;
    const note = summaryNote(died);
    assert.doesNotMatch(note, /No summary yet/);
    assert.equal(
      note,
      'No summary: the run diverged (loss became Infinity at step 1) before the script called lab.summary(). Its last finite values are below.',
    );
    assert.equal(
      summaryNote(loaded({ meta: { ...META, status: 'stopped' } }).run),
      'No summary: the run stopped before the script called lab.summary().',
    );
    assert.equal(
      summaryNote(loaded({ meta: { ...META, status: 'finished' } }).run),
      'No summary: the script finished without calling lab.summary().',
    );
  });

  it('estimates the time left from the planned steps and the speed, while running', () => {
    const live = { status: 'running' as const, step: 100, stepsPerSec: 10 };
    assert.equal(etaMs(loaded({ live: { ...live, totalSteps: 400 } }).run), 30_000);
    assert.equal(
      etaMs(loaded({ meta: { ...META, totalSteps: 400 }, live }).run),
      30_000,
      'planned steps from meta.json on a reopened panel',
    );
    assert.equal(etaMs(loaded({ live }).run), undefined, 'no plan, no guess');
    assert.equal(
      etaMs(loaded({ live: { ...live, etaMs: 5_000, totalSteps: 400 } }).run),
      5_000,
      'an estimate from the host wins',
    );
    assert.equal(
      etaMs(
        loaded({ meta: { ...META, status: 'finished', totalSteps: 400 }, live: { ...live, status: 'finished' } }).run,
      ),
      undefined,
    );
    assert.equal(etaMs(loaded({ live: { ...live, stepsPerSec: 0, totalSteps: 400 } }).run), undefined);
  });

  it('keeps the ETA when a status without the speed arrives (the one sent with a summary)', () => {
    const { model, run } = loaded({ live: { status: 'running', step: 100, stepsPerSec: 10, totalSteps: 400 } });
    model.status('r', { status: 'running', step: 100, elapsedMs: 5_000 }, { wer_b: 0.2 });
    assert.equal(etaMs(run), 30_000);
  });
});
