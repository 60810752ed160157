import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import * as path from 'node:path';

/** Version of `.multimodal-lab/progress.json`. Bump it with a migration in `migrate` below. */
export const PROGRESS_VERSION = 1;
export const PROGRESS_DIR = '.multimodal-lab';
export const PROGRESS_FILE = 'progress.json';

export interface ReadingProgress {
  readonly readAt: string;
}

/** Per-exercise progress; every field is optional so older files stay valid at version 1. */
export interface ExerciseProgress {
  readonly startedAt?: string;
  /**
   * Hints revealed per TODO, keyed by the TODO's number. A number is the older form (one sequence across TODOs), still
   * read by `hintCounts`; the next reveal rewrites it per TODO.
   */
  readonly hintsRevealed?: number | Readonly<Record<string, number>>;
  /** The last full test run: how many passed out of how many, and when. */
  readonly tests?: { readonly passed: number; readonly total: number; readonly at: string };
  /** The last training run that finished. */
  readonly trained?: { readonly runId: string; readonly at: string };
}

/** A concept check (quiz) behind a milestone: attempts, the last score, and when it was first passed. */
export interface QuizProgress {
  readonly attempts: number;
  readonly lastScore: number;
  readonly lastAt: string;
  readonly passedAt?: string;
}

/** An exercise's last full test run passed every test (and there were tests). */
export function testsAllPass(p: ExerciseProgress | undefined): boolean {
  return Boolean(p?.tests && p.tests.total > 0 && p.tests.passed === p.tests.total);
}

/** A TODO of an exercise's hints file and how many hints it has. */
export interface TodoHintCount {
  readonly todo: number;
  readonly count: number;
}

/**
 * Hints revealed per TODO of `todos`, each at most that TODO's count. A file written before per-TODO counts holds one
 * number N, which revealed the first N hints of TODO(1), then TODO(2), and so on; it is read the same way.
 */
export function hintCounts(p: ExerciseProgress | undefined, todos: readonly TodoHintCount[]): Record<number, number> {
  const counts: Record<number, number> = {};
  const sorted = [...todos].sort((a, b) => a.todo - b.todo);
  const stored = p?.hintsRevealed;
  if (typeof stored === 'number') {
    let left = Math.max(0, Math.floor(stored));
    for (const t of sorted) {
      counts[t.todo] = Math.min(t.count, left);
      left -= counts[t.todo];
    }
    return counts;
  }
  for (const t of sorted) {
    const n = typeof stored === 'object' && stored !== null ? stored[String(t.todo)] : undefined;
    counts[t.todo] = typeof n === 'number' && Number.isInteger(n) && n > 0 ? Math.min(n, t.count) : 0;
  }
  return counts;
}

/** The learner's progress. Unknown top-level keys are kept on write so newer fields survive older code. */
export interface Progress {
  readonly version: number;
  readonly readings: Readonly<Record<string, ReadingProgress>>;
  readonly exercises?: Readonly<Record<string, ExerciseProgress>>;
  readonly quizzes?: Readonly<Record<string, QuizProgress>>;
  readonly [extra: string]: unknown;
}

/** Why a progress file could not be used as it was; the original was moved to `backup`, never deleted. */
export interface ProgressNotice {
  readonly reason: 'corrupt' | 'invalid' | 'oldVersion' | 'newerVersion';
  readonly message: string;
  readonly backup: string;
}

export function emptyProgress(): Progress {
  return { version: PROGRESS_VERSION, readings: {} };
}

/**
 * Reads and writes the progress file of one workspace. Writes are serialised and atomic (temp file + rename),
 * so a crash mid-write leaves the previous file intact.
 */
export class ProgressStore {
  private current: Progress = emptyProgress();
  private writes: Promise<void> = Promise.resolve();

