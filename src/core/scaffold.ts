import { chmod, copyFile, mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { Course, Exercise } from './course/types';

/**
 * Scaffolding copies an exercise's starter and tests, and the shared workspace files with the `lab/` modules the
 * exercise needs, into the learner's workspace. The rule is that no learner byte is ever lost: a file that exists
 * is never overwritten by "start"; "reset" backs everything up first and leaves locked (read-only) files alone.
 */

/** One file a template provides: where it goes in the workspace, and where it comes from. */
export interface TemplateFile {
  /** Workspace-relative destination, with forward slashes. */
  readonly dest: string;
  /** Absolute source path inside the extension's templates/. */
  readonly source: string;
}

export type ScaffoldAction =
  | { readonly kind: 'create'; readonly file: TemplateFile }
  | { readonly kind: 'identical'; readonly file: TemplateFile }
  /** The learner's file exists and differs from the template: never overwritten, a diff is offered. */
  | { readonly kind: 'differs'; readonly file: TemplateFile };

/** Files every exercise template must have, relative to `templates/<id>/`. */
export const REQUIRED_TEMPLATE_ENTRIES = ['README.md', 'hints.md', 'starter', 'tests', 'solution'] as const;

export class TemplateError extends Error {}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

/** Every file under `dir`, as paths relative to it with forward slashes, sorted. */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    for (const entry of await readdir(path.join(dir, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await walk(child);
      else if (entry.isFile()) out.push(child);
    }
  };
  await walk('');
  return out.sort();
}

/**
 * The files `Start exercise` copies: README.md and starter/** into `exercises/<id>/`, tests/** into
 * `exercises/<id>/tests/`. Throws a TemplateError naming what is missing when the template is incomplete, before
 * anything is written.
 */
export async function exerciseTemplateFiles(templatesRoot: string, exerciseId: string): Promise<TemplateFile[]> {
  const root = path.join(templatesRoot, exerciseId);
  const missing: string[] = [];
  for (const entry of REQUIRED_TEMPLATE_ENTRIES)
    if (!(await exists(path.join(root, entry)))) missing.push(`templates/${exerciseId}/${entry}`);
  if (missing.length > 0) {
    throw new TemplateError(
      `The template of exercise "${exerciseId}" is incomplete: missing ${missing.join(', ')}. Nothing was written; reinstall or update Multimodal Lab.`,
    );
  }
  const dest = `exercises/${exerciseId}`;
  const starter = (await listFiles(path.join(root, 'starter'))).map((f) => ({
    dest: `${dest}/${f}`,
    source: path.join(root, 'starter', f),
  }));
  const tests = (await listFiles(path.join(root, 'tests'))).map((f) => ({
    dest: `${dest}/tests/${f}`,
    source: path.join(root, 'tests', f),
  }));
  if (tests.length === 0)
    throw new TemplateError(
      `The template of exercise "${exerciseId}" has no tests in templates/${exerciseId}/tests/. Nothing was written.`,
    );
  return [{ dest: `${dest}/README.md`, source: path.join(root, 'README.md') }, ...starter, ...tests];
}

/**
 * The `lab/` modules Start copies for an exercise: the course's `lab` list (what every exercise gets) and the
 * exercise's own. Undefined when the course declares no list: then all of `lab/` is copied, as before modules were
 * declared. Another exercise's modules are never included, so a module that answers its TODOs stays out.
 */
export function labModulesFor(
  course: Pick<Course, 'lab' | 'exercises'>,
  exerciseId: string,
): readonly string[] | undefined {
  if (course.lab === undefined) return undefined;
  return [...course.lab, ...(course.exercises.find((e) => e.id === exerciseId)?.lab ?? [])];
}

/**
 * The exercises `exerciseId` is built on (its `builtOn`) whose tests do not all pass yet, in course order. Their
 * answers are in the code Start is about to copy, so Start asks first while this is not empty.
 */
export function unpassedFoundations(
  course: Pick<Course, 'exercises'>,
  exerciseId: string,
  passed: (exerciseId: string) => boolean,
): Exercise[] {
  const builtOn = course.exercises.find((e) => e.id === exerciseId)?.builtOn ?? [];
  return course.exercises.filter((e) => builtOn.includes(e.id) && !passed(e.id));
}

/** What Start asks before it copies an exercise built on unpassed ones: the message and one choice per answer. */
export interface FoundationQuestion {
  readonly message: string;
  readonly detail: string;
  /** "Start <earlier exercise> first", one per unpassed exercise, each starting that exercise instead. */
  readonly startFirst: readonly { readonly label: string; readonly exercise: Exercise }[];
  readonly startAnyway: string;
}

/** The modal question for starting `exercise` while the exercises in `unpassed` (not empty) have failing tests. */
export function foundationQuestion(exercise: Exercise, unpassed: readonly Exercise[]): FoundationQuestion {
  const names = unpassed.map((e) => `"${e.title}"`);
  const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
  const their = unpassed.length === 1 ? 'its' : 'their';
  return {
    message: `"${exercise.title}" builds on ${list}, whose tests you have not all passed yet.`,
    detail:
      `The code "${exercise.title}" provides contains the answers to ${their} TODOs. ` +
      `Start ${list} first to write them yourself, or start "${exercise.title}" anyway.`,
    startFirst: unpassed.map((e) => ({ label: `Start ${e.shortTitle ?? e.title} first`, exercise: e })),
    startAnyway: 'Start anyway',
  };
}

/** Whether `rel`, a path relative to `lab/`, is one of `modules` or lies inside one of them (a folder). */
export function inLabModules(rel: string, modules: readonly string[]): boolean {
  return modules.some((m) => rel === m || rel.startsWith(`${m}/`));
}

/**
 * The shared workspace files from `templates/workspace/`: package.json, tsconfig.json and, of `lab/`, the given
 * modules (paths relative to `lab/`), or all of it when `labModules` is undefined. Throws a TemplateError, before
 * anything is written, when a listed module is not in the template.
 */
export async function workspaceTemplateFiles(
  templatesRoot: string,
  labModules?: readonly string[],
): Promise<TemplateFile[]> {
  const root = path.join(templatesRoot, 'workspace');
  if (!(await exists(path.join(root, 'package.json')))) {
    throw new TemplateError(
      'The workspace template is incomplete: missing templates/workspace/package.json. Nothing was written; reinstall Multimodal Lab.',
    );
  }
  const files = await listFiles(root);
  if (labModules !== undefined) {
    const lab = files.filter((f) => f.startsWith('lab/')).map((f) => f.slice('lab/'.length));
    const missing = labModules.filter((m) => !lab.some((f) => inLabModules(f, [m])));
    if (missing.length > 0) {
      throw new TemplateError(
        `The course lists lab modules that templates/workspace/lab/ does not have: ${missing.join(', ')}. Nothing was written; fix the "lab" lists in course.json, or reinstall Multimodal Lab.`,
      );
    }
  }
  return files
    .filter(
      (f) => labModules === undefined || !f.startsWith('lab/') || inLabModules(f.slice('lab/'.length), labModules),
    )
    .map((f) => ({ dest: f, source: path.join(root, f) }));
}

/** Decides, without writing, what happens to each template file in this workspace. */
export async function planScaffold(workspaceRoot: string, files: readonly TemplateFile[]): Promise<ScaffoldAction[]> {
  return Promise.all(
    files.map(async (file): Promise<ScaffoldAction> => {
      const target = path.join(workspaceRoot, file.dest);
      let mine: Buffer;
      try {
        mine = await readFile(target);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'create', file };
        // A directory or unreadable file where a template file would go: treat as the learner's, never touch it.
        return { kind: 'differs', file };
      }
      const theirs = await readFile(file.source).catch(() => {
        throw new TemplateError(
          `Template file ${file.source} could not be read. Nothing was written; reinstall Multimodal Lab.`,
        );
      });
      return { kind: mine.equals(theirs) ? 'identical' : 'differs', file };
    }),
  );
}

