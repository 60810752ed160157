import * as path from 'node:path';
import { readFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import { setPanelPage } from './panelPage';
import {
  Quiz,
  checkParagraph,
  ensureParagraphFile,
  gradeQuiz,
  loadQuiz,
  paragraphNotesPath,
  questionViews,
  type Grade,
  type ParagraphCheck,
} from '../core/quiz';
import { ExtensionToQuizPanel, QUIZ_PROTOCOL_VERSION, isQuizPanelMessage } from '../protocol/quiz';
import { LabState } from './labState';

/**
 * Concept-check panels, one per quiz. The extension grades and records attempts in progress.json; passing ticks
 * the milestone's quiz evidence. The paragraph lives in `notes/milestones/<quiz>.md` and is re-checked on save.
 */
export class QuizPanels implements vscode.Disposable {
  private readonly open = new Map<
    string,
    { panel: vscode.WebviewPanel; quiz: Quiz; grade?: Grade; paragraph?: ParagraphCheck }
  >();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly state: LabState,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.disposables.push(
      vscode.workspace.onDidSaveTextDocument((doc) => {
        for (const [id, entry] of this.open) {
          if (
            this.state.workspaceRoot &&
            entry.quiz.paragraph &&
            doc.uri.fsPath === paragraphNotesPath(this.state.workspaceRoot, id)
          ) {
            void this.checkParagraph(id).then(() => this.post(id));
          }
        }
      }),
    );
  }

  /** Opens (or reveals) the concept check `quizId`; a missing or malformed quiz file throws a readable error. */
  async show(quizId: string): Promise<void> {
    const existing = this.open.get(quizId);
    if (existing) {
      existing.panel.reveal();
      return;
    }
    if (!this.state.workspaceRoot) throw new Error('Open a folder first: your answers are recorded in the workspace.');
    const quiz = await loadQuiz(this.state.templatesRoot, quizId);
    const title = `Concept check · ${quiz.title}`;
    const panel = vscode.window.createWebviewPanel('multimodalLab.quiz', title, vscode.ViewColumn.Active);
    setPanelPage(panel, this.extensionUri, {
      title,
      script: ['dist', 'webview', 'quiz.js'],
      styles: [['media', 'panels', 'quiz.css']],
    });
    this.open.set(quizId, { panel, quiz });
    const subs = [
      panel.webview.onDidReceiveMessage(
        (m: unknown) =>
          void this.receive(quizId, m).catch((e: Error) => {
            this.log.error(`Concept check ${quizId}: ${e.stack ?? e.message}`);
            void vscode.window.showErrorMessage(`Multimodal Lab: ${e.message}`);
          }),
      ),
      panel.onDidDispose(() => {
        subs.forEach((d) => d.dispose());
        this.open.delete(quizId);
      }),
    ];
  }

  private async receive(quizId: string, m: unknown): Promise<void> {
    const entry = this.open.get(quizId);
    if (!entry || !this.state.workspaceRoot) return;
    if (!isQuizPanelMessage(m)) {
      this.log.warn(`Concept-check panel sent a message it should not: ${JSON.stringify(m)?.slice(0, 200)}`);
      return;
    }
    switch (m.type) {
      case 'ready':
        if (entry.quiz.paragraph) await this.checkParagraph(quizId);
        break;
      case 'openNotes': {
        const { file } = await ensureParagraphFile(this.state.workspaceRoot, entry.quiz);
        await vscode.window.showTextDocument(vscode.Uri.file(file), {
          viewColumn: vscode.ViewColumn.Beside,
          preview: false,
        });
        break;
      }
      case 'checkParagraph':
        await this.checkParagraph(quizId);
        break;
      case 'submit': {
        await this.state.get(); // progress is loaded with the course
        if (entry.quiz.paragraph) await this.checkParagraph(quizId);
        entry.grade = gradeQuiz(entry.quiz, m.answers);
        const passed = entry.grade.passed && (!entry.quiz.paragraph || entry.paragraph?.passed === true);
        await this.state.progress?.recordQuizAttempt(quizId, entry.grade.score, passed);
        this.log.info(
          `Concept check ${quizId}: ${entry.grade.right}/${entry.grade.total} right, paragraph ${entry.paragraph?.passed ?? 'n/a'}, ${passed ? 'passed' : 'not yet passed'}`,
        );
        this.state.refresh();
        break;
      }
    }
    await this.post(quizId);
  }

  private async checkParagraph(quizId: string): Promise<void> {
    const entry = this.open.get(quizId);
    if (!entry?.quiz.paragraph || !this.state.workspaceRoot) return;
    const text = await readFile(paragraphNotesPath(this.state.workspaceRoot, quizId), 'utf8').catch(() => '');
    entry.paragraph = checkParagraph(entry.quiz.paragraph, text);
  }

  private async post(quizId: string): Promise<void> {
    const entry = this.open.get(quizId);
    if (!entry || !this.state.workspaceRoot) return;
    await this.state.get();
    const record = this.state.progress?.quiz(quizId);
    const { quiz } = entry;
    const passed = typeof record?.passedAt === 'string';
    const message: ExtensionToQuizPanel = {
      type: 'state',
      protocol: QUIZ_PROTOCOL_VERSION,
      quiz: {
        id: quiz.id,
        title: quiz.title,
        intro: quiz.intro,
        passMark: quiz.passMark,
        questions: questionViews(quiz),
        ...(quiz.paragraph
          ? {
              paragraph: {
                prompt: quiz.paragraph.prompt,
                minWords: quiz.paragraph.minWords,
                maxWords: quiz.paragraph.maxWords,
                notesFile: path
                  .relative(this.state.workspaceRoot, paragraphNotesPath(this.state.workspaceRoot, quiz.id))
                  .split(path.sep)
                  .join('/'),
              },
            }
          : {}),
      },
      ...(entry.paragraph ? { paragraph: entry.paragraph } : {}),
      ...(entry.grade ? { grade: entry.grade } : {}),
      attempts: record?.attempts ?? 0,
      passed,
      ...(passed
        ? {
            modelAnswer: quiz.modelAnswer,
            explanations: Object.fromEntries(quiz.questions.map((q) => [q.id, q.explanation])),
          }
        : {}),
    };
    void entry.panel.webview.postMessage(message);
  }

  dispose(): void {
    for (const { panel } of this.open.values()) panel.dispose();
    this.disposables.forEach((d) => d.dispose());
  }
}
