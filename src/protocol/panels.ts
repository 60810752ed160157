/**
 * Messages between the extension and its webview panels (the run panel, which also compares runs, and the milestone
 * panel). A panel sends `ready` when its script has loaded; the extension then replays everything stored, so a
 * reopened or restored panel shows the whole run. Panels never read files: images arrive as PNG bytes.
 */
import type { RunDivergence, RunMeta, RunSummary } from './runFiles';
import type { AttentionLine, AudioLine, InsightLines, TableCellOf, TableLine } from './insightFiles';
import type { RunStatus } from './runner';

export const PANEL_PROTOCOL_VERSION = 1;

/** A scalar point as the panels receive it; `value` is null for a NaN or infinite value (kept so it shows). */
export interface ScalarPoint {
  readonly step: number;
  readonly value: number | null;
  readonly time: number;
}

export interface ImageFrame {
  readonly step: number;
  readonly name: string;
  readonly width: number;
  readonly height: number;
  /**
   * The PNG file's bytes, as a plain Uint8Array: a Node Buffer would reach the webview as `{type: 'Buffer', data}`
   * (its toJSON runs before VS Code's transfer of typed arrays). Senders copy with `pngBytes` (core/runSnapshot).
   */
  readonly png: Uint8Array;
}

export interface TextEntry {
  readonly step: number;
  readonly name: string;
  readonly text: string;
}

/** A record as the panel receives it: its line (insightFiles.ts) without `seq` and `time`. */
type Entry<L> = Omit<L, 'seq' | 'time'>;

/** An attention map with its image's PNG bytes (`file` read by the host, as for ImageFrame). */
export interface AttentionFrame extends Omit<Entry<AttentionLine>, 'file'> {
  readonly png: Uint8Array;
}

/** A sound with its WAV file's bytes. */
export interface AudioClip extends Omit<Entry<AudioLine>, 'file'> {
  readonly wav: Uint8Array;
}

/** A table cell as the panel receives it: image and audio cells carry their bytes instead of a file name. */
export type TableCell = TableCellOf<Uint8Array>;

export interface TableEntry extends Omit<Entry<TableLine>, 'rows'> {
  readonly rows: ReadonlyArray<readonly TableCell[]>;
}

/** What the panel receives of each insight file's records. */
export interface InsightEntries {
  readonly matrices: Entry<InsightLines['matrices']>;
  readonly attention: AttentionFrame;
  readonly embeddings: Entry<InsightLines['embeddings']>;
  readonly audio: AudioClip;
  readonly histograms: Entry<InsightLines['histograms']>;
  readonly tables: TableEntry;
}

/** Records of the kinds that look inside a model, per insight file; a file without records may be absent. */
export type InsightRecords = { readonly [F in keyof InsightEntries]?: readonly InsightEntries[F][] };

/** What the run header shows while a run is live (or how it ended). */
export interface RunLiveStatus {
  readonly status: RunStatus;
  readonly reason?: string;
  readonly step?: number;
  readonly stepsPerSec?: number;
  readonly elapsedMs?: number;
  /** Estimated time left, when the script declared its total steps (`lab.config` total) or it can be inferred. */
  readonly etaMs?: number;
  readonly numTensors?: number;
  readonly numBytes?: number;
  /** The steps the script planned, when its `lab.config` has `steps`: with steps/s it gives the ETA. */
  readonly totalSteps?: number;
  /** For a run that ended as `nan`: which value went non-finite, where, and the last finite values. */
  readonly divergence?: RunDivergence;
}

/** Which run a panel shows: an exercise id and a run id (both plain names, never paths). */
export interface RunRef {
  readonly exerciseId: string;
  readonly runId: string;
}

const PLAIN_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,199}$/;
const isPlainName = (v: unknown): v is string => typeof v === 'string' && PLAIN_NAME.test(v) && !v.includes('..');

/**
 * The runs a restored panel should show, read from its saved webview state (the panel keeps them there so a reload
 * restores it even when the workspace state was not yet flushed). Anything else than 1–4 plain refs gives undefined.
 */
export function restorableRuns(state: unknown): RunRef[] | undefined {
  const runs = typeof state === 'object' && state !== null ? (state as { runs?: unknown }).runs : undefined;
  if (!Array.isArray(runs) || runs.length < 1 || runs.length > 4) return undefined;
  const out: RunRef[] = [];
  for (const r of runs) {
    const o = typeof r === 'object' && r !== null ? (r as Record<string, unknown>) : {};
    if (!isPlainName(o.exerciseId) || !isPlainName(o.runId)) return undefined;
    out.push({ exerciseId: o.exerciseId, runId: o.runId });
  }
  return out;
}

