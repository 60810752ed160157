// Content CI for what Start copies from lab/ and what lab/ must not give away: every exercise's `lab` list in
// course.json holds what its files reach (so Start copies everything the exercise needs, and the content suite's
// workspaces, built from the same lists, run it), no lab/ function computes the answer to any exercise's TODO, and
// every solution file differs from its starter and solves its TODOs. An exercise's provided code (its lab/ modules
// and its starter) may hold the answer of an exercise it lists in `builtOn`, and no other's. Each check is first
// shown to fail on a small synthetic course.
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Course } from '../../src/core/course/types';
import { functionForms } from './canonical';
import { TEMPLATES, authoredExercises, course } from './harness';
import {
  coreListProblems,
  labListProblems,
  labSpoilers,
  secretAnswers,
  starterSpoilers,
  todoAnswers,
} from './labModules';
import { solutionProblems } from './starterSolution';

function templatesWith(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'mml-lab-modules-'));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  return root;
}

const canonicalOf = (text: string): string => functionForms('probe.ts', text)[0].canonical;

// The shape of the spoiler that started this check: lab/vision.ts's patchify against exercise 1's solution.
const LAB_PATCHIFY = `export function patchify(images: tf.Tensor4D, P: number): tf.Tensor3D {
  const [B, H, W, C] = images.shape;
  const grid = tf.reshape(images, [B, H / P, P, W / P, P, C]);
  return tf.reshape(tf.transpose(grid, [0, 1, 3, 2, 4, 5]), [B, (H / P) * (W / P), P * P * C]) as tf.Tensor3D;
}`;
const SOLUTION_PATCHIFY = `export function patchify(images: tf.Tensor4D, patch: number): tf.Tensor3D {
  return tf.tidy(() => {
    const [B, H, W, C] = images.shape;
    const gh = H / patch, gw = W / patch;
    const grid = tf.reshape(images, [B, gh, patch, gw, patch, C]); // [B, gh, py, gw, px, C]
    const patches = tf.transpose(grid, [0, 1, 3, 2, 4, 5]);
    return tf.reshape(patches, [B, gh * gw, patch * patch * C]) as tf.Tensor3D;
  });
}`;

