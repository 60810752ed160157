// Content CI for one source of provided code: the diffusion exercises import exercise 2's UNet, schedule, sampler,
// EMA, data and optimiser settings from lab/diffusion/ and keep no copy of them. First shown to fail on a small
// synthetic course with a copy in it.
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { TEMPLATES, authoredExercises } from './harness';
import { providedCopies, sourceDrift } from './provided';

function templatesWith(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'mml-provided-'));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  return root;
}

// The duplication that started this check: exercise 2's time embedding copied, with other names, into later exercises.
const LAB_EMBEDDING = `export function timeEmbedding(t: tf.Tensor1D, dim: number): tf.Tensor2D {
  return tf.tidy(() => {
    const half = dim / 2;
    const freqs = tf.exp(tf.mul(tf.range(0, half), -Math.log(10000) / half)); // [D/2]
    const args = tf.mul(tf.expandDims(tf.cast(t, 'float32'), 1), tf.expandDims(freqs, 0)); // [B, D/2]
    return tf.concat([tf.sin(args), tf.cos(args)], 1);
  });
}`;
const COPIED_EMBEDDING = `export function embedTime(steps: tf.Tensor1D, width: number): tf.Tensor2D {
  const omega = tf.exp(tf.mul(tf.range(0, width / 2), -Math.log(10000) / (width / 2)));
  const phase = tf.mul(tf.expandDims(tf.cast(steps, 'float32'), 1), tf.expandDims(omega, 0));
  return tf.concat([tf.sin(phase), tf.cos(phase)], 1) as tf.Tensor2D;
}`;
const TODO_STUB = `export function embedTime(steps: tf.Tensor1D, width: number): tf.Tensor2D {
  throw new Error('TODO(1): implement embedTime');
}`;

// Every exercise: its provided code has its single source in lab/ (lab/diffusion/ for 4 and 7, lab/vqa*.ts and
// lab/llava/ for 6 and 8, lab/transformer.ts for 1, 3, 5, 6 and 8). lab/ modules whose single source is an
// exercise's own solution (lab/llava/ for 3, lab/diffusion/'s answers for 2) do not count against that exercise.
const CHECKED = authoredExercises();

describe('content: provided code has one source (lab/)', function () {
  this.timeout(60_000);

  it('finds a copy of a lab/ function in a starter, a test or a solution, and exempts the answer to a TODO', () => {
    const root = templatesWith({
      'workspace/lab/diffusion/timeEmbedding.ts': LAB_EMBEDDING,
      'later/starter/time.ts': COPIED_EMBEDDING,
      'later/solution/time.ts': COPIED_EMBEDDING, // unchanged from the starter: provided, not an answer
      'later/tests/helpers.ts': COPIED_EMBEDDING,
      'first/starter/time.ts': TODO_STUB,
      'first/solution/time.ts': COPIED_EMBEDDING,
    });
    assert.deepEqual(providedCopies(root, 'later'), [
      'later/starter/time.ts:1 embedTime is a copy of lab/diffusion/timeEmbedding.ts:1 timeEmbedding',
      'later/tests/helpers.ts:1 embedTime is a copy of lab/diffusion/timeEmbedding.ts:1 timeEmbedding',
      'later/solution/time.ts:1 embedTime is a copy of lab/diffusion/timeEmbedding.ts:1 timeEmbedding',
    ]);
    assert.deepEqual(providedCopies(root, 'first'), [], "the first exercise's answer to its TODO may be lab/'s code");
    const own = templatesWith({
      'workspace/lab/first/time.ts': `// Single source: templates/first/solution/time.ts\n${LAB_EMBEDDING}`,
      'first/starter/time.ts': COPIED_EMBEDDING, // provided in the first exercise, copied to lab/ for later ones
      'later/starter/time.ts': COPIED_EMBEDDING,
    });
    assert.deepEqual(providedCopies(own, 'first'), [], "a lab/ copy of the first exercise's own code is not its copy");
    assert.deepEqual(providedCopies(own, 'later'), [
      'later/starter/time.ts:1 embedTime is a copy of lab/first/time.ts:2 timeEmbedding',
    ]);
    const drifted = templatesWith({
      'workspace/lab/diffusion/timeEmbedding.ts': LAB_EMBEDDING,
      'later/starter/time.ts': COPIED_EMBEDDING.replace('10000', '1000'),
    });
    assert.deepEqual(providedCopies(drifted, 'later'), [], 'a function that computes something else is not a copy');
  });

  for (const id of CHECKED)
    it(`"${id}": no function of its starter, tests or solution copies lab/ (import it from lab/ instead)`, () => {
      assert.deepEqual(providedCopies(TEMPLATES, id), []);
    });

  it("finds a lab/ module that drifted from the earlier exercise's answer it names as its single source", () => {
    const tag = '// Single source: templates/first/solution/time.ts\n';
    const root = templatesWith({
      'workspace/lab/diffusion/timeEmbedding.ts': tag + LAB_EMBEDDING.replace('10000', '1000'),
      'workspace/lab/gone.ts': '// Single source: templates/first/solution/gone.ts\n',
      'first/solution/time.ts': LAB_EMBEDDING,
    });
    assert.deepEqual(sourceDrift(root), [
      'lab/diffusion/timeEmbedding.ts: timeEmbedding differs from first/solution/time.ts',
      'lab/gone.ts: its single source first/solution/gone.ts does not exist',
    ]);
    const renamed = templatesWith({
      'workspace/lab/t.ts': tag + LAB_EMBEDDING.replace('timeEmbedding', 'embed'),
      'first/solution/time.ts': LAB_EMBEDDING,
    });
    assert.deepEqual(sourceDrift(renamed), ['lab/t.ts: timeEmbedding is missing from first/solution/time.ts']);
    const same = templatesWith({
      'workspace/lab/t.ts': tag + COPIED_EMBEDDING.replace('embedTime', 'timeEmbedding'),
      'first/solution/time.ts': LAB_EMBEDDING,
    });
    assert.deepEqual(sourceDrift(same), [], 'the same computation written with other local names is the same answer');
  });

  it("every lab/ module that holds an earlier exercise's answer equals it (its single source)", () => {
    assert.deepEqual(sourceDrift(TEMPLATES), []);
  });
});
