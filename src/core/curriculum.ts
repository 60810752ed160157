import { Course, Exercise, Reading } from './course/types';
import { EvidenceSnapshot, MilestoneStatus, evaluateMilestone } from './milestones';
import { Progress } from './progress';

/** What the tree shows for an exercise, in the order a learner moves through them. */
export type ExerciseState = 'unavailable' | 'notStarted' | 'inProgress' | 'testsPassing' | 'trained';

export const EXERCISE_STATE_LABEL: Readonly<Record<ExerciseState, string>> = {
  unavailable: 'not yet available',
  notStarted: 'not started',
  inProgress: 'in progress',
  testsPassing: 'tests passing',
  trained: 'trained',
};

/** Facts about an exercise gathered from disk by the caller, so this module stays pure. */
export interface ExerciseFacts {
  /** `templates/<id>/` ships with the extension. */
  readonly templateAvailable: boolean;
  /** `exercises/<id>/` exists in the workspace. */
  readonly scaffolded: boolean;
  readonly testsPassing: boolean;
  readonly trained: boolean;
}

export function exerciseState(f: ExerciseFacts): ExerciseState {
  if (!f.templateAvailable) return 'unavailable';
  if (!f.scaffolded) return 'notStarted';
  if (f.trained) return 'trained';
  if (f.testsPassing) return 'testsPassing';
  return 'inProgress';
}

export interface ReadingRow {
  readonly reading: Reading;
  readonly read: boolean;
}
export interface ExerciseRow {
  readonly exercise: Exercise;
  readonly index: number;
  readonly state: ExerciseState;
  /** The last full test run, when there was one. */
  readonly tests?: { readonly passed: number; readonly total: number };
  /** Titles of the milestones whose evidence names this exercise; empty when it feeds none. */
  readonly milestones: readonly string[];
}

/** The tree's label of an exercise: its number and short title (the full title is in the tooltip). */
export function exerciseLabel(row: ExerciseRow): string {
  return `${row.index}. ${row.exercise.shortTitle ?? row.exercise.title}`;
}

/** Titles of the milestones that an exercise's tests or runs count towards. */
export function milestonesFedBy(course: Course, exerciseId: string): string[] {
  return course.milestones
    .filter((m) => m.evidence.some((e) => e.kind !== 'quiz' && e.exercise === exerciseId))
    .map((m) => m.title);
}

/** The state in a word or two, for the tree's narrow rows (the tooltip uses `EXERCISE_STATE_LABEL`). */
const EXERCISE_STATE_SHORT: Readonly<Record<ExerciseState, string>> = {
  unavailable: 'unavailable',
  notStarted: 'not started',
  inProgress: 'in progress',
  testsPassing: 'tests pass',
  trained: 'trained',
};

/**
 * The tree's description of an exercise, short enough to fit the sidebar beside the label: its state, or k/n passing
 * once its tests have run (the icon tells in progress from passing).
 */
export function exerciseDescription(row: ExerciseRow): string {
  if (row.tests && (row.state === 'inProgress' || row.state === 'testsPassing'))
    return `${row.tests.passed}/${row.tests.total} pass`;
  return EXERCISE_STATE_SHORT[row.state];
}

/** What a screen reader says for an exercise row: full title, state and test counts. */
export function exerciseAccessibleLabel(row: ExerciseRow): string {
  const counts =
    row.tests && row.state !== 'unavailable' && row.state !== 'notStarted'
      ? `, ${row.tests.passed} of ${row.tests.total} tests pass`
      : '';
  return `${row.index}. ${row.exercise.title}, ${EXERCISE_STATE_LABEL[row.state]}${counts}`;
}

export interface CurriculumModel {
  readonly readings: readonly ReadingRow[];
  readonly readingSummary: string;
  readonly exercises: readonly ExerciseRow[];
  readonly exerciseSummary: string;
  readonly milestones: readonly MilestoneStatus[];
  readonly milestoneSummary: string;
}

/** Everything the Curriculum tree shows, derived from the course, progress and evidence. */
export function buildCurriculum(
  course: Course,
  progress: Progress,
  facts: (exerciseId: string) => ExerciseFacts,
  evidence: EvidenceSnapshot,
): CurriculumModel {
  const readings = course.readings.map((reading) => ({ reading, read: reading.id in progress.readings }));
  const readHours = readings.filter((r) => r.read).reduce((h, r) => h + r.reading.hours, 0);
  const totalHours = readings.reduce((h, r) => h + r.reading.hours, 0);
  const exercises = course.exercises.map((exercise, i): ExerciseRow => {
    const tests = progress.exercises?.[exercise.id]?.tests;
    return {
      exercise,
      index: i + 1,
      state: exerciseState(facts(exercise.id)),
      milestones: milestonesFedBy(course, exercise.id),
      ...(tests ? { tests: { passed: tests.passed, total: tests.total } } : {}),
    };
  });
  const started = exercises.filter((e) => e.state !== 'unavailable' && e.state !== 'notStarted').length;
  const available = exercises.filter((e) => e.state !== 'unavailable').length;
  const milestones = course.milestones.map((m) => evaluateMilestone(course, m, evidence));
  return {
    readings,
    readingSummary: `${readings.filter((r) => r.read).length}/${readings.length} · ${formatHours(readHours)} of ${formatHours(totalHours)} h`,
    exercises,
    exerciseSummary: `${started}/${exercises.length} started · ${available} available`,
    milestones,
    milestoneSummary: `${milestones.filter((m) => m.met).length}/${milestones.length}`,
  };
}

/** Whole hours print bare; fractions keep one decimal. */
export function formatHours(h: number): string {
  return Number.isInteger(h) ? String(h) : h.toFixed(1);
}

/** The tree label of a reading: a title written "Short — Long" shows as "Short"; the full title is in the tooltip. */
export function readingLabel(title: string): string {
  const dash = title.indexOf(' — ');
  return dash > 0 ? title.slice(0, dash) : title;
}
