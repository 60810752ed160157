/**
 * Hints are `templates/<id>/hints.md`: one `## TODO(n): title` section per TODO, each with a numbered list of
 * 2–3 progressive hints. A list item may span several lines; indented continuation lines belong to it.
 */
export interface HintSection {
  readonly todo: number;
  readonly title: string;
  readonly hints: readonly string[];
}

/** The TODO sections of a hints file, in the order written. */
export function parseHints(markdown: string): HintSection[] {
  const sections: { todo: number; title: string; hints: string[] }[] = [];
  let current: (typeof sections)[number] | undefined;
  for (const raw of markdown.split('\n')) {
    const heading = /^##\s+TODO\((\d+)\)\s*:?\s*(.*)$/.exec(raw);
    if (heading) {
      current = { todo: Number(heading[1]), title: heading[2].trim(), hints: [] };
      sections.push(current);
      continue;
    }
    if (!current) continue;
    const item = /^\d+\.\s+(.*)$/.exec(raw);
    if (item) current.hints.push(item[1].trim());
    else if (/^\s+\S/.test(raw) && current.hints.length > 0)
      current.hints[current.hints.length - 1] += ` ${raw.trim()}`;
  }
  return sections;
}

/** How many hints of each TODO have been revealed: TODO number → count. */
export type HintCounts = Readonly<Record<number, number>>;

/**
 * Markdown of the revealed hints, one section per TODO that has any, each saying how many of its hints are shown,
 * headed by every TODO's count so the learner sees where help is left.
 */
export function hintsMarkdown(exerciseTitle: string, sections: readonly HintSection[], counts: HintCounts): string {
  const ordered = [...sections].sort((a, b) => a.todo - b.todo);
  const shown = (s: HintSection): number => Math.min(s.hints.length, counts[s.todo] ?? 0);
  const lines = [`# Hints — ${exerciseTitle}`, ''];
  lines.push(
    ordered.map((s) => `TODO(${s.todo})${s.title ? ` ${s.title}` : ''}: ${shown(s)} of ${s.hints.length}`).join(' · '),
    '',
  );
  const revealed = ordered.filter((s) => shown(s) > 0);
  if (revealed.length === 0)
    lines.push('_No hint revealed yet: run "Show Next Hint" with the cursor in a TODO\'s code, or pick a TODO._', '');
  for (const s of revealed) {
    const n = shown(s);
    lines.push(`## TODO(${s.todo})${s.title ? `: ${s.title}` : ''} — ${n} of ${s.hints.length} hints shown`, '');
    s.hints.slice(0, n).forEach((h, i) => lines.push(`${i + 1}. ${h}`));
    const left = s.hints.length - n;
    lines.push(
      '',
      left > 0
        ? `_${left} more hint${left === 1 ? '' : 's'} for TODO(${s.todo}): run "Show Next Hint" again._`
        : `_That was the last hint for TODO(${s.todo})._`,
      '',
    );
  }
  return lines.join('\n');
}

const TODO_MENTION = /TODO\((\d+)\)/;

/** The TODO a test title, a failure message or a line of code names first (`TODO(3): …` → 3). */
export function todoIn(text: string): number | undefined {
  const m = TODO_MENTION.exec(text);
  return m ? Number(m[1]) : undefined;
}

/**
 * The TODO that code at `line` (0-based) belongs to: the nearest `TODO(n)` mentioned at or above it (a TODO's comment
 * heads the code that implements it), or, above every TODO, the first one below.
 */
export function todoAtLine(source: string, line: number): number | undefined {
  const lines = source.split('\n');
  for (let i = Math.min(line, lines.length - 1); i >= 0; i--) {
    const todo = todoIn(lines[i]);
    if (todo !== undefined) return todo;
  }
  for (let i = line + 1; i < lines.length; i++) {
    const todo = todoIn(lines[i]);
    if (todo !== undefined) return todo;
  }
  return undefined;
}
