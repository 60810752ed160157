/**
 * One header card per run: what ran (exercise, label, backend and why), how fast and how far (steps/s, elapsed,
 * ETA, tensors and bytes held), how it stands or ended (status with its reason), and Stop / Resume.
 */
import type { RunPanelToExtension } from '../../../src/protocol/panels';
import { h, setChildren } from '../shared/dom';
import { etaMs, isFailure, statusOf, statusText, stepReached } from './ending';
import { formatBytes, formatDuration } from './format';
import type { RunModel, RunState } from './model';

export class RunHeaders {
  readonly el = h('section', { class: 'run-headers', 'aria-label': 'Runs' });

  constructor(
    private readonly model: RunModel,
    private readonly post: (m: RunPanelToExtension) => void,
  ) {}

  render(): void {
    setChildren(this.el, ...this.model.runs.map((r, i) => this.card(r, i)));
  }

  private card(run: RunState, index: number): HTMLElement {
    const status = statusOf(run);
    const reason = run.live?.reason ?? run.meta?.reason;
    const running = status === 'running';
    const stop = h('button', { text: 'Stop', title: 'Ask the script to checkpoint and stop' });
    stop.addEventListener('click', () => this.post({ type: 'stop', runId: run.runId } satisfies RunPanelToExtension));
    const resume = h('button', { text: 'Resume', title: 'Continue from the last checkpoint' });
    resume.addEventListener('click', () =>
      this.post({ type: 'resume', runId: run.runId } satisfies RunPanelToExtension),
    );
    stop.hidden = !running;
    // Resume continues from a checkpoint; a run that saved none has nothing to resume from.
    resume.hidden = running || !run.meta?.latestCheckpoint;
    const live = run.live;
    const facts: [string, string][] = [
      [
        'Backend',
        run.meta?.backend ? `${run.meta.backend}${run.meta.backendWhy ? ` — ${run.meta.backendWhy}` : ''}` : '–',
      ],
      ['Step', stepOrDash(stepReached(run))],
      ['Steps/s', live?.stepsPerSec !== undefined ? live.stepsPerSec.toFixed(1) : '–'],
      ['Elapsed', formatDuration(live?.elapsedMs ?? storedDuration(run.meta?.startedAt, run.meta?.endedAt))],
      ['ETA', running ? formatDuration(etaMs(run)) : '–'],
      ['Memory', live?.numTensors !== undefined ? `${live.numTensors} tensors, ${formatBytes(live.numBytes)}` : '–'],
    ];
    return h(
      'article',
      { class: `run-header run-${index}`, 'data-run': run.runId, 'data-status': status },
      h(
        'div',
        { class: 'run-title' },
        h('span', { class: 'swatch', 'aria-hidden': 'true' }),
        h('h2', { text: run.label }),
        h('span', { class: 'exercise', text: run.exerciseId }),
        h('span', { class: `status status-${status}`, text: statusText(run) }),
      ),
      // Only a failure reads in the error colour: "Training finished." is news, not an error (issue 19).
      reason && !running
        ? h('p', { class: `reason${isFailure(status) ? ' reason-failure' : ''}`, text: reason })
        : null,
      h('dl', { class: 'facts' }, ...facts.flatMap(([k, v]) => [h('dt', { text: k }), h('dd', { text: v })])),
      h('div', { class: 'actions' }, stop, resume),
    );
  }
}

function stepOrDash(step: number | undefined): string {
  return step === undefined ? '–' : String(step);
}

/** How long a stored run took, from its meta.json times. */
function storedDuration(startedAt: string | undefined, endedAt: string | undefined): number | undefined {
  const ms = startedAt && endedAt ? Date.parse(endedAt) - Date.parse(startedAt) : NaN;
  return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}