  constructor(
    private readonly workspaceRoot: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  get file(): string {
    return path.join(this.workspaceRoot, PROGRESS_DIR, PROGRESS_FILE);
  }

  get progress(): Progress {
    return this.current;
  }

  /** Loads the file. A missing file is a fresh start; an unusable one is backed up and explained. */
  async load(): Promise<ProgressNotice | undefined> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        this.current = emptyProgress();
        return undefined;
      }
      throw new Error(`Could not read ${this.file}: ${(e as Error).message}`);
    }
    const checked = checkProgress(text);
    if ('progress' in checked) {
      this.current = checked.progress;
      return undefined;
    }
    const backup = await this.backUp(checked.reason);
    this.current = emptyProgress();
    return {
      reason: checked.reason,
      message: `${checked.message} It was moved to ${backup}; progress starts afresh.`,
      backup,
    };
  }

  isRead(readingId: string): boolean {
    return readingId in this.current.readings;
  }

  /** Marks a reading read or unread and persists it. */
  async setRead(readingId: string, read: boolean): Promise<void> {
    const readings = { ...this.current.readings };
    if (read) readings[readingId] = readings[readingId] ?? { readAt: this.now().toISOString() };
    else delete readings[readingId];
    this.current = { ...this.current, version: PROGRESS_VERSION, readings };
    await this.save();
  }

  exercise(exerciseId: string): ExerciseProgress {
    return this.current.exercises?.[exerciseId] ?? {};
  }

  /** Merges `patch` into one exercise's progress and persists it. */
  async updateExercise(exerciseId: string, patch: Partial<ExerciseProgress>): Promise<ExerciseProgress> {
    const next = { ...this.exercise(exerciseId), ...patch };
    this.current = {
      ...this.current,
      version: PROGRESS_VERSION,
      exercises: { ...this.current.exercises, [exerciseId]: next },
    };
    await this.save();
    return next;
  }

  /**
   * Reveals one more hint of `todo` (up to its last) and persists every TODO's count, replacing an old single count.
   * Returns how many of that TODO's hints are now revealed, and how many it has.
   */
  async revealHint(
    exerciseId: string,
    todo: number,
    todos: readonly TodoHintCount[],
  ): Promise<{ revealed: number; total: number }> {
    const total = todos.find((t) => t.todo === todo)?.count ?? 0;
    const counts = hintCounts(this.exercise(exerciseId), todos);
    counts[todo] = Math.min(total, (counts[todo] ?? 0) + 1);
    await this.updateExercise(exerciseId, {
      hintsRevealed: Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0)),
    });
    return { revealed: counts[todo], total };
  }

  quiz(quizId: string): QuizProgress | undefined {
    return this.current.quizzes?.[quizId];
  }

  /** Records one graded attempt; a quiz once passed stays passed (its first pass date is kept). */
  async recordQuizAttempt(quizId: string, score: number, passed: boolean): Promise<QuizProgress> {
    const before = this.quiz(quizId);
    const at = this.now().toISOString();
    const passedAt = before?.passedAt ?? (passed ? at : undefined);
    const next: QuizProgress = {
      attempts: (before?.attempts ?? 0) + 1,
      lastScore: score,
      lastAt: at,
      ...(passedAt ? { passedAt } : {}),
    };
    this.current = { ...this.current, version: PROGRESS_VERSION, quizzes: { ...this.current.quizzes, [quizId]: next } };
    await this.save();
    return next;
  }

  private save(): Promise<void> {
    const snapshot = `${JSON.stringify(this.current, null, 2)}\n`;
    const write = async (): Promise<void> => {
      await mkdir(path.dirname(this.file), { recursive: true });
      const tmp = `${this.file}.${process.pid}.tmp`;
      await writeFile(tmp, snapshot, 'utf8');
      await rename(tmp, this.file);
    };
    this.writes = this.writes.then(write, write);
    return this.writes;
  }

  private async backUp(reason: ProgressNotice['reason']): Promise<string> {
    const dir = path.join(this.workspaceRoot, PROGRESS_DIR, 'backups', 'progress');
    await mkdir(dir, { recursive: true });
    const stamp = this.now().toISOString().replace(/[:.]/g, '-');
    const backup = path.join(dir, `${stamp}-${reason}.json`);
    await rename(this.file, backup);
    return backup;
  }
}

type Checked = { progress: Progress } | { reason: ProgressNotice['reason']; message: string };

/** Parses progress text and says exactly why it cannot be used, if it cannot. Pure. */
export function checkProgress(text: string): Checked {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return { reason: 'corrupt', message: `The progress file is not valid JSON (${(e as Error).message}).` };
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    return { reason: 'invalid', message: 'The progress file does not hold a JSON object.' };
  }
  const o = doc as Record<string, unknown>;
  const version = o.version;
  if (typeof version !== 'number' || !Number.isInteger(version)) {
    return {
      reason: 'oldVersion',
      message: `The progress file has no version number (found ${JSON.stringify(version) ?? 'none'}); it predates version ${PROGRESS_VERSION}.`,
    };
  }
  if (version > PROGRESS_VERSION) {
    return {
      reason: 'newerVersion',
      message: `The progress file is version ${version}, written by a newer Multimodal Lab (this one reads ${PROGRESS_VERSION}); update the extension to keep it.`,
    };
  }
  if (version < PROGRESS_VERSION) {
    return {
      reason: 'oldVersion',
      message: `The progress file is version ${version}, which this Multimodal Lab (version ${PROGRESS_VERSION}) cannot migrate.`,
    };
  }
  const readings = o.readings;
  if (typeof readings !== 'object' || readings === null || Array.isArray(readings)) {
    return { reason: 'invalid', message: 'The progress file\'s "readings" is not an object of reading ids.' };
  }
  for (const [id, entry] of Object.entries(readings as Record<string, unknown>)) {
    const readAt = (entry as { readAt?: unknown } | null)?.readAt;
    if (typeof readAt !== 'string' || Number.isNaN(Date.parse(readAt))) {
      return {
        reason: 'invalid',
        message: `The progress file's entry for reading "${id}" has no valid "readAt" date.`,
      };
    }
  }
  const exercises = o.exercises;
  if (exercises !== undefined && (typeof exercises !== 'object' || exercises === null || Array.isArray(exercises))) {
    return { reason: 'invalid', message: 'The progress file\'s "exercises" is not an object of exercise ids.' };
  }
  const quizzes = o.quizzes;
  if (quizzes !== undefined && (typeof quizzes !== 'object' || quizzes === null || Array.isArray(quizzes))) {
    return { reason: 'invalid', message: 'The progress file\'s "quizzes" is not an object of quiz ids.' };
  }
  return { progress: o as Progress };
}
