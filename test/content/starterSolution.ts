// The solution must solve: each solution file differs from its starter in code (not only in comments or layout),
// and each function the starter leaves as a TODO is written differently in the solution. A solution file copied
// from the starter by mistake would otherwise pass unnoticed wherever the tests are weak.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { functionForms } from './canonical';
import { filesUnder } from './harness';

const SOURCE = /\.[cm]?[jt]s$/;
const TODO = /TODO\(\d+\)/;

/** The file's tokens without comments and whitespace, so that only a change in code makes two files differ. */
export function codeTokens(text: string): string {
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, true, ts.LanguageVariant.Standard, text);
  const out: string[] = [];
  for (let t = scanner.scan(); t !== ts.SyntaxKind.EndOfFileToken; t = scanner.scan()) out.push(scanner.getTokenText());
  return out.join(' ');
}

/**
 * Whether a function's body marks learner work: a comment inside it that names a TODO(n), or a `throw` whose
 * message does. (A TODO(n) merely quoted in a string, such as a log line, is not work to do.)
 */
export function marksTodo(node: ts.FunctionLikeDeclaration): boolean {
  const body = node.body;
  if (!body) return false;
  const text = body.getSourceFile().text;
  const comments = (n: ts.Node): boolean =>
    [
      ...(ts.getLeadingCommentRanges(text, n.getFullStart()) ?? []),
      ...(ts.getTrailingCommentRanges(text, n.getEnd()) ?? []),
    ].some((c) => TODO.test(text.slice(c.pos, c.end)));
  const commented = (n: ts.Node): boolean => comments(n) || n.getChildren().some(commented);
  if (body.getChildren().some(commented)) return true;
  let thrown = false;
  const visit = (n: ts.Node): void => {
    if (ts.isThrowStatement(n) && TODO.test(n.getText())) thrown = true;
    else if (!ts.isFunctionLike(n)) ts.forEachChild(n, visit);
  };
  visit(body);
  return thrown;
}

/** How a solution file fails to differ from its starter file: identical, or (a source file) the same code. */
function sameAs(file: string, starter: string, solution: string): string | undefined {
  if (starter === solution) return `is identical to starter/${file}`;
  if (SOURCE.test(file) && codeTokens(starter) === codeTokens(solution))
    return `has the same code as starter/${file} (only comments or layout differ)`;
  return undefined;
}

/**
 * Where an exercise's solution fails to solve its starter. Every solution file must differ from its starter file:
 * a solution holds only the files it changes (Start copies starter/, a finished learner has solution/ over it, and
 * a file missing from solution/ is the starter's), so a copy would only show an empty diff in *Compare with
 * Reference Solution*. A starter file with a TODO must have a solution file that writes each TODO differently.
 */
export function solutionProblems(templates: string, id: string): string[] {
  const problems: string[] = [];
  const starterDir = join(templates, id, 'starter'),
    solutionDir = join(templates, id, 'solution');
  const solutionFiles = filesUnder(solutionDir);
  const todoFiles = filesUnder(starterDir)
    .filter((f) => SOURCE.test(f))
    .map((f) => {
      const text = readFileSync(join(starterDir, f), 'utf8');
      return { f, text, todos: functionForms(join(starterDir, f), text).filter((x) => marksTodo(x.node)) };
    })
    .filter((x) => x.todos.length > 0);
  for (const f of solutionFiles) {
    if (!existsSync(join(starterDir, f))) {
      problems.push(
        `${id}/solution/${f} has no starter file of that name; a solution replaces starter files, so name it as the file it solves`,
      );
      continue;
    }
    if (todoFiles.some((x) => x.f === f)) continue; // checked below, TODO by TODO
    const same = sameAs(f, readFileSync(join(starterDir, f), 'utf8'), readFileSync(join(solutionDir, f), 'utf8'));
    if (same)
      problems.push(
        `${id}/solution/${f} ${same}, so Compare with Reference Solution shows no change; delete it (a file that solution/ lacks is the starter's)`,
      );
  }
  for (const { f, text: starterText, todos } of todoFiles) {
    if (!solutionFiles.includes(f)) {
      problems.push(
        `${id}/starter/${f} leaves ${todos.map((x) => x.name).join(', ')} as TODOs, but solution/ has no ${f}`,
      );
      continue;
    }
    const solutionText = readFileSync(join(solutionDir, f), 'utf8');
    if (codeTokens(starterText) === codeTokens(solutionText)) {
      problems.push(
        `${id}/solution/${f} has the same code as the starter, whose TODOs it should solve (only comments or layout differ)`,
      );
      continue;
    }
    const solved = new Map(functionForms(join(solutionDir, f), solutionText).map((x) => [x.name, x.canonical]));
    for (const todo of todos) {
      if (!solved.has(todo.name))
        problems.push(
          `${id}/starter/${f}:${todo.line} ${todo.name} is a TODO, but solution/${f} has no function of that name`,
        );
      else if (solved.get(todo.name) === todo.canonical)
        problems.push(
          `${id}/starter/${f}:${todo.line} ${todo.name} is a TODO, but solution/${f} computes it exactly as the starter does`,
        );
    }
  }
  return problems;
}
