// Content CI for "the GPU rung trains": everything the runner may run on a GPU backend reads tensors
// asynchronously. On webgpu in Node `t.dataSync()`, `t.arraySync()` and `t.bufferSync()` throw ("OffscreenCanvas
// is not defined"), so one synchronous read in the lab library or in an exercise stops that exercise on a GPU.
// `await t.data()` / `await t.array()` / `await t.buffer()` work on every backend. The async reads make the lab's
// image and test helpers async, and a helper that is not awaited cannot fail its test: the second check looks
// for promises left floating in the same code.
import * as assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import ts from 'typescript';
import { REPO } from '../runner/harness';
import { TEMPLATES, filesUnder } from './harness';

const SYNC_READS = new Set(['dataSync', 'arraySync', 'bufferSync']);
const SOURCE = /\.[cm]?[jt]s$/;
const LAB = join(TEMPLATES, 'workspace', 'lab');
const RUNTIME = join(LAB, 'runtime');

/** Every exercise folder under templates/ (a folder with starter/, solution/ or tests/), authored or in progress. */
function exerciseFolders(): string[] {
  return readdirSync(TEMPLATES)
    .filter(
      (name) =>
        statSync(join(TEMPLATES, name)).isDirectory() &&
        ['starter', 'solution', 'tests'].some((part) => existsSync(join(TEMPLATES, name, part))),
    )
    .sort();
}

/**
 * The source files the runner may load on a GPU backend: the lab library except lab/runtime/ (which wraps the
 * synchronous reads to explain their failure, so it names them), and every exercise's starter, solution and tests.
 */
export function gpuReachableSources(): string[] {
  const lab = filesUnder(LAB)
    .map((f) => join(LAB, f))
    .filter((f) => !f.startsWith(RUNTIME + sep));
  const exercises = exerciseFolders().flatMap((id) =>
    ['starter', 'solution', 'tests'].flatMap((part) =>
      filesUnder(join(TEMPLATES, id, part)).map((f) => join(TEMPLATES, id, part, f)),
    ),
  );
  return [...lab, ...exercises].filter((f) => SOURCE.test(f));
}

/**
 * `file:line:column code` for each call of dataSync/arraySync/bufferSync in `text` (comments and strings are not
 * calls).
 */
