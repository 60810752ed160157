import * as assert from 'node:assert/strict';
import { hintsMarkdown, parseHints, todoAtLine, todoIn } from '../../src/core/hints';

const HINTS = `# Hints for CLIP

## TODO(2): the loss
1. Both directions are cross-entropies over the same logits.
2. The labels are \`tf.range(0, B)\`; if accuracy is stuck at 1/B,
   your labels are probably not the diagonal.

## TODO(1): patchify
1. A [B, 32, 32, 3] image with 8×8 patches has 16 patches.
2. Reshape to [B, 4, 8, 4, 8, 3], then transpose.
3. The result is [B, 16, 192].
`;

describe('hints', () => {
  it('parses one section per TODO with its numbered hints, joining continuation lines', () => {
    const s = parseHints(HINTS);
    assert.deepEqual(
      s.map((x) => [x.todo, x.title, x.hints.length]),
      [
        [2, 'the loss', 2],
        [1, 'patchify', 3],
      ],
    );
    assert.equal(
      s[0].hints[1],
      'The labels are `tf.range(0, B)`; if accuracy is stuck at 1/B, your labels are probably not the diagonal.',
    );
  });

  describe('per TODO', () => {
    it("renders each TODO's revealed hints with how many of its hints are shown", () => {
      const md = hintsMarkdown('CLIP from scratch', parseHints(HINTS), { 2: 1 });
      assert.match(md, /^# Hints — CLIP from scratch\n/);
      assert.match(md, /## TODO\(2\): the loss — 1 of 2 hints shown\n\n1\. Both directions/);
      assert.doesNotMatch(md, /The labels are/, "TODO(2)'s second hint is not revealed yet");
      assert.doesNotMatch(md, /## TODO\(1\)/, 'a TODO with no revealed hint gets no section');
      assert.doesNotMatch(md, /A \[B, 32, 32, 3\]/, 'revealing TODO(2) does not reveal TODO(1)');
      assert.match(md, /TODO\(1\) patchify: 0 of 3 · TODO\(2\) the loss: 1 of 2/);
      assert.match(md, /_1 more hint for TODO\(2\)/);
    });

    it("says when a TODO's hints are all shown, and keeps the TODOs in order", () => {
      const md = hintsMarkdown('CLIP', parseHints(HINTS), { 1: 3, 2: 2 });
      assert.ok(md.indexOf('## TODO(1)') < md.indexOf('## TODO(2)'));
      assert.match(
        md,
        /## TODO\(1\): patchify — 3 of 3 hints shown[\s\S]*3\. The result is \[B, 16, 192\]\.\n\n_That was the last hint for TODO\(1\)\._/,
      );
      assert.match(md, /TODO\(2\) the loss: 2 of 2/);
    });

    it('finds the TODO a failing test or its message names', () => {
      assert.equal(todoIn('TODO(3): word error rate > counts a deletion'), 3);
      assert.equal(todoIn('Error: TODO(12): implement wordErrors — a word-level Levenshtein table'), 12);
      assert.equal(todoIn('expected [1, 3, 5]'), undefined);
    });

    it('finds the TODO at the cursor: the nearest one at or above it, else the first below', () => {
      const source = [
        "import { fft } from './fft';", // 0
        '', // 1
        '/**', // 2
        ' * TODO(1): the Mel filterbank.', // 3
        ' */', // 4
        'export function melFilterbank() {', // 5
        '  return 1;', // 6
        '}', // 7
        '/** TODO(2): the log-Mel spectrogram. */', // 8
        'export function logMel() {', // 9
        "  throw new Error('TODO(2): implement logMel');", // 10
        '}', // 11
      ].join('\n');
      assert.equal(todoAtLine(source, 6), 1, "inside TODO(1)'s function");
      assert.equal(todoAtLine(source, 3), 1, 'on the TODO line itself');
      assert.equal(todoAtLine(source, 11), 2);
      assert.equal(todoAtLine(source, 0), 1, 'above every TODO: the first one below');
      assert.equal(todoAtLine('const x = 1;', 0), undefined);
    });
  });
});
