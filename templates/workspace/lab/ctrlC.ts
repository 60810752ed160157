/**
 * Ctrl+C under `npx tsx exercises/<id>/train.ts`, so that it stops after the current step as `lab.shouldStop()`
 * promises, with the run's status `stopped`.
 *
 * Why this is needed: the tsx CLI runs your script in a child `node` and, on SIGINT, waits about 30 ms for that child
 * to acknowledge the signal over a pipe (tsx's preflight acknowledges it from the child's main thread), then sends
 * SIGINT again, waits 30 ms more, and SIGKILLs the child. A training step keeps the main thread busy for seconds, so
 * the acknowledgement never comes in time and the run died without writing how it ended.
 *
 * The fix: a terminal's Ctrl+C reaches every process of the foreground process group at once. A tiny helper process
 * in the script's group, whose main thread is always idle, receives the same SIGINT and acknowledges it to tsx in the
 * script's place; the script sees its own SIGINT when the step ends. A SIGINT sent to the tsx CLI alone (not to the
 * group) reaches no helper, and tsx behaves as it always has. With `node --import tsx` (and `npm run train`) there is
 * no CLI parent, so there is no helper either.
 *
 * The pipe's path and framing are tsx 4's (the version package.json pins). A later tsx may change them, so the
 * extension's test/runtime/terminal.test.ts presses Ctrl+C on `npx tsx` to catch that; with no pipe at the expected
 * path no helper starts, and a killed run still shows as "ended without a record", never as running.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import * as path from 'node:path';

/**
 * The helper, in plain JavaScript for a bare `node -e`. tsx's pipe protocol: a 4-byte big-endian length, then JSON.
 * It answers for a second after each SIGINT: the answer may arrive before the tsx CLI has begun to wait for it (the
 * CLI drops answers it is not waiting for), and the CLI waits twice. It says "ready" once connected, and exits when
 * the script does (its stdin closes).
 */
const HELPER = `
const socket = require('node:net').createConnection(process.argv[1], () => process.stdout.write('ready\\n'));
socket.on('error', () => process.exit(0));
const body = Buffer.from(JSON.stringify({ type: 'signal', signal: 'SIGINT' }));
const head = Buffer.alloc(4);
head.writeInt32BE(body.length, 0);
const ack = Buffer.concat([head, body]);
let until = 0;
let timer;
process.on('SIGINT', () => {
  until = Date.now() + 1000;
  if (timer) return;
  const answer = () => {
    socket.write(ack);
    if (Date.now() > until) { clearInterval(timer); timer = undefined; }
  };
  answer();
  timer = setInterval(answer, 5);
});
process.stdin.on('end', () => process.exit(0)).on('error', () => process.exit(0)).resume();
`;

/** The tsx CLI's pipe when this process is the child of a tsx CLI (`npx tsx script.ts`), else undefined. */
export function tsxCliPipe(
  execArgv: readonly string[] = process.execArgv,
  ppid: number = process.ppid,
): string | undefined {
  if (!execArgv.some((a) => /[\\/]tsx[\\/]dist[\\/]preflight\.cjs$/.test(a))) return undefined;
  // Where tsx 4's CLI listens (its client builds the same path from the parent's pid).
  const user = process.geteuid ? process.geteuid() : userInfo().username;
  const pipe = path.join(tmpdir(), `tsx-${user}`, `${ppid}.pipe`);
  if (process.platform === 'win32') return `\\\\?\\pipe\\${pipe}`;
  return existsSync(pipe) ? pipe : undefined;
}

let started = false;

/**
 * Under the tsx CLI, starts the helper that acknowledges a terminal's Ctrl+C for this script (see the top of this
 * file) and resolves once it is listening, so that a Ctrl+C from the first step on is answered. Resolves at once
 * elsewhere, or a second time. If the helper cannot start, Ctrl+C behaves as plain tsx does.
 */
export function answerTsxForCtrlC(): Promise<void> {
  const pipe = started ? undefined : tsxCliPipe();
  if (!pipe) return Promise.resolve();
  started = true;
  const env = { ...process.env };
  delete env.NODE_OPTIONS; // the helper needs no loader or preload
  const helper = spawn(process.execPath, ['-e', HELPER, pipe], {
    stdio: ['pipe', 'pipe', 'ignore'],
    env,
    windowsHide: true,
  });
  helper.stdin?.on('error', () => {
    /* the helper is gone */
  });
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      // From now on neither the helper nor the pipes to it may keep this process alive once the script is done.
      helper.unref();
      for (const stream of [helper.stdin, helper.stdout])
        (stream as unknown as { unref?: () => void } | null)?.unref?.();
      resolve();
    };
    helper.stdout?.once('data', done);
    helper.on('error', done); // no helper: tsx's own behaviour
    helper.on('exit', done);
    // A helper that neither connects nor fails must not hold the run back.
    const timer = setTimeout(done, 5000);
  });
}
