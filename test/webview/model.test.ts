import * as assert from 'node:assert/strict';
import type { RunSnapshot } from '../../src/protocol/panels';
import { configDifferences, summaryKeys } from '../../webview/src/run/configDiff';
import { formatBytes, formatDuration, formatTick, formatValue } from '../../webview/src/run/format';
import { RunModel } from '../../webview/src/run/model';
import { sanitizeState } from '../../webview/src/run/state';
import { parseMilestones } from '../../webview/src/milestones/parse';

function snapshot(runId: string, extra: Partial<RunSnapshot> = {}): RunSnapshot {
  return { runId, exerciseId: 'toy', label: runId, scalars: {}, images: [], text: [], notices: [], ...extra };
}

describe('webview: run model', () => {
  it('appends scalars incrementally, keeps them sorted and smooths them incrementally', () => {
    const m = new RunModel();
    m.load([
      snapshot('a', {
        scalars: {
          loss: [
            { step: 0, value: 1, time: 0 },
            { step: 1, value: null, time: 0 },
          ],
        },
      }),
    ]);
    const layout = m.layoutVersion;
    assert.equal(
      m.append('a', {
        loss: [
          { step: 3, value: 3, time: 0 },
          { step: 2, value: 1, time: 0 },
        ],
      }),
      true,
    );
    assert.equal(m.layoutVersion, layout, 'no new series, no relayout');
    const s = m.run('a')?.scalars.get('loss');
    assert.deepEqual(Array.from(s?.steps.subarray(0, s.length) ?? []), [0, 1, 2, 3]);
    assert.ok(Number.isNaN(s?.values[1]));
    const sm = s?.smoothed(0.5);
    assert.deepEqual([sm?.[0], sm?.[2], sm?.[3]], [1, 1, 1.875 / 0.875]);
    m.append('a', { acc: [{ step: 0, value: 0.1, time: 0 }] });
    assert.equal(m.layoutVersion, layout + 1, 'a new series relayouts');
  });

  it('ignores appends for runs it does not show and keeps image frames sorted, a rewrite replacing', () => {
    const m = new RunModel();
    m.load([snapshot('a')]);
    assert.equal(m.append('zzz', { loss: [] }), false);
    const png = new Uint8Array([1]);
    m.append('a', undefined, [
      { step: 5, name: 'samples', width: 1, height: 1, png },
      { step: 1, name: 'samples', width: 1, height: 1, png },
    ]);
    m.append('a', undefined, [
      { step: 5, name: 'samples', width: 2, height: 2, png },
      { step: 1, name: '', width: 1, height: 1, png } as never,
    ]);
    assert.deepEqual(
      m
        .run('a')
        ?.images.get('samples')
        ?.map((f) => [f.step, f.width]),
      [
        [1, 1],
        [5, 2],
      ],
    );
  });

  it('takes PNG bytes however they arrive: a Uint8Array, a serialised Node Buffer, an ArrayBuffer or a number array', () => {
    const bytes = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2];
    const m = new RunModel();
    m.load([snapshot('a')]);
    // What a Node Buffer becomes on its way through postMessage: its toJSON runs first (issue 19, defect 1).
    const asBuffer = JSON.parse(JSON.stringify(Buffer.from(bytes))) as unknown as Uint8Array;
    assert.deepEqual(asBuffer as unknown, { type: 'Buffer', data: bytes });
    m.append('a', undefined, [
      { step: 0, name: 'plain', width: 1, height: 1, png: new Uint8Array(bytes) },
      { step: 0, name: 'buffer', width: 1, height: 1, png: asBuffer },
      { step: 0, name: 'arraybuffer', width: 1, height: 1, png: new Uint8Array(bytes).buffer as unknown as Uint8Array },
      { step: 0, name: 'array', width: 1, height: 1, png: bytes as unknown as Uint8Array },
    ]);
    for (const name of ['plain', 'buffer', 'arraybuffer', 'array']) {
      const png = m.run('a')?.images.get(name)?.[0]?.png;
      assert.ok(png instanceof Uint8Array, `${name}: bytes`);
      assert.deepEqual([...png], bytes, name);
    }
  });

  it('skips an image frame that arrived without bytes, with a notice that says which and what to do', () => {
    const m = new RunModel();
    m.load([snapshot('a')]);
    m.append('a', undefined, [
      { step: 3, name: 'samples', width: 1, height: 1, png: { nope: 1 } as unknown as Uint8Array },
    ]);
    assert.equal(m.run('a')?.images.get('samples'), undefined);
    assert.match(
      m.run('a')?.notices.join('\n') ?? '',
      /The image "samples" of step 3 arrived without its PNG bytes; reopen the run from the tree to read it from disk\./,
    );
  });

  it('compares at most four runs, with a notice', () => {
    const m = new RunModel();
    m.load(['a', 'b', 'c', 'd', 'e'].map((id) => snapshot(id)));
    assert.equal(m.runs.length, 4);
    assert.match(m.notices[0], /first 4 of 5/);
  });
});

