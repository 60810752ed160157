import * as vscode from 'vscode';
import { formatCourseError } from '../core/course/load';
import { Reading } from '../core/course/types';
import {
  EXERCISE_STATE_LABEL,
  exerciseAccessibleLabel,
  exerciseDescription,
  exerciseLabel,
  ExerciseRow,
  ReadingRow,
  readingLabel,
} from '../core/curriculum';
import { EvidenceStatus, MilestoneStatus } from '../core/milestones';
import { LabState } from './labState';
import { RunListing, listRuns } from '../core/runs';
import { declaredMetrics, Headline, isQuickRun, runRowLabel, runStatusPhrase } from '../core/runLabels';
import { readRunHeadline } from '../core/runHeadline';
import { localLiveness } from '../runner/liveness';

export type CurriculumNode =
  | { readonly kind: 'group'; readonly group: 'readings' | 'exercises' | 'milestones' }
  | { readonly kind: 'reading'; readonly row: ReadingRow }
  | { readonly kind: 'exercise'; readonly row: ExerciseRow }
  | { readonly kind: 'milestone'; readonly status: MilestoneStatus }
  | {
      readonly kind: 'evidence';
      readonly milestoneId: string;
      readonly index: number;
      readonly status: EvidenceStatus;
      readonly quizId?: string;
    }
  | { readonly kind: 'run'; readonly exerciseId: string; readonly run: RunListing; readonly headline?: Headline }
  | { readonly kind: 'error'; readonly message: string };

const RUN_RECHECK_MS = 5000;
const GROUP_LABEL = { readings: 'Reading path', exercises: 'Exercises', milestones: 'Milestones' } as const;
const KIND_ICON = { paper: 'file-text', blog: 'book', code: 'github' } as const;
const STATE_ICON = {
  unavailable: 'lock',
  notStarted: 'circle-large-outline',
  inProgress: 'edit',
  testsPassing: 'pass',
  trained: 'pass-filled',
} as const;

/** Reading id from a command argument: a tree node, or an id string (palette, tests, walkthrough links). */
export function readingIdOf(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg;
  const node = arg as CurriculumNode | undefined;
  return node?.kind === 'reading' ? node.row.reading.id : undefined;
}

