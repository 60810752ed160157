/**
 * Finds mocha `describe`/`it` blocks in a test file without running it, so the Test Explorer can list tests the
 * moment an exercise is scaffolded. The runner's `testsDiscovered` event replaces this with the authoritative list
 * when tests run; this only has to be right for the plain style the exercise tests are written in.
 */
export interface DiscoveredTest {
  /** Titles from the outermost describe to the test. */
  readonly path: readonly string[];
  /** 1-based line of the `it(`. */
  readonly line: number;
}

const BLOCK = /\b(describe|context|it|specify|test|suite)(?:\.only)?\s*\(\s*(['"`])((?:\\.|(?!\2).)*)\2/g;

/** Lists tests with their suite path and line, tracking nesting by brace depth. */
export function discoverTests(source: string): DiscoveredTest[] {
  const tests: DiscoveredTest[] = [];
  const suites: { title: string; depth: number }[] = [];
  let depth = 0;
  const lines = source.split('\n');
  lines.forEach((text, i) => {
    const code = stripStringsAndComments(text);
    BLOCK.lastIndex = 0;
    let m: RegExpExecArray | null;
    const found: { kind: string; title: string; at: number }[] = [];
    while ((m = BLOCK.exec(text)) !== null)
      found.push({ kind: m[1], title: m[3].replace(/\\(.)/g, '$1'), at: m.index });
    // Depth at each block start decides which suites are still open.
    let cursor = 0;
    for (const f of found) {
      depth += braceDelta(code.slice(cursor, f.at));
      cursor = f.at;
      while (suites.length > 0 && suites[suites.length - 1].depth >= depth + 1) suites.pop();
      if (f.kind === 'describe' || f.kind === 'context' || f.kind === 'suite')
        suites.push({ title: f.title, depth: depth + 1 });
      else tests.push({ path: [...suites.map((s) => s.title), f.title], line: i + 1 });
    }
    depth += braceDelta(code.slice(cursor));
    while (suites.length > 0 && suites[suites.length - 1].depth > depth) suites.pop();
  });
  return tests;
}

function braceDelta(code: string): number {
  let d = 0;
  for (const ch of code) {
    if (ch === '{') d++;
    else if (ch === '}') d--;
  }
  return d;
}

/** Blanks out string contents and line comments so braces inside them do not count. */
function stripStringsAndComments(line: string): string {
  let out = '';
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quote) {
      if (ch === '\\') {
        out += '  ';
        i++;
      } else if (ch === quote) {
        quote = undefined;
        out += ch;
      } else out += ' ';
    } else if (ch === '/' && line[i + 1] === '/') {
      break;
    } else {
      if (ch === '"' || ch === "'" || ch === '`') quote = ch;
      out += ch;
    }
  }
  return out;
}