describe('webview: compare tables, formats, saved state, milestone messages', () => {
  it('lists only config fields and versions that differ', () => {
    const base = { version: 1, exerciseId: 'x', runId: 'r', startedAt: '', status: 'finished' as const };
    const rows = configDifferences([
      { ...base, config: 'small', backend: 'wasm', versions: { tfjs: '4.22.0', node: '20' } },
      { ...base, config: 'small', backend: 'tensorflow', versions: { tfjs: '4.22.0', node: '22' } },
    ]);
    assert.deepEqual(rows, [
      { field: 'backend', values: ['wasm', 'tensorflow'] },
      { field: 'version: node', values: ['20', '22'] },
    ]);
    assert.deepEqual(summaryKeys([{ b: 1 }, undefined, { a: 'x', b: 2 }]), ['a', 'b']);
  });

  it('formats durations, bytes and values', () => {
    assert.equal(formatDuration(65_000), '1 min 05 s');
    assert.equal(formatDuration(3_780_000), '1 h 03 min');
    assert.equal(formatDuration(undefined), '–');
    assert.equal(formatBytes(3 * 1024 * 1024), '3.0 MB');
    assert.equal(formatValue(0.123456), '0.1235');
    assert.equal(formatValue(0.00001234), '1.234e-5');
    assert.deepEqual([4e24, 0.25, 1200, 0, -3.5e-7].map(formatTick), ['4.0e24', '0.25', '1200', '0', '-3.5e-7']);
  });

  it('sanitises a saved state field by field', () => {
    const s = sanitizeState({
      cursorStep: 40,
      smoothing: 5,
      logX: 'yes',
      zoom: { loss: [10, 2], acc: [1, 5] },
      collapsed: { runner: false, x: 1 },
    });
    assert.equal(s.cursorStep, 40);
    assert.equal(s.smoothing, 0.99);
    assert.equal(s.logX, false);
    assert.deepEqual(s.zoom, { acc: [1, 5] });
    assert.deepEqual(s.collapsed, { runner: false });
    assert.deepEqual(sanitizeState('garbage').zoom, {});
  });

  it("keeps the panel's runs for the serializer, and only plain 1–4 refs", () => {
    assert.deepEqual(
      sanitizeState({
        runs: [
          { exerciseId: 'ddpm', runId: 'r1' },
          { exerciseId: 'cfg', runId: 'r2' },
        ],
      }).runs,
      [
        { exerciseId: 'ddpm', runId: 'r1' },
        { exerciseId: 'cfg', runId: 'r2' },
      ],
    );
    assert.equal(sanitizeState({ runs: [{ exerciseId: 'ddpm', runId: '../../etc' }] }).runs, undefined);
    assert.equal(sanitizeState({ runs: [{ exerciseId: 'ddpm/x', runId: 'r1' }] }).runs, undefined);
    assert.equal(sanitizeState({ runs: [] }).runs, undefined);
    assert.equal(
      sanitizeState({ runs: Array.from({ length: 5 }, (_, i) => ({ exerciseId: 'a', runId: `r${i}` })) }).runs,
      undefined,
    );
  });

  it('parses milestone messages, reporting a wrong version and dropping malformed items', () => {
    assert.equal(parseMilestones({ type: 'load' }, 1), undefined);
    assert.match(
      (parseMilestones({ type: 'milestones', protocol: 2, items: [] }, 1) as { problem: string }).problem,
      /version 1 but received 2/,
    );
    const tests = { label: 'tests', met: true, link: { kind: 'tests', exerciseId: 'clip' } };
    const item = {
      id: 'm',
      title: 'M',
      met: false,
      evidence: [tests, { label: 'run', met: false, link: { kind: 'bogus' } }],
    };
    const ok = parseMilestones({ type: 'milestones', protocol: 1, items: [item, { id: 3 }] }, 1);
    // The item with a link of an unknown kind loses only that link; the item without a title is dropped.
    assert.deepEqual(ok, { items: [{ ...item, evidence: [tests, { label: 'run', met: false, link: undefined }] }] });
  });
});
