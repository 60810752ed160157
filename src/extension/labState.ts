import * as vscode from 'vscode';
import { CourseError, formatCourseError, loadCourseFile } from '../core/course/load';
import { Course } from '../core/course/types';
import { CurriculumModel, buildCurriculum } from '../core/curriculum';
import { gatherExerciseFacts } from '../core/exerciseFacts';
import { NO_EVIDENCE, gatherEvidence } from '../core/milestones';
import { ProgressStore, emptyProgress } from '../core/progress';

export type LabSnapshot =
  | { readonly kind: 'ok'; readonly course: Course; readonly model: CurriculumModel }
  | { readonly kind: 'error'; readonly errors: readonly CourseError[] };

/**
 * Owns the loaded course and the workspace's progress, and says when either changes. Loading is lazy: nothing
 * is read from disk until the tree first asks, which keeps activation cheap.
 */
export class LabState implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private snapshot?: Promise<LabSnapshot>;
  private progressLoaded?: Promise<void>;
  readonly progress?: ProgressStore;

  constructor(
    private readonly extensionUri: vscode.Uri,
    readonly workspaceRoot: string | undefined,
    private readonly log: vscode.LogOutputChannel,
    private readonly diagnostics: vscode.DiagnosticCollection,
  ) {
    this.progress = workspaceRoot ? new ProgressStore(workspaceRoot) : undefined;
  }

  /**
   * The course file: the bundled one, or `multimodalLab.courseFile` (a machine-scoped setting for course authors,
   * so a workspace cannot point it elsewhere). Exercise templates live beside it.
   */
  get courseFile(): vscode.Uri {
    const custom = vscode.workspace.getConfiguration('multimodalLab').get<string>('courseFile')?.trim();
    return custom ? vscode.Uri.file(custom) : vscode.Uri.joinPath(this.extensionUri, 'templates', 'course.json');
  }

  /** `templates/`: the folder of the course file, holding `workspace/` and one folder per exercise. */
  get templatesRoot(): string {
    return vscode.Uri.joinPath(this.courseFile, '..').fsPath;
  }

  get(): Promise<LabSnapshot> {
    this.snapshot ??= this.load();
    return this.snapshot;
  }

  /** Drops cached state; `progressToo` also re-reads the progress file (it changed on disk). */
  refresh(progressToo = false): void {
    this.snapshot = undefined;
    if (progressToo) this.progressLoaded = undefined;
    this.changed.fire();
  }

  async setRead(readingId: string, read: boolean): Promise<void> {
    if (!this.progress) {
      throw new Error(
        'Open a folder first: reading progress is saved in the workspace, in .multimodal-lab/progress.json.',
      );
    }
    await this.ensureProgress();
    await this.progress.setRead(readingId, read);
    this.log.info(`Marked "${readingId}" ${read ? 'read' : 'unread'} in ${this.progress.file}`);
    this.refresh();
  }

  private async load(): Promise<LabSnapshot> {
    const started = performance.now();
    const [result] = await Promise.all([loadCourseFile(this.courseFile.fsPath), this.ensureProgress()]);
    this.diagnostics.clear();
    if (!result.ok) {
      this.reportCourseErrors(result.errors);
      return { kind: 'error', errors: result.errors };
    }
    const course = result.course;
    const progress = this.progress?.progress ?? emptyProgress();
    const facts = await gatherExerciseFacts(
      this.templatesRoot,
      this.workspaceRoot,
      course.exercises.map((e) => e.id),
      progress,
    );
    const evidence = this.workspaceRoot ? await gatherEvidence(this.workspaceRoot, progress) : NO_EVIDENCE;
    const model = buildCurriculum(course, progress, (id) => facts.get(id)!, evidence);
    this.log.debug(`Curriculum loaded in ${(performance.now() - started).toFixed(1)} ms`);
    return { kind: 'ok', course, model };
  }

  private ensureProgress(): Promise<void> {
    this.progressLoaded ??= this.loadProgress();
    return this.progressLoaded;
  }

  private async loadProgress(): Promise<void> {
    if (!this.progress) return;
    try {
      const notice = await this.progress.load();
      if (notice) {
        this.log.warn(notice.message);
        const open = 'Open Backup';
        void vscode.window.showWarningMessage(`Multimodal Lab: ${notice.message}`, open).then((choice) => {
          if (choice === open) void vscode.window.showTextDocument(vscode.Uri.file(notice.backup));
        });
      }
    } catch (e) {
      this.log.error(String(e));
      void vscode.window.showErrorMessage(`Multimodal Lab: ${(e as Error).message}`);
    }
  }

  private reportCourseErrors(errors: readonly CourseError[]): void {
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const e of errors) {
      this.log.error(formatCourseError(e));
      const pos = new vscode.Position(e.line - 1, e.column - 1);
      const d = new vscode.Diagnostic(
        new vscode.Range(pos, pos),
        `${e.path ? `${e.path}: ` : ''}${e.message}`,
        vscode.DiagnosticSeverity.Error,
      );
      d.source = 'Multimodal Lab';
      byFile.set(e.file, [...(byFile.get(e.file) ?? []), d]);
    }
    for (const [file, list] of byFile) this.diagnostics.set(vscode.Uri.file(file), list);
    const first = errors[0];
    const show = 'Show Errors';
    void vscode.window
      .showErrorMessage(
        `Multimodal Lab: the course file has ${errors.length} error(s). First: ${formatCourseError(first)}`,
        show,
      )
      .then((choice) => {
        if (choice === show) this.log.show(true);
      });
  }

  dispose(): void {
    this.changed.dispose();
  }
}
