// How a run is named to the learner: the tree's run rows, the training notification's title and the message at the
// end of a run. Pure, so each wording is unit-tested; the extension only formats dates and shows the results.
import type { Course } from './course/types';
import type { RunMeta, RunSummary } from '../protocol/runFiles';
import type { RunStatus } from '../protocol/runner';

const STATUS_PHRASE: Record<RunStatus, string> = {
  running: 'running',
  finished: 'finished',
  stopped: 'stopped',
  crashed: 'crashed',
  nan: 'diverged',
  hung: 'hung and was killed',
  killed: 'killed',
};

/** A run's status in words: "diverged" for `nan`, "ended without a record" for a run whose process vanished. */
export function runStatusPhrase(meta: Pick<RunMeta, 'status' | 'endedWithoutRecord'> | undefined): string {
  if (!meta) return 'no meta.json';
  if (meta.endedWithoutRecord) return 'ended without a record';
  return STATUS_PHRASE[meta.status] ?? meta.status;
}

/** A Quick Check (the script's `smoke` configuration): it checks the pipeline and never counts for a milestone. */
export function isQuickRun(meta: Pick<RunMeta, 'config'> | undefined): boolean {
  return meta?.config === 'smoke';
}

/** The one number a run row shows next to its name. */
export interface Headline {
  readonly name: string;
  readonly value: number;
}

/** The summary metrics the course's milestones check for this exercise: the numbers the exercise is about. */
export function declaredMetrics(course: Pick<Course, 'milestones'>, exerciseId: string): string[] {
  const names = course.milestones.flatMap((m) =>
    m.evidence.flatMap((e) => (e.kind === 'runMetric' && e.exercise === exerciseId ? [e.metric] : [])),
  );
  return [...new Set(names)];
}

/** The first declared metric the summary holds as a finite number; otherwise the last finite loss; otherwise none. */
export function chooseHeadline(
  declared: readonly string[],
  summary: RunSummary | undefined,
  lastLoss: number | undefined,
): Headline | undefined {
  for (const name of declared) {
    const v = summary?.[name];
    if (typeof v === 'number' && Number.isFinite(v)) return { name, value: v };
  }
  return lastLoss !== undefined && Number.isFinite(lastLoss) ? { name: 'loss', value: lastLoss } : undefined;
}

/**
 * The last finite value of series `name` in (the tail of) a scalars.jsonl text. Lines that do not parse, such as a
 * line cut at the start of a tail read or at the end by a kill, are skipped.
 */
export function lastScalarValue(text: string, name: string): number | undefined {
  const lines = text.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    if (!lines[i].includes(name)) continue;
    let record: unknown;
    try {
      record = JSON.parse(lines[i]);
    } catch {
      continue;
    }
    const r = record as { name?: unknown; value?: unknown };
    if (r.name === name && typeof r.value === 'number' && Number.isFinite(r.value)) return r.value;
  }
  return undefined;
}

/** "loss 0.123": three significant digits, without trailing zeros. */
export function formatHeadline(h: Headline): string {
  return `${h.name} ${Number(h.value.toPrecision(3))}`;
}

/** What a tree row shows for a run: `label` leads with the run's name and its headline; `description` is its state. */
export function runRowLabel(run: {
  readonly runId: string;
  readonly meta?: RunMeta;
  readonly when: string;
  readonly headline?: Headline;
}): {
  label: string;
  description: string;
  running: boolean;
} {
  const { meta } = run;
  const name = `${meta?.name ?? run.when}${isQuickRun(meta) ? ' (quick)' : ''}`;
  return {
    label: run.headline ? `${name} · ${formatHeadline(run.headline)}` : name,
    description: [runStatusPhrase(meta), meta?.backend].filter(Boolean).join(' · '),
    running: meta?.status === 'running',
  };
}

/** The title of the notification that follows a training run. */
export function trainingTitle(exerciseTitle: string, quick: boolean): string {
  return `Training “${exerciseTitle}”${quick ? ' (quick check)' : ''}`;
}

/** The message at the end of a run, by the exercise's title and the ending in words; `where` is the run's folder. */
export function runEndedMessage(
  exerciseTitle: string,
  ending: { readonly status: RunStatus; readonly reason?: string } | undefined,
  quick: boolean,
  where?: string,
): { severity: 'info' | 'error'; text: string } {
  const run = quick ? `The quick check of “${exerciseTitle}”` : `The “${exerciseTitle}” run`;
  if (!ending) return { severity: 'error', text: `${run} crashed without saying why. See the output for details.` };
  switch (ending.status) {
    case 'finished':
      return quick
        ? {
            severity: 'info',
            text: `${run} finished: the pipeline runs end to end. Use "Train" for a full run; its metrics count for the milestones.`,
          }
        : { severity: 'info', text: `${run} finished.${where ? ` Its files are in ${where}.` : ''}` };
    case 'stopped':
      return {
        severity: 'info',
        text: `${run} stopped. "Resume Training" continues from its last checkpoint, if the script saved one.`,
      };
    default: {
      const reason = ending.reason?.trim();
      return {
        severity: 'error',
        text: `${run} ${runStatusPhrase({ status: ending.status })}${reason ? `: ${reason}` : '.'}`,
      };
    }
  }
}
