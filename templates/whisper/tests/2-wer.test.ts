// TODO(3): word error rate as a word-level Levenshtein distance, with substitutions, deletions and insertions
// counted separately, on hand-made cases (including empty reference and hypothesis).
import * as assert from 'node:assert/strict';
import { wordErrorRate, wordErrors } from '../wer';

const counts = (ref: string, hyp: string): string => {
  const e = wordErrors(ref, hyp);
  return `S${e.substitutions} D${e.deletions} I${e.insertions} N${e.words}`;
};

describe('TODO(3): word error rate', () => {
  it('finds no errors in a perfect transcript, whatever the spacing', () => {
    assert.equal(counts('seven red go', 'seven red go'), 'S0 D0 I0 N3');
    assert.equal(
      counts('  seven red   go ', 'seven red go'),
      'S0 D0 I0 N3',
      'split on runs of whitespace and ignore leading/trailing spaces',
    );
  });

  it('counts a substitution, a deletion and an insertion as such', () => {
    assert.equal(counts('red go', 'red stop'), 'S1 D0 I0 N2', '"go" heard as "stop" is one substitution');
    assert.equal(
      counts('one two three', 'one three'),
      'S0 D1 I0 N3',
      '"two" missing is one deletion (a reference word with no hypothesis word)',
    );
    assert.equal(
      counts('one three', 'one two three'),
      'S0 D0 I1 N2',
      '"two" added is one insertion (a hypothesis word with no reference word)',
    );
    assert.equal(
      counts('seven red go left', 'seven bed go go left'),
      'S1 D0 I1 N4',
      'red→bed is a substitution and the second "go" an insertion',
    );
    assert.equal(
      counts('a b c d', 'b c d e'),
      'S0 D1 I1 N4',
      'dropping "a" and adding "e" (2 edits) beats substituting all four words',
    );
  });

  it('breaks a tie between alignments of equal cost in favour of substitutions', () => {
    assert.equal(
      counts('a b', 'b c'),
      'S2 D0 I0 N2',
      '"a b" → "b c" costs 2 either way (two substitutions, or delete "a" and insert "c"): prefer substitutions',
    );
  });

  it('handles an empty reference and an empty hypothesis', () => {
    assert.equal(counts('', ''), 'S0 D0 I0 N0', 'nothing said, nothing heard: no errors');
    assert.equal(
      counts('', 'go stop'),
      'S0 D0 I2 N0',
      'nothing said but two words heard: two insertions (the first row of the table)',
    );
    assert.equal(
      counts('nine blue stop', ''),
      'S0 D3 I0 N3',
      'nothing heard: every reference word is a deletion (the first column of the table)',
    );
  });

  it('pools edits over a corpus: (S + D + I) / N over all words, not the mean of per-utterance rates', () => {
    const r = wordErrorRate([
      { reference: 'one two three four', hypothesis: 'one two three four' },
      { reference: 'go', hypothesis: '' },
    ]);
    assert.ok(
      Math.abs(r.wer - 0.2) < 1e-9,
      `1 edit over 5 reference words is WER 0.2; got ${r.wer} (0.5 would be the mean of the per-utterance rates)`,
    );
    const many = wordErrorRate([{ reference: 'go', hypothesis: 'go go go' }]);
    assert.equal(many.wer, 2, 'two insertions on a one-word reference is WER 2: WER is not capped at 1');
  });
});
