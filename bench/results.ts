// What the benchmarks share: where a result goes, the machine it ran on, and how a benchmark script ends.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { REPO } from '../test/runner/harness';

/** bench/results/<name>, where docs/PERFORMANCE.md and the exercise READMEs read results from. */
export function resultPath(name: string): string {
  return join(REPO, 'bench/results', name);
}

/** The machine a result was measured on: its core count and CPU model. */
export function machine(): { cores: number; cpu: string | undefined } {
  return { cores: cpus().length, cpu: cpus()[0]?.model };
}

/** Writes `result` as pretty JSON to `file` (creating its folder). */
export function writeResult(file: string, result: unknown): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
}

/** Runs a benchmark's `main` and exits with 0, or prints the error and exits with 1. */
export function runBenchmark(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
