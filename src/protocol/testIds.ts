/**
 * A test's id, the same on both sides of the runner boundary: the runner's reporter names each mocha test by it
 * (src/runner/testReporter.ts), and the Test Explorer items the extension discovers statically carry the same id
 * (src/extension/testing.ts), so an outcome finds its item.
 *
 *   <absolute test file>::<outermost suite title> > … > <test title>
 */

const FILE_END = '::';
const TITLE_SEPARATOR = ' > ';

/** The id of the test (or suite) at `titles`, from the outermost suite in, in `file`. */
export function testId(file: string, titles: readonly string[]): string {
  return `${file}${FILE_END}${titles.join(TITLE_SEPARATOR)}`;
}

/**
 * The file and titles of a test id, or undefined for a string that is not one. The file ends at the first `::` (a
 * title may hold `::`, a path does not); a title that holds ` > ` comes back split there.
 */
export function parseTestId(id: string): { readonly file: string; readonly titles: string[] } | undefined {
  const end = id.indexOf(FILE_END);
  if (end < 0) return undefined;
  const rest = id.slice(end + FILE_END.length);
  return { file: id.slice(0, end), titles: rest === '' ? [] : rest.split(TITLE_SEPARATOR) };
}

/** True when `id` names a test in `file`. */
export function isTestOfFile(id: string, file: string): boolean {
  return id.startsWith(`${file}${FILE_END}`);
}
