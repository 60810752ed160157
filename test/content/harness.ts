// The curriculum's own CI (rustlings' `dev check`): builds a learner workspace from an exercise's template, either
// as the learner first gets it (starter) or with the reference solution copied over it, and runs the real runner.
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Course } from '../../src/core/course/types';
import { inLabModules, labModulesFor } from '../../src/core/scaffold';
import { REPO } from '../runner/harness';

export const TEMPLATES = join(REPO, 'templates');

export function course(): Course {
  return JSON.parse(readFileSync(join(TEMPLATES, 'course.json'), 'utf8')) as Course;
}

/** The course's exercises that have a template folder (the others show as "not yet available"). */
export function authoredExercises(): string[] {
  return course()
    .exercises.map((e) => e.id)
    .filter((id) => existsSync(join(TEMPLATES, id, 'starter')));
}

/** Relative paths of every file under `dir`. */
export function filesUnder(dir: string, prefix = ''): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const rel = prefix ? `${prefix}/${name}` : name;
      return statSync(join(dir, name)).isDirectory() ? filesUnder(join(dir, name), rel) : [rel];
    });
}

/**
 * A throwaway workspace laid out as Start Exercise lays it out (README.md and starter/** in exercises/<id>/,
 * tests/** in exercises/<id>/tests/, the workspace template at the root with only the lab/ modules the course
 * lists for this exercise), with the repo's node_modules linked in. `solution` copies solution/** over the
 * starter, as a learner who finished would have it. So a module missing from the exercise's `lab` list fails here
 * as it would fail the learner.
 */
export function exerciseWorkspace(id: string, variant: 'starter' | 'solution'): string {
  const ws = mkdtempSync(join(tmpdir(), `mml-content-${id}-${variant}-`));
  const modules = labModulesFor(course(), id);
  for (const f of filesUnder(join(TEMPLATES, 'workspace'))) {
    if (modules === undefined || !f.startsWith('lab/') || inLabModules(f.slice('lab/'.length), modules))
      cpSync(join(TEMPLATES, 'workspace', f), join(ws, f));
  }
  const dest = join(ws, 'exercises', id);
  cpSync(join(TEMPLATES, id, 'starter'), dest, { recursive: true });
  cpSync(join(TEMPLATES, id, 'tests'), join(dest, 'tests'), { recursive: true });
  cpSync(join(TEMPLATES, id, 'README.md'), join(dest, 'README.md'));
  if (variant === 'solution') cpSync(join(TEMPLATES, id, 'solution'), dest, { recursive: true });
  symlinkSync(join(REPO, 'node_modules'), join(ws, 'node_modules'), 'dir');
  return ws;
}

/** The TODO numbers a starter marks, in order of first appearance. */
export function starterTodos(id: string): number[] {
  const seen = new Set<number>();
  for (const f of filesUnder(join(TEMPLATES, id, 'starter'))) {
    for (const m of readFileSync(join(TEMPLATES, id, 'starter', f), 'utf8').matchAll(/TODO\((\d+)\)/g))
      seen.add(Number(m[1]));
  }
  return [...seen].sort((a, b) => a - b);
}

/** The shell commands of the README's "Run it" section (its fenced sh blocks), one per line. */
export function readmeCommands(id: string): string[] {
  const readme = readFileSync(join(TEMPLATES, id, 'README.md'), 'utf8');
  const section = readme.split(/^## /m).find((s) => /^Run it/i.test(s)) ?? '';
  return [...section.matchAll(/```(?:sh|bash|shell)\n([\s\S]*?)```/g)]
    .flatMap((m) => m[1].split('\n'))
    .map((l) => l.trim())
    .filter((l) => l.length > 0 && !l.startsWith('#'));
}
