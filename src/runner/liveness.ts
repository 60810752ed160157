// Whether the process that wrote a `running` meta.json is still there. The run store
// (templates/workspace/lab/runtime/runStore.ts) records the pid and host when it starts a running meta; readers in
// src/core settle a run whose process is gone (src/core/runLiveness) with this check injected, so core never touches
// processes itself.
import { hostname } from 'node:os';
import type { ProcessLiveness } from '../core/runLiveness';

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
