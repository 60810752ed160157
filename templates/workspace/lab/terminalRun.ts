/**
 * A run started from a terminal (`npx tsx exercises/<id>/train.ts`) has no extension to set it up, so the lab
 * library makes its run directory and writes its meta.json itself, through the same run store the extension uses
 * (lab/runtime/runStore.ts).
 */
import * as path from 'node:path';
import { RUN_META_VERSION, createMeta, makeRunDir, newRunId, updateMeta } from './runtime/runStore';

export interface TerminalRun {
  dir: string;
  latestCheckpoint?: string;
  ended: boolean;
}

/** Finds `<workspace>/exercises/<id>/` above the script being run; falls back to the current folder. */
function locate(script: string | undefined): { root: string; exerciseId: string } {
  const parts = path.resolve(script ?? process.cwd()).split(path.sep);
  const i = parts.lastIndexOf('exercises');
  if (i > 0 && i + 1 < parts.length - 1)
    return { root: parts.slice(0, i).join(path.sep) || path.sep, exerciseId: parts[i + 1] };
  return { root: process.cwd(), exerciseId: 'scratch' };
}

/** Makes `.multimodal-lab/runs/<exercise>/<timestamp>-terminal/` and its meta.json (status running). */
export function createTerminalRun(config: string): TerminalRun {
  const { root, exerciseId } = locate(process.argv[1]);
  const runId = newRunId(new Date(), 'terminal');
  const run: TerminalRun = { dir: makeRunDir(root, exerciseId, runId), ended: false };
  // The store stamps a running meta with this process's pid and host: a reader that finds "running" can check the
  // process is still there (a terminal closed, or a kill -9, ends a run without a word).
  createMeta(run.dir, {
    version: RUN_META_VERSION,
    exerciseId,
    runId,
    config,
    startedAt: new Date().toISOString(),
    status: 'running',
  });
  console.error(`[lab] Writing this run to ${run.dir}`);
  // A script that never calls lab.run still gets an honest ending.
  process.once('exit', (code) => {
    if (!run.ended)
      finishTerminalRun(
        run,
        code === 0 ? 'finished' : 'crashed',
        code === 0 ? undefined : `The script exited with code ${code}.`,
      );
  });
  return run;
}

/** Writes how the run ended into its meta.json (the exit hook then leaves it alone). */
export function finishTerminalRun(run: TerminalRun, status: string, reason?: string): void {
  run.ended = true;
  updateMeta(run.dir, {
    status,
    endedAt: new Date().toISOString(),
    ...(reason ? { reason } : {}),
    ...(run.latestCheckpoint ? { latestCheckpoint: run.latestCheckpoint } : {}),
  });
}
