/**
 * Reading a run folder's files, the part both the run reader (runs.ts) and the insight records (insights.ts) need:
 * JSON lines that tolerate a kill mid-write, and file bytes in the form a webview message can carry.
 */
import { readFile } from 'node:fs/promises';

/** Something in a run folder that could not be used as it was; the rest of the run is still shown. */
export interface RunNotice {
  readonly file: string;
  readonly message: string;
}

export interface JsonlRead<T> {
  readonly items: T[];
  readonly notices: RunNotice[];
}

/**
 * Reads a JSON-lines file. A last line without a newline that does not parse is a write cut short by a kill:
 * it is dropped with a notice. A bad line in the middle is skipped with its line number. A missing file is empty.
 */
export async function readJsonl<T>(file: string, isItem: (v: unknown) => v is T): Promise<JsonlRead<T>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { items: [], notices: [] };
    return { items: [], notices: [{ file, message: `could not be read: ${(e as Error).message}` }] };
  }
  return parseJsonl(text, file, isItem);
}

/** The pure part of `readJsonl`. */
export function parseJsonl<T>(text: string, file: string, isItem: (v: unknown) => v is T): JsonlRead<T> {
  const items: T[] = [];
  const notices: RunNotice[] = [];
  const lines = text.split('\n');
  const complete = text.endsWith('\n');
  let bad = 0;
  let firstBad = 0;
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const last = i === lines.length - 1;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      if (last && !complete)
        notices.push({
          file,
          message: `the last line (${i + 1}) was cut off mid-write, probably by a killed process; it was skipped`,
        });
      else if (bad++ === 0) firstBad = i + 1;
      return;
    }
    if (isItem(value)) items.push(value);
    else if (bad++ === 0) firstBad = i + 1;
  });
  if (bad > 0)
    notices.push({
      file,
      message: `${bad} line(s) were not valid records and were skipped (first at line ${firstBad})`,
    });
  return { items, notices };
}

/**
 * PNG bytes as a plain Uint8Array, copied. A Node Buffer (what fs and `vscode.workspace.fs.readFile` return) must not
 * be posted as is: its toJSON turns it into `{type: 'Buffer', data: […]}` before VS Code can transfer it as bytes.
 */
export function pngBytes(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.byteLength);
  out.set(bytes);
  return out;
}
