// Client for bench/pytorch/server.py: one long-lived Python process, so PyTorch rounds interleave with tfjs
// rounds in the same run. Debian's python3-torch is the anchor; `python3` on PATH may be a pyenv shim
// without torch, so the system interpreter is used explicitly.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { createInterface } from 'node:readline';

export const SYSTEM_PYTHON = '/usr/bin/python3';

type Reply = { ok: true; [k: string]: unknown } | { ok: false; error: string };

/** A running PyTorch step timer. BENCH_PYTHON overrides the interpreter (for a torch outside Debian's). */
export class TorchServer {
  private readonly waiting: Array<(r: Reply) => void> = [];
  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    createInterface({ input: child.stdout }).on('line', (line) => this.waiting.shift()?.(JSON.parse(line) as Reply));
    child.on('exit', () => {
      for (const w of this.waiting.splice(0)) w({ ok: false, error: 'PyTorch server exited' });
    });
  }

  /** Starts the server with `threads` intra-op threads; undefined (with the reason) when torch is absent. */
  static async start(
    threads: number,
    python = process.env.BENCH_PYTHON ?? SYSTEM_PYTHON,
  ): Promise<{ server?: TorchServer; info: Record<string, unknown>; absent?: string }> {
    if (!existsSync(python))
      return { info: {}, absent: `${python} not found (Debian: apt-get install -y python3-torch)` };
    const child = spawn(python, [path.join(__dirname, '..', 'pytorch', 'server.py')], {
      cwd: path.join(__dirname, '..', 'pytorch'),
      env: { ...process.env, OMP_NUM_THREADS: String(threads) },
    });
    // A python without torch exits at once; writes to its closed stdin must not crash the bench.
    child.stdin.on('error', () => undefined);
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const server = new TorchServer(child);
    const init = await server.request({ cmd: 'init', threads });
    if (!init.ok) {
      server.close();
      return {
        info: {},
        absent: `PyTorch did not start: ${init.error} ${stderr.slice(-400)} (Debian: apt-get install -y python3-torch)`,
      };
    }
    return { server, info: init };
  }

  request(req: Record<string, unknown>): Promise<Reply> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.child.stdin.write(JSON.stringify(req) + '\n');
    });
  }

  /** Builds the twin of `model` and returns its parameter count. */
  async build(model: string, config: object): Promise<number> {
    const r = await this.request({ cmd: 'build', model, config });
    if (!r.ok) throw new Error(`PyTorch build of ${model} failed: ${r.error}`);
    return r.params as number;
  }

  /** Runs `steps` training steps; per-step milliseconds. */
  async run(steps: number): Promise<number[]> {
    const r = await this.request({ cmd: 'run', steps });
    if (!r.ok) throw new Error(`PyTorch run failed: ${r.error}`);
    return r.ms as number[];
  }

  close(): void {
    this.child.stdin.end();
  }
}
