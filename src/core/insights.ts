/**
 * Reading the records that look inside a model (src/protocol/insightFiles.ts) from a run folder, and turning them into
 * what the run panel receives: the same path for a replay (runSnapshot) and a live event (the extension's runPanels),
 * so the two cannot differ. Media files (an attention map's image, a sound, a table's image and audio cells) are read
 * here as bytes: panels never touch files.
 */
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { INSIGHT_EVENT_TYPES, isInsightRecord, type InsightLines, type TableCellLine } from '../protocol/insightFiles';
import type { InsightEntries, InsightRecords, TableCell } from '../protocol/panels';
import { pngBytes, readJsonl, type RunNotice } from './runRecords';
import { INSIGHT_FILES, runFile, type InsightFile } from './runStore';

/** The records of each insight file of a run, as read (a file the run never wrote has none). */
export type InsightLineSets = { readonly [F in InsightFile]: Array<Omit<InsightLines[F], 'time'>> };

type SameKeys<A, B> = [Exclude<keyof A, keyof B>, Exclude<keyof B, keyof A>] extends [never, never] ? true : false;
/** Compile-time: the run store's insight files are the protocol's, one for one. */
export const INSIGHT_FILES_MATCH_PROTOCOL: SameKeys<Record<InsightFile, 0>, typeof INSIGHT_EVENT_TYPES> = true;

/** Reads every insight file of the run folder `dir` (a missing file is empty; cut-off last lines are skipped). */
export async function readInsightLines(dir: string): Promise<{ lines: InsightLineSets; notices: RunNotice[] }> {
  const read = <F extends InsightFile>(file: F) =>
    readJsonl(runFile(dir, file), (v): v is Omit<InsightLines[F], 'time'> => isInsightRecord(file, v));
  const [matrices, attention, embeddings, audio, histograms, tables] = await Promise.all(INSIGHT_FILES.map(read));
  const lines = { matrices, attention, embeddings, audio, histograms, tables };
  return {
    lines: Object.fromEntries(INSIGHT_FILES.map((f) => [f, lines[f].items])) as unknown as InsightLineSets,
    notices: INSIGHT_FILES.flatMap((f) => lines[f].notices),
  };
}

/** A file of the run folder as plain bytes (see pngBytes: never a Node Buffer). */
async function bytesOf(runDir: string, file: string): Promise<Uint8Array> {
  return pngBytes(await readFile(path.join(runDir, file)));
}

async function tableCell(runDir: string, cell: TableCellLine): Promise<TableCell> {
  if (cell === null || typeof cell !== 'object') return cell;
  if ('image' in cell) return { image: await bytesOf(runDir, cell.image), width: cell.width, height: cell.height };
  return { audio: await bytesOf(runDir, cell.audio), sampleRate: cell.sampleRate, samples: cell.samples };
}

/**
 * What the panel receives of one record of `file`: the record without `seq` and `time`, its media read as bytes.
 * Rejects when a media file cannot be read (the caller says which, and goes on without the record).
 */
export async function insightEntry<F extends InsightFile>(
  runDir: string,
  file: F,
  record: Omit<InsightLines[F], 'time'> & { readonly time?: number; readonly type?: string },
): Promise<InsightEntries[F]> {
  const fields: Record<string, unknown> = Object.fromEntries(
    Object.entries(record).filter(([k]) => k !== 'seq' && k !== 'time' && k !== 'type'),
  );
  if (file === 'attention' || file === 'audio') {
    const { file: media, ...rest } = fields as { file: string };
    const bytes = await bytesOf(runDir, media);
    return { ...rest, [file === 'attention' ? 'png' : 'wav']: bytes } as unknown as InsightEntries[F];
  }
  if (file === 'tables') {
    const rows = fields.rows as ReadonlyArray<readonly TableCellLine[]>;
    const cells = await Promise.all(rows.map((r) => Promise.all(r.map((c) => tableCell(runDir, c)))));
    return { ...fields, rows: cells } as unknown as InsightEntries[F];
  }
  return fields as unknown as InsightEntries[F];
}

/** The panel's view of every insight record read from `runDir`; a record whose media is missing is left out. */
export async function insightRecords(
  runDir: string,
  lines: InsightLineSets,
): Promise<{ records: InsightRecords; notices: string[] }> {
  const notices: string[] = [];
  const records: Record<string, unknown[]> = {};
  for (const file of INSIGHT_FILES) {
    const entries: unknown[] = [];
    let missing = 0;
    for (const line of lines[file] as ReadonlyArray<Omit<InsightLines[InsightFile], 'time'>>) {
      try {
        entries.push(await insightEntry(runDir, file, line as never));
      } catch {
        missing++;
      }
    }
    if (missing > 0)
      notices.push(
        `${runFile('', file)}: ${missing} record(s) name a file that is missing from disk or unreadable; they are not shown`,
      );
    if (entries.length > 0) records[file] = entries;
  }
  return { records: records as InsightRecords, notices };
}
