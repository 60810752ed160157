// A meta.json that says "running" may be a lie: a process killed with SIGKILL (tsx's CLI after Ctrl+C, a closed
// terminal, the out-of-memory killer, a crashed VS Code) never writes how it ended. Every reader of a run settles such
// a run here, with the process check injected, so core never touches processes itself.
import type { RunMeta } from '../protocol/runFiles';

/**
 * How a reader checks the process that wrote a `running` meta.json (the real one is `localLiveness` in
 * src/runner/liveness).
 */
export interface ProcessLiveness {
  /** This machine's name, as `os.hostname()` gives it: a pid means nothing on another machine. */
  readonly host: string;
  /** Whether a process with this pid exists on this machine. */
  isAlive(pid: number): boolean;
}

/** True when `meta` says running but its process, recorded on this host, is gone. Unknown cases stay running. */
export function endedWithoutRecord(meta: RunMeta, liveness: ProcessLiveness | undefined): boolean {
  return (
    meta.status === 'running' &&
    liveness !== undefined &&
    typeof meta.pid === 'number' &&
    meta.pid > 0 &&
    meta.host === liveness.host &&
    !liveness.isAlive(meta.pid)
  );
}

/**
 * The meta.json a reader should show: unchanged, or for a run that ended without a record, status `killed` with
 * `endedWithoutRecord` and a reason that says what happened and what was kept. Nothing is written back.
 */
export function settleRunMeta(meta: RunMeta, liveness: ProcessLiveness | undefined): RunMeta {
  if (!endedWithoutRecord(meta, liveness)) return meta;
  return {
    ...meta,
    status: 'killed',
    endedWithoutRecord: true,
    reason:
      `Ended without a record: its process (pid ${meta.pid}) is gone, and it never wrote how it ended. It was ` +
      'killed (kill -9, a closed terminal, the system running out of memory) or crashed hard. What it logged until ' +
      'then is kept; start a new run, or resume from its last checkpoint if it saved one.',
  };
}
