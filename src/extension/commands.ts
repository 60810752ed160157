import * as vscode from 'vscode';
import { Reading } from '../core/course/types';
import { ensureNotesFile } from '../core/notes';
import { readingDetailMarkdown } from '../core/readingDetail';
import { readingIdOf } from './curriculumTree';
import { ExerciseCommands, exerciseIdOf } from './exerciseCommands';
import { HINT_SCHEME, HintCommands } from './hintCommands';
import { RunnerLauncher } from './runnerLauncher';
import { ExerciseTests } from './testing';
import { Training } from './training';
import { MilestonePanel } from './milestonePanel';
import { QuizPanels } from './quizPanel';
import { runCommandHandlers } from './runCommands';
import { RunPanels } from './runPanels';
import type { DiagnoseJob } from '../protocol/runner';
import { DependencyContext, INSTALL_COMMAND, installDependencies } from './installDependencies';
import { LabState } from './labState';

const DETAIL_SCHEME = 'multimodal-lab';

/** Registers every command; each accepts a tree node or a reading id, and asks with a quick pick otherwise. */
export interface RunnerParts {
  readonly launcher: RunnerLauncher;
  readonly tests: ExerciseTests;
  readonly training: Training;
  readonly panels: RunPanels;
  readonly milestones: MilestonePanel;
  readonly quizzes: QuizPanels;
}

