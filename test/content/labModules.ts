// What an exercise needs from lab/, and whether lab/ gives an answer away. Start copies the course's core lab
// modules and the exercise's own `lab` list (src/core/scaffold.ts), so the list must hold every module the
// exercise's files reach: by import, transitively through lab/, by a `path.join(__dirname, …)` data path (the
// shipped weights), or by name in its README. And no lab/ function may compute what a TODO's solution computes.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import ts from 'typescript';
import type { Course } from '../../src/core/course/types';
import { inLabModules, labModulesFor } from '../../src/core/scaffold';
import { functionForms } from './canonical';
import { filesUnder } from './harness';

const SOURCE = /\.[cm]?[jt]s$/;

/** One template file, with where Start puts it in the workspace. */
interface Placed {
  readonly template: string;
  readonly workspace: string;
}

/** An exercise's starter, solution and tests, placed as Start and a finished learner have them. */
export function exerciseFiles(templates: string, id: string): Placed[] {
  const part = (name: string, dest: string): Placed[] =>
    filesUnder(join(templates, id, name)).map((f) => ({
      template: join(templates, id, name, f),
      workspace: posix.join(dest, f),
    }));
  return [
    ...part('starter', `exercises/${id}`),
    ...part('solution', `exercises/${id}`),
    ...part('tests', `exercises/${id}/tests`),
  ];
}

/**
 * Workspace paths a source file reaches: its relative imports (static, dynamic, require, re-exports) and the
 * `path.join(__dirname, 'a', 'b')` paths it reads, each resolved against the file's own workspace folder.
 */
export function reaches(workspacePath: string, text: string): string[] {
  const source = ts.createSourceFile(workspacePath, text, ts.ScriptTarget.Latest, true);
  const dir = posix.dirname(workspacePath);
  const out: string[] = [];
  const literal = (n: ts.Node | undefined): string | undefined => (n && ts.isStringLiteralLike(n) ? n.text : undefined);
  const visit = (node: ts.Node): void => {
    let spec: string | undefined;
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier)
      spec = literal(node.moduleSpecifier);
    else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const name = ts.isIdentifier(callee)
        ? callee.text
        : ts.isPropertyAccessExpression(callee)
          ? callee.name.text
          : callee.kind === ts.SyntaxKind.ImportKeyword
            ? 'import'
            : '';
      if ((name === 'import' || name === 'require') && node.arguments.length === 1) spec = literal(node.arguments[0]);
      const [first, ...rest] = node.arguments;
      if ((name === 'join' || name === 'resolve') && first && ts.isIdentifier(first) && first.text === '__dirname') {
        const parts: string[] = [];
        for (const a of rest) {
          const s = literal(a);
          if (s === undefined) break;
          parts.push(s);
        }
        if (parts.length > 0) out.push(posix.join(dir, ...parts));
      }
    }
    if (spec?.startsWith('.')) out.push(posix.join(dir, spec));
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

/** A workspace path as a path inside lab/ that exists in the template (a module's file or a folder), or undefined. */
function inLab(templates: string, workspacePath: string): string | undefined {
  if (workspacePath !== 'lab' && !workspacePath.startsWith('lab/')) return undefined;
  const rel = workspacePath.slice('lab/'.length);
  const lab = join(templates, 'workspace', 'lab');
  for (const candidate of [`${rel}.ts`, rel === '' ? 'index.ts' : `${rel}/index.ts`, rel]) {
    if (candidate && existsSync(join(lab, candidate))) return candidate;
  }
  return rel || undefined;
}

/** What a set of files needs from lab/, transitively, each with the first file that needed it. */
export function labNeeds(templates: string, roots: readonly Placed[]): Map<string, string> {
  const needs = new Map<string, string>();
  const queue: { file: string; workspace: string }[] = roots
    .filter((r) => SOURCE.test(r.template))
    .map((r) => ({ file: r.template, workspace: r.workspace }));
  const lab = join(templates, 'workspace', 'lab');
  while (queue.length > 0) {
    const { file, workspace } = queue.shift()!;
    for (const target of reaches(workspace, readFileSync(file, 'utf8'))) {
      const rel = inLab(templates, target);
      if (rel === undefined || needs.has(rel)) continue;
      needs.set(rel, workspace);
      const abs = join(lab, rel);
      if (SOURCE.test(rel) && existsSync(abs) && statSync(abs).isFile())
        queue.push({ file: abs, workspace: `lab/${rel}` });
    }
  }
  return needs;
}

