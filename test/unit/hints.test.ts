import * as assert from 'node:assert/strict';
import { hintSequence, parseHints, revealedHintsMarkdown } from '../../src/core/hints';

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
    assert.deepEqual(s.map((x) => [x.todo, x.title, x.hints.length]), [[2, 'the loss', 2], [1, 'patchify', 3]]);
    assert.equal(s[0].hints[1], 'The labels are `tf.range(0, B)`; if accuracy is stuck at 1/B, your labels are probably not the diagonal.');
  });

  it('reveals in TODO order, one hint at a time', () => {
    const seq = hintSequence(parseHints(HINTS));
    assert.deepEqual(seq.map((h) => `${h.todo}.${h.index + 1}`), ['1.1', '1.2', '1.3', '2.1', '2.2']);
  });

  it('renders only the revealed hints and counts what remains', () => {
    const md = revealedHintsMarkdown('CLIP from scratch', parseHints(HINTS), 2);
    assert.match(md, /## TODO\(1\): patchify\n\n1\. A \[B, 32, 32, 3\]/);
    assert.match(md, /2\. Reshape/);
    assert.doesNotMatch(md, /The result is/);
    assert.doesNotMatch(md, /TODO\(2\)/);
    assert.match(md, /_3 more hint\(s\)/);
    assert.match(revealedHintsMarkdown('x', parseHints(HINTS), 5), /That was the last hint/);
  });
});
