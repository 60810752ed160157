// Forks dist/runner.js and queues what it does until someone listens: a spare runner (see pool.ts) lives for a while
// before it has a job and an owner.
import { fork, type ChildProcess } from 'node:child_process';
import { isRunnerToExtension } from '../protocol/runner';

/** What a forked runner did, queued until someone listens (a spare runs before it has a job). */
export type Happening =
  | { readonly kind: 'message'; readonly message: unknown }
  | { readonly kind: 'stdout' | 'stderr'; readonly text: string }
  | { readonly kind: 'exit'; readonly code: number | null; readonly signal: NodeJS.Signals | null }
  | { readonly kind: 'close' | 'disconnect' }
  | { readonly kind: 'error'; readonly error: Error };

export interface Forked {
  readonly child: ChildProcess;
  readonly exited: boolean;
  /** Resolves true at the runner's `hello` (a spare says it once prepared), false if it exits first. */
  readonly ready: Promise<boolean>;
  listen(handler: (h: Happening) => void): void;
}

/** Forks the runner in its own process group, with no Node flags of the parent's. */
export function forkRunner(runnerPath: string, env: NodeJS.ProcessEnv | undefined): Forked {
  const child = fork(runnerPath, [], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    serialization: 'json',
    env: env ?? process.env,
    // Not the parent's Node flags (fork's default): an extension host's --inspect would collide, and a parent under
    // tsx would load tsx's loader into the runner and into every wasm thread's worker (350 ms more per start here).
    execArgv: [],
  });
  let queue: Happening[] = [];
  let handler: ((h: Happening) => void) | undefined;
  let exited = false;
  let isReady: (ready: boolean) => void = () => undefined;
  const ready = new Promise<boolean>((resolve) => {
    isReady = resolve;
  });
  const push = (h: Happening): void => {
    if (h.kind === 'exit' || h.kind === 'error') {
      exited = true;
      isReady(false);
    }
    if (h.kind === 'message' && isRunnerToExtension(h.message) && h.message.type === 'hello') isReady(true);
    if (handler) handler(h);
    else queue.push(h);
  };
  child.stdout?.setEncoding('utf8').on('data', (text: string) => push({ kind: 'stdout', text }));
  child.stderr?.setEncoding('utf8').on('data', (text: string) => push({ kind: 'stderr', text }));
  child.on('message', (message: unknown) => push({ kind: 'message', message }));
  child.on('exit', (code, signal) => push({ kind: 'exit', code, signal }));
  child.on('close', () => push({ kind: 'close' }));
  child.on('disconnect', () => push({ kind: 'disconnect' }));
  child.on('error', (error) => push({ kind: 'error', error }));
  return {
    child,
    ready,
    get exited() {
      return exited;
    },
    listen(h) {
      // On a later tick, so no event reaches the caller before it has its handle; until then events keep queuing.
      process.nextTick(() => {
        const earlier = queue;
        queue = [];
        handler = h;
        earlier.forEach(h);
      });
    },
  };
}