/** The Curriculum view: reading path, exercises and milestones, each group headed by its progress. */
export class CurriculumTree implements vscode.TreeDataProvider<CurriculumNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<CurriculumNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: vscode.Disposable;
  private recheck?: ReturnType<typeof setTimeout>;

  constructor(private readonly state: LabState) {
    this.subscription = state.onDidChange(() => this.changed.fire(undefined));
  }

  async getChildren(node?: CurriculumNode): Promise<CurriculumNode[]> {
    const snap = await this.state.get();
    if (snap.kind === 'error') {
      return node ? [] : snap.errors.slice(0, 20).map((e) => ({ kind: 'error', message: formatCourseError(e) }));
    }
    const m = snap.model;
    if (!node) return (['readings', 'exercises', 'milestones'] as const).map((group) => ({ kind: 'group', group }));
    if (node.kind === 'group') {
      if (node.group === 'readings') return m.readings.map((row) => ({ kind: 'reading', row }));
      if (node.group === 'exercises') return m.exercises.map((row) => ({ kind: 'exercise', row }));
      return m.milestones.map((status) => ({ kind: 'milestone', status }));
    }
    if (node.kind === 'exercise' && this.state.workspaceRoot) {
      const exerciseId = node.row.exercise.id;
      const runs = await listRuns(this.state.workspaceRoot, exerciseId, localLiveness());
      if (runs.some((r) => r.meta?.status === 'running')) this.recheckRuns();
      const declared = declaredMetrics(snap.course, exerciseId);
      return Promise.all(
        runs.map(async (run) => ({
          kind: 'run' as const,
          exerciseId,
          run,
          headline: await readRunHeadline(run.dir, declared),
        })),
      );
    }
    if (node.kind === 'milestone') {
      return node.status.evidence.map((status, index) => {
        const e = node.status.milestone.evidence[index];
        return {
          kind: 'evidence',
          milestoneId: node.status.milestone.id,
          index,
          status,
          ...(e?.kind === 'quiz' ? { quizId: e.quiz } : {}),
        };
      });
    }
    return [];
  }

  async getTreeItem(node: CurriculumNode): Promise<vscode.TreeItem> {
    switch (node.kind) {
      case 'group':
        return this.groupItem(node.group);
      case 'reading':
        return readingItem(node.row);
      case 'exercise':
        return exerciseItem(node.row);
      case 'milestone':
        return milestoneItem(node.status);
      case 'run':
        return runItem(node.exerciseId, node.run, node.headline);
      case 'evidence': {
        const item = new vscode.TreeItem(node.status.label);
        item.id = `evidence:${node.milestoneId}:${node.index}`;
        item.description = node.status.met ? 'done' : 'waiting';
        item.iconPath = new vscode.ThemeIcon(node.status.met ? 'check' : 'circle-small');
        if (node.quizId) {
          item.contextValue = 'evidence.quiz';
          item.command = {
            command: 'multimodalLab.openQuiz',
            title: 'Open the concept check',
            arguments: [node.quizId],
          };
          item.tooltip = node.status.met
            ? 'Passed. Click to review the concept check and its model answer.'
            : 'Click to take the concept check.';
        }
        return item;
      }
      case 'error': {
        const item = new vscode.TreeItem(node.message);
        item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
        item.tooltip = `${node.message}\n\nFix the course file and run "Multimodal Lab: Reload Curriculum".`;
        item.command = { command: 'multimodalLab.showLog', title: 'Show log' };
        return item;
      }
    }
  }

  private async groupItem(group: 'readings' | 'exercises' | 'milestones'): Promise<vscode.TreeItem> {
    const snap = await this.state.get();
    const label = GROUP_LABEL[group];
    const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.Expanded);
    item.id = `group:${group}`;
    item.contextValue = `group.${group}`;
    if (snap.kind === 'ok') {
      const m = snap.model;
      item.description =
        group === 'readings' ? m.readingSummary : group === 'exercises' ? m.exerciseSummary : m.milestoneSummary;
      item.accessibilityInformation = { label: `${label} ${item.description}` };
    }
    return item;
  }

  /**
   * A run shown as running can die without a word (kill -9, a closed terminal) and then no meta.json changes to tell
   * the tree: while any run is shown as running, look again every few seconds.
   */
  private recheckRuns(): void {
    this.recheck ??= setTimeout(() => {
      this.recheck = undefined;
      this.changed.fire(undefined);
    }, RUN_RECHECK_MS);
  }

  dispose(): void {
    clearTimeout(this.recheck);
    this.subscription.dispose();
    this.changed.dispose();
  }
}

function readingItem({ reading, read }: ReadingRow): vscode.TreeItem {
  const item = new vscode.TreeItem(readingLabel(reading.title));
  item.id = `reading:${reading.id}`;
  item.description = `${reading.hours} h · ${reading.kind} · ${reading.year}`;
  item.checkboxState = {
    state: read ? vscode.TreeItemCheckboxState.Checked : vscode.TreeItemCheckboxState.Unchecked,
    tooltip: read ? 'Read — uncheck to mark unread' : 'Mark as read',
  };
  item.iconPath = new vscode.ThemeIcon(KIND_ICON[reading.kind]);
  item.contextValue = 'reading';
  item.tooltip = readingTooltip(reading, read);
  item.command = { command: 'multimodalLab.openReading', title: 'Open Reading Details', arguments: [reading.id] };
  return item;
}

function readingTooltip(r: Reading, read: boolean): vscode.MarkdownString {
  const md = new vscode.MarkdownString(
    `**${r.title}**\n\n${r.authors}, ${r.year} · ${r.hours} h${read ? ' · ✓ read' : ''}\n\n${r.why}\n\n`,
  );
  md.appendMarkdown(r.questions.map((q) => `- ${q}`).join('\n'));
  return md;
}