/** The lab/ paths a README names (`lab/speech.ts`, `lab/weights/shapes-lm/`) that exist in the template. */
export function readmeMentions(templates: string, id: string): string[] {
  const readme = join(templates, id, 'README.md');
  if (!existsSync(readme)) return [];
  const found = [...readFileSync(readme, 'utf8').matchAll(/`lab\/([\w./-]+?)\/?`/g)].map((m) => m[1]);
  return [...new Set(found)].filter((rel) => existsSync(join(templates, 'workspace', 'lab', rel)));
}

/**
 * Problems with one exercise's `lab` list: a module its files (or its README) reach that Start would not copy,
 * and a listed module nothing reaches. `modules` is the course's core list plus the exercise's own.
 */
export function labListProblems(templates: string, course: Pick<Course, 'lab' | 'exercises'>, id: string): string[] {
  const own = course.exercises.find((e) => e.id === id)?.lab ?? [];
  const modules = [...(course.lab ?? []), ...own];
  const problems: string[] = [];
  const needs = labNeeds(templates, exerciseFiles(templates, id));
  for (const [rel, by] of needs) {
    if (!inLabModules(rel, modules))
      problems.push(
        `${by} needs lab/${rel}, which neither the course's "lab" list nor exercise "${id}"'s lists, so Start would not copy it`,
      );
  }
  const labFiles = filesUnder(join(templates, 'workspace', 'lab'));
  for (const rel of readmeMentions(templates, id)) {
    if (!labFiles.some((f) => (f === rel || f.startsWith(`${rel}/`)) && inLabModules(f, modules)))
      problems.push(`README.md names lab/${rel}, which Start would not copy for "${id}"`);
  }
  for (const m of own) {
    if (![...needs.keys()].some((rel) => rel === m || rel.startsWith(`${m}/`) || m.startsWith(`${rel}/`)))
      problems.push(`exercise "${id}" lists lab module "${m}", which none of its files import or read; remove it`);
  }
  return problems;
}

/**
 * Problems with the course's core list: a core module that reaches a module outside it, or a core entry that does not
 * exist.
 */
export function coreListProblems(templates: string, core: readonly string[]): string[] {
  const lab = join(templates, 'workspace', 'lab');
  const files = filesUnder(lab);
  const problems = core
    .filter((m) => !files.some((f) => inLabModules(f, [m])))
    .map((m) => `the course's "lab" list names "${m}", which templates/workspace/lab/ does not have`);
  const roots = files
    .filter((f) => inLabModules(f, core))
    .map((f) => ({ template: join(lab, f), workspace: `lab/${f}` }));
  for (const [rel, by] of labNeeds(templates, roots)) {
    if (!inLabModules(rel, core))
      problems.push(
        `${by}, which every exercise gets, needs lab/${rel}; add it to the course's "lab" list or stop importing it`,
      );
  }
  return problems;
}

/** A function the solution fills in or fixes: one that the starter lacks or writes differently. */
export interface Answer {
  readonly exercise: string;
  readonly file: string;
  readonly name: string;
  readonly line: number;
  readonly canonical: string;
}

/** The answers of one exercise: every function of solution/ whose canonical form differs from the starter's. */
export function todoAnswers(templates: string, id: string): Answer[] {
  return filesUnder(join(templates, id, 'solution'))
    .filter((f) => SOURCE.test(f))
    .flatMap((f) => {
      const starterFile = join(templates, id, 'starter', f);
      const starter = new Map(
        existsSync(starterFile)
          ? functionForms(starterFile, readFileSync(starterFile, 'utf8')).map((x) => [x.name, x.canonical])
          : [],
      );
      const solutionFile = join(templates, id, 'solution', f);
      return functionForms(solutionFile, readFileSync(solutionFile, 'utf8'))
        .filter((x) => starter.get(x.name) !== x.canonical)
        .map((x) => ({
          exercise: id,
          file: `${id}/solution/${f}`,
          name: x.name,
          line: x.line,
          canonical: x.canonical,
        }));
    });
}

/** A lab/ module path's or a starter's functions, each with where it is. */
function formsIn(file: string, shown: string): { where: string; name: string; canonical: string }[] {
  return functionForms(file, readFileSync(file, 'utf8')).map((x) => ({
    where: `${shown}:${x.line} ${x.name}`,
    name: x.name,
    canonical: x.canonical,
  }));
}

