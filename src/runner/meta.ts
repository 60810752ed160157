// meta.json of a run (src/protocol/runFiles.ts): written by the runner at the start and the end, and finalised by
// the runner client when the process died without saying how. Written to a temp file and renamed, so a reader
// never sees half of it.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { ProcessLiveness } from '../core/runLiveness';
import { RUN_FILES, type RunMeta } from '../protocol/runFiles';

/**
 * Writes meta.json. A `running` meta without a pid gets this process's pid and host: the runner writes it from the
 * training process, so a reader can tell a live run from one killed before it could write its ending.
 */
export function writeMeta(runDir: string, meta: RunMeta): void {
  mkdirSync(runDir, { recursive: true });
  const file = join(runDir, RUN_FILES.meta);
  const stamped = meta.status === 'running' && meta.pid === undefined ? { ...meta, pid: process.pid, host: hostname() } : meta;
  writeFileSync(`${file}.tmp`, JSON.stringify(stamped, null, 2) + '\n');
  renameSync(`${file}.tmp`, file);
}

/** The process check readers inject into src/core (runLiveness): a pid is alive when signal 0 reaches it. */
export function localLiveness(): ProcessLiveness {
  return {
    host: hostname(),
    isAlive(pid: number): boolean {
      try {
        process.kill(pid, 0);
        return true;
      } catch (e) {
        // EPERM: it exists but belongs to someone else. ESRCH: no such process.
        return (e as NodeJS.ErrnoException).code === 'EPERM';
      }
    },
  };
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
