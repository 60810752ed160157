// src/extension/testRunEvents.ts with a stand-in for the `vscode` module: which TestRun call each runner event becomes.
import * as assert from 'node:assert/strict';
import Module from 'node:module';
import type { TestRunEvents as TestRunEventsClass } from '../../src/extension/testRunEvents';
import { testId } from '../../src/protocol/testIds';

class TestMessage {
  expectedOutput?: string;
  actualOutput?: string;
  location?: unknown;
  constructor(readonly message: unknown) {}
  static diff(message: string, expected: string, actual: string): TestMessage {
    const m = new TestMessage(message);
    m.expectedOutput = expected;
    m.actualOutput = actual;
    return m;
  }
}
const fakeVscode = {
  TestMessage,
  MarkdownString: class {
    constructor(readonly value: string) {}
  },
  Location: class {
    constructor(
      readonly uri: unknown,
      readonly position: unknown,
    ) {}
  },
  Position: class {
    constructor(
      readonly line: number,
      readonly character: number,
    ) {}
  },
  Uri: { file: (p: string) => ({ fsPath: p }) },
};

type Call = [string, string, ...unknown[]];
function fakeRun(calls: Call[]): unknown {
  const item = (i: { id: string }): string => i.id;
  return {
    started: (i: { id: string }) => calls.push(['started', item(i)]),
    passed: (i: { id: string }) => calls.push(['passed', item(i)]),
    skipped: (i: { id: string }) => calls.push(['skipped', item(i)]),
    failed: (i: { id: string }, m: TestMessage) =>
      calls.push(['failed', item(i), m.message, m.expectedOutput, m.actualOutput]),
    errored: (i: { id: string }, m: TestMessage) => calls.push(['errored', item(i), m.message]),
    appendOutput: (text: string) => calls.push(['output', text]),
  };
}

describe('test run events: runner events onto a TestRun', () => {
  const moduleWithLoad = Module as unknown as { _load(request: string, ...rest: unknown[]): unknown };
  const load = moduleWithLoad._load;
  let TestRunEvents: typeof TestRunEventsClass;
  before(() => {
    moduleWithLoad._load = function (request: string, ...rest: unknown[]) {
      return request === 'vscode' ? fakeVscode : load.call(this, request, ...rest);
    };
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    ({ TestRunEvents } = require('../../src/extension/testRunEvents') as { TestRunEvents: typeof TestRunEventsClass });
  });
  after(() => {
    moduleWithLoad._load = load;
  });

  const a = '/w/exercises/toy/tests/a.test.ts';
  const b = '/w/exercises/toy/tests/b.test.ts';
  const id = (file: string, title: string): string => testId(file, [title]);
  const leavesOf = (...ids: string[]): Map<string, never> => new Map(ids.map((i) => [i, { id: i } as never]));

  it('reports each result at its item, a failure with expected and actual, and tallies them', () => {
    const calls: Call[] = [];
    const events = new TestRunEvents(
      fakeRun(calls) as never,
      leavesOf(id(a, 'one'), id(a, 'two'), id(a, 'three')),
      () => undefined,
      () => undefined,
    );
    events.handle({ type: 'testStarted', id: id(a, 'one') });
    events.handle({ type: 'testPassed', id: id(a, 'one'), durationMs: 3 });
    events.handle({
      type: 'testFailed',
      id: id(a, 'two'),
      durationMs: 4,
      message: 'should be 3',
      expected: '3',
      actual: '0',
    });
    events.handle({ type: 'testSkipped', id: id(a, 'three'), reason: 'later' });
    events.handle({ type: 'testsFinished', passed: 1, failed: 1, skipped: 1 });
    events.end('exit 0', false);
    assert.deepEqual(calls, [
      ['started', id(a, 'one')],
      ['passed', id(a, 'one')],
      ['failed', id(a, 'two'), 'should be 3', '3', '0'],
      ['skipped', id(a, 'three')],
    ]);
    assert.deepEqual(events.tally.count(), { passed: 1, total: 2 }, 'a skipped test is not counted');
  });

  it('errors only the tests of a file that could not load, and every test on a fatal error (then says so once)', () => {
    const calls: Call[] = [];
    const fatal: string[] = [];
    const events = new TestRunEvents(
      fakeRun(calls) as never,
      leavesOf(id(a, 'one'), id(b, 'two')),
      () => undefined,
      (m) => fatal.push(m),
    );
    events.handle({ type: 'testFileFailed', file: b, message: 'Could not load b.test.ts' });
    assert.deepEqual(
      calls.filter((c) => c[0] === 'errored').map((c) => c[1]),
      [id(b, 'two')],
    );
    events.handle({ type: 'fatal', message: 'Cannot find module @tensorflow/tfjs' });
    assert.deepEqual(
      calls.filter((c) => c[0] === 'errored').map((c) => c[1]),
      [id(b, 'two'), id(a, 'one')],
      'b errored once',
    );
    assert.deepEqual(fatal, ['Cannot find module @tensorflow/tfjs']);
  });

  it('errors the tests that never reported when the process ends, saying why; a test the runner found is added', () => {
    const calls: Call[] = [];
    const found = { id: id(a, 'found at run time') };
    const events = new TestRunEvents(
      fakeRun(calls) as never,
      leavesOf(id(a, 'one')),
      (t) => (t.id === found.id ? (found as never) : undefined),
      () => undefined,
    );
    events.handle({ type: 'testsDiscovered', tests: [{ id: found.id, file: a, path: ['found at run time'] }] });
    events.end('killed by the watchdog', false);
    assert.deepEqual(
      calls.map((c) => [c[0], c[1], c[2]]),
      [
        ['errored', id(a, 'one'), 'The test process ended (killed by the watchdog) before this test reported.'],
        ['errored', found.id, 'The test process ended (killed by the watchdog) before this test reported.'],
      ],
    );
    assert.deepEqual(events.tally.count(), { passed: 0, total: 2 });
    const cancelled: Call[] = [];
    new TestRunEvents(
      fakeRun(cancelled) as never,
      leavesOf(id(a, 'one')),
      () => undefined,
      () => undefined,
    ).end('cancelled', true);
    assert.deepEqual(cancelled, [['errored', id(a, 'one'), 'The run was cancelled before this test reported.']]);
  });
});
