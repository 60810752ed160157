// The records that look inside a model, end to end but for the views: the lab writes them (tfjs cpu, in this process),
// the run reader reads them back, a kill's cut-off line and a missing file are survived, and a live event becomes the
// same panel entry as its replay.
import * as assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { insightEntry } from '../../src/core/insights';
import { readRun } from '../../src/core/runs';
import { runSnapshot } from '../../src/core/runSnapshot';
import { INSIGHT_FILES, createMeta, type InsightFile } from '../../src/core/runStore';
import { INSIGHT_EVENT_TYPES } from '../../src/protocol/insightFiles';
import type { InsightEntries } from '../../src/protocol/panels';
import { isRunnerToExtension } from '../../src/protocol/runner';
import { INSIGHT_FILE_OF } from '../../templates/workspace/lab/insights';
import { Lab, type LabEvent } from '../../templates/workspace/lab/report';
import { onTfjsCpuInThisSuite } from '../fixtures/tfjsCpu';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** A Lab writing into a fresh run folder, with a runner hook that keeps what it is handed. */
function labInTempRun(): { lab: Lab; dir: string; events: LabEvent[] } {
  const dir = mkdtempSync(join(tmpdir(), 'mml-insights-'));
  createMeta(dir, { version: 1, exerciseId: 'toy', runId: 'r1', config: 'cpu', startedAt: 'x', status: 'finished' });
  const events: LabEvent[] = [];
  const lab = new Lab({ MULTIMODAL_LAB_RUN_DIR: dir }, () => ({
    emit: (e) => events.push(e),
    shouldStop: () => false,
    run: async () => undefined,
  }));
  return { lab, dir, events };
}

/** The int16 samples of a WAV the lab wrote (after its 44-byte header). */
function wavSamples(bytes: Uint8Array): number[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Array.from({ length: (bytes.length - 44) / 2 }, (_, i) => view.getInt16(44 + i * 2, true));
}

interface KindCase<F extends InsightFile> {
  readonly file: F;
  /** The file the record's media is stored in, relative to the run folder (attention, audio, tables). */
  readonly media?: (step: number) => string;
  log(lab: Lab, step: number): Promise<void>;
  check(entry: InsightEntries[F]): void;
}

