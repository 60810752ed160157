/**
 * Word error rate (WER), the speech-recognition and captioning metric: align a hypothesis to its reference word by
 * word with the fewest edits (Levenshtein distance over words, by dynamic programming), then count the edits —
 * substitutions S, deletions D (reference words the hypothesis lacks), insertions I (words it adds) — over the N
 * reference words: WER = (S + D + I) / N. The backtrace gives the alignment itself, which the table's diff column
 * draws. Pure, no DOM.
 */

export type DiffOp =
  | { readonly op: 'equal'; readonly ref: string; readonly hyp: string }
  | { readonly op: 'substitute'; readonly ref: string; readonly hyp: string }
  | { readonly op: 'delete'; readonly ref: string }
  | { readonly op: 'insert'; readonly hyp: string };

export interface WerCounts {
  readonly substitutions: number;
  readonly deletions: number;
  readonly insertions: number;
  /** Words in the reference. */
  readonly refWords: number;
}

export interface WordAlignment extends WerCounts {
  readonly ops: readonly DiffOp[];
}

/** Words separated by whitespace. */
export function words(text: string): string[] {
  return text.split(/\s+/).filter((w) => w.length > 0);
}

/**
 * The minimum-edit alignment of `hyp` to `ref` (texts split into words, or word lists). Among equally short
 * alignments the backtrace prefers a match or substitution, then a deletion, then an insertion.
 */
export function alignWords(ref: string | readonly string[], hyp: string | readonly string[]): WordAlignment {
  const r = typeof ref === 'string' ? words(ref) : ref;
  const h = typeof hyp === 'string' ? words(hyp) : hyp;
  const cols = h.length + 1;
  // cost[i * cols + j]: edits to turn the first i reference words into the first j hypothesis words.
  const cost = new Uint32Array((r.length + 1) * cols);
  for (let i = 0; i <= r.length; i++) cost[i * cols] = i;
  for (let j = 0; j <= h.length; j++) cost[j] = j;
  for (let i = 1; i <= r.length; i++)
    for (let j = 1; j <= h.length; j++) {
      const diagonal = cost[(i - 1) * cols + j - 1] + (r[i - 1] === h[j - 1] ? 0 : 1);
      cost[i * cols + j] = Math.min(diagonal, cost[(i - 1) * cols + j] + 1, cost[i * cols + j - 1] + 1);
    }
  const ops: DiffOp[] = [];
  let s = 0,
    d = 0,
    ins = 0;
  let i = r.length,
    j = h.length;
  while (i > 0 || j > 0) {
    const here = cost[i * cols + j];
    if (i > 0 && j > 0 && here === cost[(i - 1) * cols + j - 1] + (r[i - 1] === h[j - 1] ? 0 : 1)) {
      const same = r[i - 1] === h[j - 1];
      if (!same) s++;
      ops.push({ op: same ? 'equal' : 'substitute', ref: r[i - 1], hyp: h[j - 1] });
      i--;
      j--;
    } else if (i > 0 && here === cost[(i - 1) * cols + j] + 1) {
      d++;
      ops.push({ op: 'delete', ref: r[i - 1] });
      i--;
    } else {
      ins++;
      ops.push({ op: 'insert', hyp: h[j - 1] });
      j--;
    }
  }
  ops.reverse();
  return { ops, substitutions: s, deletions: d, insertions: ins, refWords: r.length };
}

/** Adds up counts (a table's rows) for the corpus-level WER, which weighs every reference word equally. */
export function sumCounts(counts: Iterable<WerCounts>): WerCounts {
  let substitutions = 0,
    deletions = 0,
    insertions = 0,
    refWords = 0;
  for (const c of counts) {
    substitutions += c.substitutions;
    deletions += c.deletions;
    insertions += c.insertions;
    refWords += c.refWords;
  }
  return { substitutions, deletions, insertions, refWords };
}

/**
 * (S + D + I) / N. With no reference words it is undefined: 0 when the hypothesis is empty too, else Infinity
 * (every word is an insertion over nothing).
 */
export function wordErrorRate(c: WerCounts): number {
  const edits = c.substitutions + c.deletions + c.insertions;
  if (c.refWords === 0) return edits === 0 ? 0 : Infinity;
  return edits / c.refWords;
}
