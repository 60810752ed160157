// A mocha reporter that speaks the runner protocol: every test is announced with its file and line, then
// started/passed/failed/skipped, then the totals. Failures carry what the learner needs at the failing line.
import { inspect } from 'node:util';
import type Mocha from 'mocha';
import type { RunnerToExtension, SourceLocation, TensorSummary, TestInfo } from '../protocol/runner';
import { testId } from '../protocol/testIds';
import { send } from './ipc';
import { locateIn } from './location';

/** Where each test was declared, recorded when its `it(` ran. */
export const declaredAt = new WeakMap<Mocha.Test, SourceLocation>();

/** The protocol's id of a mocha test (src/protocol/testIds.ts). */
function idOf(test: Mocha.Runnable): string {
  return testId(test.file ?? '', test.titlePath());
}

function allTests(suite: Mocha.Suite): Mocha.Test[] {
  return [...suite.tests, ...suite.suites.flatMap(allTests)];
}

function describeValue(v: unknown): string {
  return typeof v === 'string' ? v : inspect(v, { depth: 4, breakLength: 100 });
}

function isSummary(v: unknown): v is TensorSummary {
  return (
    typeof v === 'object' &&
    v !== null &&
    Array.isArray((v as TensorSummary).shape) &&
    typeof (v as TensorSummary).dtype === 'string'
  );
}

/**
 * Drops the runner's own frames (the bundle, wherever it was built: dist/ or a test's out/) and Node internals,
 * which mean nothing to a learner.
 */
function learnerStack(stack: string | undefined): string | undefined {
  return stack
    ?.split('\n')
    .filter((l) => !/[\\/ (]runner\.js:\d|node:internal|node_modules[\\/]mocha[\\/]/.test(l))
    .join('\n');
}

export interface ReporterOptions {
  /** The exercise folder: a failure points at the innermost frame inside it. */
  readonly exerciseDir: string;
  /** Only these tests are announced (mocha's grep already decides which run). */
  readonly include: (test: Mocha.Test) => boolean;
}

/** Builds a reporter class bound to `options` (mocha instantiates reporters itself). */
export function protocolReporter(options: ReporterOptions): new (runner: Mocha.Runner) => object {
  return class ProtocolReporter {
    constructor(runner: Mocha.Runner) {
      const done = new Set<string>();
      const counts = { passed: 0, failed: 0, skipped: 0 };
      const started = new Map<string, number>();
      const C = (runner.constructor as unknown as { constants: Record<string, string> }).constants;

      const fail = (test: Mocha.Runnable, err: Error & Record<string, unknown>, prefix = ''): void => {
        const id = idOf(test);
        if (done.has(id)) return;
        done.add(id);
        counts.failed++;
        const tensors = err.tensors as { expected?: unknown; actual?: unknown } | undefined;
        const hasDiff = err.showDiff !== false && ('expected' in err || 'actual' in err);
        send({
          type: 'testFailed',
          id,
          durationMs: test.duration ?? Date.now() - (started.get(id) ?? Date.now()),
          message: prefix + (err.message || String(err)),
          ...(hasDiff ? { expected: describeValue(err.expected), actual: describeValue(err.actual) } : {}),
          location: locateIn(err.stack, options.exerciseDir) ?? declaredAt.get(test as Mocha.Test),
          ...(tensors && (isSummary(tensors.expected) || isSummary(tensors.actual))
            ? {
                tensors: {
                  ...(isSummary(tensors.expected) ? { expected: tensors.expected } : {}),
                  ...(isSummary(tensors.actual) ? { actual: tensors.actual } : {}),
                },
              }
            : {}),
          stack: learnerStack(err.stack),
        } satisfies RunnerToExtension);
      };

      runner.once(C.EVENT_RUN_BEGIN, () => {
        const tests: TestInfo[] = allTests(runner.suite)
          .filter(options.include)
          .map((t) => {
            const location = declaredAt.get(t);
            return { id: idOf(t), file: t.file ?? '', path: t.titlePath(), ...(location ? { location } : {}) };
          });
        send({ type: 'testsDiscovered', tests } satisfies RunnerToExtension);
      });
      runner.on(C.EVENT_TEST_BEGIN, (test: Mocha.Test) => {
        started.set(idOf(test), Date.now());
        send({ type: 'testStarted', id: idOf(test) } satisfies RunnerToExtension);
      });
      runner.on(C.EVENT_TEST_PASS, (test: Mocha.Test) => {
        done.add(idOf(test));
        counts.passed++;
        send({ type: 'testPassed', id: idOf(test), durationMs: test.duration ?? 0 } satisfies RunnerToExtension);
      });
      runner.on(C.EVENT_TEST_FAIL, (runnable: Mocha.Runnable, err: Error & Record<string, unknown>) => {
        if ((runnable as { type?: string }).type !== 'hook') {
          fail(runnable, err);
          return;
        }
        // A failing hook fails the tests it guards that have not finished; mocha will not run them.
        const hook = runnable as Mocha.Hook;
        const targets =
          hook.ctx?.currentTest && !done.has(idOf(hook.ctx.currentTest))
            ? [hook.ctx.currentTest]
            : allTests(hook.parent ?? runner.suite).filter((t) => options.include(t) && !done.has(idOf(t)));
        for (const t of targets) fail(t, err, `"${hook.title}" failed: `);
      });
      runner.on(C.EVENT_TEST_PENDING, (test: Mocha.Test) => {
        if (done.has(idOf(test))) return;
        done.add(idOf(test));
        counts.skipped++;
        send({
          type: 'testSkipped',
          id: idOf(test),
          reason: 'skipped in the test file (it.skip, xit or this.skip())',
        } satisfies RunnerToExtension);
      });
      runner.once(C.EVENT_RUN_END, () => {
        send({ type: 'testsFinished', ...counts } satisfies RunnerToExtension);
      });
    }
  };
}
