import * as vscode from 'vscode';
import { LabState } from '../labState';
import { MilestonePanel } from '../milestonePanel';
import { QuizPanels } from '../quizPanel';
import { RunPanels } from '../runPanels';
import { RunnerLauncher } from '../runnerLauncher';
import { ExerciseTests } from '../testing';
import { Training } from '../training';
import { registerDiagnoseCommand } from './diagnose';
import { registerExerciseCommands } from './exercises';
import { registerReadingCommands } from './readings';
import { runCommandHandlers } from './runs';
import { registerTrainingCommands } from './training';

/** Registers one command; a thrown error is logged with its stack and shown to the learner as its message. */
export type Register = (id: string, fn: (...args: unknown[]) => Promise<unknown> | unknown) => void;

export interface RunnerParts {
  readonly launcher: RunnerLauncher;
  readonly tests: ExerciseTests;
  readonly training: Training;
  readonly panels: RunPanels;
  readonly milestones: MilestonePanel;
  readonly quizzes: QuizPanels;
}

/** Registers every command, area by area; each accepts a tree node or an id, and asks with a quick pick otherwise. */
export function registerCommands(
  context: vscode.ExtensionContext,
  state: LabState,
  log: vscode.LogOutputChannel,
  parts: RunnerParts,
): void {
  const register: Register = (id, fn) => {
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

  registerReadingCommands(context, register, state, log);
  registerExerciseCommands(context, register, state, log);
  registerTrainingCommands(register, state, parts.training, parts.tests);
  registerDiagnoseCommand(context, register, state, parts.launcher);
  for (const [id, handler] of Object.entries(runCommandHandlers(state, parts.panels))) register(id, handler);

  register('multimodalLab.showMilestones', () => parts.milestones.show());
  register('multimodalLab.openQuiz', async (arg) => {
    const quizId = await pickQuiz(state, arg);
    if (quizId) await parts.quizzes.show(quizId);
  });
  register('multimodalLab.refresh', () => state.refresh(true));
  register('multimodalLab.showLog', () => log.show(true));
}

/** The quiz id from a tree node or string argument, or asked with a quick pick of the course's concept checks. */
async function pickQuiz(state: LabState, arg: unknown): Promise<string | undefined> {
  if (typeof arg === 'string') return arg;
  const fromNode = (arg as { quizId?: unknown } | undefined)?.quizId;
  if (typeof fromNode === 'string') return fromNode;
  const snap = await state.get();
  if (snap.kind !== 'ok') throw new Error('The course file has errors; fix them first (see the Curriculum view).');
  const quizzes = snap.course.milestones.flatMap((m) =>
    m.evidence.flatMap((e) => (e.kind === 'quiz' ? [{ label: e.label, description: m.title, quizId: e.quiz }] : [])),
  );
  if (quizzes.length === 0) throw new Error('This course has no concept checks.');
  return (await vscode.window.showQuickPick(quizzes, { placeHolder: 'Which concept check?' }))?.quizId;
}
