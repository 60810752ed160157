// Content CI for citations the course once got wrong: each rule names a topic and a citation that must not be
// attached to it, in any template file (comments included, line breaks folded). Attached means the citation follows
// the topic within 60 characters with no ")" between ("Perceiver Resampler (§2.1 and Fig. 3"), or the citation is
// followed by a parenthesis that names the topic ("Fig. 3 (the Perceiver Resampler)"). Flamingo's resampler
// pseudocode is Fig. 5 (Appendix A.1.1), not Fig. 3 (the overview); its media mask is §2.3 with Fig. 7 and
// Appendix A.1.3, not §2.2 (the gated cross-attention layers).
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TEMPLATES, filesUnder } from './harness';

interface Rule {
  readonly topic: string;
  readonly wrong: string;
  readonly right: string;
}

const RULES: readonly Rule[] = [
  { topic: 'resampl', wrong: 'Fig\\. 3\\b', right: "Flamingo's resampler: pseudocode in Fig. 5, Appendix A.1.1" },
  { topic: '\\bmask', wrong: '§2\\.2\\b', right: "Flamingo's media mask: §2.3, Fig. 7 and Appendix A.1.3" },
];

/** The text with comment markers and line breaks folded into single spaces. */
function folded(text: string): string {
  return text
    .split('\n')
    .map((l) => l.replace(/^\s*(\/\/|\/?\*+\/?|#+)\s?/, ''))
    .join(' ')
    .replace(/\s+/g, ' ');
}

/** The passages of `text` where a rule's wrong citation is attached to its topic, with the right one. */
export function wrongCitations(text: string): string[] {
  const flat = folded(text);
  return RULES.flatMap((r) => {
    const after = new RegExp(`${r.topic}[^)]{0,60}?${r.wrong}`, 'gi');
    const before = new RegExp(`${r.wrong}[^()]{0,20}\\([^)]*${r.topic}`, 'gi');
    return [...flat.matchAll(after), ...flat.matchAll(before)].map((m) => `"${m[0]}" — ${r.right}`);
  });
}

describe('content: citations the course once got wrong stay right', () => {
  it('finds the old Flamingo citations and passes the corrected ones', () => {
    const bad = [
      ' * The Perceiver Resampler (Flamingo, Alayrac et al. 2022, §2.1 and\n * Fig. 3; after Jaegle et al. 2021)',
      "Cross-attention and Flamingo's media mask (Alayrac et al. 2022, §2.2 and Fig. 7)",
      '§2.1 and Fig. 3 (the Perceiver Resampler), §2.2 and Fig. 4 (GATED XATTN-DENSE)',
    ];
    const good = [
      'The Perceiver Resampler (§2.1, pseudocode in Fig. 5 of Appendix A.1.1)',
      'Fig. 3 (the overview), §2.1 and Fig. 5 (the Perceiver Resampler and its pseudocode), §2.2 and Fig. 4 (GATED)',
      'The Flamingo bridge (§2 and Fig. 3): the features go through the Perceiver Resampler',
      '§2.2 and Fig. 4 (GATED XATTN-DENSE), §2.3, Fig. 7 and Appendix A.1.3 (the per-image cross-attention mask)',
    ];
    for (const t of bad) assert.equal(wrongCitations(t).length, 1, t);
    for (const t of good) assert.deepEqual(wrongCitations(t), [], t);
  });

  it('no template file cites them wrongly', () => {
    const files = filesUnder(TEMPLATES).filter(
      (f) => /\.(ts|md|json)$/.test(f) && !f.startsWith('workspace/lab/weights'),
    );
    const found = files.flatMap((f) =>
      wrongCitations(readFileSync(join(TEMPLATES, f), 'utf8')).map((w) => `${f}: ${w}`),
    );
    assert.deepEqual(found, []);
  });
});
