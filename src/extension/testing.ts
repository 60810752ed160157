import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { testsAllPass } from '../core/progress';
import { listFiles } from '../core/scaffold';
import { discoverTests } from '../core/testDiscovery';
import type { TestJob } from '../protocol/runner';
import { testId } from '../protocol/testIds';
import { LabState } from './labState';
import { exerciseTitle, offerInstallIfNeeded } from './installDependencies';
import { RunnerLauncher } from './runnerLauncher';
import { TestRunEvents } from './testRunEvents';

type ItemData =
  | { readonly kind: 'exercise'; readonly exerciseId: string }
  | { readonly kind: 'file'; readonly exerciseId: string; readonly file: string }
  | { readonly kind: 'test'; readonly exerciseId: string; readonly file: string };

/**
 * The Test Explorer for scaffolded exercises: exercise → file → suite path → test. Tests run in the runner child
 * process; its events map onto TestRun calls, and tests that never reported are marked errored with the reason.
 */
export class ExerciseTests implements vscode.Disposable {
  private readonly controller = vscode.tests.createTestController('multimodalLab', 'Multimodal Lab exercises');
  private readonly data = new WeakMap<vscode.TestItem, ItemData>();
  private readonly disposables: vscode.Disposable[] = [this.controller];

  constructor(
    private readonly state: LabState,
    private readonly launcher: RunnerLauncher,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.controller.resolveHandler = async () => this.discoverAll();
    this.controller.refreshHandler = async () => this.discoverAll();
    this.controller.createRunProfile(
      'Run',
      vscode.TestRunProfileKind.Run,
      (request, token) => this.run(request, token),
      true,
      undefined,
      true,
    );
    if (state.workspaceRoot) {
      const watcher = vscode.workspace.createFileSystemWatcher(
        new vscode.RelativePattern(state.workspaceRoot, 'exercises/*/tests/**/*.ts'),
      );
      const rediscover = (): Promise<void> => this.discoverAll();
      this.disposables.push(
        watcher,
        watcher.onDidCreate(rediscover),
        watcher.onDidChange(rediscover),
        watcher.onDidDelete(rediscover),
      );
    }
  }

