// Child-process entry: runs tfjs-core's own jasmine op specs on the wasm backend, with or without our training
// kernels, single-threaded or on the threaded build, and writes every spec's outcome as JSON.
//   node --import tsx test/tfjs-specs/runSpecs.ts <stock|kernels> <threads> <out.json>
// The set-up is tfjs-backend-wasm's own test runner's (setup_test.ts): one test environment, 'test-wasm' on the
// wasm backend, registered with setTestEnvs before any spec file loads; jasmine_util's describeWithFlags then
// gives every describe block an ENGINE.reset() and a fresh setBackend('wasm') before it and a reset after it.
// A process holds one wasm build (single-threaded or threaded), hence one process per configuration.
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { SPEC_FILES } from './specFiles';
import type { SpecOutcome, SpecRun } from './compare';

const require = createRequire(__filename);

interface JasmineResult {
  fullName: string;
  status: string;
  failedExpectations: { message: string }[];
}
interface JasmineEnv {
  addReporter(r: object): void;
  configure(c: object): void;
  execute(): void;
}
interface Jasmine {
  getEnv(): JasmineEnv;
  DEFAULT_TIMEOUT_INTERVAL: number;
}

const [modeArg, threadsArg, outFile] = process.argv.slice(2);
if ((modeArg !== 'stock' && modeArg !== 'kernels') || !Number(threadsArg) || !outFile) {
  throw new Error('usage: runSpecs.ts <stock|kernels> <threads> <out.json>');
}
const mode: SpecRun['mode'] = modeArg;
const threads = Number(threadsArg);

/** Short, single-line failure text: the first failed expectation's first line, capped. */
function firstLine(result: JasmineResult): string {
  const m = result.failedExpectations[0]?.message ?? '';
  return m.split('\n')[0].slice(0, 300);
}

async function main(): Promise<void> {
  const started = Date.now();
  // jasmine globals (describe, it, expect, jasmine) must exist before any spec file or jasmine_util loads.
  const jasmineRequire = require('jasmine-core') as { boot(j: unknown): Jasmine };
  const jasmine = jasmineRequire.boot(jasmineRequire);
  // tfjs-core's own jasmine_util sets 20 s on its private jasmine instance; the booted one needs it too.
  jasmine.DEFAULT_TIMEOUT_INTERVAL = 20000;

  // require, not import(): tfjs-core's dist is ES syntax in a CommonJS package, which only tsx's require hook
  // loads (Node's ES loader rejects its directory imports).
  const tf = require('@tensorflow/tfjs-core') as typeof import('@tensorflow/tfjs-core');
  require('@tensorflow/tfjs-backend-cpu');
  require('@tensorflow/tfjs-core/dist/register_all_gradients');
  require('@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops');
  const wasm = require('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');
  const { installTrainingKernels, startWasm } =
    require('../../templates/workspace/lab/runtime/kernels') as typeof import('../../templates/workspace/lab/runtime/kernels');
  const packageDir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));

  // Every ENGINE.reset() drops the backend and the next setBackend('wasm') calls the factory again. The stock
  // factory would come back single-threaded (the env flags reset too, and Node has no blob: workers), so the
  // factory is wrapped in startWasm, the project's own way of starting the requested build.
  const engine = tf.engine() as unknown as {
    registryFactory: Record<string, { factory: () => Promise<unknown>; priority: number }>;
  };
  const stockFactory = engine.registryFactory.wasm.factory;
  const fallbacks: string[] = [];
  tf.removeBackend('wasm');
  tf.registerBackend(
    'wasm',
    async () => {
      let made: unknown;
      const viaFactory = {
        ...tf,
        setBackend: async () => {
          made = await stockFactory();
          return true;
        },
      };
      const result = await startWasm(viaFactory as unknown as typeof tf, { wasm, packageDir, threads });
      if (result.threads !== threads) fallbacks.push(result.fallback ?? `got ${result.threads} threads`);
      return made as never;
    },
    2,
  );

  if (!(await tf.setBackend('wasm')) || tf.getBackend() !== 'wasm')
    throw new Error(`wasm did not start (got ${tf.getBackend()})`);
  const threadsReported = wasm.getThreadsCount();
  if (threadsReported !== threads)
    throw new Error(`asked for ${threads} wasm threads, got ${threadsReported}: ${fallbacks.join('; ')}`);
  // Installed into a running backend, as the runner does; the specs' resets then re-initialise it.
  const report = mode === 'kernels' ? installTrainingKernels(tf) : undefined;

  const jasmineUtil =
    require('@tensorflow/tfjs-core/dist/jasmine_util') as typeof import('@tensorflow/tfjs-core/dist/jasmine_util');
  jasmineUtil.setTestEnvs([{ name: 'test-wasm', backendName: 'wasm', isDataSync: true }]);
  const distDir = path.dirname(require.resolve('@tensorflow/tfjs-core/dist/jasmine_util'));
  for (const file of SPEC_FILES) require(path.join(distDir, file));

  const specs: SpecOutcome[] = [];
  const suiteErrors: string[] = [];
  const env = jasmine.getEnv();
  env.configure({ random: false });
  const done = new Promise<void>((resolve) => {
    env.addReporter({
      specDone: (r: JasmineResult) => {
        specs.push(
          r.status === 'failed'
            ? { name: r.fullName, status: 'failed', message: firstLine(r) }
            : { name: r.fullName, status: r.status === 'passed' ? 'passed' : 'skipped' },
        );
      },
      suiteDone: (r: JasmineResult) => {
        if (r.failedExpectations.length) suiteErrors.push(`${r.fullName}: ${firstLine(r)}`);
      },
      jasmineDone: () => resolve(),
    });
  });
  env.execute();
  await done;
  const run: SpecRun = {
    mode,
    threads,
    threadsReported,
    fallbacks,
    specs,
    suiteErrors,
    seconds: (Date.now() - started) / 1000,
    bridgeCalls: report ? Object.fromEntries(Object.entries(report.bridgeCalls).filter(([, n]) => n > 0)) : {},
  };
  writeFileSync(outFile, JSON.stringify(run, null, 1));
}

main().then(
  () => process.exit(0), // pthread workers would otherwise keep the process alive
  (e: unknown) => {
    process.stderr.write(`tfjs spec run failed: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(2);
  },
);
