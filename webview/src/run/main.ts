/**
 * The run panel (and compare view, when `load` brings 2–4 runs): headers, scalar charts, image and text panels on
 * one step cursor, and the summary. It sends `ready` once loaded and renders whatever the extension replays; bad
 * input shows as a notice banner and never blanks what can still be shown.
 */
import 'uplot/dist/uPlot.min.css';
import {
  isExtensionToRunPanel,
  type ExtensionToRunPanel,
  type InsightRecords,
  type RunPanelToExtension,
} from '../../../src/protocol/panels';
import { appRoot, h, noticeBanner, reportErrorsTo, setChildren } from '../shared/dom';
import { vscodeApi } from '../shared/vscodeApi';
import { ChartsView } from './charts';
import { onThemeChange } from './colors';
import { resolveCursor, unionSteps } from './cursor';
import { CursorBar } from './cursorBar';
import { RunHeaders } from './header';
import { ImagePanels } from './images';
import { AttentionView } from './attentionView';
import { AudioView } from './audioView';
import { EmbeddingView } from './embeddingView';
import { HistogramView } from './histogramView';
import type { InsightView } from './insightRows';
import { MatrixView } from './matrixView';
import { RunModel } from './model';
import { sanitizeState, type RunPanelState } from './state';
import { SummaryView } from './summaryView';
import { TableView } from './tableView';
import { TextView } from './textView';

const api = vscodeApi<RunPanelState, RunPanelToExtension>();
const post = (m: RunPanelToExtension): void => api.postMessage(m);
reportErrorsTo((message) => post({ type: 'error', message }));

const state = sanitizeState(api.getState());
const save = (): void => void api.setState(state);
const model = new RunModel();
const banner = h('div', { class: 'banners' });
const headers = new RunHeaders(model, post);
const charts = new ChartsView(model, state, save);
const images = new ImagePanels(
  model,
  () => state.split,
  (s) => {
    state.split = s;
    save();
  },
);
const texts = new TextView(model);
/** The views that look inside a model, in the order a learner reads them; all follow the one cursor. */
const insightViews: InsightView[] = [
  new MatrixView(model),
  new AttentionView(model),
  new EmbeddingView(model),
  new HistogramView(model),
  new AudioView(model),
  new TableView(model),
];
const cursorBar = new CursorBar((step) => {
  state.cursorStep = step;
  save();
  renderMedia();
});
const summary = new SummaryView(model);
const media = h(
  'section',
  { class: 'media', 'aria-label': 'Samples over steps' },
  h('h2', { text: 'Samples' }),
  cursorBar.el,
  images.el,
  texts.el,
  ...insightViews.map((v) => v.el),
);

setChildren(appRoot(), banner, headers.el, charts.el, media, summary.el);
renderAll();
onThemeChange(() => {
  charts.schedule();
  for (const v of insightViews) v.retheme();
});

let mediaFrame = 0;
window.addEventListener('message', (e: MessageEvent<unknown>) => {
  try {
    handle(e.data);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    model.notices.push(`The panel could not apply a message (${message}); what was shown before is kept.`);
    renderBanner();
    post({ type: 'error', message });
  }
});
post({ type: 'ready' });

function handle(data: unknown): void {
  if (!isExtensionToRunPanel(data)) {
    const t = typeof data === 'object' && data !== null ? (data as { type?: unknown; protocol?: unknown }) : undefined;
    if (t?.type === 'load') {
      model.notices.push(
        `This panel understands protocol version 1 but received ${String(t.protocol)}. Reload the window (Developer: Reload Window) after updating the extension.`,
      );
      renderBanner();
    }
    return;
  }
  const m: ExtensionToRunPanel = data;
  switch (m.type) {
    case 'load':
      model.load(m.runs);
      state.runs = m.runs.map((r) => ({ exerciseId: r.exerciseId, runId: r.runId }));
      save();
      renderAll();
      break;
    case 'append':
      if (!model.append(m.runId, m.scalars, m.images, m.text, m.insights)) return;
      charts.schedule();
      if ((m.images?.length ?? 0) > 0 || (m.text?.length ?? 0) > 0 || hasInsights(m.insights)) scheduleMedia();
      break;
    case 'status': {
      const layout = model.layoutVersion;
      if (!model.status(m.runId, m.live, m.summary)) return;
      headers.render();
      summary.render();
      // A divergence that arrives with the ending marks its chart (dashed line, note): redraw even when no record
      // follows it, whether it added a series (a layout change) or only ended one that was already drawn.
      if (model.layoutVersion !== layout || m.live.divergence) charts.schedule();
      break;
    }
    case 'notice':
      model.notices.push(m.message);
      renderBanner();
      break;
  }
}

function hasInsights(records: InsightRecords | undefined): boolean {
  return !!records && Object.values(records).some((list) => Array.isArray(list) && list.length > 0);
}

function renderAll(): void {
  renderBanner();
  headers.render();
  charts.schedule();
  renderMedia();
  summary.render();
}

function renderBanner(): void {
  const runNotices = model.runs.flatMap((r) => r.notices.map((n) => (model.runs.length > 1 ? `${r.label}: ${n}` : n)));
  setChildren(banner, noticeBanner([...model.notices, ...runNotices]));
}

function scheduleMedia(): void {
  if (mediaFrame) return;
  mediaFrame = requestAnimationFrame(() => {
    mediaFrame = 0;
    renderMedia();
  });
}

function renderMedia(): void {
  const union = unionSteps(images.steps(), texts.steps(), ...insightViews.map((v) => v.steps()));
  const cursor = resolveCursor(union, state.cursorStep);
  media.hidden = union.length === 0;
  cursorBar.update(union, cursor, state.cursorStep === null);
  images.render(cursor);
  texts.render(cursor);
  for (const v of insightViews) v.render(cursor);
  renderBanner();
}

// For the browser tests and the benchmark: read-only views of what was drawn.
(globalThis as { __runPanel?: unknown }).__runPanel = {
  renderMs: () => charts.lastRenderMs,
  pointsDrawn: () => charts.pointsDrawn(),
  renderNow: () => charts.render(),
  /**
   * Moves the cursor to `step` (null: the latest) and renders every image, text and insight view there; returns the
   * milliseconds.
   */
  renderMediaAt: (step: number | null): number => {
    state.cursorStep = step;
    const t0 = performance.now();
    renderMedia();
    return performance.now() - t0;
  },
};
