// `test` jobs: mocha over the exercise's test files, reported through the protocol reporter.
import { isAbsolute, join, relative } from 'node:path';
import Mocha from 'mocha';
import type { RunnerToExtension, SourceLocation, TestJob } from '../protocol/runner';
import { send } from './ipc';
import { declaredAt, protocolReporter } from './testReporter';
import { isInside, locateFile, locateIn } from './location';
import type { Workspace } from './workspace';

/** The job itself cannot run (a test file path the runner cannot use). */
export class LoadError extends Error {
  constructor(
    message: string,
    readonly location?: SourceLocation,
    readonly hint?: string,
  ) {
    super(message);
  }
}

/** `<ws>/exercises/<id>` when the test files are in it, else the folder holding all of them. */
export function exerciseDirFor(root: string, exerciseId: string, files: readonly string[]): string {
  const conventional = join(root, 'exercises', exerciseId);
  if (files.every((f) => isInside(f, conventional))) return conventional;
  let dir = files.length ? join(files[0], '..') : root;
  while (!files.every((f) => isInside(f, dir)) && dir !== join(dir, '..')) dir = join(dir, '..');
  return dir;
}

/** Forgets every module loaded from `dirs`, so a rerun sees the learner's latest edits. */
export function forgetModules(dirs: readonly string[]): void {
  for (const key of Object.keys(require.cache)) {
    if (dirs.some((d) => isInside(key, d))) delete require.cache[key];
  }
}

/**
 * Where a load error points: sucrase's "Error transforming <file>: … (line:col)" names the file that does not
 * compile (it may be a module the test imports); other errors point at the innermost exercise frame. Sucrase
 * places errors inside arrow functions at the start of the enclosing arrow, so the hint says "at or after".
 */
function loadErrorLocation(err: unknown, exerciseDir: string): SourceLocation | undefined {
  const e = err as { message?: string; stack?: string };
  const m = /^Error transforming (.+?): .*\((\d+):(\d+)\)\s*$/s.exec(e.message ?? '');
  if (m) return { file: m[1], line: Number(m[2]), column: Number(m[3]) + 1 };
  return locateIn(e.stack, exerciseDir);
}

/** The `testFileFailed` event for a test file that threw while loading: what, where, and what to do. */
export function loadFailure(
  err: unknown,
  file: string,
  root: string,
  exerciseDir: string,
): Extract<RunnerToExtension, { type: 'testFileFailed' }> {
  const text = err instanceof Error ? err.message : String(err);
  const location = loadErrorLocation(err, exerciseDir);
  return {
    type: 'testFileFailed',
    file,
    message: `Could not load ${relative(root, file)}: ${text}`,
    hint: /^Error transforming|Unexpected|Expected/.test(text)
      ? 'Fix the syntax error at (or just after) the marked line, then run the tests again. Test files that do not import it still ran.'
      : 'The error happened while the test file and the code it imports were loading (outside any test). Fix the marked line, then run the tests again.',
    ...(location ? { location } : {}),
  };
}

/** Removes what a file that failed half-way through loading had already declared, so none of it runs. */
function dropFile(root: Mocha.Suite, file: string): void {
  root.suites = root.suites.filter((s) => s.file !== file);
  root.tests = root.tests.filter((t) => t.file !== file);
}

/** Runs the job's test files and resolves when mocha has reported `testsFinished`. */
export async function runTestJob(job: TestJob, ws: Workspace): Promise<void> {
  const exerciseDir = exerciseDirFor(ws.root, job.exerciseId, job.files);
  const grep = job.grep;
  const mocha = new Mocha({
    reporter: protocolReporter({
      exerciseDir,
      include: (t) => !grep || t.fullTitle().includes(grep),
    }) as unknown as string,
    timeout: 60_000,
    color: false,
    ...(grep ? { grep } : {}),
  });
  mocha.suite.on('pre-require', (context: Record<string, unknown>, file: string) => {
    const original = context.it as ((title: string, fn?: Mocha.Func) => Mocha.Test) & Record<string, unknown>;
    const wrapped = Object.assign(function it(this: unknown, title: string, fn?: Mocha.Func): Mocha.Test {
      const test = original.call(this, title, fn);
      const at = locateFile(new Error().stack, file);
      if (at) declaredAt.set(test, at);
      return test;
    }, original);
    context.it = context.specify = wrapped;
  });

  // The learner's latest edits, once per job: files share the modules they import, as under mocha itself.
  forgetModules([exerciseDir, join(ws.root, 'lab')]);
  for (const file of job.files) {
    if (!isAbsolute(file))
      throw new LoadError(`The test file path "${file}" is not absolute; the extension must send absolute paths.`);
    mocha.suite.emit('pre-require', globalThis, file, mocha);
    try {
      ws.require(file);
    } catch (err) {
      // One file that cannot load (a syntax error in a module it imports) must not cost the learner the others.
      dropFile(mocha.suite, file);
      send(loadFailure(err, file, ws.root, exerciseDir));
      continue;
    }
    mocha.suite.emit('require', undefined, file, mocha);
    mocha.suite.emit('post-require', globalThis, file, mocha);
  }
  await new Promise<void>((resolve) => mocha.run(() => resolve()));
}
