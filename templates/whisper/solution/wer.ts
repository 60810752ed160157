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
 * The fewest word edits turning `reference` into `hypothesis`, split into S, D and I. Among alignments with the
 * same number of edits, prefer a substitution, then a deletion, then an insertion (so "a b" → "b c", two edits
 * either way, is two substitutions, not a deletion of "a" plus an insertion of "c").
 */
export function wordErrors(reference: string, hypothesis: string): WordErrors {
  const ref = wordsOf(reference),
    hyp = wordsOf(hypothesis);
  // cost[i][j]: the edits turning ref[0..i) into hyp[0..j), with the S/D/I counts of one cheapest alignment.
  type Cell = { cost: number; s: number; d: number; ins: number };
  const table: Cell[][] = [];
  for (let i = 0; i <= ref.length; i++) {
    table.push([]);
    for (let j = 0; j <= hyp.length; j++) {
      if (i === 0) {
        table[i].push({ cost: j, s: 0, d: 0, ins: j });
        continue;
      }
      if (j === 0) {
        table[i].push({ cost: i, s: 0, d: i, ins: 0 });
        continue;
      }
      const same = ref[i - 1] === hyp[j - 1];
      const diag = table[i - 1][j - 1],
        up = table[i - 1][j],
        left = table[i][j - 1];
      const options: Cell[] = [
        // match or substitute
        { cost: diag.cost + (same ? 0 : 1), s: diag.s + (same ? 0 : 1), d: diag.d, ins: diag.ins },
        { cost: up.cost + 1, s: up.s, d: up.d + 1, ins: up.ins }, // delete ref[i-1]
        { cost: left.cost + 1, s: left.s, d: left.d, ins: left.ins + 1 }, // insert hyp[j-1]
      ];
      table[i].push(options.reduce((best, o) => (o.cost < best.cost ? o : best)));
    }
  }
  const last = table[ref.length][hyp.length];
  return { substitutions: last.s, deletions: last.d, insertions: last.ins, words: ref.length };
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
