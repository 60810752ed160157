import * as assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Course } from '../../src/core/course/types';
import {
  TemplateError,
  applyScaffold,
  exerciseTemplateFiles,
  foundationQuestion,
  inLabModules,
  labModulesFor,
  listFiles,
  planScaffold,
  resetExercise,
  unpassedFoundations,
  workspaceTemplateFiles,
} from '../../src/core/scaffold';

const NOW = new Date('2026-11-27T12:00:00.000Z');

/** A templates/ folder with one complete exercise ("toy") and the shared workspace files. */
async function templates(): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), 'mml-templates-'));
  const files: Record<string, string> = {
    'toy/README.md': '# Toy\n',
    'toy/hints.md': '## TODO(1)\n1. Look at the shapes.\n',
    'toy/starter/model.ts': 'export function f() { return 0; } // TODO(1)\n',
    'toy/starter/train.ts': 'import { f } from "./model";\n',
    'toy/tests/model.test.ts': 'it("works", () => {});\n',
    'toy/solution/model.ts': 'export function f() { return 1; }\n',
    'workspace/package.json': '{ "name": "my-lab" }\n',
    'workspace/tsconfig.json': '{}\n',
    'workspace/lab/report.ts': 'export const lab = {};\n',
    'later/README.md': '# Later\n',
    'later/hints.md': '## TODO(1)\n1. Read the encoder.\n',
    'later/starter/model.ts': 'import { encode } from "../../lab/vision";\n',
    'later/tests/model.test.ts': 'it("works", () => {});\n',
    'later/solution/model.ts': 'export const solved = true;\n',
    'workspace/lab/vision.ts': 'export function encode() { return 1; }\n',
    'workspace/lab/weights/vision/model.json': '{}\n',
    'workspace/lab/weights/vision/weights.bin': 'w\n',
    'workspace/lab/weights/lm/model.json': '{}\n',
  };
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, rel)), { recursive: true });
    await writeFile(path.join(root, rel), text);
  }
  return root;
}

async function workspace(): Promise<string> {
  return mkdtemp(path.join(tmpdir(), 'mml-ws-'));
}

async function start(tpl: string, ws: string, exercise = 'toy', labModules?: readonly string[]) {
  const files = [...(await workspaceTemplateFiles(tpl, labModules)), ...(await exerciseTemplateFiles(tpl, exercise))];
  return applyScaffold(ws, await planScaffold(ws, files));
}

/** The fixture's course: report.ts for every exercise, and "later" adds the vision encoder and its weights. */
const COURSE: Pick<Course, 'lab' | 'exercises'> = {
  lab: ['report.ts'],
  exercises: [
    { id: 'toy', title: 'Toy', goal: 'g', readings: [] },
    { id: 'later', title: 'Later', goal: 'g', readings: [], lab: ['vision.ts', 'weights/vision'] },
  ],
};