const CASES: { [F in InsightFile]: KindCase<F> } = {
  matrices: {
    file: 'matrices',
    log: (lab, step) =>
      lab.matrix(
        'sim',
        tf.tensor2d([
          [1, 0.5],
          [0.25, 1 / 3],
        ]),
        step,
        { rowLabels: ['img 0', 'img 1'], colLabels: ['cap 0', 'cap 1'], range: [-1, 1] },
      ),
    check: (e) =>
      assert.deepEqual(e, {
        step: e.step,
        name: 'sim',
        rows: 2,
        cols: 2,
        values: [1, 0.5, 0.25, 0.3333333],
        rowLabels: ['img 0', 'img 1'],
        colLabels: ['cap 0', 'cap 1'],
        range: [-1, 1],
      }),
  },
  attention: {
    file: 'attention',
    media: (step) => `attention/cls_head/${step}.png`,
    log: (lab, step) => lab.attention('cls/head', tf.zeros([4, 6, 3]), [[[0.1, 0.9]], [[0.5, 0.5]]], step), // 2 heads of 1×2 patches
    check: (e) => {
      assert.deepEqual([e.width, e.height, e.heads, e.gridHeight, e.gridWidth], [6, 4, 2, 1, 2]);
      assert.deepEqual(e.weights, [0.1, 0.9, 0.5, 0.5]);
      assert.deepEqual([...e.png.subarray(0, 8)], PNG_SIGNATURE);
      assert.ok(!('file' in e), 'the panel gets the bytes, not the path');
    },
  },
  embeddings: {
    file: 'embeddings',
    log: (lab, step) =>
      lab.embedding(
        'joint',
        [
          [1, 2, 3],
          [4, 5, 6],
        ],
        step,
        { labels: ['a red circle', 'circle.png'], groups: ['text', 'image'] },
      ),
    check: (e) => {
      assert.deepEqual([e.count, e.dims, e.vectors], [2, 3, [1, 2, 3, 4, 5, 6]]);
      assert.deepEqual(
        [e.labels, e.groups],
        [
          ['a red circle', 'circle.png'],
          ['text', 'image'],
        ],
      );
    },
  },
  audio: {
    file: 'audio',
    media: (step) => `audio/clip/${step}.wav`,
    log: (lab, step) => lab.audio('clip', tf.tensor1d([0, 0.5, -1, 2]), 8000, step),
    check: (e) => {
      assert.deepEqual([e.sampleRate, e.samples], [8000, 4]);
      assert.equal(Buffer.from(e.wav.subarray(0, 4)).toString('ascii'), 'RIFF');
      assert.equal(new DataView(e.wav.buffer, e.wav.byteOffset).getUint32(24, true), 8000);
      assert.deepEqual(wavSamples(e.wav), [0, 16384, -32768, 32767], '2 is clipped to 1');
    },
  },
  histograms: {
    file: 'histograms',
    log: (lab, step) => lab.histogram('weights/fc1', tf.tensor2d([0, 1, 2, 3], [2, 2]), step),
    check: (e) => {
      assert.deepEqual([e.min, e.max, e.count, e.counts.length], [0, 3, 4, 30]);
      assert.deepEqual(
        e.counts.flatMap((c, i) => (c > 0 ? [[i, c]] : [])),
        [
          [0, 1],
          [10, 1],
          [20, 1],
          [29, 1], // the max falls in the last bucket, which is closed
        ],
      );
    },
  },
  tables: {
    file: 'tables',
    media: (step) => `tables/transcripts/${step}/r1-c3.png`,
    log: (lab, step) =>
      lab.table(
        'transcripts',
        [
          { reference: 'a red circle', hypothesis: 'a red square', wer: 1 / 3 },
          {
            reference: 'two dots',
            image: { image: tf.zeros([2, 2, 1]) },
            sound: { audio: [0.1, -0.1], sampleRate: 16000 },
          },
        ],
        step,
      ),
    check: (e) => {
      assert.deepEqual(e.columns, ['reference', 'hypothesis', 'wer', 'image', 'sound']);
      assert.deepEqual(e.rows[0], ['a red circle', 'a red square', 0.3333333, null, null]);
      type ImageCell = { image: Uint8Array; width: number; height: number };
      type AudioCell = { audio: Uint8Array; sampleRate: number; samples: number };
      const [text, missing, none, image, sound] = e.rows[1] as [unknown, unknown, unknown, ImageCell, AudioCell];
      assert.deepEqual([text, missing, none], ['two dots', null, null]);
      assert.deepEqual([image.width, image.height, [...image.image.subarray(0, 8)]], [2, 2, PNG_SIGNATURE]);
      assert.deepEqual([sound.sampleRate, sound.samples, wavSamples(sound.audio)], [16000, 2, [3277, -3277]]);
    },
  },
};

