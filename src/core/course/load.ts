import { readFile } from 'node:fs/promises';
import {
  findNodeAtLocation,
  parseTree,
  printParseErrorCode,
  type Node,
  type ParseError,
  type Segment,
} from 'jsonc-parser';
import { Course } from './types';
import { validateCourse } from './validate';

/** A problem in a course file, located for the editor (1-based line and column) and the log. */
export interface CourseError {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** JSON path such as `readings[3].hours`, or '' for the whole document. */
  readonly path: string;
  readonly message: string;
}

export type CourseLoad =
  { readonly ok: true; readonly course: Course } | { readonly ok: false; readonly errors: readonly CourseError[] };

/** Parses and validates course text. Pure: `file` is only used to label errors. */
export function parseCourse(text: string, file: string): CourseLoad {
  const syntax: ParseError[] = [];
  const tree = parseTree(text, syntax, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  if (syntax.length > 0 || !tree) {
    const errors = syntax.map((e) => ({
      file,
      ...lineColumn(text, e.offset),
      path: '',
      message: `JSON syntax error: ${humanParseError(printParseErrorCode(e.error))}`,
    }));
    return {
      ok: false,
      errors: errors.length
        ? errors
        : [{ file, line: 1, column: 1, path: '', message: 'the file is empty; expected a course object' }],
    };
  }
  const result = validateCourse(nodeValue(tree));
  if (result.ok) return { ok: true, course: result.value };
  return {
    ok: false,
    errors: result.issues.map((i) => ({
      file,
      ...lineColumn(text, locate(tree, i.path)),
      path: i.path,
      message: i.message,
    })),
  };
}

/** Reads and parses a course file; an unreadable file is reported like any other course error. */
export async function loadCourseFile(file: string): Promise<CourseLoad> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'the file does not exist' : `it could not be read (${code ?? String(e)})`;
    return {
      ok: false,
      errors: [
        {
          file,
          line: 1,
          column: 1,
          path: '',
          message: `${why}; reinstall the extension or restore templates/course.json`,
        },
      ],
    };
  }
  return parseCourse(text.replace(/^\uFEFF/, ''), file);
}

/** `file:line:col path: message`, the shape editors and terminals turn into links. */
export function formatCourseError(e: CourseError): string {
  return `${e.file}:${e.line}:${e.column} ${e.path ? `${e.path}: ` : ''}${e.message}`;
}

// `jsonc-parser`'s getNodeValue keeps duplicate keys' last value, like JSON.parse; we want the same semantics.
function nodeValue(node: Node): unknown {
  switch (node.type) {
    case 'object': {
      const o: Record<string, unknown> = {};
      for (const prop of node.children ?? []) {
        const [k, v] = prop.children ?? [];
        if (k && v) o[String(k.value)] = nodeValue(v);
      }
      return o;
    }
    case 'array':
      return (node.children ?? []).map(nodeValue);
    default:
      return node.value;
  }
}

/** Offset of the deepest node that exists along a `a.b[2].c` path (a missing property points at its parent). */
function locate(tree: Node, path: string): number {
  const segments: Segment[] = [];
  for (const m of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) segments.push(m[2] !== undefined ? Number(m[2]) : m[1]);
  for (let n = segments.length; n >= 0; n--) {
    const node = findNodeAtLocation(tree, segments.slice(0, n));
    if (node) {
      // Point at the property's key for object members so the error sits on the line the author reads.
      const key = node.parent?.type === 'property' ? node.parent.children?.[0] : undefined;
      return (key ?? node).offset;
    }
  }
  return 0;
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

function humanParseError(code: string): string {
  const words: Record<string, string> = {
    InvalidSymbol: 'unexpected character',
    InvalidNumberFormat: 'invalid number',
    PropertyNameExpected: 'expected a property name in double quotes',
    ValueExpected: 'expected a value',
    ColonExpected: 'expected ":"',
    CommaExpected: 'expected "," between items',
    CloseBraceExpected: 'expected "}"',
    CloseBracketExpected: 'expected "]"',
    EndOfFileExpected: 'unexpected content after the end',
    InvalidCommentToken: 'comments are not allowed in course.json',
    UnexpectedEndOfComment: 'unterminated comment',
    UnexpectedEndOfString: 'unterminated string',
    UnexpectedEndOfNumber: 'unterminated number',
    InvalidUnicode: 'invalid \\u escape',
    InvalidEscapeCharacter: 'invalid escape character',
    InvalidCharacter: 'invalid character in string',
  };
  return words[code] ?? code;
}
