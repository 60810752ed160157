import * as assert from 'node:assert/strict';
import type { InsightRecords, RunSnapshot } from '../../src/protocol/panels';
import { RunModel } from '../../webview/src/run/model';

function snapshot(runId: string, insights?: InsightRecords): RunSnapshot {
  return { runId, exerciseId: 'toy', label: runId, scalars: {}, images: [], text: [], notices: [], insights };
}

const matrix = (step: number, first: number) => ({
  step,
  name: 'sim',
  rows: 1,
  cols: 2,
  values: [first, 0],
});
const histogram = (step: number) => ({ step, name: 'weights', min: 0, max: 1, count: 2, counts: [1, 1] });

describe('webview: insight records in the run model', () => {
  it('keeps each kind per name in step order from the snapshot and appends, a later record replacing its step', () => {
    const m = new RunModel();
    m.load([snapshot('a', { matrices: [matrix(2, 0.2), matrix(0, 0)], histograms: [histogram(5)] })]);
    const layout = m.layoutVersion;
    assert.ok(m.append('a', undefined, undefined, undefined, { matrices: [matrix(1, 0.1), matrix(2, 0.9)] }));
    assert.equal(m.layoutVersion, layout, 'no new series, no relayout');
    const run = m.run('a');
    assert.deepEqual(
      run?.insights.matrices.get('sim')?.map((e) => [e.step, e.values[0]]),
      [
        [0, 0],
        [1, 0.1],
        [2, 0.9],
      ],
    );
    assert.deepEqual(
      run?.insights.histograms.get('weights')?.map((e) => e.step),
      [5],
    );
    m.append('a', undefined, undefined, undefined, {
      embeddings: [{ step: 0, name: 'space', count: 1, dims: 1, vectors: [1] }],
    });
    assert.equal(m.layoutVersion, layout + 1, 'a new series relayouts');
    assert.equal(m.append('b', undefined, undefined, undefined, { histograms: [histogram(1)] }), false);
  });

  it('takes media bytes however they arrive, in attention maps, sounds and table cells', () => {
    const m = new RunModel();
    const bufferJson = { type: 'Buffer', data: [137, 80, 78, 71] };
    m.load([
      snapshot('a', {
        attention: [
          { step: 0, name: 'cls', width: 2, height: 2, heads: 1, gridHeight: 1, gridWidth: 1, weights: [1] },
        ].map((e) => ({ ...e, png: bufferJson as unknown as Uint8Array })),
        audio: [
          { step: 0, name: 'clip', sampleRate: 8000, samples: 1, wav: [82, 73, 70, 70] as unknown as Uint8Array },
        ],
        tables: [
          {
            step: 0,
            name: 't',
            columns: ['text', 'image'],
            rows: [
              ['a', { image: bufferJson as unknown as Uint8Array, width: 1, height: 1 }],
              [null, null], // empty cells are cells, not media that lost its bytes
            ],
          },
        ],
      }),
    ]);
    const run = m.run('a');
    assert.deepEqual([...(run?.insights.attention.get('cls')?.[0].png ?? [])], [137, 80, 78, 71]);
    assert.ok(run?.insights.audio.get('clip')?.[0].wav instanceof Uint8Array);
    const cell = run?.insights.tables.get('t')?.[0].rows[0][1];
    assert.ok(cell && typeof cell === 'object' && 'image' in cell && cell.image instanceof Uint8Array);
    assert.deepEqual(run?.insights.tables.get('t')?.[0].rows[1], [null, null]);
    assert.deepEqual(run?.notices, []);
  });

  it('skips records without a name, a step or their bytes, with a notice that says which and what to do', () => {
    const m = new RunModel();
    m.load([snapshot('a')]);
    m.append('a', undefined, undefined, undefined, {
      histograms: [{ ...histogram(1), name: undefined as unknown as string }],
      audio: [{ step: 3, name: 'clip', sampleRate: 8000, samples: 1, wav: undefined as unknown as Uint8Array }],
      tables: [
        { step: 4, name: 't', columns: ['sound'], rows: [[{ audio: {} as Uint8Array, sampleRate: 1, samples: 1 }]] },
      ],
    });
    const run = m.run('a');
    assert.equal(run?.insights.histograms.size, 0);
    assert.equal(run?.insights.audio.size, 0);
    assert.equal(run?.insights.tables.size, 0);
    assert.deepEqual(run?.notices, [
      'The sound "clip" of step 3 arrived without its WAV bytes; reopen the run from the tree to read it from disk.',
      'A histogram record without a name or step was skipped.',
      'The table "t" of step 4 arrived with 1 image or audio cell(s) without their bytes; reopen the run from the tree to read it from disk.',
    ]);
  });
});