/** Everything stored for one run, sent after `ready` and whenever the panel is (re)opened. */
export interface RunSnapshot {
  readonly runId: string;
  readonly exerciseId: string;
  /** The learner-facing name: meta.name or the run id. */
  readonly label: string;
  readonly meta?: RunMeta;
  /** Scalars grouped by series name. */
  readonly scalars: Readonly<Record<string, readonly ScalarPoint[]>>;
  readonly images: readonly ImageFrame[];
  readonly text: readonly TextEntry[];
  /** Matrices, attention maps, embeddings, audio, histograms and tables (absent from older extensions' snapshots). */
  readonly insights?: InsightRecords;
  readonly summary?: RunSummary;
  /** For a diverged run: from meta.json, or worked out from its reason and scalars (older and terminal runs). */
  readonly divergence?: RunDivergence;
  /** What could not be read as it was (cut-off lines, missing images, a future meta version), for a notice. */
  readonly notices: readonly string[];
  readonly live?: RunLiveStatus;
  /**
   * The highest record number (`seq`, runFiles.ts) read from each record file: the extension host appends a live
   * record of that file only when its `seq` is greater. Absent from snapshots of older extensions.
   */
  readonly lastSeq?: RecordSeqs;
}

/** One `seq` per record file of a run: scalars.jsonl, images.jsonl, text.jsonl and the insight files. */
export type RecordSeqs = {
  readonly [F in 'scalars' | 'images' | 'text' | keyof InsightEntries]: number;
};

export type ExtensionToRunPanel =
  | { readonly type: 'load'; readonly protocol: typeof PANEL_PROTOCOL_VERSION; readonly runs: readonly RunSnapshot[] }
  /** New records for a live run, batched (at most a few messages a second). */
  | {
      readonly type: 'append';
      readonly runId: string;
      readonly scalars?: Readonly<Record<string, readonly ScalarPoint[]>>;
      readonly images?: readonly ImageFrame[];
      readonly text?: readonly TextEntry[];
      readonly insights?: InsightRecords;
    }
  | { readonly type: 'status'; readonly runId: string; readonly live: RunLiveStatus; readonly summary?: RunSummary }
  | { readonly type: 'notice'; readonly message: string };

export type RunPanelToExtension =
  | { readonly type: 'ready' }
  | { readonly type: 'stop'; readonly runId: string }
  | { readonly type: 'resume'; readonly runId: string }
  /** Something failed inside the panel's script; the host logs it so it is not lost in the webview's console. */
  | { readonly type: 'error'; readonly message: string };

export interface MilestoneView {
  readonly id: string;
  readonly title: string;
  readonly met: boolean;
  readonly evidence: readonly { readonly label: string; readonly met: boolean; readonly link?: EvidenceLink }[];
}

/** Where the evidence that ticked (or will tick) a milestone can be seen. */
export type EvidenceLink =
  | { readonly kind: 'run'; readonly exerciseId: string; readonly runId: string }
  | { readonly kind: 'tests'; readonly exerciseId: string }
  | { readonly kind: 'quiz'; readonly quizId: string };

export type ExtensionToMilestonePanel = {
  readonly type: 'milestones';
  readonly protocol: typeof PANEL_PROTOCOL_VERSION;
  readonly items: readonly MilestoneView[];
};

export type MilestonePanelToExtension =
  { readonly type: 'ready' } | { readonly type: 'open'; readonly link: EvidenceLink };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Narrows a message from the run panel; anything else is dropped by the host. */
export function isRunPanelMessage(v: unknown): v is RunPanelToExtension {
  if (!isRecord(v)) return false;
  switch (v.type) {
    case 'ready':
      return true;
    case 'stop':
    case 'resume':
      return typeof v.runId === 'string' && v.runId.length > 0 && v.runId.length < 200;
    case 'error':
      return typeof v.message === 'string';
    default:
      return false;
  }
}

/** Narrows a message from the milestone panel. */
export function isMilestonePanelMessage(v: unknown): v is MilestonePanelToExtension {
  if (!isRecord(v)) return false;
  if (v.type === 'ready') return true;
  if (v.type !== 'open' || !isRecord(v.link)) return false;
  const l = v.link;
  return (
    (l.kind === 'run' && typeof l.exerciseId === 'string' && typeof l.runId === 'string') ||
    (l.kind === 'tests' && typeof l.exerciseId === 'string') ||
    (l.kind === 'quiz' && typeof l.quizId === 'string')
  );
}

/** Narrows a message from the extension, in the webview (it trusts its host, but a wrong version must not blank it). */
export function isExtensionToRunPanel(v: unknown): v is ExtensionToRunPanel {
  if (!isRecord(v)) return false;
  switch (v.type) {
    case 'load':
      return v.protocol === PANEL_PROTOCOL_VERSION && Array.isArray(v.runs);
    case 'append':
    case 'status':
      return typeof v.runId === 'string';
    case 'notice':
      return typeof v.message === 'string';
    default:
      return false;
  }
}
