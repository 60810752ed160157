import { readFile, readdir, rm, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { ImageLine, RunMeta, RunSummary, ScalarLine, TextLine } from '../protocol/runFiles';
import { readInsightLines, type InsightLineSets } from './insights';
import { readJsonl, type RunNotice } from './runRecords';
import { ProcessLiveness, settleRunMeta } from './runLiveness';
export { parseJsonl, readJsonl, type JsonlRead, type RunNotice } from './runRecords';

import { RUN_FILES, RUN_META_VERSION, exerciseRunsDir, runDir, runFile, runsRoot, updateMeta } from './runStore';

const isNum = (v: unknown): v is number => typeof v === 'number';
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function isScalarLine(v: unknown): v is ScalarLine {
  // NaN and Infinity are written as null by JSON.stringify; keep such points so the chart can mark them.
  return isObj(v) && isNum(v.step) && typeof v.name === 'string' && (isNum(v.value) || v.value === null);
}
export function isImageLine(v: unknown): v is ImageLine {
  return (
    isObj(v) &&
    isNum(v.step) &&
    typeof v.name === 'string' &&
    typeof v.file === 'string' &&
    isNum(v.width) &&
    isNum(v.height)
  );
}
export function isTextLine(v: unknown): v is TextLine {
  return isObj(v) && isNum(v.step) && typeof v.name === 'string' && typeof v.text === 'string';
}

export interface StoredRun {
  readonly dir: string;
  readonly meta?: RunMeta;
  readonly scalars: ScalarLine[];
  readonly images: ImageLine[];
  readonly text: TextLine[];
  /** The records that look inside a model, per insight file (insights.ts). */
  readonly insights: InsightLineSets;
  readonly summary?: RunSummary;
  readonly notices: RunNotice[];
}

async function readJson(file: string, notices: RunNotice[], what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT')
      notices.push({ file, message: `${what} could not be read: ${(e as Error).message}` });
    else if (what === RUN_FILES.meta)
      notices.push({ file, message: 'meta.json is missing; the run is shown without its configuration and status' });
    return undefined;
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    notices.push({ file, message: `${what} is not valid JSON (${(e as Error).message}); it was ignored` });
    return undefined;
  }
}

/**
 * Reads everything a run folder holds, tolerating what a crash or a kill leaves behind. With `liveness`, a `running`
 * run whose process is gone reads as ended without a record (src/core/runLiveness).
 */
export async function readRun(dir: string, liveness?: ProcessLiveness): Promise<StoredRun> {
  const notices: RunNotice[] = [];
  const metaFile = runFile(dir, 'meta');
  const rawMeta = await readJson(metaFile, notices, RUN_FILES.meta);
  let meta: RunMeta | undefined;
  if (isObj(rawMeta) && typeof rawMeta.runId === 'string' && typeof rawMeta.status === 'string') {
    meta = settleRunMeta(rawMeta as unknown as RunMeta, liveness);
    if (isNum(meta.version) && meta.version > RUN_META_VERSION) {
      notices.push({
        file: metaFile,
        message: `meta.json is version ${meta.version}, newer than this Multimodal Lab reads (${RUN_META_VERSION}); fields it does not know are ignored`,
      });
    }
  } else if (rawMeta !== undefined) {
    notices.push({ file: metaFile, message: 'meta.json has no runId or status; it was ignored' });
  }
  const [scalars, images, text] = await Promise.all([
    readJsonl(runFile(dir, 'scalars'), isScalarLine),
    readJsonl(runFile(dir, 'images'), isImageLine),
    readJsonl(runFile(dir, 'text'), isTextLine),
  ]);
  const insights = await readInsightLines(dir);
  notices.push(...scalars.notices, ...images.notices, ...text.notices, ...insights.notices);
  const presentImages: ImageLine[] = [];
  let missingImages = 0;
  for (const img of images.items) {
    if (
      await stat(path.join(dir, img.file)).then(
        () => true,
        () => false,
      )
    )
      presentImages.push(img);
    else missingImages++;
  }
  if (missingImages > 0)
    notices.push({
      file: runFile(dir, 'imagesDir'),
      message: `${missingImages} logged image(s) are missing from disk and are not shown`,
    });
  const rawSummary = await readJson(runFile(dir, 'summary'), notices, RUN_FILES.summary);
  return {
    dir,
    meta,
    scalars: scalars.items,
    images: presentImages,
    text: text.items,
    insights: insights.lines,
    summary: isObj(rawSummary) ? (rawSummary as RunSummary) : undefined,
    notices,
  };
}

export interface RunListing {
  readonly runId: string;
  readonly dir: string;
  readonly meta?: RunMeta;
}

/** The runs of one exercise, newest first (by start time, then by folder name); `liveness` as for `readRun`. */
export async function listRuns(
  workspaceRoot: string,
  exerciseId: string,
  liveness?: ProcessLiveness,
): Promise<RunListing[]> {
  const entries = await readdir(exerciseRunsDir(workspaceRoot, exerciseId), { withFileTypes: true }).catch(() => []);
  const runs = await Promise.all(
    entries
      .filter((e) => e.isDirectory())
      .map(async (e): Promise<RunListing> => {
        const dir = runDir(workspaceRoot, exerciseId, e.name);
        const meta = await readFile(runFile(dir, 'meta'), 'utf8').then(
          (t) => JSON.parse(t) as RunMeta,
          () => undefined,
        );
        return { runId: e.name, dir, meta: isObj(meta) ? settleRunMeta(meta, liveness) : undefined };
      }),
  );
  return runs.sort(
    (a, b) => (b.meta?.startedAt ?? '').localeCompare(a.meta?.startedAt ?? '') || b.runId.localeCompare(a.runId),
  );
}

/** Gives a run a learner-facing name, kept in meta.json (the folder keeps its id). */
export async function renameRun(dir: string, name: string): Promise<void> {
  const trimmed = name.trim();
  if (!trimmed) throw new Error('A run name cannot be empty.');
  if (!updateMeta(dir, { name: trimmed })) {
    throw new Error(
      `Cannot rename the run: ${runFile(dir, 'meta')} is missing or unreadable. The run keeps its id as its name.`,
    );
  }
}

/** Deletes a run folder; refuses anything that is not a folder directly under `.multimodal-lab/runs/<exercise>/`. */
export async function deleteRun(workspaceRoot: string, dir: string): Promise<void> {
  const runs = runsRoot(workspaceRoot);
  const rel = path.relative(runs, dir);
  if (rel.startsWith('..') || path.isAbsolute(rel) || rel.split(path.sep).length !== 2) {
    throw new Error(`Refusing to delete ${dir}: it is not a run folder under ${runs}.`);
  }
  await rm(dir, { recursive: true, force: true });
}