export function registerCommands(context: vscode.ExtensionContext, state: LabState, log: vscode.LogOutputChannel, runner: RunnerParts): void {
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

  const exercises = new ExerciseCommands(state, log);
  const hints = new HintCommands(state);
  const npmLog = vscode.window.createOutputChannel('Multimodal Lab: npm');
  const dependencies = new DependencyContext(state);
  context.subscriptions.push(hints, npmLog, dependencies, vscode.workspace.registerTextDocumentContentProvider(HINT_SCHEME, hints));
  register('multimodalLab.startExercise', (arg) => exercises.start(arg));
  register('multimodalLab.resetExercise', (arg) => exercises.reset(arg));
  register('multimodalLab.showHint', (arg) => hints.nextHint(arg));
  register('multimodalLab.pickHint', (arg) => hints.pickHint(arg));
  register('multimodalLab.compareSolution', (arg) => exercises.compareSolution(arg));
  register(INSTALL_COMMAND, async () => {
    if (!state.workspaceRoot) throw new Error('Open a folder first: dependencies are installed into the workspace.');
    try {
      await installDependencies(state.workspaceRoot, npmLog);
    } finally {
      dependencies.update();
    }
  });

  register('multimodalLab.openExerciseReadme', async (arg) => {
    if (!state.workspaceRoot || typeof arg !== 'string') return;
    await vscode.commands.executeCommand('markdown.showPreview', vscode.Uri.joinPath(vscode.Uri.file(state.workspaceRoot), 'exercises', arg, 'README.md'));
  });
  const exerciseArg = async (arg: unknown): Promise<string | undefined> => exerciseIdOf(arg) ?? (await pickStartedExercise(state));
  register('multimodalLab.train', async (arg) => {
    const id = await exerciseArg(arg);
    return id ? runner.training.train(id) : undefined;
  });
  register('multimodalLab.trainQuick', async (arg) => {
    const id = await exerciseArg(arg);
    return id ? runner.training.train(id, undefined, true) : undefined;
  });
  register('multimodalLab.stopTraining', async (arg) => {
    const id = await exerciseArg(arg);
    if (id) runner.training.stop(id);
  });
  register('multimodalLab.resumeTraining', async (arg) => {
    const id = await exerciseArg(arg);
    return id ? runner.training.resume(id) : undefined;
  });
  register('multimodalLab.runTests', async () => {
    await runner.tests.discoverAll();
    await vscode.commands.executeCommand('testing.runAll');
  });
  const backendLog = vscode.window.createOutputChannel('Multimodal Lab: Backends');
  context.subscriptions.push(backendLog);
  register('multimodalLab.diagnoseBackends', async () => {
    if (!state.workspaceRoot) throw new Error('Open a folder first: backends are loaded from the workspace\'s node_modules.');
    if (!vscode.workspace.isTrusted) throw new Error('Diagnosing backends loads native code from this folder, so it needs a trusted workspace.');
    backendLog.clear();
    backendLog.show(true);
    backendLog.appendLine(`Diagnosing TensorFlow.js backends in ${state.workspaceRoot} …`);
    const job = { type: 'job', protocol: 1, kind: 'diagnose', workspaceRoot: state.workspaceRoot, backend: runner.launcher.backendPreference() } satisfies DiagnoseJob;
    const handle = runner.launcher.start(job, (e) => {
      if (e.type === 'backend') {
        // Details first, verdict last: the panel shows the end of the output.
        backendLog.appendLine(`Versions: ${Object.entries(e.versions).map(([k, v]) => `${k} ${v}`).join(', ') || 'none found'}`);
        if (e.kernels.length) backendLog.appendLine(`Kernels installed (${e.kernels.length}): ${e.kernels.join('; ')}`);
        for (const l of e.limitations) backendLog.appendLine(`Limitation: ${l}`);
        backendLog.appendLine(`GPUs seen: ${e.gpus?.join(', ') ?? 'not reported'}`);
        backendLog.appendLine('Ladder, fastest first:');
        for (const r of e.ladder) backendLog.appendLine(`  ${r.backend.padEnd(15)} ${r.status.padEnd(10)} ${r.gflops !== undefined ? `${r.gflops.toFixed(2)} GFLOP/s  ` : ''}${r.trainStepsPerSecond !== undefined ? `${r.trainStepsPerSecond.toFixed(2)} train steps/s  ` : ''}${r.reason}`);
        backendLog.appendLine(`Active: ${e.active}${e.active === 'cpu' ? ' (the last resort: about 500× slower than native)' : ''}`);
      } else if (e.type === 'fatal') backendLog.appendLine(`Error: ${e.message}${e.hint ? `\n${e.hint}` : ''}`);
      else if (e.type === 'output') backendLog.append(e.text);
    });
    await handle.done;
  });

  for (const [id, handler] of Object.entries(runCommandHandlers(state, runner.panels))) register(id, handler);
  register('multimodalLab.showMilestones', () => runner.milestones.show());
  register('multimodalLab.openQuiz', async (arg) => {
    const quizId = await pickQuiz(state, arg);
    if (quizId) await runner.quizzes.show(quizId);
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

async function pickStartedExercise(state: LabState): Promise<string | undefined> {
  const snap = await state.get();
  if (snap.kind === 'error') throw new Error('The course file has errors; run "Multimodal Lab: Show Log" to see them.');
  const started = snap.model.exercises.filter((e) => e.state !== 'unavailable' && e.state !== 'notStarted');
  if (started.length === 0) throw new Error('No exercise has been started yet. Start one from the Curriculum view.');
  if (started.length === 1) return started[0].exercise.id;
  const pick = await vscode.window.showQuickPick(started.map((e) => ({ label: `${e.index}. ${e.exercise.title}`, id: e.exercise.id })), { placeHolder: 'Choose an exercise' });
  return pick?.id;
}

/** The quiz id from a tree node or string argument, or asked with a quick pick of the course's concept checks. */
async function pickQuiz(state: LabState, arg: unknown): Promise<string | undefined> {
  if (typeof arg === 'string') return arg;
  const fromNode = (arg as { quizId?: unknown } | undefined)?.quizId;
  if (typeof fromNode === 'string') return fromNode;
  const snap = await state.get();
  if (snap.kind !== 'ok') throw new Error('The course file has errors; fix them first (see the Curriculum view).');
  const quizzes = snap.course.milestones.flatMap((m) => m.evidence.flatMap((e) => (e.kind === 'quiz' ? [{ label: e.label, description: m.title, quizId: e.quiz }] : [])));
  if (quizzes.length === 0) throw new Error('This course has no concept checks.');
  return (await vscode.window.showQuickPick(quizzes, { placeHolder: 'Which concept check?' }))?.quizId;
}
