// meta.json of a run (src/protocol/runFiles.ts): written by the runner at the start and the end, and finalised by
// the runner client when the process died without saying how. Written to a temp file and renamed, so a reader
// never sees half of it.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RUN_FILES, type RunMeta } from '../protocol/runFiles';

export function writeMeta(runDir: string, meta: RunMeta): void {
  mkdirSync(runDir, { recursive: true });
  const file = join(runDir, RUN_FILES.meta);
  writeFileSync(`${file}.tmp`, JSON.stringify(meta, null, 2) + '\n');
  renameSync(`${file}.tmp`, file);
}

/** The run's meta.json, or undefined when it is missing or unreadable. */
export function readMeta(runDir: string): RunMeta | undefined {
  try {
    const v = JSON.parse(readFileSync(join(runDir, RUN_FILES.meta), 'utf8')) as unknown;
    return typeof v === 'object' && v !== null && typeof (v as RunMeta).status === 'string' ? (v as RunMeta) : undefined;
  } catch {
    return undefined;
  }
}

/** Merges `patch` into an existing meta.json; returns the result, or undefined when there was none. */
export function updateMeta(runDir: string, patch: Partial<RunMeta>): RunMeta | undefined {
  const meta = readMeta(runDir);
  if (!meta) return undefined;
  const next: RunMeta = { ...meta, ...patch };
  writeMeta(runDir, next);
  return next;
}
