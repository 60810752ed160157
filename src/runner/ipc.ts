// The runner's only way out: typed messages over the IPC channel. Learner output (console.log, process.stdout.write)
// is turned into `output` events, so nothing the learner prints can corrupt the channel or get lost.
import type { RunnerToExtension } from '../protocol/runner';

let pending = 0;
const drained: Array<() => void> = [];

/** Sends one event to the extension (dropped silently only when the parent has gone, which ends us anyway). */
export function send(event: RunnerToExtension): void {
  if (!process.send || !process.connected) return;
  pending++;
  process.send(event, undefined, {}, () => {
    pending--;
    if (pending === 0) drained.splice(0).forEach((f) => f());
  });
}

/** Resolves once every event sent so far has been handed to the OS. */
export function flush(): Promise<void> {
  return pending === 0 ? Promise.resolve() : new Promise((resolve) => drained.push(resolve));
}

/** Sends everything, then exits: learner code may leave timers or handles open that would keep us alive. */
export async function exitAfterFlush(code: number): Promise<never> {
  await flush();
  process.exit(code);
}

/** Redirects process.stdout/stderr writes into `output` events. Returns a function that restores them. */
export function captureOutput(): () => void {
  const originals = { stdout: process.stdout.write, stderr: process.stderr.write };
  for (const stream of ['stdout', 'stderr'] as const) {
    const target = process[stream];
    target.write = ((chunk: unknown, encoding?: unknown, cb?: unknown): boolean => {
      const text =
        typeof chunk === 'string'
          ? chunk
          : Buffer.from(chunk as Uint8Array).toString(
              typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8',
            );
      send({ type: 'output', stream, text } satisfies RunnerToExtension);
      const callback = typeof encoding === 'function' ? encoding : cb;
      if (typeof callback === 'function') process.nextTick(callback as () => void);
      return true;
    }) as typeof target.write;
  }
  return () => {
    process.stdout.write = originals.stdout;
    process.stderr.write = originals.stderr;
  };
}
