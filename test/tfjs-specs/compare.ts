// Pure comparison of two tfjs spec runs in one thread configuration: stock wasm against wasm with the training
// kernels, checked against the expected-failures list (specs that fail on stock wasm too, each with a reason).
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

/** One jasmine spec's outcome. */
export interface SpecOutcome {
  name: string;
  status: 'passed' | 'failed' | 'skipped';
  message?: string;
}

/** What runSpecs.ts writes for one configuration. */
export interface SpecRun {
  mode: 'stock' | 'kernels';
  threads: number;
  /** The thread count XNNPACK reported after the first start. */
  threadsReported: number;
  /** Why a later re-initialisation (after an engine reset) did not get the requested threads; empty when all did. */
  fallbacks: string[];
  specs: SpecOutcome[];
  /** Errors in beforeAll/afterAll hooks, by suite. */
  suiteErrors: string[];
  seconds: number;
  /** Kernels that ran on cpu through the bridge, with their call counts (kernels mode only). */
  bridgeCalls: Record<string, number>;
}

/** A group of specs with one reason. */
export interface ExpectedGroup {
  reason: string;
  specs: string[];
}

/** The checked-in list (expected-failures.json). */
export interface Expected {
  /** Specs that fail on stock wasm and with the kernels alike. */
  failOnStockToo: ExpectedGroup[];
  /**
   * Specs that pass on stock wasm and fail with the kernels because the spec asserts a stock result the kernels
   * deliberately correct (each reason says how that was established). Not counted as regressions.
   */
  intendedDifferences: ExpectedGroup[];
}

/** What one configuration's pair of runs shows. */
export interface Comparison {
  threads: number;
  counts: { stock: { passed: number; failed: number }; kernels: { passed: number; failed: number } };
  /** Passed on stock wasm, failed (or went missing) with the kernels, and not an intended difference. */
  regressions: string[];
  /** Listed intended differences the runs bear out: pass on stock, fail with the kernels. */
  intendedDifferences: string[];
  /** Intended differences that no longer pass on stock or no longer fail with the kernels: stale entries. */
  staleDifferences: string[];
  /** Failed with the kernels but not on the expected list (regressions included). */
  unexpectedFailures: string[];
  /** On the expected list but passed with the kernels: the entry is stale. */
  nowPassing: string[];
  /** On the expected list but not run at all: a renamed or removed spec. */
  unknownExpected: string[];
  /** On the expected list but passed on stock wasm: the list claims a stock failure that is not one. */
  passesOnStock: string[];
  /** Failed on stock wasm, passed with the kernels. */
  fixed: string[];
  /** Spec names run in one mode and not the other. */
  notInBoth: string[];
  problems: string[];
}

/** Spec names made unique: jasmine allows two specs with one name, so repeats get " #2", " #3"… */
export function keyed(specs: readonly SpecOutcome[]): Map<string, SpecOutcome> {
  const seen = new Map<string, number>();
  const out = new Map<string, SpecOutcome>();
  for (const s of specs) {
    const n = (seen.get(s.name) ?? 0) + 1;
    seen.set(s.name, n);
    out.set(n === 1 ? s.name : `${s.name} #${n}`, s);
  }
  return out;
}

function count(specs: Map<string, SpecOutcome>): { passed: number; failed: number } {
  let passed = 0;
  let failed = 0;
  for (const s of specs.values()) {
    if (s.status === 'passed') passed++;
    if (s.status === 'failed') failed++;
  }
  return { passed, failed };
}

