// `npm run test:tfjs-specs [-- --verbose]`: tfjs-core's own op specs on stock wasm and on wasm with the
// training kernels, single-threaded and on 2 XNNPACK threads; prints the figures and every problem, and exits
// non-zero on a regression or a stale expected-failures list. The same check runs in `npm test` through
// test/kernels/tfjsSpecs.test.ts.
import { summarize } from './compare';
import { compareAt } from './run';

async function main(): Promise<number> {
  const verbose = process.argv.includes('--verbose');
  let failed = false;
  for (const threads of [1, 2]) {
    const { comparison: c, stock, kernels } = await compareAt(threads);
    process.stdout.write(`${summarize(c)} (${stock.seconds.toFixed(0)} s + ${kernels.seconds.toFixed(0)} s)\n`);
    const bridged = Object.entries(kernels.bridgeCalls)
      .map(([k, n]) => `${k}×${n}`)
      .join(', ');
    process.stdout.write(`  kernels run on cpu through the bridge: ${bridged || 'none'}\n`);
    if (verbose) for (const n of c.fixed) process.stdout.write(`  fixed: ${n}\n`);
    for (const p of c.problems) process.stdout.write(`  PROBLEM ${p}\n`);
    failed ||= c.problems.length > 0;
  }
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(2);
  },
);
