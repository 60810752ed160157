// Turns a stack trace into the place a learner should look: the innermost frame inside their exercise folder
// (source-mapped back to their TypeScript by the require hook), never a frame in node_modules or in lab/.
import { isAbsolute, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SourceLocation } from '../protocol/runner';

const FRAME = /^\s*at (?:.*? \()?(.+?):(\d+):(\d+)\)?\s*$/;

/** All frames of `stack` that name a file, innermost first. */
export function parseFrames(stack: string): SourceLocation[] {
  const frames: SourceLocation[] = [];
  for (const line of stack.split('\n')) {
    const m = FRAME.exec(line);
    if (!m) continue;
    let file = m[1];
    if (file.startsWith('file://')) file = fileURLToPath(file);
    if (!isAbsolute(file)) continue;
    frames.push({ file, line: Number(m[2]), column: Number(m[3]) });
  }
  return frames;
}

/** True when `file` lies inside `dir` and not in a node_modules folder. */
export function isInside(file: string, dir: string): boolean {
  const rel = relative(dir, file);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) && !rel.split(sep).includes('node_modules');
}

/** The innermost frame of `stack` inside `dir`, if any. */
export function locateIn(stack: string | undefined, dir: string): SourceLocation | undefined {
  if (!stack) return undefined;
  return parseFrames(stack).find((f) => isInside(f.file, dir));
}

/** The innermost frame of `stack` in `file` itself (e.g. the `it(` call in a test file). */
export function locateFile(stack: string | undefined, file: string): SourceLocation | undefined {
  if (!stack) return undefined;
  return parseFrames(stack).find((f) => f.file === file);
}
