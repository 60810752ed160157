import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { ImageFrame, RunSnapshot, ScalarPoint, TextEntry } from '../protocol/panels';
import type { ScalarLine } from '../protocol/runFiles';
import { StoredRun, readRun } from './runs';

/** Scalar lines grouped by series name, in step order (stable for equal steps). */
export function groupScalars(lines: readonly ScalarLine[]): Record<string, ScalarPoint[]> {
  const out: Record<string, ScalarPoint[]> = {};
  for (const l of lines) (out[l.name] ??= []).push({ step: l.step, value: Number.isFinite(l.value) ? l.value : null, time: l.time });
  for (const points of Object.values(out)) points.sort((a, b) => a.step - b.step);
  return out;
}

/** Everything the run panel needs from a stored run; images are read as PNG bytes (panels never touch files). */
export async function runSnapshot(stored: StoredRun, exerciseId: string, runId: string): Promise<RunSnapshot> {
  const notices = stored.notices.map((n) => `${path.basename(n.file)}: ${n.message}`);
  const images: ImageFrame[] = [];
  for (const img of stored.images) {
    try {
      images.push({ step: img.step, name: img.name, width: img.width, height: img.height, png: new Uint8Array(await readFile(path.join(stored.dir, img.file))) });
    } catch (e) {
      notices.push(`${img.file}: could not be read (${(e as Error).message})`);
    }
  }
  const text: TextEntry[] = stored.text.map((t) => ({ step: t.step, name: t.name, text: t.text }));
  return {
    runId, exerciseId, label: stored.meta?.name ?? runId,
    ...(stored.meta ? { meta: stored.meta } : {}),
    scalars: groupScalars(stored.scalars), images, text,
    ...(stored.summary ? { summary: stored.summary } : {}),
    notices,
  };
}

/** Reads a run folder into a snapshot. */
export async function loadRunSnapshot(workspaceRoot: string, exerciseId: string, runId: string): Promise<RunSnapshot> {
  return runSnapshot(await readRun(runDir(workspaceRoot, exerciseId, runId)), exerciseId, runId);
}

export function runDir(workspaceRoot: string, exerciseId: string, runId: string): string {
  if (/[/\\]|^\.\.?$/.test(runId) || /[/\\]|^\.\.?$/.test(exerciseId)) throw new Error(`Not a run id: "${exerciseId}/${runId}"`);
  return path.join(workspaceRoot, '.multimodal-lab', 'runs', exerciseId, runId);
}