  /** Lists every scaffolded exercise's test files and their tests (statically, until a run reports). */
  async discoverAll(): Promise<void> {
    const root = this.state.workspaceRoot;
    const snap = await this.state.get();
    if (!root || snap.kind !== 'ok') return;
    const items: vscode.TestItem[] = [];
    for (const row of snap.model.exercises) {
      const testsDir = path.join(root, 'exercises', row.exercise.id, 'tests');
      const files = (await listFiles(testsDir).catch(() => [])).filter((f) => f.endsWith('.test.ts'));
      if (files.length === 0) continue;
      const ex = this.controller.createTestItem(
        `exercise:${row.exercise.id}`,
        `${row.index}. ${row.exercise.title}`,
        vscode.Uri.file(path.join(root, 'exercises', row.exercise.id)),
      );
      this.data.set(ex, { kind: 'exercise', exerciseId: row.exercise.id });
      for (const rel of files) {
        const file = path.join(testsDir, rel);
        const fileItem = this.controller.createTestItem(file, rel, vscode.Uri.file(file));
        this.data.set(fileItem, { kind: 'file', exerciseId: row.exercise.id, file });
        const source = new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.file(file)));
        for (const t of discoverTests(source)) this.addTest(fileItem, row.exercise.id, file, t.path, t.line);
        ex.children.add(fileItem);
      }
      items.push(ex);
    }
    this.controller.items.replace(items);
    // Tests are about to be run: have a runner ready so the first click is as fast as the next.
    if (
      items.length > 0 &&
      vscode.workspace.isTrusted &&
      existsSync(path.join(root, 'node_modules', '@tensorflow', 'tfjs', 'package.json'))
    )
      this.launcher.prewarm(root);
  }

  /**
   * Adds (or finds) the test item for `titles` under a file, creating suite items on the way. Ids match the runner's.
   */
  private addTest(
    fileItem: vscode.TestItem,
    exerciseId: string,
    file: string,
    titles: readonly string[],
    line?: number,
  ): vscode.TestItem {
    let parent = fileItem;
    titles.forEach((title, i) => {
      const id = testId(file, titles.slice(0, i + 1));
      let item = parent.children.get(id);
      if (!item) {
        item = this.controller.createTestItem(id, title, vscode.Uri.file(file));
        this.data.set(item, { kind: i === titles.length - 1 ? 'test' : 'file', exerciseId, file });
        parent.children.add(item);
      }
      if (i === titles.length - 1 && line) item.range = new vscode.Range(line - 1, 0, line - 1, 0);
      parent = item;
    });
    return parent;
  }

  private async run(request: vscode.TestRunRequest, token: vscode.CancellationToken): Promise<void> {
    if (request.continuous) return this.watch(request, token);
    return this.runOnce(request, token);
  }

  /** Continuous run: reruns an exercise's requested tests whenever a TypeScript file of that exercise is saved. */
  private async watch(request: vscode.TestRunRequest, token: vscode.CancellationToken): Promise<void> {
    const root = this.state.workspaceRoot;
    if (!root) return;
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(root, 'exercises/*/**/*.ts'));
    const timers = new Map<string, NodeJS.Timeout>();
    let queue = Promise.resolve();
    const changed = (uri: vscode.Uri): void => {
      const exerciseId = path.relative(path.join(root, 'exercises'), uri.fsPath).split(path.sep)[0];
      const items = this.requested(request).filter((i) => this.data.get(i)?.exerciseId === exerciseId);
      if (items.length === 0) return;
      clearTimeout(timers.get(exerciseId));
      // Editors save several files at once (Save All); wait for the burst to end, then run once.
      timers.set(
        exerciseId,
        setTimeout(() => {
          queue = queue.then(() =>
            token.isCancellationRequested
              ? undefined
              : this.runOnce(new vscode.TestRunRequest(items, request.exclude, request.profile, true), token),
          );
        }, 300),
      );
    };
    const subscriptions = [watcher, watcher.onDidChange(changed), watcher.onDidCreate(changed)];
    await new Promise<void>((resolve) => token.onCancellationRequested(() => resolve()));
    timers.forEach((t) => clearTimeout(t));
    subscriptions.forEach((d) => d.dispose());
  }

  private async runOnce(request: vscode.TestRunRequest, token: vscode.CancellationToken): Promise<void> {
    const run = this.controller.createTestRun(request);
    try {
      if (!vscode.workspace.isTrusted) {
        run.appendOutput(
          'Multimodal Lab runs exercise tests only in a trusted workspace, because they execute the code in this folder.\r\n',
        );
        for (const item of this.requested(request))
          run.errored(
            item,
            new vscode.TestMessage(
              'This workspace is not trusted, so its code is not run. Trust the folder (Manage Workspace Trust) to run tests.',
            ),
          );
        return;
      }
      const byExercise = new Map<string, vscode.TestItem[]>();
      for (const item of this.requested(request)) {
        const d = this.data.get(item);
        if (d) byExercise.set(d.exerciseId, [...(byExercise.get(d.exerciseId) ?? []), item]);
      }
      for (const [exerciseId, items] of byExercise) {
        if (token.isCancellationRequested) break;
        await this.runExercise(run, exerciseId, items, token);
      }
    } finally {
      run.end();
    }
  }

  private requested(request: vscode.TestRunRequest): vscode.TestItem[] {
    if (request.include) return [...request.include];
    const all: vscode.TestItem[] = [];
    this.controller.items.forEach((i) => all.push(i));
    return all;
  }

  private async runExercise(
    run: vscode.TestRun,
    exerciseId: string,
    items: readonly vscode.TestItem[],
    token: vscode.CancellationToken,
  ): Promise<void> {
    const root = this.state.workspaceRoot!;
    const leaves = new Map<string, vscode.TestItem>();
    const collect = (item: vscode.TestItem): void => {
      if (item.children.size === 0 && this.data.get(item)?.kind === 'test') leaves.set(item.id, item);
      item.children.forEach(collect);
    };
    items.forEach(collect);
    const files = [...new Set([...leaves.values()].map((i) => (this.data.get(i) as { file: string }).file))];
    leaves.forEach((i) => run.enqueued(i));
    const fileItemOf = (file: string): vscode.TestItem | undefined =>
      this.controller.items.get(`exercise:${exerciseId}`)?.children.get(file);
    const events = new TestRunEvents(
      run,
      leaves,
      (t) => {
        const fileItem = fileItemOf(t.file);
        return fileItem && this.addTest(fileItem, exerciseId, t.file, t.path, t.location?.line);
      },
      (message) =>
        void exerciseTitle(this.state, exerciseId).then((title) =>
          offerInstallIfNeeded(`The tests of “${title}”`, message),
        ),
    );
    const job = {
      type: 'job',
      protocol: 1,
      kind: 'test',
      workspaceRoot: root,
      backend: this.launcher.backendPreference(),
      exerciseId,
      files,
    } satisfies TestJob;
    // Native libraries' banners (Dawn, Vulkan, libtensorflow) go to the log, not between the learner's results.
    const handle = this.launcher.start(
      job,
      (e) => events.handle(e),
      (text) => this.log.info(`[runner, native] ${text.trimEnd()}`),
    );
    const cancel = token.onCancellationRequested(() => handle.cancel());
    const exit = await handle.done;
    cancel.dispose();
    const cancelled = token.isCancellationRequested;
    events.end(exit.reason, cancelled);
    const tally = events.tally;
    const count = tally.toRecord({ wholeExercise: !isPartialRequest(items), cancelled });
    if (count) {
      const before = this.state.progress?.exercise(exerciseId);
      await this.state.progress?.updateExercise(exerciseId, { tests: { ...count, at: new Date().toISOString() } });
      this.state.refresh();
      if (count.passed === count.total && !testsAllPass(before)) void this.offerSolution(exerciseId);
    }
    const { passed, total } = tally.count();
    this.log.info(`Tests of "${exerciseId}": ${passed}/${total} passed (${exit.reason})`);
  }

  /** The first time every test passes, offer the reference solution for comparison. */
  private async offerSolution(exerciseId: string): Promise<void> {
    const compare = 'Compare with Reference Solution';
    const choice = await vscode.window.showInformationMessage(
      `All tests of "${exerciseId}" pass. Compare your code with the reference solution?`,
      compare,
    );
    if (choice === compare) await vscode.commands.executeCommand('multimodalLab.compareSolution', exerciseId);
  }

  dispose(): void {
    this.disposables.forEach((d) => d.dispose());
  }
}

/** Only a whole-exercise run updates the recorded k/n. */
function isPartialRequest(items: readonly vscode.TestItem[]): boolean {
  return !items.some((i) => i.id.startsWith('exercise:'));
}