describe('content: lab/ modules, spoilers, and solutions that solve', function () {
  this.timeout(60_000);

  it('compares functions by what they compute: names, types, tf.tidy and named intermediates do not matter', () => {
    assert.equal(canonicalOf(LAB_PATCHIFY), canonicalOf(SOLUTION_PATCHIFY));
    assert.notEqual(
      canonicalOf(LAB_PATCHIFY),
      canonicalOf(SOLUTION_PATCHIFY.replace('[0, 1, 3, 2, 4, 5]', '[0, 3, 1, 2, 4, 5]')),
      'another transpose is another function',
    );
    assert.notEqual(canonicalOf(LAB_PATCHIFY), canonicalOf(SOLUTION_PATCHIFY.replace('gh * gw', 'gh + gw')));
    assert.notEqual(
      canonicalOf('function f(a: number, b: number) { return a - b; }'),
      canonicalOf('function f(a: number, b: number) { return b - a; }'),
      'parameters keep their order',
    );
    assert.equal(
      canonicalOf('function f(x: T) { let s = 0; for (const v of x) s += v; return s; }'),
      canonicalOf('function g(y: U) { let total = 0; for (const e of y) total += e; return total; }'),
    );
  });

  const SYNTHETIC: Record<string, string> = {
    'workspace/package.json': '{}\n',
    'workspace/lab/index.ts': "export { lab } from './report';\n",
    'workspace/lab/report.ts': 'export const lab = {};\n',
    'workspace/lab/vision.ts': `import * as path from 'node:path';\nimport { mean } from './stats';\nexport const DIR = path.join(__dirname, 'weights', 'vision');\n${LAB_PATCHIFY}\n`,
    'workspace/lab/stats.ts':
      'export const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;\n',
    'workspace/lab/weights/vision/model.json': '{}\n',
    'workspace/lab/unused.ts': 'export const nothing = 0;\n',
    'toy/README.md': '# Toy\nThe generator is `lab/stats.ts`.\n',
    'toy/starter/vision.ts':
      "/** TODO(1): cut the image into patches. */\nexport function patchify(images: tf.Tensor4D, patch: number): tf.Tensor3D {\n  throw new Error('TODO(1): implement patchify');\n}\n",
    'toy/starter/norm.ts': 'export function norm(x: number): number {\n  return 0; // TODO(2): the absolute value\n}\n',
    'toy/starter/train.ts':
      "import { lab } from '../../lab';\nimport { DIR } from '../../lab/vision';\nconsole.log(lab, DIR, \"(TODO(1)) in a log line is not work\");\n",
    'toy/solution/vision.ts': `${SOLUTION_PATCHIFY}\n`,
    'toy/solution/norm.ts':
      'export function norm(x: number): number {\n  return 0; // the absolute value, still TODO(2)\n}\n',
    'toy/tests/toy.test.ts': "import { patchify } from '../vision';\n",
  };
  const syntheticCourse = (own: string[]): Pick<Course, 'lab' | 'exercises'> => ({
    lab: ['index.ts', 'report.ts'],
    exercises: [{ id: 'toy', title: 'Toy', goal: 'g', readings: [], lab: own }],
  });

  it("finds a lab/ function that computes a TODO's answer (synthetic course)", () => {
    const root = templatesWith(SYNTHETIC);
    const answers = todoAnswers(root, 'toy');
    assert.deepEqual(
      answers.map((a) => `${a.file} ${a.name}`),
      ['toy/solution/vision.ts patchify'],
      'norm.ts is unchanged in code, so it answers nothing',
    );
    assert.deepEqual(labSpoilers(root, answers, syntheticCourse(['vision.ts'])), [
      'lab/vision.ts:4 patchify computes exactly the answer to toy/solution/vision.ts:1 patchify; Start gives lab/vision.ts to "toy", not built on "toy"',
    ]);
  });

  // A later exercise whose provided code (a lab module it lists, or its own starter) holds toy's answer.
  const laterCourse = (builtOn: string[] | undefined, own: string[] = []): Pick<Course, 'lab' | 'exercises'> => ({
    lab: ['index.ts', 'report.ts'],
    exercises: [
      { id: 'toy', title: 'Toy', goal: 'g', readings: [], lab: own },
      { id: 'later', title: 'Later', goal: 'g', readings: [], lab: ['vision.ts'], ...(builtOn ? { builtOn } : {}) },
    ],
  });

  it("allows a lab/ function that is an exercise's answer only where every exercise that gets it is built on that one (synthetic course)", () => {
    const root = templatesWith(SYNTHETIC);
    const answers = todoAnswers(root, 'toy');
    assert.deepEqual(
      labSpoilers(root, answers, laterCourse(['toy'])),
      [],
      'only "later" gets it, and it is built on toy',
    );
    assert.deepEqual(labSpoilers(root, answers, laterCourse(undefined)), [
      'lab/vision.ts:4 patchify computes exactly the answer to toy/solution/vision.ts:1 patchify; Start gives lab/vision.ts to "later", not built on "toy"',
    ]);
    assert.deepEqual(
      labSpoilers(root, answers, laterCourse(['toy'], ['vision.ts'])),
      [
        'lab/vision.ts:4 patchify computes exactly the answer to toy/solution/vision.ts:1 patchify; Start gives lab/vision.ts to "toy", not built on "toy"',
      ],
      'the exercise that asks for it must never get it',
    );
    assert.equal(
      labSpoilers(root, answers, { exercises: laterCourse(['toy']).exercises }).length,
      1,
      'no lists: every exercise gets all of lab/',
    );
  });

  it("finds a starter that provides another exercise's answer without being built on it (synthetic course)", () => {
    const root = templatesWith({ ...SYNTHETIC, 'later/starter/patches.ts': `${LAB_PATCHIFY}\n` });
    const answers = todoAnswers(root, 'toy');
    assert.deepEqual(starterSpoilers(root, answers, laterCourse(undefined)), [
      'later/starter/patches.ts:1 patchify computes exactly the answer to toy/solution/vision.ts:1 patchify; add "toy" to "later"\'s builtOn, or provide it another way',
    ]);
    assert.deepEqual(starterSpoilers(root, answers, laterCourse(['toy'])), []);
  });

  it('counts an answer that an exercise it is built on provides as no secret (synthetic course)', () => {
    // "fix" asks to restore the patchify that "toy" provides (in its starter), as collapse restores llava's code.
    const root = templatesWith({
      ...SYNTHETIC,
      'toy/starter/patches.ts': `${LAB_PATCHIFY}\n`,
      'fix/starter/patches.ts': LAB_PATCHIFY.replace('[0, 1, 3, 2, 4, 5]', '[0, 3, 1, 2, 4, 5]'),
      'fix/solution/patches.ts': `${LAB_PATCHIFY}\n`,
    });
    const fix = (builtOn?: string[]): Pick<Course, 'exercises'> => ({
      exercises: [
        { id: 'toy', title: 'Toy', goal: 'g', readings: [] },
        { id: 'fix', title: 'Fix', goal: 'g', readings: [], ...(builtOn ? { builtOn } : {}) },
      ],
    });
    const answers = todoAnswers(root, 'fix');
    assert.deepEqual(
      answers.map((a) => a.name),
      ['patchify'],
    );
    assert.deepEqual(secretAnswers(root, fix(['toy']), answers), []);
    assert.deepEqual(secretAnswers(root, fix(undefined), answers), answers);
    assert.equal(starterSpoilers(root, secretAnswers(root, fix(undefined), answers), fix(undefined)).length, 1);
  });

  it('finds a solution that leaves a TODO as the starter has it (synthetic course)', () => {
    const root = templatesWith(SYNTHETIC);
    assert.deepEqual(solutionProblems(root, 'toy'), [
      'toy/solution/norm.ts has the same code as the starter, whose TODOs it should solve (only comments or layout differ)',
    ]);
    const other = templatesWith({
      ...SYNTHETIC,
      'toy/solution/norm.ts': 'export function abs(x: number): number {\n  return Math.abs(x);\n}\n',
      'toy/solution/extra.ts': 'export const x = 1;\n',
    });
    assert.deepEqual(solutionProblems(other, 'toy'), [
      'toy/solution/extra.ts has no starter file of that name; a solution replaces starter files, so name it as the file it solves',
      'toy/starter/norm.ts:1 norm is a TODO, but solution/norm.ts has no function of that name',
    ]);
    const fine = templatesWith({
      ...SYNTHETIC,
      'toy/solution/norm.ts': 'export function norm(x: number): number {\n  return Math.abs(x);\n}\n',
    });
    assert.deepEqual(solutionProblems(fine, 'toy'), []);
  });

  it('finds a solution file that only copies its starter file, as whisper once shipped five (synthetic course)', () => {
    const provided = '// Provided.\nexport const data = [1, 2, 3];\n';
    const copies = templatesWith({
      ...SYNTHETIC,
      'toy/solution/norm.ts': 'export function norm(x: number): number {\n  return Math.abs(x);\n}\n',
      'toy/starter/data.ts': provided,
      'toy/solution/data.ts': provided.replace('// Provided.', '// Provided, and reformatted:  '),
      'toy/starter/corpus.json': '["a"]\n',
      'toy/solution/corpus.json': '["a"]\n',
    });
    assert.deepEqual(solutionProblems(copies, 'toy'), [
      "toy/solution/corpus.json is identical to starter/corpus.json, so Compare with Reference Solution shows no change; delete it (a file that solution/ lacks is the starter's)",
      "toy/solution/data.ts has the same code as starter/data.ts (only comments or layout differ), so Compare with Reference Solution shows no change; delete it (a file that solution/ lacks is the starter's)",
    ]);
    const changed = templatesWith({
      ...SYNTHETIC,
      'toy/solution/norm.ts': 'export function norm(x: number): number {\n  return Math.abs(x);\n}\n',
      'toy/starter/data.ts': provided,
      'toy/solution/data.ts': provided.replace('[1, 2, 3]', '[1, 2, 4]'),
      'toy/starter/corpus.json': '["a"]\n',
      'toy/solution/corpus.json': '["b"]\n',
    });
    assert.deepEqual(solutionProblems(changed, 'toy'), []);
  });

  it('finds a module an exercise reaches but does not list, and one it lists but never reaches (synthetic course)', () => {
    const root = templatesWith(SYNTHETIC);
    assert.deepEqual(labListProblems(root, syntheticCourse(['vision.ts', 'unused.ts']), 'toy'), [
      'lab/vision.ts needs lab/stats.ts, which neither the course\'s "lab" list nor exercise "toy"\'s lists, so Start would not copy it',
      'lab/vision.ts needs lab/weights/vision, which neither the course\'s "lab" list nor exercise "toy"\'s lists, so Start would not copy it',
      'README.md names lab/stats.ts, which Start would not copy for "toy"',
      'exercise "toy" lists lab module "unused.ts", which none of its files import or read; remove it',
    ]);
    assert.deepEqual(labListProblems(root, syntheticCourse(['vision.ts', 'stats.ts', 'weights/vision']), 'toy'), []);
    assert.deepEqual(coreListProblems(root, ['index.ts']), [
      'lab/index.ts, which every exercise gets, needs lab/report.ts; add it to the course\'s "lab" list or stop importing it',
    ]);
    assert.deepEqual(coreListProblems(root, ['index.ts', 'report.ts', 'gone.ts']), [
      'the course\'s "lab" list names "gone.ts", which templates/workspace/lab/ does not have',
    ]);
  });

  it("the course's core lab modules (every exercise gets them) import and read only each other", () => {
    const core = course().lab;
    assert.ok(
      core && core.includes('report.ts') && core.includes('runtime'),
      'course.json should list the core lab modules',
    );
    assert.deepEqual(coreListProblems(TEMPLATES, core), []);
  });

  for (const id of authoredExercises()) {
    it(`"${id}": its lab list holds every module its files reach, and nothing else`, () => {
      assert.deepEqual(labListProblems(TEMPLATES, course(), id), []);
    });

    it(`"${id}": every solution file differs from its starter, and solves each TODO of it`, () => {
      assert.deepEqual(solutionProblems(TEMPLATES, id), []);
    });
  }

  it("no lab/ function computes the answer to any exercise's TODO", () => {
    const answers = authoredExercises().flatMap((id) => todoAnswers(TEMPLATES, id));
    const names = answers.map((a) => `${a.exercise}:${a.name}`);
    for (const expected of ['clip:patchify', 'llava:projectLinear', 'collapse:sequenceIds'])
      assert.ok(names.includes(expected), `${expected} is not among the answers checked`);
    const spoilers = labSpoilers(TEMPLATES, secretAnswers(TEMPLATES, course(), answers), course());
    assert.deepEqual(
      spoilers,
      [],
      `${spoilers.length} lab/ function(s) give a TODO's answer away to a learner who starts an exercise that copies the module:\n${spoilers.join('\n')}\n` +
        'Compute the same thing another way in lab/ (and say so in a comment), keep the function out of lab/, or, where the exercise that gets it builds on the one that asks for it, say so in its builtOn.',
    );
  });

  it("no exercise's starter provides another exercise's answer unless it is built on that exercise", () => {
    const answers = secretAnswers(
      TEMPLATES,
      course(),
      authoredExercises().flatMap((id) => todoAnswers(TEMPLATES, id)),
    );
    const spoilers = starterSpoilers(TEMPLATES, answers, course());
    assert.deepEqual(
      spoilers,
      [],
      `${spoilers.length} starter function(s) give another exercise's answer away:\n${spoilers.join('\n')}`,
    );
  });
});
