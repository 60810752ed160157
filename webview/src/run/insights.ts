/**
 * The run panel's store of the records that look inside a model (matrices, attention maps, embeddings, audio,
 * histograms, tables): per kind, per series name, the entries sorted by step, as images and text are kept. Pure data,
 * no DOM; the views (a later step) read it at the cursor's step. Malformed entries are skipped with a notice, never
 * thrown, so one bad record cannot blank the panel.
 */
import { INSIGHT_EVENT_TYPES } from '../../../src/protocol/insightFiles';
import type { InsightEntries, InsightRecords, TableCell } from '../../../src/protocol/panels';
import { toBytes } from './bytes';

export type InsightKind = keyof InsightEntries;
export const INSIGHT_KINDS = Object.keys(INSIGHT_EVENT_TYPES) as InsightKind[];

/** Per kind: per series name, its entries sorted by step (one per step; a later record at a step replaces it). */
export type InsightMaps = { readonly [K in InsightKind]: Map<string, Array<InsightEntries[K]>> };

export function emptyInsights(): InsightMaps {
  return {
    matrices: new Map(),
    attention: new Map(),
    embeddings: new Map(),
    audio: new Map(),
    histograms: new Map(),
    tables: new Map(),
  };
}

/** What a kind's record is called in a notice. */
const RECORD_NAMES: Record<InsightKind, string> = {
  matrices: 'matrix',
  attention: 'attention map',
  embeddings: 'embedding',
  audio: 'sound',
  histograms: 'histogram',
  tables: 'table',
};

/**
 * An entry with its bytes as a Uint8Array however they were posted (see toBytes), or a reason it cannot be kept.
 * Only attention maps, sounds and tables carry bytes; the other kinds pass as they are.
 */
function withBytes<K extends InsightKind>(kind: K, e: InsightEntries[K]): InsightEntries[K] | string {
  if (kind === 'attention' || kind === 'audio') {
    const field = kind === 'attention' ? 'png' : 'wav';
    const bytes = toBytes((e as unknown as Record<string, unknown>)[field]);
    return bytes ? ({ ...e, [field]: bytes } as InsightEntries[K]) : `arrived without its ${field.toUpperCase()} bytes`;
  }
  if (kind === 'tables') {
    const rows = (e as InsightEntries['tables']).rows;
    if (!Array.isArray(rows)) return 'arrived without its rows';
    let lost = 0;
    const fixed = rows.map((r) =>
      (Array.isArray(r) ? r : []).map((c) => (c === null ? c : (cellWithBytes(c) ?? (lost++, null)))),
    );
    return lost > 0
      ? `arrived with ${lost} image or audio cell(s) without their bytes`
      : ({ ...e, rows: fixed } as InsightEntries[K]);
  }
  return e;
}

function cellWithBytes(c: TableCell): TableCell | undefined {
  if (c === null || typeof c !== 'object') return c;
  if ('image' in c) {
    const image = toBytes(c.image);
    return image && { ...c, image };
  }
  const audio = toBytes(c.audio);
  return audio && { ...c, audio };
}

/** Adds the records of a load or an append; returns true when a series of any kind appeared (views rebuild). */
export function addInsights(maps: InsightMaps, records: InsightRecords | undefined, notices: string[]): boolean {
  if (!records || typeof records !== 'object') return false;
  let added = false;
  for (const kind of INSIGHT_KINDS) {
    const entries: unknown = records[kind];
    if (!Array.isArray(entries)) continue;
    for (const e of entries as Array<InsightEntries[typeof kind]>) {
      if (!e || typeof e.name !== 'string' || typeof e.step !== 'number') {
        notices.push(`A ${RECORD_NAMES[kind]} record without a name or step was skipped.`);
        continue;
      }
      const kept = withBytes(kind, e);
      if (typeof kept === 'string') {
        notices.push(
          `The ${RECORD_NAMES[kind]} "${e.name}" of step ${e.step} ${kept}; reopen the run from the tree to read it from disk.`,
        );
        continue;
      }
      const map = maps[kind] as Map<string, Array<InsightEntries[typeof kind]>>;
      if (!map.has(e.name)) added = true;
      insertSorted(map, e.name, kept);
    }
  }
  return added;
}

/** Keeps each list sorted by step; a record at an existing step replaces it (the later write wins). */
export function insertSorted<T extends { readonly step: number }>(map: Map<string, T[]>, name: string, item: T): void {
  let list = map.get(name);
  if (!list) map.set(name, (list = []));
  let i = list.length;
  while (i > 0 && list[i - 1].step > item.step) i--;
  if (i > 0 && list[i - 1].step === item.step) list[i - 1] = item;
  else list.splice(i, 0, item);
}
