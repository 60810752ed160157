import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { Reading } from './course/types';

export const NOTES_DIR = 'notes';

export function notesPath(workspaceRoot: string, readingId: string): string {
  return path.join(workspaceRoot, NOTES_DIR, `${readingId}.md`);
}

/** The first content of a reading's notes file: title, link, why, and the guiding questions to answer. */
export function notesSeed(reading: Reading): string {
  const questions = reading.questions.map((q, i) => `## Q${i + 1}. ${q}\n\n\n`).join('');
  return [
    `# ${reading.title}`,
    '',
    `${reading.authors}, ${reading.year} · ${reading.kind} · about ${reading.hours} h · <${reading.url}>`,
    '',
    `> Why read it: ${reading.why}`,
    '',
    'Answer the guiding questions in your own words. This file is yours: Multimodal Lab never overwrites it.',
    '',
    questions.trimEnd(),
    '',
    '## Other notes',
    '',
  ].join('\n');
}

/**
 * Creates `file` (and its folder) with `seed`, unless it exists: the learner's notes are never overwritten. The
 * exclusive-create flag makes that hold even when two windows race.
 */
export async function createNotesFile(file: string, seed: string): Promise<{ file: string; created: boolean }> {
  await mkdir(path.dirname(file), { recursive: true });
  try {
    await writeFile(file, seed, { encoding: 'utf8', flag: 'wx' });
    return { file, created: true };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return { file, created: false };
    throw new Error(`Could not create ${file}: ${(e as Error).message}`);
  }
}

/** Creates `notes/<id>.md` seeded with the guiding questions, unless it exists. */
export async function ensureNotesFile(
  workspaceRoot: string,
  reading: Reading,
): Promise<{ file: string; created: boolean }> {
  return createNotesFile(notesPath(workspaceRoot, reading.id), notesSeed(reading));
}
