import * as vscode from 'vscode';
import { Reading } from '../core/course/types';
import { ensureNotesFile } from '../core/notes';
import { readingDetailMarkdown } from '../core/readingDetail';
import { readingIdOf } from './curriculumTree';
import { ExerciseCommands, HINT_SCHEME } from './exerciseCommands';
import { installDependencies } from './installDependencies';
import { LabState } from './labState';

const DETAIL_SCHEME = 'multimodal-lab';

/** Registers every command; each accepts a tree node or a reading id, and asks with a quick pick otherwise. */
export function registerCommands(context: vscode.ExtensionContext, state: LabState, log: vscode.LogOutputChannel): void {
  const details = new ReadingDetails(state);
  const register = (id: string, fn: (...args: unknown[]) => Promise<unknown> | unknown): void => {
    context.subscriptions.push(
      vscode.commands.registerCommand(id, async (...args: unknown[]) => {
        try {
          return await fn(...args);
        } catch (e) {
          log.error(`${id}: ${(e as Error).stack ?? String(e)}`);
          void vscode.window.showErrorMessage(`Multimodal Lab: ${(e as Error).message}`);
          return undefined;
        }
      }),
    );
  };

  context.subscriptions.push(vscode.workspace.registerTextDocumentContentProvider(DETAIL_SCHEME, details), details);

  register('multimodalLab.openReading', async (arg) => {
    const reading = await pickReading(state, arg);
    if (!reading) return;
    const uri = vscode.Uri.from({ scheme: DETAIL_SCHEME, path: `/readings/${reading.id}.md` });
    details.changed(uri);
    await vscode.commands.executeCommand('markdown.showPreview', uri);
  });

  register('multimodalLab.openLink', async (arg) => {
    const reading = await pickReading(state, arg);
    if (reading) await vscode.env.openExternal(vscode.Uri.parse(reading.url));
  });

  register('multimodalLab.openNotes', async (arg) => {
    const reading = await pickReading(state, arg);
    if (!reading) return undefined;
    if (!state.workspaceRoot) throw new Error('Open a folder first: notes are saved in the workspace, in notes/<reading>.md.');
    const { file, created } = await ensureNotesFile(state.workspaceRoot, reading);
    log.info(`${created ? 'Created' : 'Opened existing'} notes file ${file}`);
    await vscode.window.showTextDocument(vscode.Uri.file(file), { preview: false });
    return file;
  });

  register('multimodalLab.toggleRead', async (arg, value) => {
    const reading = await pickReading(state, arg);
    if (!reading) return;
    const read = typeof value === 'boolean' ? value : !state.progress?.isRead(reading.id);
    await state.setRead(reading.id, read);
    details.changed(vscode.Uri.from({ scheme: DETAIL_SCHEME, path: `/readings/${reading.id}.md` }));
  });

  const exercises = new ExerciseCommands(state, vscode.Uri.joinPath(context.extensionUri, 'templates').fsPath, log);
  const npmLog = vscode.window.createOutputChannel('Multimodal Lab: npm');
  context.subscriptions.push(exercises, npmLog, vscode.workspace.registerTextDocumentContentProvider(HINT_SCHEME, exercises));
  register('multimodalLab.startExercise', (arg) => exercises.start(arg));
  register('multimodalLab.resetExercise', (arg) => exercises.reset(arg));
  register('multimodalLab.showHint', (arg) => exercises.nextHint(arg));
  register('multimodalLab.compareSolution', (arg) => exercises.compareSolution(arg));
  register('multimodalLab.installDependencies', async () => {
    if (!state.workspaceRoot) throw new Error('Open a folder first: dependencies are installed into the workspace.');
    await installDependencies(state.workspaceRoot, npmLog);
  });

  register('multimodalLab.openExerciseReadme', async (arg) => {
    if (!state.workspaceRoot || typeof arg !== 'string') return;
    await vscode.commands.executeCommand('markdown.showPreview', vscode.Uri.joinPath(vscode.Uri.file(state.workspaceRoot), 'exercises', arg, 'README.md'));
  });
  register('multimodalLab.refresh', () => state.refresh(true));
  register('multimodalLab.showLog', () => log.show(true));
}

async function pickReading(state: LabState, arg: unknown): Promise<Reading | undefined> {
  const snap = await state.get();
  if (snap.kind === 'error') throw new Error('The course file has errors; run "Multimodal Lab: Show Log" to see them.');
  const id = readingIdOf(arg);
  if (id !== undefined) {
    const found = snap.course.readings.find((r) => r.id === id);
    if (!found) throw new Error(`No reading "${id}" in the course. Known: ${snap.course.readings.map((r) => r.id).join(', ')}.`);
    return found;
  }
  const picked = await vscode.window.showQuickPick(
    snap.course.readings.map((r) => ({ label: r.title, description: `${r.hours} h · ${r.kind}`, detail: r.why, reading: r })),
    { placeHolder: 'Choose a reading' },
  );
  return picked?.reading;
}

/** Serves `multimodal-lab:/readings/<id>.md`, the detail page shown in the markdown preview. */
class ReadingDetails implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.emitter.event;

  constructor(private readonly state: LabState) {}

  changed(uri: vscode.Uri): void {
    this.emitter.fire(uri);
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const snap = await this.state.get();
    const id = uri.path.replace(/^\/readings\//, '').replace(/\.md$/, '');
    if (snap.kind === 'error') return '# The course file has errors\n\nRun "Multimodal Lab: Show Log".';
    const reading = snap.course.readings.find((r) => r.id === id);
    if (!reading) return `# Unknown reading "${id}"`;
    return readingDetailMarkdown(snap.course, reading, this.state.progress?.isRead(id) ?? false);
  }

  dispose(): void {
    this.emitter.dispose();
  }
}
