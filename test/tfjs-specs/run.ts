// Runs the tfjs spec suite in child processes (a process holds one wasm build), one per configuration, and
// compares each thread count's stock run with its kernels run. Used by the mocha test and by the CLI.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { compareRuns, loadExpected, type Comparison, type SpecRun } from './compare';

/** One child process: stock wasm or wasm with the training kernels, on a number of XNNPACK threads. */
export interface Configuration {
  mode: 'stock' | 'kernels';
  threads: number;
}

/** Runs the specs in one configuration; rejects with the child's stderr if it crashes or times out. */
export function runConfiguration(config: Configuration, timeoutMs = 420000): Promise<SpecRun> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tfjs-specs-'));
  const out = path.join(dir, `${config.mode}-${config.threads}.json`);
  const args = ['--import', 'tsx', path.join(__dirname, 'runSpecs.ts'), config.mode, String(config.threads), out];
  return new Promise<SpecRun>((resolve, reject) => {
    execFile(
      process.execPath,
      args,
      { timeout: timeoutMs, maxBuffer: 64 << 20, encoding: 'utf8' },
      (error, _stdout, stderr) => {
        try {
          if (error) {
            reject(
              new Error(
                `tfjs specs (${config.mode}, ${config.threads} threads) failed: ${error.message}\n${stderr.slice(-4000)}`,
              ),
            );
            return;
          }
          resolve(JSON.parse(readFileSync(out, 'utf8')) as SpecRun);
        } catch (e) {
          reject(e instanceof Error ? e : new Error(String(e)));
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    );
  });
}

/** Stock and kernels runs for one thread count, compared against the expected-failures list. */
export async function compareAt(
  threads: number,
): Promise<{ comparison: Comparison; stock: SpecRun; kernels: SpecRun }> {
  // One after the other: the threaded runs use both cores of the CI machine each.
  const stock = await runConfiguration({ mode: 'stock', threads });
  const kernels = await runConfiguration({ mode: 'kernels', threads });
  return { comparison: compareRuns(stock, kernels, loadExpected()), stock, kernels };
}