/** The code an exercise hands the learner: its starter's functions and those of the lab/ modules it lists. */
function providedForms(templates: string, course: Pick<Course, 'exercises'>, id: string): Set<string> {
  const own = course.exercises.find((e) => e.id === id)?.lab ?? [];
  const lab = join(templates, 'workspace', 'lab');
  const starter = filesUnder(join(templates, id, 'starter'))
    .filter((f) => SOURCE.test(f))
    .flatMap((f) => formsIn(join(templates, id, 'starter', f), f));
  const modules = filesUnder(lab)
    .filter((f) => SOURCE.test(f) && inLabModules(f, own))
    .flatMap((f) => formsIn(join(lab, f), f));
  return new Set([...starter, ...modules].map((x) => x.canonical));
}

/**
 * The answers a learner has not met before the exercise that asks for them: every answer, less those that an
 * exercise it is built on provides. A TODO that restores provided code of an earlier exercise (collapse's planted
 * bugs undo what llava provides) gives nothing away when that earlier exercise hands the code out.
 */
export function secretAnswers(
  templates: string,
  course: Pick<Course, 'exercises'>,
  answers: readonly Answer[],
): Answer[] {
  const known = new Map<string, Set<string>>();
  const knownTo = (id: string): Set<string> => {
    let forms = known.get(id);
    if (forms === undefined) {
      const builtOn = course.exercises.find((e) => e.id === id)?.builtOn ?? [];
      forms = new Set(builtOn.flatMap((b) => [...providedForms(templates, course, b)]));
      known.set(id, forms);
    }
    return forms;
  };
  return answers.filter((a) => !knownTo(a.exercise).has(a.canonical));
}

const listed = (names: readonly string[]): string => names.map((n) => `"${n}"`).join(', ');

/**
 * `lab/file:line name = exercise's answer` for every lab/ function whose canonical form is the answer of a TODO of
 * exercise X, unless every exercise that gets the module (the course's core list: all of them) is built on X.
 */
export function labSpoilers(
  templates: string,
  answers: readonly Answer[],
  course: Pick<Course, 'lab' | 'exercises'>,
): string[] {
  const byForm = new Map<string, Answer[]>();
  for (const a of answers) byForm.set(a.canonical, [...(byForm.get(a.canonical) ?? []), a]);
  const lab = join(templates, 'workspace', 'lab');
  return filesUnder(lab)
    .filter((f) => SOURCE.test(f))
    .flatMap((f) => {
      const getters = course.exercises.filter((e) => inLabModules(f, labModulesFor(course, e.id) ?? [f]));
      return formsIn(join(lab, f), `lab/${f}`).flatMap((x) =>
        (byForm.get(x.canonical) ?? []).flatMap((a) => {
          const unaware = getters.filter((e) => !(e.builtOn ?? []).includes(a.exercise)).map((e) => e.id);
          if (getters.length > 0 && unaware.length === 0) return [];
          return [
            `${x.where} computes exactly the answer to ${a.file}:${a.line} ${a.name}; Start gives lab/${f} to ${listed(unaware)}, not built on "${a.exercise}"`,
          ];
        }),
      );
    });
}

/** `exercise/starter/file:line name = other exercise's answer` where the starter's exercise is not built on it. */
export function starterSpoilers(
  templates: string,
  answers: readonly Answer[],
  course: Pick<Course, 'exercises'>,
): string[] {
  const byForm = new Map<string, Answer[]>();
  for (const a of answers) byForm.set(a.canonical, [...(byForm.get(a.canonical) ?? []), a]);
  return course.exercises.flatMap((e) =>
    filesUnder(join(templates, e.id, 'starter'))
      .filter((f) => SOURCE.test(f))
      .flatMap((f) =>
        formsIn(join(templates, e.id, 'starter', f), `${e.id}/starter/${f}`).flatMap((x) =>
          (byForm.get(x.canonical) ?? [])
            .filter((a) => a.exercise !== e.id && !(e.builtOn ?? []).includes(a.exercise))
            .map(
              (a) =>
                `${x.where} computes exactly the answer to ${a.file}:${a.line} ${a.name}; add "${a.exercise}" to "${e.id}"'s builtOn, or provide it another way`,
            ),
        ),
      ),
  );
}
