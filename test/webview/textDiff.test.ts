import * as assert from 'node:assert/strict';
import { alignWords, sumCounts, wordErrorRate, words, type DiffOp } from '../../webview/src/run/textDiff';

/** The alignment as short strings: "=the", "cat→dog", "-sat", "+very". */
const show = (ops: readonly DiffOp[]): string[] =>
  ops.map((o) =>
    o.op === 'equal'
      ? `=${o.ref}`
      : o.op === 'substitute'
        ? `${o.ref}→${o.hyp}`
        : o.op === 'delete'
          ? `-${o.ref}`
          : `+${o.hyp}`,
  );
const counts = (a: ReturnType<typeof alignWords>): number[] => [a.substitutions, a.deletions, a.insertions, a.refWords];

describe('webview: word alignment and WER', () => {
  it('one substitution: "the cat sat" → "the cat sit"', () => {
    const a = alignWords('the cat sat', 'the cat sit');
    assert.deepEqual(show(a.ops), ['=the', '=cat', 'sat→sit']);
    assert.deepEqual(counts(a), [1, 0, 0, 3]);
    assert.equal(wordErrorRate(a), 1 / 3);
  });

  it('one deletion: "the cat sat" → "the sat"', () => {
    const a = alignWords('the cat sat', 'the sat');
    assert.deepEqual(show(a.ops), ['=the', '-cat', '=sat']);
    assert.deepEqual(counts(a), [0, 1, 0, 3]);
  });

  it('one insertion: "the cat sat" → "the fat cat sat"', () => {
    const a = alignWords('the cat sat', 'the fat cat sat');
    assert.deepEqual(show(a.ops), ['=the', '+fat', '=cat', '=sat']);
    assert.deepEqual(counts(a), [0, 0, 1, 3]);
  });

  it('all three at once: "the cat sat on the mat" → "a cat sat the mat too"', () => {
    const a = alignWords('the cat sat on the mat', 'a cat sat the mat too');
    assert.deepEqual(show(a.ops), ['the→a', '=cat', '=sat', '-on', '=the', '=mat', '+too']);
    assert.deepEqual(counts(a), [1, 1, 1, 6]);
    assert.equal(wordErrorRate(a), 0.5);
  });

  it('identical texts: all equal, WER 0, whitespace ignored', () => {
    const a = alignWords('the  cat\tsat ', ' the cat sat');
    assert.deepEqual(show(a.ops), ['=the', '=cat', '=sat']);
    assert.equal(wordErrorRate(a), 0);
  });

  it('an empty reference: every word inserted, N = 0, WER infinite (0 when both are empty)', () => {
    const a = alignWords('', 'the cat');
    assert.deepEqual(show(a.ops), ['+the', '+cat']);
    assert.deepEqual(counts(a), [0, 0, 2, 0]);
    assert.equal(wordErrorRate(a), Infinity);
    assert.equal(wordErrorRate(alignWords('', '')), 0);
    const gone = alignWords('the cat sat', '');
    assert.deepEqual(counts(gone), [0, 3, 0, 3]);
    assert.equal(wordErrorRate(gone), 1);
  });

  it('a table WER sums S, D, I and N over rows (not the mean of row rates)', () => {
    const total = sumCounts([
      alignWords('the cat sat', 'the cat sit'),
      alignWords('a b c d e f g h i', 'a b c d e f g h i'),
    ]);
    assert.deepEqual(counts({ ...total, ops: [] }), [1, 0, 0, 12]);
    assert.equal(wordErrorRate(total), 1 / 12);
  });

  it('splits words on any whitespace', () => {
    assert.deepEqual(words(' a\nb  c\t'), ['a', 'b', 'c']);
  });
});
