/**
 * How a run stands or ended, worked out once from everything the panel knows (meta.json, the live status, the
 * divergence record, the series), so the badge, the header, the reason and the summary never contradict each other
 * (issue 19: a badge saying NaN beside a text saying Infinity, "Step 0", "No summary yet" for an ended run).
 */
import type { RunStatus } from '../../../src/protocol/runner';
import { isRunnerSeries, type RunDivergence } from '../../../src/protocol/runFiles';
import type { RunState } from './model';

const STATUS_TEXT: Record<RunStatus, string> = {
  running: 'Running',
  stopped: 'Stopped',
  finished: 'Finished',
  crashed: 'Crashed',
  nan: 'Diverged: a watched value became NaN or infinite',
  hung: 'Hung (killed)',
  killed: 'Killed',
};

/**
 * The run's status: the live one while the panel follows it, else meta.json's (a run without meta counts as finished).
 */
export function statusOf(run: RunState): RunStatus {
  return run.live?.status ?? run.meta?.status ?? 'finished';
}

/** "loss became Infinity at step 4": the same words the lab's NonFiniteError starts with. */
export function describeDivergence(d: RunDivergence): string {
  return `${d.metric} became ${d.value} at step ${d.step}`;
}

/** The status badge; a diverged run names its metric, exact value and step. */
export function statusText(run: RunState): string {
  const status = statusOf(run);
  if (status === 'nan' && run.divergence) return `Diverged: ${describeDivergence(run.divergence)}`;
  if (status === 'killed' && !run.live && run.meta?.endedWithoutRecord) return 'Ended without a record';
  return STATUS_TEXT[status] ?? status;
}

/** Statuses that are failures (the error colour); finished and stopped are not. */
export function isFailure(status: RunStatus): boolean {
  return status === 'crashed' || status === 'nan' || status === 'hung' || status === 'killed';
}

/** The last step the run reached: the largest step of any record, of the divergence and of the live status. */
export function stepReached(run: RunState): number | undefined {
  let last = -Infinity;
  for (const s of run.scalars.values()) if (s.length > 0) last = Math.max(last, s.steps[s.length - 1]);
  for (const list of run.images.values()) for (const f of list) last = Math.max(last, f.step);
  for (const list of run.text.values()) for (const t of list) last = Math.max(last, t.step);
  if (run.divergence) last = Math.max(last, run.divergence.step);
  if (typeof run.live?.step === 'number') last = Math.max(last, run.live.step);
  return Number.isFinite(last) ? last : undefined;
}

/** Time left while running: the host's estimate, else (planned steps − step reached) ÷ steps per second. */
export function etaMs(run: RunState): number | undefined {
  const live = run.live;
  if (statusOf(run) !== 'running' || !live) return undefined;
  if (live.etaMs !== undefined) return live.etaMs;
  const total = live.totalSteps ?? run.meta?.totalSteps;
  const step = stepReached(run);
  if (total === undefined || step === undefined || !(live.stepsPerSec !== undefined && live.stepsPerSec > 0))
    return undefined;
  return (Math.max(0, total - step) / live.stepsPerSec) * 1000;
}

export interface FiniteValue {
  readonly metric: string;
  readonly step: number;
  readonly value: number;
}

/**
 * Each metric's last finite value and its step, by metric name: the divergence record's when there is one, else read
 * from the series (the runner's own `runner/` measurements are left out).
 */
export function lastFiniteValues(run: RunState): FiniteValue[] {
  const out: FiniteValue[] = [];
  if (run.divergence) {
    for (const [metric, v] of Object.entries(run.divergence.lastFinite ?? {}))
      out.push({ metric, step: v.step, value: v.value });
  } else {
    for (const [metric, s] of run.scalars) {
      if (isRunnerSeries(metric)) continue;
      for (let i = s.length - 1; i >= 0; i--) {
        if (Number.isFinite(s.values[i])) {
          out.push({ metric, step: s.steps[i], value: s.values[i] });
          break;
        }
      }
    }
  }
  return out.sort((a, b) => a.metric.localeCompare(b.metric));
}

/** What the summary says when the script wrote none: "yet" only while the run is still going. */
export function summaryNote(run: RunState): string {
  const status = statusOf(run);
  switch (status) {
    case 'running':
      return 'No summary yet: the script writes one with lab.summary(), usually at the end of training.';
    case 'finished':
      return 'No summary: the script finished without calling lab.summary().';
    case 'nan':
      return `No summary: the run diverged${run.divergence ? ` (${describeDivergence(run.divergence)})` : ''} before the script called lab.summary(). Its last finite values are below.`;
    default:
      return `No summary: the run ${status === 'hung' ? 'hung and was killed' : status} before the script called lab.summary().`;
  }
}
