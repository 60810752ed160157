import * as assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { PROGRESS_VERSION, ProgressStore, checkProgress, hintCounts } from '../../src/core/progress';

const FIXED = new Date('2026-11-27T10:00:00.000Z');

async function workspace(progressText?: string): Promise<{ root: string; file: string }> {
  const root = await mkdtemp(path.join(tmpdir(), 'mml-progress-'));
  const file = path.join(root, '.multimodal-lab', 'progress.json');
  if (progressText !== undefined) {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, progressText);
  }
  return { root, file };
}

async function backups(root: string): Promise<string[]> {
  return readdir(path.join(root, '.multimodal-lab', 'backups', 'progress')).catch(() => []);
}

describe('progress store', () => {
  it('starts empty when there is no file, and writes nothing until something changes', async () => {
    const { root, file } = await workspace();
    const store = new ProgressStore(root, () => FIXED);
    assert.equal(await store.load(), undefined);
    assert.deepEqual(store.progress, { version: PROGRESS_VERSION, readings: {} });
    await assert.rejects(readFile(file), /ENOENT/);
  });

  it('persists a tick as versioned JSON that a fresh store reads back', async () => {
    const { root, file } = await workspace();
    const store = new ProgressStore(root, () => FIXED);
    await store.load();
    await store.setRead('clip', true);
    assert.deepEqual(JSON.parse(await readFile(file, 'utf8')), {
      version: 1,
      readings: { clip: { readAt: '2026-11-27T10:00:00.000Z' } },
    });
    const again = new ProgressStore(root);
    await again.load();
    assert.equal(again.isRead('clip'), true);
    assert.equal(again.isRead('vit'), false);
  });

  it('keeps the first readAt when ticked twice, and removes the entry when unticked', async () => {
    const { root } = await workspace();
    let now = FIXED;
    const store = new ProgressStore(root, () => now);
    await store.setRead('clip', true);
    now = new Date('2027-01-01T00:00:00.000Z');
    await store.setRead('clip', true);
    assert.equal(store.progress.readings.clip.readAt, FIXED.toISOString());
    await store.setRead('clip', false);
    assert.equal(store.isRead('clip'), false);
  });

  it('serialises rapid writes so none is lost and no temp file is left', async () => {
    const { root, file } = await workspace();
    const store = new ProgressStore(root, () => FIXED);
    await Promise.all(['a', 'b', 'c', 'd', 'e'].map((id) => store.setRead(id, true)));
    const saved = JSON.parse(await readFile(file, 'utf8'));
    assert.deepEqual(Object.keys(saved.readings).sort(), ['a', 'b', 'c', 'd', 'e']);
    assert.deepEqual(
      (await readdir(path.dirname(file))).filter((f) => f.endsWith('.tmp')),
      [],
    );
  });

  it('keeps unknown fields written by other tools or newer minor features', async () => {
    const { root, file } = await workspace(
      JSON.stringify({ version: 1, readings: {}, quizzes: { 'clip-loss': { passedAt: '2026-01-01T00:00:00Z' } } }),
    );
    const store = new ProgressStore(root, () => FIXED);
    await store.load();
    await store.setRead('vit', true);
    const saved = JSON.parse(await readFile(file, 'utf8'));
    assert.deepEqual(saved.quizzes, { 'clip-loss': { passedAt: '2026-01-01T00:00:00Z' } });
  });

  const unusable: [string, string, string, RegExp][] = [
    ['a corrupt (truncated) file', '{"version": 1, "readings": {"clip": {"readAt"', 'corrupt', /not valid JSON/],
    [
      'an old-version file without a version',
      '{"read": ["clip", "vit"]}',
      'oldVersion',
      /no version number.*predates version 1/,
    ],
    [
      'an old-version file with version 0',
      '{"version": 0, "readings": {}}',
      'oldVersion',
      /version 0, which this Multimodal Lab \(version 1\) cannot migrate/,
    ],
    [
      'a file from a newer extension',
      '{"version": 7, "readings": {}}',
      'newerVersion',
      /version 7, written by a newer Multimodal Lab/,
    ],
    [
      'a file whose readings are not an object',
      '{"version": 1, "readings": ["clip"]}',
      'invalid',
      /"readings" is not an object/,
    ],
    [
      'a file with a bad date',
      '{"version": 1, "readings": {"clip": {"readAt": "yesterday"}}}',
      'invalid',
      /reading "clip" has no valid "readAt"/,
    ],
  ];
  for (const [what, text, reason, message] of unusable) {
    it(`backs up and reports ${what}, never discarding it`, async () => {
      const { root, file } = await workspace(text);
      const store = new ProgressStore(root, () => FIXED);
      const notice = await store.load();
      assert.ok(notice, 'expected a notice');
      assert.equal(notice.reason, reason);
      assert.match(notice.message, message);
      assert.match(notice.message, /moved to .*backups.*progress.*; progress starts afresh\.$/);
      const [backup] = await backups(root);
      assert.equal(backup, `2026-11-27T10-00-00-000Z-${reason}.json`);
      assert.equal(notice.backup, path.join(root, '.multimodal-lab', 'backups', 'progress', backup));
      assert.equal(await readFile(notice.backup, 'utf8'), text, 'the backup holds the original bytes');
      await assert.rejects(readFile(file), /ENOENT/);
      assert.deepEqual(store.progress.readings, {});
      await store.setRead('clip', true);
      assert.equal(JSON.parse(await readFile(file, 'utf8')).readings.clip.readAt, FIXED.toISOString());
    });
  }

  it('merges and persists per-exercise progress next to the readings', async () => {
    const { root, file } = await workspace();
    const store = new ProgressStore(root, () => FIXED);
    await store.setRead('clip', true);
    await store.updateExercise('clip', { hintsRevealed: 1 });
    await store.updateExercise('clip', { startedAt: FIXED.toISOString() });
    const saved = JSON.parse(await readFile(file, 'utf8'));
    assert.deepEqual(saved.exercises, { clip: { hintsRevealed: 1, startedAt: FIXED.toISOString() } });
    assert.ok(saved.readings.clip);
    const again = new ProgressStore(root);
    await again.load();
    assert.equal(again.exercise('clip').hintsRevealed, 1);
    assert.deepEqual(again.exercise('ddpm'), {});
  });

  const HINTS_PER_TODO = [
    { todo: 1, count: 3 },
    { todo: 2, count: 2 },
    { todo: 5, count: 3 },
  ];

  it('counts revealed hints per TODO, and persists them', async () => {
    const { root, file } = await workspace();
    const store = new ProgressStore(root, () => FIXED);
    assert.deepEqual(await store.revealHint('clip', 5, HINTS_PER_TODO), { revealed: 1, total: 3 });
    assert.deepEqual(await store.revealHint('clip', 5, HINTS_PER_TODO), { revealed: 2, total: 3 });
    assert.deepEqual(await store.revealHint('clip', 2, HINTS_PER_TODO), { revealed: 1, total: 2 });
    assert.deepEqual(JSON.parse(await readFile(file, 'utf8')).exercises.clip, { hintsRevealed: { 2: 1, 5: 2 } });
    const again = new ProgressStore(root);
    await again.load();
    assert.deepEqual(hintCounts(again.exercise('clip'), HINTS_PER_TODO), { 1: 0, 2: 1, 5: 2 });
  });

  it("stops at a TODO's last hint", async () => {
    const { root } = await workspace();
    const store = new ProgressStore(root, () => FIXED);
    for (let i = 0; i < 4; i++) await store.revealHint('clip', 2, HINTS_PER_TODO);
    assert.deepEqual(hintCounts(store.exercise('clip'), HINTS_PER_TODO), { 1: 0, 2: 2, 5: 0 });
  });

  it("migrates the old single hintsRevealed count the way it was shown: TODO(1)'s hints first, then the next TODO", async () => {
    assert.deepEqual(hintCounts({ hintsRevealed: 4 }, HINTS_PER_TODO), { 1: 3, 2: 1, 5: 0 });
    assert.deepEqual(hintCounts({ hintsRevealed: 99 }, HINTS_PER_TODO), { 1: 3, 2: 2, 5: 3 });
    assert.deepEqual(hintCounts({}, HINTS_PER_TODO), { 1: 0, 2: 0, 5: 0 });
    const { root, file } = await workspace(
      JSON.stringify({ version: 1, readings: {}, exercises: { clip: { hintsRevealed: 4, startedAt: 'x' } } }),
    );
    const store = new ProgressStore(root, () => FIXED);
    await store.load();
    assert.deepEqual(await store.revealHint('clip', 5, HINTS_PER_TODO), { revealed: 1, total: 3 });
    assert.deepEqual(
      JSON.parse(await readFile(file, 'utf8')).exercises.clip,
      { startedAt: 'x', hintsRevealed: { 1: 3, 2: 1, 5: 1 } },
      'the old count is rewritten per TODO',
    );
  });

  it('ignores per-TODO counts that are not whole numbers, and TODOs no longer in the hints', () => {
    assert.deepEqual(
      hintCounts({ hintsRevealed: { 1: 2, 2: 'x' as unknown as number, 5: -1, 9: 4 } }, HINTS_PER_TODO),
      { 1: 2, 2: 0, 5: 0 },
    );
  });

  it('backs up a file whose exercises entry is not an object', async () => {
    const { root } = await workspace('{"version": 1, "readings": {}, "exercises": [1]}');
    const notice = await new ProgressStore(root, () => FIXED).load();
    assert.equal(notice?.reason, 'invalid');
    assert.match(notice?.message ?? '', /"exercises" is not an object/);
  });

  it('checkProgress accepts a well-formed file', () => {
    const r = checkProgress('{"version":1,"readings":{"clip":{"readAt":"2026-11-27T10:00:00.000Z"}}}');
    assert.ok('progress' in r);
  });
});
