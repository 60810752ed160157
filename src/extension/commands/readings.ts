import * as vscode from 'vscode';
import { Reading } from '../../core/course/types';
import { ensureNotesFile } from '../../core/notes';
import { readingDetailMarkdown } from '../../core/readingDetail';
import { readingIdOf } from '../curriculumTree';
import { LabState } from '../labState';
import type { Register } from './index';

const DETAIL_SCHEME = 'multimodal-lab';

/** The reading path: a reading's detail page, its link, the learner's notes on it, and mark-as-read. */
export function registerReadingCommands(
  context: vscode.ExtensionContext,
  register: Register,
  state: LabState,
  log: vscode.LogOutputChannel,
): void {
  const details = new ReadingDetails(state);
  context.subscriptions.push(vscode.workspace.registerTextDocumentContentProvider(DETAIL_SCHEME, details), details);
  const detailUri = (reading: Reading): vscode.Uri =>
    vscode.Uri.from({ scheme: DETAIL_SCHEME, path: `/readings/${reading.id}.md` });

  register('multimodalLab.openReading', async (arg) => {
    const reading = await pickReading(state, arg);
    if (!reading) return;
    details.changed(detailUri(reading));
    await vscode.commands.executeCommand('markdown.showPreview', detailUri(reading));
  });

  register('multimodalLab.openLink', async (arg) => {
    const reading = await pickReading(state, arg);
    if (reading) await vscode.env.openExternal(vscode.Uri.parse(reading.url));
  });

  register('multimodalLab.openNotes', async (arg) => {
    const reading = await pickReading(state, arg);
    if (!reading) return undefined;
    if (!state.workspaceRoot)
      throw new Error('Open a folder first: notes are saved in the workspace, in notes/<reading>.md.');
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
    details.changed(detailUri(reading));
  });
}

async function pickReading(state: LabState, arg: unknown): Promise<Reading | undefined> {
  const snap = await state.get();
  if (snap.kind === 'error') throw new Error('The course file has errors; run "Multimodal Lab: Show Log" to see them.');
  const id = readingIdOf(arg);
  if (id !== undefined) {
    const found = snap.course.readings.find((r) => r.id === id);
    if (!found)
      throw new Error(`No reading "${id}" in the course. Known: ${snap.course.readings.map((r) => r.id).join(', ')}.`);
    return found;
  }
  const picked = await vscode.window.showQuickPick(
    snap.course.readings.map((r) => ({
      label: r.title,
      description: `${r.hours} h · ${r.kind}`,
      detail: r.why,
      reading: r,
    })),
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
