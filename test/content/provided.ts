// One source for provided code: a function that lab/ provides must not reappear, copied, in an exercise's folder.
// The diffusion exercises once carried their own copies of exercise 2's UNet, schedule, sampler, EMA and data code,
// and the copies drifted (the zero-initialised second conv and Adam β₂ = 0.99 that fixed exercise 2 never reached
// them). Now they import lab/diffusion/, and this check keeps copies from coming back: no function of an exercise's
// starter/, tests/ or solution/ (other than the answers to its own TODOs) computes what a lab/ function computes,
// compared in the canonical form of the spoiler check (test/content/canonical.ts).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { functionForms, type FunctionForm } from './canonical';
import { filesUnder } from './harness';
import { todoAnswers } from './labModules';

const SOURCE = /\.[cm]?[jt]s$/;

/** The tag a lab/ module carries when it holds an earlier exercise's answer: `Single source: <id>/solution/<file>`. */
const SOURCE_TAG = /Single source: templates\/([\w-]+\/solution\/[\w/.-]+\.ts)/;

/** Functions too small to be a copy worth a finding: a body of a few tokens is written the same way by anyone. */
const MIN_CANONICAL = 40;

/** The `<id>/solution/<file>` a lab/ module's header names as its single source, or undefined. */
function singleSourceOf(text: string): string | undefined {
  return SOURCE_TAG.exec(text)?.[1];
}

/** Every function of every source file under `dir`, with the file's single-source tag (read once per file). */
function formsUnder(dir: string): { file: string; form: FunctionForm; source?: string }[] {
  return filesUnder(dir)
    .filter((f) => SOURCE.test(f))
    .flatMap((f) => {
      const text = readFileSync(join(dir, f), 'utf8');
      const source = singleSourceOf(text);
      return functionForms(join(dir, f), text).map((form) => ({ file: f, form, source }));
    });
}

/**
 * `exercise/part/file:line name is a copy of lab/file:line name` for every function of the exercise's starter/,
 * tests/ and solution/ whose canonical form is a lab/ function's. The solution's answers to the exercise's own
 * TODOs are exempt: a lab/ module may hold an earlier exercise's answer for the exercises built on it.
 */
export function providedCopies(templates: string, id: string): string[] {
  const lab = new Map<string, string>();
  // A lab/ module whose single source is this exercise's own solution is that exercise's code, not a copy of it.
  for (const { file, form, source } of formsUnder(join(templates, 'workspace', 'lab')))
    if (form.canonical.length >= MIN_CANONICAL && !lab.has(form.canonical) && !source?.startsWith(`${id}/solution/`))
      lab.set(form.canonical, `lab/${file}:${form.line} ${form.name}`);
  const answers = new Set(todoAnswers(templates, id).map((a) => `${a.file}:${a.name}`));
  return ['starter', 'tests', 'solution'].flatMap((part) =>
    formsUnder(join(templates, id, part)).flatMap(({ file, form }) => {
      const source = lab.get(form.canonical);
      const where = `${id}/${part}/${file}`;
      if (!source || answers.has(`${where}:${form.name}`)) return [];
      return [`${where}:${form.line} ${form.name} is a copy of ${source}`];
    }),
  );
}

/**
 * For every lab/ module tagged `Single source: templates/<id>/solution/<file>` (an earlier exercise's answers, handed
 * to the exercises built on it), `lab/file: name differs from <id>/solution/file` for each function of the source
 * that the module lacks or computes differently (canonical forms), and a line for a tag whose source is missing.
 * The copy may add functions of its own; it may not drift from the answer it was taken from.
 */
export function sourceDrift(templates: string): string[] {
  const labDir = join(templates, 'workspace', 'lab');
  return filesUnder(labDir)
    .filter((f) => SOURCE.test(f))
    .flatMap((f) => {
      const text = readFileSync(join(labDir, f), 'utf8');
      const source = singleSourceOf(text);
      if (!source) return [];
      if (!existsSync(join(templates, source))) return [`lab/${f}: its single source ${source} does not exist`];
      const copy = new Map(functionForms(join(labDir, f), text).map((x) => [x.name, x.canonical]));
      const original = functionForms(join(templates, source), readFileSync(join(templates, source), 'utf8'));
      return original
        .filter((x) => copy.get(x.name) !== x.canonical)
        .map((x) => `lab/${f}: ${x.name} ${copy.has(x.name) ? 'differs from' : 'is missing from'} ${source}`);
    });
}