function exerciseItem(row: ExerciseRow): vscode.TreeItem {
  const { exercise, state } = row;
  const item = new vscode.TreeItem(exerciseLabel(row));
  item.id = `exercise:${exercise.id}`;
  item.description = exerciseDescription(row);
  item.accessibilityInformation = { label: exerciseAccessibleLabel(row) };
  item.iconPath = new vscode.ThemeIcon(STATE_ICON[state]);
  item.contextValue = `exercise.${state}`;
  const counts =
    row.tests && state !== 'unavailable' && state !== 'notStarted'
      ? ` · ${row.tests.passed} of ${row.tests.total} tests pass`
      : '';
  const tip = new vscode.MarkdownString(
    `**${exercise.title}** — ${EXERCISE_STATE_LABEL[state]}${counts}\n\n${exercise.goal}`,
  );
  if (state === 'unavailable')
    tip.appendMarkdown(
      "\n\n_This exercise's files are not in this version of Multimodal Lab yet, so it cannot be started._",
    );
  if (state === 'notStarted')
    tip.appendMarkdown('\n\n_Start it with the ▶ button: its files are copied into `exercises/' + exercise.id + '/`._');
  tip.appendMarkdown(
    row.milestones.length
      ? `\n\nMilestone: ${row.milestones.join('; ')}`
      : '\n\nMilestone: none. This exercise is practice; its tests and runs tick no milestone.',
  );
  item.tooltip = tip;
  if (state !== 'unavailable' && state !== 'notStarted') {
    item.command = { command: 'multimodalLab.openExerciseReadme', title: 'Open README', arguments: [exercise.id] };
    item.collapsibleState = vscode.TreeItemCollapsibleState.Collapsed; // its runs
  }
  return item;
}

function milestoneItem(s: MilestoneStatus): vscode.TreeItem {
  const item = new vscode.TreeItem(s.milestone.title, vscode.TreeItemCollapsibleState.Collapsed);
  item.id = `milestone:${s.milestone.id}`;
  const waiting = s.evidence.filter((e) => !e.met);
  item.description = s.met ? 'done' : `waiting for ${waiting.length} of ${s.evidence.length}`;
  item.iconPath = new vscode.ThemeIcon(s.met ? 'pass-filled' : 'circle-large-outline');
  item.contextValue = s.met ? 'milestone.met' : 'milestone.waiting';
  item.tooltip = new vscode.MarkdownString(
    `**${s.milestone.title}**\n\n${s.evidence.map((e) => `- ${e.met ? '✓' : '○'} ${e.label}`).join('\n')}`,
  );
  return item;
}

const STATUS_ICON: Record<string, string> = {
  running: 'sync~spin',
  finished: 'pass',
  stopped: 'debug-pause',
  crashed: 'error',
  nan: 'warning',
  hung: 'watch',
  killed: 'close',
};

/** A run row: its name and headline metric, then its state in words (src/core/runLabels). */
function runItem(exerciseId: string, run: RunListing, headline: Headline | undefined): vscode.TreeItem {
  const meta = run.meta;
  const when = meta?.startedAt
    ? new Date(meta.startedAt).toLocaleString(undefined, {
        month: 'short',
        day: 'numeric',
        hour: '2-digit',
        minute: '2-digit',
      })
    : run.runId;
  const row = runRowLabel({ runId: run.runId, meta, when, headline });
  const item = new vscode.TreeItem(row.label);
  item.id = `run:${exerciseId}/${run.runId}`;
  item.description = row.description;
  item.iconPath = new vscode.ThemeIcon(
    meta?.endedWithoutRecord ? 'circle-slash' : (STATUS_ICON[meta?.status ?? ''] ?? 'question'),
  );
  item.contextValue = row.running ? 'run.running' : 'run';
  const quick = isQuickRun(meta) ? ' · quick check (the smoke configuration; it never counts for a milestone)' : '';
  item.tooltip = new vscode.MarkdownString(
    `**${row.label}**\n\nRun ${run.runId}${quick}\n\n${meta ? `${runStatusPhrase(meta)}${meta.reason ? `: ${meta.reason}` : ''}\n\nconfig ${meta.config} · backend ${meta.backend ?? '?'} · started ${meta.startedAt}` : 'meta.json is missing or unreadable'}`,
  );
  item.command = { command: 'multimodalLab.openRun', title: 'Open Run', arguments: [{ exerciseId, runId: run.runId }] };
  return item;
}
