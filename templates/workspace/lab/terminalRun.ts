/**
 * A run started from a terminal (`npx tsx exercises/<id>/train.ts`) has no extension to set it up, so the lab
 * library makes its run directory and writes its meta.json itself, in the same format the extension uses.
 */
import * as fs from 'node:fs';
import { hostname } from 'node:os';
import * as path from 'node:path';

export interface TerminalRun {
  dir: string;
  metaFile: string;
  meta: Record<string, unknown>;
  latestCheckpoint?: string;
  ended: boolean;
}

/** Finds `<workspace>/exercises/<id>/` above the script being run; falls back to the current folder. */
function locate(script: string | undefined): { root: string; exerciseId: string } {
  const parts = path.resolve(script ?? process.cwd()).split(path.sep);
  const i = parts.lastIndexOf('exercises');
  if (i > 0 && i + 1 < parts.length - 1) return { root: parts.slice(0, i).join(path.sep) || path.sep, exerciseId: parts[i + 1] };
  return { root: process.cwd(), exerciseId: 'scratch' };
}

/** Makes `.multimodal-lab/runs/<exercise>/<timestamp>-terminal/` and its meta.json (status running). */
export function createTerminalRun(config: string): TerminalRun {
  const { root, exerciseId } = locate(process.argv[1]);
  const runId = `${new Date().toISOString().replace(/[:.]/g, '-')}-terminal`;
  const dir = path.join(root, '.multimodal-lab', 'runs', exerciseId, runId);
  fs.mkdirSync(dir, { recursive: true });
  const run: TerminalRun = {
    dir, metaFile: path.join(dir, 'meta.json'), ended: false,
    // pid and host: a reader that finds "running" can check this process is still there (a terminal closed, or a
    // kill -9, ends a run without a word).
    meta: { version: 1, exerciseId, runId, config, startedAt: new Date().toISOString(), status: 'running', pid: process.pid, host: hostname() },
  };
  writeMeta(run);
  console.error(`[lab] Writing this run to ${dir}`);
  // A script that never calls lab.run still gets an honest ending.
  process.once('exit', (code) => {
    if (!run.ended) finishTerminalRun(run, code === 0 ? 'finished' : 'crashed', code === 0 ? undefined : `The script exited with code ${code}.`);
  });
  return run;
}

/** Writes how the run ended into its meta.json (the exit hook then leaves it alone). */
export function finishTerminalRun(run: TerminalRun, status: string, reason?: string): void {
  run.ended = true;
  run.meta = {
    ...run.meta, status, endedAt: new Date().toISOString(),
    ...(reason ? { reason } : {}), ...(run.latestCheckpoint ? { latestCheckpoint: run.latestCheckpoint } : {}),
  };
  writeMeta(run);
}

function writeMeta(run: TerminalRun): void {
  fs.writeFileSync(`${run.metaFile}.tmp`, JSON.stringify(run.meta, null, 2) + '\n');
  fs.renameSync(`${run.metaFile}.tmp`, run.metaFile);
}
