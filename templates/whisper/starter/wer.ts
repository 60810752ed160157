/**
 * Word error rate: the word-level Levenshtein distance between what was said and what was recognised, divided by
 * the number of words said (Radford et al. 2022, §3.1 and Appendix C, "text normalisation" aside).
 *
 *   WER = (S + D + I) / N
 *
 * S substitutions (a word recognised as another), D deletions (a word missed), I insertions (a word that was not
 * said), N words in the reference. WER can exceed 1 when the recogniser inserts many words.
 */

export interface WordErrors {
  substitutions: number;
  deletions: number;
  insertions: number;
  words: number; // N: words in the reference
}

const wordsOf = (text: string): string[] =>
  text
    .trim()
    .split(/\s+/)
    .filter((w) => w.length > 0);

/**
 * TODO(3): the fewest word edits turning `reference` into `hypothesis`, split into S, D and I. Among alignments with
 * the same number of edits, prefer a substitution, then a deletion, then an insertion (so "a b" → "b c", two edits
 * either way, is two substitutions, not a deletion of "a" plus an insertion of "c").
 */
export function wordErrors(reference: string, hypothesis: string): WordErrors {
  throw new Error(
    'TODO(3): implement wordErrors — a word-level Levenshtein table over wordsOf(reference) and wordsOf(hypothesis) that also counts S, D and I along one cheapest alignment (README §What you implement)',
  );
}

/** Corpus WER: all edits over all reference words (not the mean of per-utterance rates). */
export function wordErrorRate(
  pairs: readonly { reference: string; hypothesis: string }[],
): WordErrors & { wer: number } {
  const total: WordErrors = { substitutions: 0, deletions: 0, insertions: 0, words: 0 };
  for (const { reference, hypothesis } of pairs) {
    const e = wordErrors(reference, hypothesis);
    total.substitutions += e.substitutions;
    total.deletions += e.deletions;
    total.insertions += e.insertions;
    total.words += e.words;
  }
  const edits = total.substitutions + total.deletions + total.insertions;
  return { ...total, wer: total.words > 0 ? edits / total.words : edits > 0 ? Infinity : 0 };
}
