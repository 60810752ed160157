/**
 * What the run panel knows: the runs from the last `load` (1 run, or 2–4 to compare), extended by `append` and
 * `status`. Pure data, no DOM, so it is unit-tested directly. Malformed records are skipped and counted as notices,
 * never thrown, so one bad frame cannot blank the panel.
 */
import type {
  ImageFrame,
  InsightRecords,
  RunLiveStatus,
  RunSnapshot,
  ScalarPoint,
  TextEntry,
} from '../../../src/protocol/panels';
import type { RunDivergence, RunMeta, RunSummary } from '../../../src/protocol/runFiles';
import { toBytes } from './bytes';
import { addInsights, emptyInsights, insertSorted, type InsightMaps } from './insights';
import { SeriesStore } from './seriesStore';

export interface RunState {
  readonly runId: string;
  readonly exerciseId: string;
  readonly label: string;
  readonly meta?: RunMeta;
  readonly scalars: Map<string, SeriesStore>;
  /** Per image series name: frames sorted by step. */
  readonly images: Map<string, ImageFrame[]>;
  /** Per text series name: entries sorted by step. */
  readonly text: Map<string, TextEntry[]>;
  /** Matrices, attention maps, embeddings, sounds, histograms and tables: per kind, per name, sorted by step. */
  readonly insights: InsightMaps;
  summary?: RunSummary;
  live?: RunLiveStatus;
  /** How the run diverged, from the snapshot or a live status (see ending.ts for what is shown). */
  divergence?: RunDivergence;
  readonly notices: string[];
}

export class RunModel {
  runs: RunState[] = [];
  /** Panel-level notices (`notice` messages and problems found in messages). */
  readonly notices: string[] = [];
  /** Bumped when the set of runs, series or images changes shape (views rebuild), not on every point. */
  layoutVersion = 0;

  load(snapshots: readonly RunSnapshot[]): void {
    this.runs = snapshots.slice(0, 4).map((s) => fromSnapshot(s));
    if (snapshots.length > 4) this.notices.push(`Only the first 4 of ${snapshots.length} runs are compared.`);
    this.layoutVersion++;
  }

  run(runId: string): RunState | undefined {
    return this.runs.find((r) => r.runId === runId);
  }

  /** Adds new records to a loaded run; returns false (with a notice) for a run that is not shown. */
  append(
    runId: string,
    scalars?: Readonly<Record<string, readonly ScalarPoint[]>>,
    images?: readonly ImageFrame[],
    text?: readonly TextEntry[],
    insights?: InsightRecords,
  ): boolean {
    const run = this.run(runId);
    if (!run) return false;
    if (addScalars(run, scalars)) this.layoutVersion++;
    if (addImages(run, images ?? [])) this.layoutVersion++;
    if (addText(run, text ?? [])) this.layoutVersion++;
    if (addInsights(run.insights, insights, run.notices)) this.layoutVersion++;
    return true;
  }

  status(runId: string, live: RunLiveStatus, summary?: RunSummary): boolean {
    const run = this.run(runId);
    if (!run) return false;
    // Merged, not replaced: a status sent for a summary or the ending does not repeat the speed, memory or plan the
    // last `stats` gave, and the header keeps showing them.
    run.live = { ...run.live, ...live };
    if (summary) run.summary = summary;
    if (live.divergence && markDivergence(run, live.divergence)) this.layoutVersion++;
    return true;
  }

  get compare(): boolean {
    return this.runs.length > 1;
  }
}

function fromSnapshot(s: RunSnapshot): RunState {
  const run: RunState = {
    runId: String(s.runId),
    exerciseId: String(s.exerciseId ?? ''),
    label: String(s.label ?? s.runId),
    meta: s.meta,
    scalars: new Map(),
    images: new Map(),
    text: new Map(),
    insights: emptyInsights(),
    summary: s.summary,
    live: s.live,
    notices: Array.isArray(s.notices) ? s.notices.map(String) : [],
  };
  addScalars(run, s.scalars);
  addImages(run, Array.isArray(s.images) ? s.images : []);
  addText(run, Array.isArray(s.text) ? s.text : []);
  addInsights(run.insights, s.insights, run.notices);
  const divergence = s.divergence ?? s.meta?.divergence ?? s.live?.divergence;
  if (divergence) markDivergence(run, divergence);
  return run;
}

/**
 * Records the divergence and puts its non-finite point (a gap) into the diverged metric's series, so that series has a
 * chart even when the run died at its first logged step, and the chart's steps reach it. Returns true for a new series.
 */
function markDivergence(run: RunState, d: RunDivergence): boolean {
  if (typeof d?.metric !== 'string' || typeof d.step !== 'number') return false;
  run.divergence = d;
  let store = run.scalars.get(d.metric);
  const added = !store;
  if (!store) run.scalars.set(d.metric, (store = new SeriesStore()));
  if (store.length === 0 || store.steps[store.length - 1] < d.step) store.append([{ step: d.step, value: null }]);
  return added;
}

/** Returns true when a new series appeared. */
function addScalars(run: RunState, scalars: Readonly<Record<string, readonly ScalarPoint[]>> | undefined): boolean {
  let added = false;
  if (!scalars || typeof scalars !== 'object') return false;
  for (const [name, points] of Object.entries(scalars)) {
    if (!Array.isArray(points)) continue;
    let store = run.scalars.get(name);
    if (!store) {
      run.scalars.set(name, (store = new SeriesStore()));
      added = true;
    }
    store.append(points.filter((p) => p && typeof p.step === 'number'));
  }
  return added;
}

function addImages(run: RunState, frames: readonly ImageFrame[]): boolean {
  let changed = false;
  for (const f of frames) {
    if (!f || typeof f.name !== 'string' || typeof f.step !== 'number') {
      run.notices.push('An image record without a name or step was skipped.');
      continue;
    }
    const png = toBytes(f.png);
    if (!png) {
      run.notices.push(
        `The image "${f.name}" of step ${f.step} arrived without its PNG bytes; reopen the run from the tree to read it from disk.`,
      );
      continue;
    }
    insertSorted(run.images, f.name, png === f.png ? f : { ...f, png });
    changed = true;
  }
  return changed;
}

function addText(run: RunState, entries: readonly TextEntry[]): boolean {
  let changed = false;
  for (const t of entries) {
    if (!t || typeof t.name !== 'string' || typeof t.step !== 'number') continue;
    insertSorted(run.text, t.name, { ...t, text: String(t.text) });
    changed = true;
  }
  return changed;
}