describe('insight records: lab.matrix, attention, embedding, audio, histogram, table', () => {
  onTfjsCpuInThisSuite();

  it('name the same file for each event type in the lab as in the protocol', () => {
    assert.deepEqual(
      Object.fromEntries(Object.entries(INSIGHT_FILE_OF).map(([type, file]) => [file, type])),
      INSIGHT_EVENT_TYPES,
    );
    assert.deepEqual([...INSIGHT_FILES].sort(), Object.keys(INSIGHT_EVENT_TYPES).sort());
  });

  for (const file of INSIGHT_FILES) {
    const kind = CASES[file] as KindCase<InsightFile>;
    describe(file, () => {
      it('writes a numbered line, streams it, and reads it back as the same panel entry live and replayed', async () => {
        const { lab, dir, events } = labInTempRun();
        lab.scalar('loss', 1, 1);
        await kind.log(lab, 1);
        const [line] = readFileSync(join(dir, `${file}.jsonl`), 'utf8')
          .trimEnd()
          .split('\n');
        const written = JSON.parse(line) as { seq: number; step: number; time: number };
        assert.deepEqual([written.seq, written.step, typeof written.time], [2, 1, 'number']);
        const event = events[1];
        assert.equal(event.type, INSIGHT_EVENT_TYPES[file]);
        assert.ok(isRunnerToExtension(event), 'the runner’s guard lets the live event through');

        const stored = await readRun(dir);
        assert.deepEqual(stored.notices, []);
        assert.equal(stored.insights[file].length, 1);
        const snap = await runSnapshot(stored, 'toy', 'r1');
        assert.equal(snap.lastSeq?.[file], 2);
        const [replayed] = snap.insights?.[file] ?? [];
        kind.check(replayed);
        assert.deepEqual(await insightEntry(dir, file, event as never), replayed, 'live and replay agree');
      });

      it('skips a last line cut off by a kill, and says so', async () => {
        const { lab, dir } = labInTempRun();
        await kind.log(lab, 1);
        await kind.log(lab, 2);
        const text = readFileSync(join(dir, `${file}.jsonl`), 'utf8');
        appendFileSync(join(dir, `${file}.jsonl`), text.slice(0, 25)); // a third line, cut mid-write
        const stored = await readRun(dir);
        assert.deepEqual(
          stored.insights[file].map((r) => r.step),
          [1, 2],
        );
        assert.deepEqual(stored.notices, [
          {
            file: join(dir, `${file}.jsonl`),
            message: 'the last line (3) was cut off mid-write, probably by a killed process; it was skipped',
          },
        ]);
      });

      it('reads a run that never logged one as having none, with no notice', async () => {
        const { lab, dir } = labInTempRun();
        lab.scalar('loss', 1, 1);
        const snap = await runSnapshot(await readRun(dir), 'toy', 'r1');
        assert.equal(snap.insights?.[file], undefined);
        assert.deepEqual(snap.notices, []);
      });

      if (kind.media) {
        const media = kind.media;
        it('leaves out a record whose file is missing from disk, with a notice', async () => {
          const { lab, dir } = labInTempRun();
          await kind.log(lab, 1);
          await kind.log(lab, 2);
          rmSync(join(dir, media(1)));
          const snap = await runSnapshot(await readRun(dir), 'toy', 'r1');
          assert.deepEqual(
            snap.insights?.[file]?.map((e) => e.step),
            [2],
          );
          assert.deepEqual(snap.notices, [
            `${file}.jsonl: 1 record(s) name a file that is missing from disk or unreadable; they are not shown`,
          ]);
        });
      }
    });
  }

  it('writes the same files from a terminal run, with no runner to stream to', async () => {
    const dir = labInTempRun().dir;
    const lab = new Lab({ MULTIMODAL_LAB_RUN_DIR: dir }, () => undefined);
    for (const file of INSIGHT_FILES) await CASES[file].log(lab, 3);
    const stored = await readRun(dir);
    assert.deepEqual(
      INSIGHT_FILES.map((f) => stored.insights[f].map((r) => [r.step, r.seq])),
      INSIGHT_FILES.map((_, i) => [[3, i + 1]]),
    );
  });
});

