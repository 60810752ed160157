/**
 * What the run panel remembers across hide/show and reload, through `vscodeApi().getState/setState` (not
 * retainContextWhenHidden, which keeps the whole page alive and still loses it on reload; vscode-python #17158).
 * A saved state of another shape (an older version, or garbage) is sanitised field by field, never trusted.
 */
import { restorableRuns, type RunRef } from '../../../src/protocol/panels';
import { clampWeight } from './ema';

export interface RunPanelState {
  readonly v: 1;
  /** The image/text cursor's step; null follows the latest logged step. */
  cursorStep: number | null;
  smoothing: number;
  logX: boolean;
  logY: boolean;
  /** Zoomed step range per metric group. */
  zoom: Record<string, [number, number]>;
  /** Collapsed state per metric group (absent: the group's default). */
  collapsed: Record<string, boolean>;
  /** A/B swipe divider position, 0–1 of the width. */
  split: number;
  /** The runs this panel shows, so the extension's serializer can restore it after a reload. */
  runs?: RunRef[];
}

export function defaultState(): RunPanelState {
  return { v: 1, cursorStep: null, smoothing: 0.6, logX: false, logY: false, zoom: {}, collapsed: {}, split: 0.5 };
}

export function sanitizeState(saved: unknown): RunPanelState {
  const s = defaultState();
  if (typeof saved !== 'object' || saved === null) return s;
  const o = saved as Record<string, unknown>;
  if (typeof o.cursorStep === 'number' && Number.isFinite(o.cursorStep)) s.cursorStep = o.cursorStep;
  if (typeof o.smoothing === 'number') s.smoothing = clampWeight(o.smoothing);
  if (typeof o.logX === 'boolean') s.logX = o.logX;
  if (typeof o.logY === 'boolean') s.logY = o.logY;
  if (typeof o.split === 'number' && o.split >= 0 && o.split <= 1) s.split = o.split;
  if (isObject(o.zoom)) {
    for (const [k, v] of Object.entries(o.zoom)) {
      if (Array.isArray(v) && v.length === 2 && v.every(Number.isFinite) && v[0] < v[1]) s.zoom[k] = [v[0], v[1]];
    }
  }
  const runs = restorableRuns(o);
  if (runs) s.runs = runs;
  if (isObject(o.collapsed))
    for (const [k, v] of Object.entries(o.collapsed)) if (typeof v === 'boolean') s.collapsed[k] = v;
  return s;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