export interface ScaffoldResult {
  readonly created: readonly string[];
  readonly identical: readonly string[];
  /** Existing learner files that differ from the template; left as they are. */
  readonly differs: readonly TemplateFile[];
}

/**
 * Writes the `create` actions. Each write uses the exclusive-create flag, so a file that appeared since planning
 * (another window, a git checkout) is reported as differing rather than overwritten.
 */
export async function applyScaffold(workspaceRoot: string, plan: readonly ScaffoldAction[]): Promise<ScaffoldResult> {
  const created: string[] = [];
  const identical: string[] = [];
  const differs: TemplateFile[] = [];
  for (const action of plan) {
    if (action.kind === 'identical') identical.push(action.file.dest);
    else if (action.kind === 'differs') differs.push(action.file);
    else {
      const target = path.join(workspaceRoot, action.file.dest);
      await mkdir(path.dirname(target), { recursive: true });
      try {
        await writeFile(target, await readFile(action.file.source), { flag: 'wx' });
        created.push(action.file.dest);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        differs.push(action.file);
      }
    }
  }
  return { created, identical, differs };
}

export interface ResetResult {
  /** Where the learner's previous files were copied, or undefined when there was nothing to back up. */
  readonly backupDir?: string;
  readonly backedUp: readonly string[];
  readonly restored: readonly string[];
  /** Read-only files left untouched (the learner locked them); they are in the backup too. */
  readonly locked: readonly string[];
}

/**
 * Backs up everything under `exercises/<id>/` to `.multimodal-lab/backups/<id>/<stamp>/`, then writes the
 * template's version of every template file. Files the learner added are backed up and left in place.
 */
export async function resetExercise(
  workspaceRoot: string,
  exerciseId: string,
  files: readonly TemplateFile[],
  now: Date,
): Promise<ResetResult> {
  const exerciseDir = path.join(workspaceRoot, 'exercises', exerciseId);
  const existing = (await exists(exerciseDir)) ? await listFiles(exerciseDir) : [];
  let backupDir: string | undefined;
  if (existing.length > 0) {
    backupDir = path.join(
      workspaceRoot,
      '.multimodal-lab',
      'backups',
      exerciseId,
      now.toISOString().replace(/[:.]/g, '-'),
    );
    for (const rel of existing) {
      const to = path.join(backupDir, rel);
      await mkdir(path.dirname(to), { recursive: true });
      await copyFile(path.join(exerciseDir, rel), to);
      await chmod(to, 0o644); // a backup of a locked file must itself be restorable
    }
  }
  const restored: string[] = [];
  const locked: string[] = [];
  for (const file of files) {
    const target = path.join(workspaceRoot, file.dest);
    const info = await stat(target).catch(() => undefined);
    if (info && (info.mode & 0o200) === 0) {
      locked.push(file.dest);
      continue;
    }
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, await readFile(file.source));
    restored.push(file.dest);
  }
  return { backupDir, backedUp: existing.map((rel) => `exercises/${exerciseId}/${rel}`), restored, locked };
}
