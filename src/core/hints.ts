/**
 * Hints are `templates/<id>/hints.md`: one `## TODO(n): title` section per TODO, each with a numbered list of
 * 2–3 progressive hints. A list item may span several lines; indented continuation lines belong to it.
 */
export interface HintSection {
  readonly todo: number;
  readonly title: string;
  readonly hints: readonly string[];
}

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
    else if (/^\s+\S/.test(raw) && current.hints.length > 0) current.hints[current.hints.length - 1] += ` ${raw.trim()}`;
  }
  return sections;
}

/** Hints in the order they are revealed: all of TODO(1)'s first hints before its second, and so on through the TODOs. */
export function hintSequence(sections: readonly HintSection[]): { todo: number; title: string; index: number; text: string }[] {
  return [...sections]
    .sort((a, b) => a.todo - b.todo)
    .flatMap((s) => s.hints.map((text, index) => ({ todo: s.todo, title: s.title, index, text })));
}

/** Markdown showing the first `revealed` hints, grouped by TODO, with how many remain. */
export function revealedHintsMarkdown(exerciseTitle: string, sections: readonly HintSection[], revealed: number): string {
  const seq = hintSequence(sections);
  const shown = seq.slice(0, revealed);
  const lines = [`# Hints — ${exerciseTitle}`, ''];
  let todo = -1;
  for (const h of shown) {
    if (h.todo !== todo) {
      todo = h.todo;
      lines.push(`## TODO(${h.todo})${h.title ? `: ${h.title}` : ''}`, '');
    }
    lines.push(`${h.index + 1}. ${h.text}`);
  }
  lines.push('', shown.length < seq.length ? `_${seq.length - shown.length} more hint(s): run "Show Next Hint" again._` : '_That was the last hint._', '');
  return lines.join('\n');
}
