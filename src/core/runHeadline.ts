import { open, readFile } from 'node:fs/promises';
import type { RunSummary } from '../protocol/runFiles';
import { chooseHeadline, lastScalarValue, type Headline } from './runLabels';
import { runFile } from './runStore';

/** How much of the end of scalars.jsonl to read for the last loss: a long run's file can be megabytes. */
const TAIL_BYTES = 64 * 1024;

async function readTail(file: string): Promise<string> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, TAIL_BYTES);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    return buffer.toString('utf8');
  } finally {
    await handle.close();
  }
}

/**
 * A run's headline for the tree: the first of `declared` (the metrics the course's milestones check) in its
 * summary.json, else the last finite `loss` it logged. Missing or unreadable files give no headline.
 */
export async function readRunHeadline(dir: string, declared: readonly string[]): Promise<Headline | undefined> {
  const summary = await readFile(runFile(dir, 'summary'), 'utf8').then(
    (t) => JSON.parse(t) as RunSummary,
    () => undefined,
  );
  const fromSummary = chooseHeadline(
    declared,
    typeof summary === 'object' && summary !== null ? summary : undefined,
    undefined,
  );
  if (fromSummary) return fromSummary;
  const tail = await readTail(runFile(dir, 'scalars')).catch(() => '');
  return chooseHeadline([], undefined, lastScalarValue(tail, 'loss'));
}