describe('scaffolding an exercise', () => {
  it('fills a fresh workspace with the workspace files, README, starter and tests — not the solution or hints', async () => {
    const [tpl, ws] = [await templates(), await workspace()];
    const result = await start(tpl, ws);
    assert.deepEqual(
      [...result.created].sort(),
      [
        'exercises/toy/README.md',
        'exercises/toy/model.ts',
        'exercises/toy/tests/model.test.ts',
        'exercises/toy/train.ts',
        'lab/report.ts',
        'lab/vision.ts',
        'lab/weights/lm/model.json',
        'lab/weights/vision/model.json',
        'lab/weights/vision/weights.bin',
        'package.json',
        'tsconfig.json',
      ],
      'a course without "lab" lists gets all of lab/',
    );
    assert.deepEqual(result.differs, []);
    assert.deepEqual(await listFiles(path.join(ws, 'exercises', 'toy')), [
      'README.md',
      'model.ts',
      'tests/model.test.ts',
      'train.ts',
    ]);
    assert.equal(
      await readFile(path.join(ws, 'exercises/toy/model.ts'), 'utf8'),
      'export function f() { return 0; } // TODO(1)\n',
    );
  });

  it('never overwrites an edited file, and reports it so a diff can be offered', async () => {
    const [tpl, ws] = [await templates(), await workspace()];
    await start(tpl, ws);
    await writeFile(path.join(ws, 'exercises/toy/model.ts'), 'my work in progress\n');
    await writeFile(path.join(ws, 'package.json'), '{ "name": "mine", "dependencies": {} }\n');
    await rm(path.join(ws, 'exercises/toy/train.ts'));
    const again = await start(tpl, ws);
    assert.deepEqual(again.created, ['exercises/toy/train.ts'], 'only the deleted file comes back');
    assert.deepEqual(again.differs.map((f) => f.dest).sort(), ['exercises/toy/model.ts', 'package.json']);
    assert.equal(
      again.differs.find((f) => f.dest === 'package.json')?.source,
      path.join(tpl, 'workspace', 'package.json'),
    );
    assert.equal(await readFile(path.join(ws, 'exercises/toy/model.ts'), 'utf8'), 'my work in progress\n');
    assert.equal(await readFile(path.join(ws, 'package.json'), 'utf8'), '{ "name": "mine", "dependencies": {} }\n');
    assert.ok(again.identical.includes('exercises/toy/README.md'));
  });

  it('leaves a read-only learner file untouched', async () => {
    const [tpl, ws] = [await templates(), await workspace()];
    await start(tpl, ws);
    const file = path.join(ws, 'exercises/toy/model.ts');
    await writeFile(file, 'locked answer\n');
    await chmod(file, 0o444);
    const again = await start(tpl, ws);
    assert.deepEqual(
      again.differs.map((f) => f.dest),
      ['exercises/toy/model.ts'],
    );
    assert.equal(await readFile(file, 'utf8'), 'locked answer\n');
  });

  it('treats a folder where a template file would go as the learner’s', async () => {
    const [tpl, ws] = [await templates(), await workspace()];
    await mkdir(path.join(ws, 'tsconfig.json'));
    const result = await start(tpl, ws);
    assert.deepEqual(
      result.differs.map((f) => f.dest),
      ['tsconfig.json'],
    );
  });

  it('refuses an incomplete template before writing anything, naming what is missing', async () => {
    const [tpl, ws] = [await templates(), await workspace()];
    await rm(path.join(tpl, 'toy', 'hints.md'));
    await rm(path.join(tpl, 'toy', 'solution'), { recursive: true });
    await assert.rejects(exerciseTemplateFiles(tpl, 'toy'), (e: Error) => {
      assert.ok(e instanceof TemplateError);
      assert.equal(
        e.message,
        'The template of exercise "toy" is incomplete: missing templates/toy/hints.md, templates/toy/solution. Nothing was written; reinstall or update Multimodal Lab.',
      );
      return true;
    });
    assert.deepEqual(await readdir(ws), []);
  });

  it('refuses a template whose tests folder is empty', async () => {
    const tpl = await templates();
    await rm(path.join(tpl, 'toy', 'tests', 'model.test.ts'));
    await assert.rejects(exerciseTemplateFiles(tpl, 'toy'), /has no tests in templates\/toy\/tests\//);
  });

  it('reports a template file that vanished after listing, without writing', async () => {
    const [tpl, ws] = [await templates(), await workspace()];
    const files = await exerciseTemplateFiles(tpl, 'toy');
    await writeFile(path.join(ws, 'placeholder'), '');
    await mkdir(path.join(ws, 'exercises', 'toy'), { recursive: true });
    await writeFile(path.join(ws, 'exercises/toy/model.ts'), 'mine\n');
    await rm(path.join(tpl, 'toy', 'starter', 'model.ts'));
    await assert.rejects(planScaffold(ws, files), /Template file .*model\.ts could not be read\. Nothing was written/);
    assert.equal(await readFile(path.join(ws, 'exercises/toy/model.ts'), 'utf8'), 'mine\n');
  });
});

describe('choosing the lab/ modules an exercise gets', () => {
  it("gives an exercise the course's modules and its own, and a course without lists all of lab/", () => {
    assert.deepEqual(labModulesFor(COURSE, 'toy'), ['report.ts']);
    assert.deepEqual(labModulesFor(COURSE, 'later'), ['report.ts', 'vision.ts', 'weights/vision']);
    assert.equal(labModulesFor({ exercises: COURSE.exercises }, 'later'), undefined);
  });

  it('matches a module as a file or as a folder, never by a prefix of a name', () => {
    assert.ok(inLabModules('vision.ts', ['vision.ts']));
    assert.ok(inLabModules('weights/vision/model.json', ['weights/vision']));
    assert.ok(inLabModules('runtime/kernels/index.ts', ['runtime']));
    assert.ok(!inLabModules('weights/vision2/model.json', ['weights/vision']));
    assert.ok(!inLabModules('visionHelpers.ts', ['vision']));
    assert.ok(!inLabModules('weights', ['weights/vision']));
  });

  it("copies the course's modules and the exercise's own, and no other exercise's", async () => {
    const [tpl, ws] = [await templates(), await workspace()];
    const result = await start(tpl, ws, 'toy', labModulesFor(COURSE, 'toy'));
    assert.deepEqual(
      result.created.filter((f) => f.startsWith('lab/')),
      ['lab/report.ts'],
    );
    assert.deepEqual(
      await listFiles(path.join(ws, 'lab')),
      ['report.ts'],
      'the vision encoder and the weights stay out',
    );
  });

  it('a folder module brings everything under it', async () => {
    const [tpl, ws] = [await templates(), await workspace()];
    await start(tpl, ws, 'later', labModulesFor(COURSE, 'later'));
    assert.deepEqual(await listFiles(path.join(ws, 'lab')), [
      'report.ts',
      'vision.ts',
      'weights/vision/model.json',
      'weights/vision/weights.bin',
    ]);
  });

  it("adds a later exercise's modules to a workspace scaffolded before, leaving edited files as they are", async () => {
    const [tpl, ws] = [await templates(), await workspace()];
    await start(tpl, ws, 'toy', labModulesFor(COURSE, 'toy'));
    await writeFile(path.join(ws, 'lab/report.ts'), 'my own reporting\n');
    const later = await start(tpl, ws, 'later', labModulesFor(COURSE, 'later'));
    assert.deepEqual(
      later.created.filter((f) => f.startsWith('lab/')),
      ['lab/vision.ts', 'lab/weights/vision/model.json', 'lab/weights/vision/weights.bin'],
    );
    assert.deepEqual(
      later.differs.map((f) => f.dest),
      ['lab/report.ts'],
      'the edited core module is offered as a diff, not overwritten',
    );
    assert.equal(await readFile(path.join(ws, 'lab/report.ts'), 'utf8'), 'my own reporting\n');
    assert.ok(later.identical.includes('package.json'));
  });

  it('refuses a module the template does not have, before writing anything', async () => {
    const [tpl, ws] = [await templates(), await workspace()];
    await assert.rejects(workspaceTemplateFiles(tpl, ['report.ts', 'audio.ts', 'weights/speech']), (e: Error) => {
      assert.ok(e instanceof TemplateError);
      assert.match(
        e.message,
        /^The course lists lab modules that templates\/workspace\/lab\/ does not have: audio\.ts, weights\/speech\. Nothing was written/,
      );
      return true;
    });
    assert.deepEqual(await readdir(ws), []);
  });
});

describe('resetting an exercise', () => {
  it('backs up every learner file, then restores the starter, keeping files the learner added', async () => {
    const [tpl, ws] = [await templates(), await workspace()];
    await start(tpl, ws);
    await writeFile(path.join(ws, 'exercises/toy/model.ts'), 'broken attempt\n');
    await writeFile(path.join(ws, 'exercises/toy/scratch.ts'), 'my experiment\n');
    const result = await resetExercise(ws, 'toy', await exerciseTemplateFiles(tpl, 'toy'), NOW);
    assert.equal(result.backupDir, path.join(ws, '.multimodal-lab', 'backups', 'toy', '2026-11-27T12-00-00-000Z'));
    assert.deepEqual([...result.backedUp].sort(), [
      'exercises/toy/README.md',
      'exercises/toy/model.ts',
      'exercises/toy/scratch.ts',
      'exercises/toy/tests/model.test.ts',
      'exercises/toy/train.ts',
    ]);
    assert.equal(await readFile(path.join(result.backupDir!, 'model.ts'), 'utf8'), 'broken attempt\n');
    assert.equal(await readFile(path.join(result.backupDir!, 'scratch.ts'), 'utf8'), 'my experiment\n');
    assert.equal(
      await readFile(path.join(ws, 'exercises/toy/model.ts'), 'utf8'),
      'export function f() { return 0; } // TODO(1)\n',
    );
    assert.equal(await readFile(path.join(ws, 'exercises/toy/scratch.ts'), 'utf8'), 'my experiment\n');
  });

  it('leaves a locked (read-only) file in place and says so, with a writable backup', async () => {
    const [tpl, ws] = [await templates(), await workspace()];
    await start(tpl, ws);
    const file = path.join(ws, 'exercises/toy/model.ts');
    await writeFile(file, 'keep me\n');
    await chmod(file, 0o444);
    const result = await resetExercise(ws, 'toy', await exerciseTemplateFiles(tpl, 'toy'), NOW);
    assert.deepEqual(result.locked, ['exercises/toy/model.ts']);
    assert.ok(!result.restored.includes('exercises/toy/model.ts'));
    assert.equal(await readFile(file, 'utf8'), 'keep me\n');
    assert.equal(await readFile(path.join(result.backupDir!, 'model.ts'), 'utf8'), 'keep me\n');
  });

  it('two resets in a row keep both backups', async () => {
    const [tpl, ws] = [await templates(), await workspace()];
    await start(tpl, ws);
    const files = await exerciseTemplateFiles(tpl, 'toy');
    await writeFile(path.join(ws, 'exercises/toy/model.ts'), 'first\n');
    await resetExercise(ws, 'toy', files, NOW);
    await writeFile(path.join(ws, 'exercises/toy/model.ts'), 'second\n');
    await resetExercise(ws, 'toy', files, new Date('2026-11-27T12:05:00.000Z'));
    const stamps = await readdir(path.join(ws, '.multimodal-lab', 'backups', 'toy'));
    assert.equal(stamps.length, 2);
    const contents = await Promise.all(
      stamps.sort().map((s) => readFile(path.join(ws, '.multimodal-lab/backups/toy', s, 'model.ts'), 'utf8')),
    );
    assert.deepEqual(contents, ['first\n', 'second\n']);
  });

  it('on a never-started exercise restores the starter with nothing to back up', async () => {
    const [tpl, ws] = [await templates(), await workspace()];
    const result = await resetExercise(ws, 'toy', await exerciseTemplateFiles(tpl, 'toy'), NOW);
    assert.equal(result.backupDir, undefined);
    assert.equal(result.restored.length, 4);
  });

  describe('Start asks first when an exercise is built on unpassed ones (builtOn)', () => {
    const ex = (id: string, title: string, builtOn?: string[]) => ({
      id,
      title,
      goal: 'g',
      readings: [],
      ...(builtOn ? { builtOn } : {}),
    });
    const course = {
      exercises: [
        ex('clip', 'CLIP from scratch'),
        ex('ddpm', 'DDPM on MNIST'),
        ex('llava', 'LLaVA'),
        ex('cfg', 'Classifier-free guidance', ['llava', 'ddpm']),
      ],
    };

    it('names the exercises built on whose tests do not all pass, in course order', () => {
      const none = (): boolean => false;
      assert.deepEqual(
        unpassedFoundations(course, 'cfg', none).map((e) => e.id),
        ['ddpm', 'llava'],
      );
      assert.deepEqual(
        unpassedFoundations(course, 'cfg', (id) => id === 'ddpm').map((e) => e.id),
        ['llava'],
      );
      assert.deepEqual(
        unpassedFoundations(course, 'cfg', () => true),
        [],
        'all passed: Start does not ask',
      );
      assert.deepEqual(unpassedFoundations(course, 'clip', none), [], 'built on nothing: Start does not ask');
      assert.deepEqual(unpassedFoundations(course, 'gone', none), []);
    });

    it('asks with the earlier exercises named, one "Start … first" each, and "Start anyway"', () => {
      const [, ddpm, llava, cfg] = course.exercises;
      const one = foundationQuestion(cfg, [ddpm]);
      assert.equal(
        one.message,
        '"Classifier-free guidance" builds on "DDPM on MNIST", whose tests you have not all passed yet.',
      );
      assert.equal(
        one.detail,
        'The code "Classifier-free guidance" provides contains the answers to its TODOs. Start "DDPM on MNIST" first to write them yourself, or start "Classifier-free guidance" anyway.',
      );
      assert.deepEqual(
        one.startFirst.map((s) => [s.label, s.exercise.id]),
        [['Start DDPM on MNIST first', 'ddpm']],
      );
      assert.equal(one.startAnyway, 'Start anyway');
      const two = foundationQuestion(cfg, [ddpm, { ...llava, shortTitle: 'LLaVA bridge' }]);
      assert.match(two.message, /builds on "DDPM on MNIST" and "LLaVA", whose/);
      assert.match(two.detail, /answers to their TODOs/);
      assert.deepEqual(
        two.startFirst.map((s) => s.label),
        ['Start DDPM on MNIST first', 'Start LLaVA bridge first'],
        'a button uses the short title when there is one',
      );
    });
  });
});