export function syncReadCalls(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const hits: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) {
      const callee = ts.isParenthesizedExpression(node.expression) ? node.expression.expression : node.expression;
      const name = ts.isPropertyAccessExpression(callee)
        ? callee.name
        : ts.isElementAccessExpression(callee) && ts.isStringLiteralLike(callee.argumentExpression)
          ? callee.argumentExpression
          : undefined;
      if (name !== undefined && SYNC_READS.has(name.text)) {
        const { line, character } = source.getLineAndCharacterOfPosition(name.getStart(source));
        hits.push(
          `${relative(REPO, file)}:${line + 1}:${character + 1}  ${node.getText(source).replace(/\s+/g, ' ').slice(0, 120)}`,
        );
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return hits;
}

/**
 * One workspace holding every exercise twice, as a learner who finished has it (exercises/<id>/: solution over
 * starter, with tests/) and as the learner first gets it (exercises/<id>.starter/), beside the real lab/.
 */
function workspaceOfAllExercises(): string {
  const ws = mkdtempSync(join(tmpdir(), 'mml-content-async-'));
  cpSync(join(TEMPLATES, 'workspace'), ws, { recursive: true });
  for (const id of exerciseFolders()) {
    for (const [dir, parts] of [
      [id, ['starter', 'tests', 'solution']],
      [`${id}.starter`, ['starter', 'tests']],
    ] as const) {
      for (const part of parts) {
        if (existsSync(join(TEMPLATES, id, part)))
          cpSync(join(TEMPLATES, id, part), join(ws, 'exercises', dir, part === 'tests' ? 'tests' : ''), {
            recursive: true,
          });
      }
    }
  }
  symlinkSync(join(REPO, 'node_modules'), join(ws, 'node_modules'), 'dir');
  return ws;
}

function isPromiseLike(checker: ts.TypeChecker, type: ts.Type): boolean {
  if (type.isUnion()) return type.types.some((t) => isPromiseLike(checker, t));
  return checker.getPropertyOfType(type, 'then') !== undefined;
}

/**
 * Statements that call something returning a promise and drop it (no await, return or void). `lab.run(main)`, the
 * last line of every train.ts, is meant to float: lab.run reports and ends the run itself.
 */
function floatingPromises(program: ts.Program, files: (file: string) => boolean): string[] {
  const checker = program.getTypeChecker();
  const hits: string[] = [];
  for (const source of program.getSourceFiles()) {
    if (!files(source.fileName)) continue;
    const visit = (node: ts.Node): void => {
      if (ts.isExpressionStatement(node)) {
        let e: ts.Expression = node.expression;
        while (ts.isParenthesizedExpression(e)) e = e.expression;
        if (
          (ts.isCallExpression(e) || ts.isNewExpression(e)) &&
          !/^lab\.run\(/.test(e.getText(source)) &&
          isPromiseLike(checker, checker.getTypeAtLocation(e))
        ) {
          const { line, character } = source.getLineAndCharacterOfPosition(e.getStart(source));
          hits.push(
            `${source.fileName}:${line + 1}:${character + 1}  ${e.getText(source).replace(/\s+/g, ' ').slice(0, 120)}`,
          );
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return hits;
}

describe('content: every tensor read the runner may run on a GPU is asynchronous', function () {
  this.timeout(180_000);

  it('finds a synchronous read wherever it is written, and only in code', () => {
    const probe = [
      'const a = t.dataSync()[0];',
      'const b = tf.tidy(() => tf.sum(x)).arraySync() as number[];',
      'const c = (t as tf.Tensor).bufferSync();',
      "const d = t['dataSync']();",
      'const e = (t.dataSync)();',
      '// t.dataSync() in a comment, and in a string:',
      "const f = 'call t.arraySync()';",
      'const g = await t.data();',
    ].join('\n');
    assert.deepEqual(
      syncReadCalls(join(REPO, 'probe.ts'), probe).map((h) => h.split('  ')[0]),
      ['probe.ts:1:13', 'probe.ts:2:36', 'probe.ts:3:28', 'probe.ts:4:13', 'probe.ts:5:14'],
    );
  });

  it("covers the lab library (not lab/runtime/) and every exercise's starter, solution and tests", () => {
    const files = gpuReachableSources().map((f) => relative(TEMPLATES, f));
    for (const expected of [
      'workspace/lab/report.ts',
      'workspace/lab/testing.ts',
      'workspace/lab/lm.ts',
      'clip/starter/step.ts',
      'clip/tests/clip.test.ts',
      'whisper/solution/decode.ts',
    ]) {
      assert.ok(files.includes(expected.split('/').join(sep)), `${expected} is not among the checked files`);
    }
    assert.ok(
      !files.some((f) => f.startsWith(join('workspace', 'lab', 'runtime'))),
      'lab/runtime/ wraps the sync reads and is not checked',
    );
  });

  it('has no dataSync(), arraySync() or bufferSync() call in the lab library or in any exercise', () => {
    const hits = gpuReachableSources().flatMap((f) => syncReadCalls(f, readFileSync(f, 'utf8')));
    assert.deepEqual(
      hits,
      [],
      `${hits.length} synchronous tensor read(s), which throw on the webgpu backend in Node ("OffscreenCanvas is not defined"):\n` +
        `${hits.join('\n')}\nRead with \`(await t.data())[0]\` / \`await t.array()\` / \`await t.buffer()\` and make the enclosing function async ` +
        '(and await it). Inside tf.tidy, which cannot await: return the tensor from the tidy, read it after, then dispose it.',
    );
  });

  it('awaits every promise in the lab library and the exercises (an assertion not awaited cannot fail its test)', () => {
    const ws = workspaceOfAllExercises();
    const config = ts.getParsedCommandLineOfConfigFile(
      join(ws, 'tsconfig.json'),
      {},
      {
        ...ts.sys,
        onUnRecoverableConfigFileDiagnostic: (d) => assert.fail(ts.flattenDiagnosticMessageText(d.messageText, '\n')),
      },
    );
    assert.ok(config, 'the workspace tsconfig did not parse');
    const program = ts.createProgram(config.fileNames, config.options);
    const checked = (file: string): boolean => {
      const rel = relative(ws, file).split(sep);
      return rel[0] === 'exercises' || (rel[0] === 'lab' && rel[1] !== 'runtime');
    };
    assert.ok(program.getSourceFiles().filter((s) => checked(s.fileName)).length > 50, 'the check found too few files');
    const hits = floatingPromises(program, checked).map((h) => relative(ws, h));
    assert.deepEqual(
      hits,
      [],
      `${hits.length} promise(s) dropped without await (file:line in the scaffolded workspace; <id>.starter is the starter):\n${hits.join('\n')}\n` +
        'Await them: `await expectShape(…)`, `await lab.images(…)`, `const loss = await trainStep(…)`, in an async function.',
    );
  });
});
