import * as vscode from 'vscode';
import { TestTally } from '../core/testTally';
import type { RunnerToExtension, SourceLocation, TensorSummary, TestInfo } from '../protocol/runner';
import { isTestOfFile } from '../protocol/testIds';

/**
 * Maps one exercise's runner events onto a VS Code TestRun: each result at its test item, with the failure's expected
 * and actual; a file that could not load errors its own tests; and, once the process has ended, every test that never
 * reported is errored with the reason. The tally is what the exercise's k/n is recorded from.
 */
export class TestRunEvents {
  readonly tally = new TestTally();
  /** True once the runner said the whole run finished (`testsFinished`). */
  private finished = false;

  constructor(
    private readonly run: vscode.TestRun,
    /** The requested tests by id; tests the runner discovers are added. */
    readonly leaves: Map<string, vscode.TestItem>,
    /** The item for a test the runner found that static discovery did not (undefined: its file is not shown). */
    private readonly itemFor: (test: TestInfo) => vscode.TestItem | undefined,
    /** A fatal error of the whole job (after its tests are errored), e.g. to offer npm install. */
    private readonly onFatal: (message: string) => void,
  ) {}

  handle(e: RunnerToExtension): void {
    switch (e.type) {
      case 'testsDiscovered':
        for (const t of e.tests) {
          const item = this.itemFor(t);
          if (item) this.leaves.set(t.id, item);
        }
        break;
      case 'testStarted': {
        const item = this.leaves.get(e.id);
        if (item) this.run.started(item);
        break;
      }
      case 'testPassed':
      case 'testFailed':
      case 'testSkipped': {
        const item = this.leaves.get(e.id);
        this.tally.record(e.id, e.type === 'testPassed' ? 'passed' : e.type === 'testSkipped' ? 'skipped' : 'failed');
        if (!item) break;
        if (e.type === 'testPassed') this.run.passed(item, e.durationMs);
        else if (e.type === 'testSkipped') this.run.skipped(item);
        else this.run.failed(item, failureMessage(e), e.durationMs);
        break;
      }
      case 'testFileFailed':
        // Only this file's tests: the other files loaded and run.
        this.run.appendOutput(`\r\n${e.message}${e.hint ? `\r\n${e.hint}` : ''}\r\n`);
        this.errorAll(e, (id) => isTestOfFile(id, e.file));
        break;
      case 'testsFinished':
        this.finished = true;
        break;
      case 'output':
        this.run.appendOutput(e.text.replace(/\r?\n/g, '\r\n'));
        break;
      case 'backend':
        this.run.appendOutput(`Backend: ${e.active} — ${e.why}\r\n`);
        break;
      case 'fatal':
        this.run.appendOutput(`\r\n${e.message}${e.hint ? `\r\n${e.hint}` : ''}\r\n`);
        this.errorAll(e, () => true);
        this.onFatal(e.message);
        break;
      default:
        break;
    }
  }

  /** After the test process ended: errors every test that did not report, saying why. */
  end(exitReason: string, cancelled: boolean): void {
    const reportedItems = new Set([...this.leaves].filter(([id]) => this.tally.outcome(id)).map(([, item]) => item));
    for (const [id, item] of this.leaves) {
      if (this.tally.outcome(id) || reportedItems.has(item)) continue;
      reportedItems.add(item);
      const why = cancelled
        ? 'The run was cancelled before this test reported.'
        : `The test process ended (${exitReason}) before this test reported.`;
      this.run.errored(item, new vscode.TestMessage(why));
      // After a complete run an unreported item is one static discovery guessed wrong, not a test that failed.
      if (!this.finished) this.tally.record(id, 'errored');
    }
  }

  private errorAll(
    e: { message: string; hint?: string; location?: SourceLocation },
    which: (id: string) => boolean,
  ): void {
    for (const [id, item] of this.leaves) {
      if (!which(id) || !this.tally.record(id, 'errored')) continue;
      const msg = new vscode.TestMessage(`${e.message}${e.hint ? `\n\n${e.hint}` : ''}`);
      if (e.location) msg.location = toLocation(e.location);
      this.run.errored(item, msg);
    }
  }
}

function toLocation(l: SourceLocation): vscode.Location {
  return new vscode.Location(
    vscode.Uri.file(l.file),
    new vscode.Position(Math.max(0, l.line - 1), Math.max(0, l.column - 1)),
  );
}

/** A failure with its expected and actual: a diff for values, a table of statistics for tensors. */
function failureMessage(e: Extract<RunnerToExtension, { type: 'testFailed' }>): vscode.TestMessage {
  let msg: vscode.TestMessage;
  if (e.tensors && (e.tensors.expected || e.tensors.actual)) {
    const md = new vscode.MarkdownString(
      `${e.message}\n\n| | shape | dtype | min | max | mean |\n|---|---|---|---|---|---|\n${tensorRow('expected', e.tensors.expected)}${tensorRow('actual', e.tensors.actual)}`,
    );
    msg = new vscode.TestMessage(md);
    if (e.expected !== undefined) msg.expectedOutput = e.expected;
    if (e.actual !== undefined) msg.actualOutput = e.actual;
  } else if (e.expected !== undefined && e.actual !== undefined) {
    msg = vscode.TestMessage.diff(e.message, e.expected, e.actual);
  } else {
    msg = new vscode.TestMessage(e.message);
  }
  if (e.location) msg.location = toLocation(e.location);
  return msg;
}

function tensorRow(side: string, t: TensorSummary | undefined): string {
  if (!t) return `| ${side} | — | | | | |\n`;
  const f = (x: number): string => (Number.isFinite(x) ? x.toPrecision(4) : String(x));
  return `| ${side} | [${t.shape.join(', ')}] | ${t.dtype} | ${f(t.min)} | ${f(t.max)} | ${f(t.mean)} |\n`;
}