/** Compares a stock run with a kernels run of the same thread count against the expected failures. */
export function compareRuns(stock: SpecRun, kernels: SpecRun, expected: Expected): Comparison {
  const s = keyed(stock.specs);
  const k = keyed(kernels.specs);
  const listed = new Set(expected.failOnStockToo.flatMap((g) => g.specs));
  const intended = new Set(expected.intendedDifferences.flatMap((g) => g.specs));
  const failedWithKernels = [...k].filter(([, o]) => o.status === 'failed').map(([n]) => n);
  const c: Comparison = {
    threads: kernels.threads,
    counts: { stock: count(s), kernels: count(k) },
    regressions: [...s]
      .filter(([n, o]) => o.status === 'passed' && k.get(n)?.status !== 'passed' && !intended.has(n))
      .map(([n]) => n),
    intendedDifferences: [...intended].filter((n) => s.get(n)?.status === 'passed' && k.get(n)?.status === 'failed'),
    staleDifferences: [...intended].filter((n) => s.get(n)?.status !== 'passed' || k.get(n)?.status !== 'failed'),
    unexpectedFailures: failedWithKernels.filter((n) => !listed.has(n) && !intended.has(n)),
    nowPassing: [...listed].filter((n) => k.get(n)?.status === 'passed'),
    unknownExpected: [...listed].filter((n) => !k.has(n)),
    passesOnStock: [...listed].filter((n) => s.get(n)?.status === 'passed'),
    fixed: [...s].filter(([n, o]) => o.status === 'failed' && k.get(n)?.status === 'passed').map(([n]) => n),
    notInBoth: [...[...s.keys()].filter((n) => !k.has(n)), ...[...k.keys()].filter((n) => !s.has(n))],
    problems: [],
  };
  const why = (n: string): string => `${n}\n      ${k.get(n)?.message ?? 'not run'}`;
  const p = c.problems;
  if (stock.threadsReported !== stock.threads || kernels.threadsReported !== kernels.threads) {
    p.push(
      `asked for ${kernels.threads} threads, XNNPACK ran ${stock.threadsReported} (stock) and ${kernels.threadsReported} (kernels)`,
    );
  }
  for (const f of [...stock.fallbacks, ...kernels.fallbacks]) p.push(`a re-initialised wasm backend fell back: ${f}`);
  for (const e of [...stock.suiteErrors, ...kernels.suiteErrors]) p.push(`suite error: ${e}`);
  if (s.size === 0) p.push('no specs ran');
  if (c.notInBoth.length)
    p.push(`${c.notInBoth.length} specs ran in only one mode:\n    ${c.notInBoth.join('\n    ')}`);
  if (c.regressions.length)
    p.push(
      `${c.regressions.length} specs pass on stock wasm but fail with the training kernels:\n    ${c.regressions.map(why).join('\n    ')}`,
    );
  const newFailures = c.unexpectedFailures.filter((n) => !c.regressions.includes(n));
  if (newFailures.length) {
    p.push(
      `${newFailures.length} specs fail on stock wasm and with the kernels but are not in expected-failures.json (add each with its reason):\n    ${newFailures.map(why).join('\n    ')}`,
    );
  }
  if (c.nowPassing.length)
    p.push(
      `${c.nowPassing.length} specs in expected-failures.json now pass with the kernels (remove them):\n    ${c.nowPassing.join('\n    ')}`,
    );
  if (c.unknownExpected.length)
    p.push(
      `${c.unknownExpected.length} specs in expected-failures.json were not run:\n    ${c.unknownExpected.join('\n    ')}`,
    );
  if (c.staleDifferences.length) {
    p.push(
      `${c.staleDifferences.length} intended differences in expected-failures.json no longer pass on stock and fail with the kernels:\n    ${c.staleDifferences.join('\n    ')}`,
    );
  }
  if (c.passesOnStock.length)
    p.push(
      `${c.passesOnStock.length} specs in expected-failures.json pass on stock wasm:\n    ${c.passesOnStock.join('\n    ')}`,
    );
  return c;
}

/** One line of figures for a comparison. */
export function summarize(c: Comparison): string {
  const { stock, kernels } = c.counts;
  return (
    `${c.threads === 1 ? 'single-threaded' : `${c.threads} threads`}: stock wasm ${stock.passed} passed / ${stock.failed} failed; ` +
    `wasm + training kernels ${kernels.passed} passed / ${kernels.failed} failed; ${c.fixed.length} fixed by the kernels, ` +
    `${c.intendedDifferences.length} intended differences, ${c.regressions.length} regressions`
  );
}

/** The checked-in expected-failures list. */
export function loadExpected(file = path.join(__dirname, 'expected-failures.json')): Expected {
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<Expected>;
  const expected: Expected = {
    failOnStockToo: parsed.failOnStockToo ?? [],
    intendedDifferences: parsed.intendedDifferences ?? [],
  };
  for (const g of [...expected.failOnStockToo, ...expected.intendedDifferences]) {
    if (!g.reason?.trim() || !Array.isArray(g.specs) || g.specs.length === 0)
      throw new Error(`${file}: every group needs a reason and specs`);
  }
  const all = [...expected.failOnStockToo, ...expected.intendedDifferences].flatMap((g) => g.specs);
  const twice = all.filter((n, i) => all.indexOf(n) !== i);
  if (twice.length) throw new Error(`${file}: listed more than once: ${twice.join(', ')}`);
  return expected;
}