describe('insight records: what the lab refuses, and why', () => {
  const lab = () => labInTempRun().lab;
  const cases: Array<[string, () => Promise<void>, RegExp]> = [
    [
      'a 1-D matrix',
      () => lab().matrix('m', [1, 2], 0),
      /lab\.matrix\('m'\): values must be a matrix \[R, C\].*got shape \[2\]/,
    ],
    [
      'ragged rows',
      () => lab().matrix('m', [[1, 2], [3]], 0),
      /the arrays are ragged: \[1\] has 1 items where \[2, 2\] needs 2/,
    ],
    [
      'a NaN in a matrix',
      () => lab().matrix('m', [[1, NaN]], 0),
      /1 of 2 values are NaN or infinite \(the first at flat index 1, NaN\)/,
    ],
    [
      'too few row labels',
      () => lab().matrix('m', [[1], [2]], 0, { rowLabels: ['a'] }),
      /rowLabels has 1 entries, but there are 2 rows: give one per row/,
    ],
    [
      'an empty range',
      () => lab().matrix('m', [[1]], 0, { range: [1, 1] }),
      /range must be \[low, high\] with low < high/,
    ],
    [
      'a matrix over the cap',
      () => lab().matrix('m', tf.zeros([513, 512]), 0),
      /513 × 512 = 262,656 values is more than the 262,144/,
    ],
    [
      'a batch under an attention map',
      () => lab().attention('a', tf.zeros([2, 4, 4, 3]), [[1]], 0),
      /the image must be one image .* got shape \[2, 4, 4, 3\]/,
    ],
    [
      '1-D attention weights',
      () => lab().attention('a', tf.zeros([4, 4]), [1, 2], 0),
      /weights must be \[h, w\] or \[heads, h, w\], got shape \[2\]/,
    ],
    [
      'an embedding over the cap',
      () => lab().embedding('e', tf.zeros([1001, 500]), 0),
      /1001 × 500 = 500,500 values is more than the 500,000 one record may hold\. Log a sample of at most 1,000 points/,
    ],
    [
      'groups for the wrong count',
      () => lab().embedding('e', [[1], [2]], 0, { groups: ['image'] }),
      /groups has 1 entries, but there are 2 points: give one per point/,
    ],
    [
      'a fractional sample rate',
      () => lab().audio('s', [0], 16000.5, 0),
      /lab\.audio\('s'\): sampleRate must be a whole number of Hz \(e\.g\. 16000\), got 16000\.5/,
    ],
    [
      'stereo audio',
      () => lab().audio('s', [[0, 0]], 8000, 0),
      /samples must be one non-empty channel \[T\], got shape \[1, 2\]/,
    ],
    ['an infinite sample', () => lab().audio('s', [0, Infinity], 8000, 0), /1 of 2 values are NaN or infinite/],
    ['an empty histogram', () => lab().histogram('h', [], 0), /lab\.histogram\('h'\): there are no values to bin/],
    [
      'a NaN in a histogram',
      () => lab().histogram('h', tf.tensor1d([0, NaN, NaN]), 0),
      /2 of 3 values are NaN or infinite/,
    ],
    ['a table without rows', () => lab().table('t', [], 0), /rows must be a non-empty array of objects/],
    [
      'a NaN cell',
      () => lab().table('t', [{ wer: NaN }], 0),
      /lab\.table\('t'\): row 0, column "wer": the number is NaN/,
    ],
    [
      'an unknown cell',
      () => lab().table('t', [{ x: { y: 1 } as never }], 0),
      /row 0, column "x": a cell must be text, a number, \{ image: tensor \} or \{ audio: samples, sampleRate \}, got \{"y":1\}/,
    ],
    [
      'a fractional step',
      () => lab().histogram('h', [1], 1.5),
      /lab\.histogram\('h'\): step must be a whole number ≥ 0, got 1\.5/,
    ],
  ];
  for (const [what, call, message] of cases) it(`refuses ${what}`, () => assert.rejects(call(), message));

  it('writes nothing for a refused record', async () => {
    const { lab: l, dir, events } = labInTempRun();
    await assert.rejects(l.matrix('m', [[NaN]], 0));
    assert.deepEqual(events, []);
    assert.deepEqual((await readRun(dir)).insights.matrices, []);
  });

  it('lets a malformed live record through the runner’s guard never', () => {
    const event = { type: 'matrix', seq: 1, step: 0, name: 'm', rows: 2, cols: 2, values: [1, 2, 3] };
    assert.equal(isRunnerToExtension(event), false, 'three values for a 2 × 2 matrix');
    assert.equal(isRunnerToExtension({ ...event, values: [1, 2, 3, 4] }), true);
    assert.equal(isRunnerToExtension({ type: 'table', step: 0, name: 't', columns: ['a'], rows: [[1, 2]] }), false);
  });
});
