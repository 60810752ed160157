import * as assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseCourse } from '../../src/core/course/load';
import { Reading } from '../../src/core/course/types';
import { ensureNotesFile, notesPath, notesSeed } from '../../src/core/notes';
import { validCourseDoc } from '../fixtures/course';

function clip(): Reading {
  const r = parseCourse(JSON.stringify(validCourseDoc()), 'course.json');
  if (!r.ok) throw new Error('fixture invalid');
  return r.course.readings[0];
}

describe('notes files', () => {
  it('seeds a new notes file with the title, link and every guiding question', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'mml-notes-'));
    const { file, created } = await ensureNotesFile(root, clip());
    assert.equal(created, true);
    assert.equal(file, path.join(root, 'notes', 'clip.md'));
    const text = await readFile(file, 'utf8');
    assert.ok(text.startsWith('# CLIP\n'));
    assert.ok(text.includes('<https://arxiv.org/abs/2103.00020>'));
    for (const [i, q] of clip().questions.entries())
      assert.ok(text.includes(`## Q${i + 1}. ${q}`), `missing question ${i + 1}`);
    assert.equal(text, notesSeed(clip()));
  });

  it('never overwrites a file the learner edited', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'mml-notes-'));
    const file = notesPath(root, 'clip');
    await ensureNotesFile(root, clip());
    await writeFile(file, 'my own answers\n');
    const second = await ensureNotesFile(root, clip());
    assert.equal(second.created, false);
    assert.equal(await readFile(file, 'utf8'), 'my own answers\n');
  });

  it('leaves a read-only notes file untouched and reports it as existing', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'mml-notes-'));
    const file = notesPath(root, 'clip');
    await ensureNotesFile(root, clip());
    await writeFile(file, 'locked\n');
    await chmod(file, 0o444);
    const before = await stat(file);
    const r = await ensureNotesFile(root, clip());
    assert.equal(r.created, false);
    assert.equal(await readFile(file, 'utf8'), 'locked\n');
    assert.equal((await stat(file)).mtimeMs, before.mtimeMs);
  });

  it('reports where and why when the notes folder cannot be written', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'mml-notes-'));
    await writeFile(path.join(root, 'notes'), 'a file where the folder should be');
    await assert.rejects(ensureNotesFile(root, clip()), /notes/);
    assert.equal(await readFile(path.join(root, 'notes'), 'utf8'), 'a file where the folder should be');
  });
});
