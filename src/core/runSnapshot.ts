import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { ImageFrame, RecordSeqs, RunSnapshot, ScalarPoint, TextEntry } from '../protocol/panels';
import {
  isRunnerSeries,
  type ImageLine,
  type NonFiniteValue,
  type RunDivergence,
  type RunMeta,
  type ScalarLine,
} from '../protocol/runFiles';
import type { ProcessLiveness } from './runLiveness';
import { StoredRun, readRun } from './runs';
import { insightRecords } from './insights';
import { INSIGHT_FILES, runDir, type InsightFile } from './runStore';
import { pngBytes } from './runRecords';

export { pngBytes };

/** Scalar lines grouped by series name, in step order (stable for equal steps). */
export function groupScalars(lines: readonly ScalarLine[]): Record<string, ScalarPoint[]> {
  const out: Record<string, ScalarPoint[]> = {};
  for (const l of lines)
    (out[l.name] ??= []).push({ step: l.step, value: Number.isFinite(l.value) ? l.value : null, time: l.time });
  for (const points of Object.values(out)) points.sort((a, b) => a.step - b.step);
  return out;
}

const DIVERGED = /^(\S+) became (NaN|-?Infinity) at step (\d+)\b/;

/**
 * How a `nan` run diverged: meta.json's record when the runner wrote one, else worked out from its reason (the lab's
 * NonFiniteError message, which terminal and older runs keep) and the last finite value of each logged series.
 */
export function storedDivergence(meta: RunMeta | undefined, scalars: readonly ScalarLine[]): RunDivergence | undefined {
  if (meta?.status !== 'nan') return undefined;
  if (meta.divergence) return meta.divergence;
  const m = DIVERGED.exec(meta.reason ?? '');
  if (!m) return undefined;
  const step = Number(m[3]);
  const lastFinite: Record<string, { step: number; value: number }> = {};
  for (const l of scalars) {
    if (isRunnerSeries(l.name) || l.step > step || !Number.isFinite(l.value)) continue;
    const seen = lastFinite[l.name];
    if (!seen || l.step >= seen.step) lastFinite[l.name] = { step: l.step, value: l.value };
  }
  return { metric: m[1], value: m[2] as NonFiniteValue, step, lastFinite };
}

/**
 * How image data travels, replayed or live: the lab writes the PNG into the run folder and an ImageLine (or the live
 * `image` event, which has the same fields) names it; the extension host reads the bytes here, and only here, and posts
 * them to the panel as plain bytes. Panels never touch files, and no PNG travels over the runner's IPC.
 */
export async function readImageFrame(
  runDir: string,
  img: Pick<ImageLine, 'step' | 'name' | 'file' | 'width' | 'height'>,
): Promise<ImageFrame> {
  const png = pngBytes(await readFile(path.join(runDir, img.file)));
  return { step: img.step, name: img.name, width: img.width, height: img.height, png };
}

/** The highest `seq` read from each record file of a run (0 where none has one): where a live stream joins a replay. */
export function lastSeqs(stored: Pick<StoredRun, 'scalars' | 'images' | 'text' | 'insights'>): RecordSeqs {
  const max = (lines: ReadonlyArray<{ readonly seq?: number }>): number =>
    lines.reduce((m, l) => (l.seq !== undefined && l.seq > m ? l.seq : m), 0);
  const insights = Object.fromEntries(INSIGHT_FILES.map((f) => [f, max(stored.insights[f])])) as Record<
    InsightFile,
    number
  >;
  return { scalars: max(stored.scalars), images: max(stored.images), text: max(stored.text), ...insights };
}

/** Everything the run panel needs from a stored run; images are read as PNG bytes (panels never touch files). */
export async function runSnapshot(stored: StoredRun, exerciseId: string, runId: string): Promise<RunSnapshot> {
  const notices = stored.notices.map((n) => `${path.basename(n.file)}: ${n.message}`);
  const images: ImageFrame[] = [];
  for (const img of stored.images) {
    try {
      images.push(await readImageFrame(stored.dir, img));
    } catch (e) {
      notices.push(`${img.file}: could not be read (${(e as Error).message})`);
    }
  }
  const text: TextEntry[] = stored.text.map((t) => ({ step: t.step, name: t.name, text: t.text }));
  const insights = await insightRecords(stored.dir, stored.insights);
  notices.push(...insights.notices);
  const divergence = storedDivergence(stored.meta, stored.scalars);
  return {
    runId,
    exerciseId,
    label: stored.meta?.name ?? runId,
    ...(stored.meta ? { meta: stored.meta } : {}),
    scalars: groupScalars(stored.scalars),
    images,
    text,
    insights: insights.records,
    ...(stored.summary ? { summary: stored.summary } : {}),
    ...(divergence ? { divergence } : {}),
    lastSeq: lastSeqs(stored),
    notices,
  };
}

/**
 * Reads a run folder into a snapshot; with `liveness`, a `running` run whose process is gone reads as ended (see
 * readRun).
 */
export async function loadRunSnapshot(
  workspaceRoot: string,
  exerciseId: string,
  runId: string,
  liveness?: ProcessLiveness,
): Promise<RunSnapshot> {
  return runSnapshot(await readRun(runDir(workspaceRoot, exerciseId, runId), liveness), exerciseId, runId);
}
