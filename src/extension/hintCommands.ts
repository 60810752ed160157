import * as path from 'node:path';
import * as vscode from 'vscode';
import { Exercise } from '../core/course/types';
import { HintSection, hintsMarkdown, parseHints, todoAtLine, todoIn } from '../core/hints';
import { TodoHintCount, hintCounts } from '../core/progress';
import { parseTestId } from '../protocol/testIds';
import { chooseExercise, exerciseIdOf } from './exerciseCommands';
import { LabState } from './labState';

export const HINT_SCHEME = 'multimodal-lab-hints';

/** `multimodal-lab-hints:/<id> hints.md`: the preview's tab reads "[Preview] <id> hints.md", one per exercise. */
function hintUri(exerciseId: string): vscode.Uri {
  return vscode.Uri.from({ scheme: HINT_SCHEME, path: `/${exerciseId} hints.md` });
}

function exerciseIdOfHintUri(uri: vscode.Uri): string {
  return uri.path.replace(/^\//, '').replace(/ hints\.md$/, '');
}

/**
 * The parts of a `vscode.TestItem` used here; a test's id holds its file and its suite titles (src/protocol/testIds).
 */
interface TestItemLike {
  readonly id: string;
  readonly label: string;
  readonly uri?: vscode.Uri;
  readonly parent?: TestItemLike;
}

function isTestItem(x: unknown): x is TestItemLike {
  const t = x as Partial<TestItemLike> | undefined;
  return typeof t?.id === 'string' && typeof t.label === 'string' && 'children' in (t as object);
}

/**
 * "Show Next Hint": one more hint of one TODO, shown in a single hints preview per exercise that is refreshed in place.
 * The TODO comes from the failing test it was invoked on (Test Explorer, gutter), else from the cursor in the
 * exercise's code, else from a pick list that shows each TODO's count.
 */
export class HintCommands implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changes = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changes.event;
  /** The TODO last shown per exercise, offered first in the pick list. */
  private readonly lastTodo = new Map<string, number>();

  constructor(private readonly state: LabState) {}

  /** Reveals the next hint of the TODO named by `arg`, the cursor or the learner's pick. */
  async nextHint(arg: unknown): Promise<void> {
    const fromTest = this.fromTest(arg);
    const explicit = arg as { exerciseId?: unknown; todo?: unknown } | undefined;
    const exerciseArg =
      fromTest?.exerciseId ??
      (typeof explicit?.exerciseId === 'string' ? explicit.exerciseId : arg) ??
      this.editorExercise();
    const exercise = await chooseExercise(this.state, exerciseArg);
    if (!exercise) return;
    const sections = await this.sections(exercise);
    const known = (todo: number | undefined): number | undefined =>
      todo !== undefined && sections.some((s) => s.todo === todo) ? todo : undefined;
    const todo =
      known(typeof explicit?.todo === 'number' ? explicit.todo : undefined) ??
      known(fromTest?.todo) ??
      known(this.cursorTodo(exercise.id)) ??
      (await this.pickTodo(exercise, sections));
    if (todo !== undefined) await this.reveal(exercise, sections, todo);
  }

  /** "Show Hints for a TODO…": always asks which TODO. */
  async pickHint(arg: unknown): Promise<void> {
    const exercise = await chooseExercise(this.state, arg);
    if (!exercise) return;
    const sections = await this.sections(exercise);
    const todo = await this.pickTodo(exercise, sections);
    if (todo !== undefined) await this.reveal(exercise, sections, todo);
  }

  private async reveal(exercise: Exercise, sections: readonly HintSection[], todo: number): Promise<void> {
    const progress = this.state.progress;
    if (!progress)
      throw new Error(
        'Open a folder first: revealed hints are remembered in the workspace, in .multimodal-lab/progress.json.',
      );
    const todos = todoCounts(sections);
    const before = hintCounts(progress.exercise(exercise.id), todos)[todo] ?? 0;
    const { total } = await progress.revealHint(exercise.id, todo, todos);
    this.lastTodo.set(exercise.id, todo);
    await this.show(exercise.id);
    if (before === total) {
      void vscode.window.showInformationMessage(
        `All ${total} hints for TODO(${todo}) of "${exercise.title}" are already shown. "Compare with Reference Solution" shows a worked answer.`,
      );
    }
  }

  /** Refreshes the exercise's one hints preview, or opens it beside the code when it is not open. */
  private async show(exerciseId: string): Promise<void> {
    const uri = hintUri(exerciseId);
    const [tab, ...extra] = hintTabs(uri);
    if (extra.length) await vscode.window.tabGroups.close(extra, true);
    this.changes.fire(uri);
    // A hint document nobody has shown for a while is closed; opening it again makes the preview re-read it.
    await vscode.workspace.openTextDocument(uri);
    if (tab?.isActive) return;
    // Hidden behind other tabs: no API brings a webview tab forward, so it is closed and opened again beside the code.
    if (tab) await vscode.window.tabGroups.close(tab, true);
    // Locked, so it keeps showing the hints when the learner opens another Markdown file.
    await vscode.commands.executeCommand('markdown.showLockedPreviewToSide', uri);
  }

  private async sections(exercise: Exercise): Promise<HintSection[]> {
    const file = path.join(this.state.templatesRoot, exercise.id, 'hints.md');
    const sections = parseHints(new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.file(file))));
    if (sections.length === 0)
      throw new Error(`"${exercise.title}" has no hints: ${file} has no "## TODO(n)" sections.`);
    return sections;
  }

  /** Editors that may hold the learner's cursor: the active one first, then the visible ones. */
  private editors(): vscode.TextEditor[] {
    return [vscode.window.activeTextEditor, ...vscode.window.visibleTextEditors].filter(
      (e): e is vscode.TextEditor => e?.document.uri.scheme === 'file',
    );
  }

  /** The exercise whose file the learner is editing, so the palette command need not ask. */
  private editorExercise(): string | undefined {
    return this.editors()
      .map((e) => this.exerciseOfFile(e.document.uri))
      .find(Boolean);
  }

  /** The TODO at the cursor of an editor showing a file of this exercise. */
  private cursorTodo(exerciseId: string): number | undefined {
    const editor = this.editors().find((e) => this.exerciseOfFile(e.document.uri) === exerciseId);
    return editor ? todoAtLine(editor.document.getText(), editor.selection.active.line) : undefined;
  }

  private async pickTodo(exercise: Exercise, sections: readonly HintSection[]): Promise<number | undefined> {
    const counts = hintCounts(this.state.progress?.exercise(exercise.id), todoCounts(sections));
    const items = [...sections]
      .sort((a, b) => a.todo - b.todo)
      .map((s) => ({
        label: `TODO(${s.todo})${s.title ? `: ${s.title}` : ''}`,
        description: `${counts[s.todo] ?? 0} of ${s.hints.length} hints shown`,
        todo: s.todo,
      }));
    const picker = vscode.window.createQuickPick<(typeof items)[number]>();
    picker.items = items;
    picker.title = `Hints for "${exercise.title}"`;
    picker.placeholder = 'Which TODO do you want a hint for?';
    const last = items.find((i) => i.todo === this.lastTodo.get(exercise.id));
    if (last) picker.activeItems = [last];
    const chosen = await new Promise<number | undefined>((resolve) => {
      picker.onDidAccept(() => resolve(picker.selectedItems[0]?.todo));
      picker.onDidHide(() => resolve(undefined));
      picker.show();
    });
    picker.dispose();
    return chosen;
  }

  /** Exercise and TODO of a test item (Test Explorer, gutter) or a `{ test, message }` from a test message menu. */
  private fromTest(arg: unknown): { exerciseId?: string; todo?: number } | undefined {
    const first = Array.isArray(arg) ? arg[0] : arg;
    const withMessage = first as { test?: unknown; message?: { message?: string | vscode.MarkdownString } } | undefined;
    const test = isTestItem(first) ? first : isTestItem(withMessage?.test) ? withMessage.test : undefined;
    if (!test) return undefined;
    const message = withMessage?.message?.message;
    const text = typeof message === 'string' ? message : (message?.value ?? '');
    const titles: string[] = [];
    for (let t: TestItemLike | undefined = test; t; t = t.parent) titles.push(t.label);
    const todo = todoIn(text) ?? todoIn(parseTestId(test.id)?.titles.join(' ') ?? '') ?? todoIn(titles.join(' '));
    return { exerciseId: this.exerciseOfFile(test.uri) ?? exerciseIdOf(arg), todo };
  }

  private exerciseOfFile(uri: vscode.Uri | undefined): string | undefined {
    const root = this.state.workspaceRoot;
    if (!root || !uri) return undefined;
    const [id, ...rest] = path.relative(path.join(root, 'exercises'), uri.fsPath).split(path.sep);
    return id && id !== '..' && rest.length > 0 ? id : undefined;
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const id = exerciseIdOfHintUri(uri);
    const snap = await this.state.get();
    const exercise = snap.kind === 'ok' ? snap.course.exercises.find((e) => e.id === id) : undefined;
    if (!exercise) return `# Hints\n\nNo exercise "${id}" in the course.`;
    const sections = await this.sections(exercise);
    return hintsMarkdown(exercise.title, sections, hintCounts(this.state.progress?.exercise(id), todoCounts(sections)));
  }

  dispose(): void {
    this.changes.dispose();
  }
}

function todoCounts(sections: readonly HintSection[]): TodoHintCount[] {
  return sections.map((s) => ({ todo: s.todo, count: s.hints.length }));
}

/** Tabs of the Markdown preview showing `uri` (any column). */
function hintTabs(uri: vscode.Uri): vscode.Tab[] {
  const name = path.posix.basename(uri.path);
  return vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .filter(
      (t) =>
        t.input instanceof vscode.TabInputWebview &&
        t.input.viewType.endsWith('markdown.preview') &&
        t.label.endsWith(name),
    );
}
