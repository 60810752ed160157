/**
 * The summary: for one run a table of its summary values; for several, one column per run plus the config
 * differences (config, backend, versions that differ). A run that ended without a summary says how it ended (never
 * "yet"), and a diverged run lists its last finite values with their steps.
 */
import { h, setChildren } from '../shared/dom';
import { configDifferences, summaryKeys } from './configDiff';
import { lastFiniteValues, statusOf, summaryNote } from './ending';
import { formatValue } from './format';
import type { RunModel, RunState } from './model';

export class SummaryView {
  readonly el = h('section', { class: 'summary', 'aria-label': 'Summary' });

  constructor(private readonly model: RunModel) {}

  render(): void {
    const runs = this.model.runs;
    const keys = summaryKeys(runs.map((r) => r.summary));
    const heads = h(
      'tr',
      {},
      h('th', { scope: 'col', text: 'metric' }),
      ...runs.map((r) => h('th', { scope: 'col', text: runs.length > 1 ? r.label : 'value' })),
    );
    const summary =
      keys.length === 0
        ? h(
            'div',
            {},
            ...runs.map((r) =>
              h('p', { class: 'empty', text: `${runs.length > 1 ? `${r.label}: ` : ''}${summaryNote(r)}` }),
            ),
          )
        : h(
            'table',
            { class: 'summary-table' },
            h('thead', {}, heads),
            h(
              'tbody',
              {},
              ...keys.map((k) =>
                h(
                  'tr',
                  {},
                  h('th', { scope: 'row', text: k }),
                  ...runs.map((r) => h('td', { text: formatValue(r.summary?.[k]) })),
                ),
              ),
            ),
          );
    let diff: HTMLElement | null = null;
    if (runs.length > 1) {
      const rows = configDifferences(runs.map((r) => r.meta));
      diff =
        rows.length === 0
          ? h('p', { class: 'config-same', text: 'Config, backend and versions are the same in all runs.' })
          : h(
              'table',
              { class: 'config-diff' },
              h(
                'thead',
                {},
                h(
                  'tr',
                  {},
                  h('th', { scope: 'col', text: 'differs' }),
                  ...runs.map((r) => h('th', { scope: 'col', text: r.label })),
                ),
              ),
              h(
                'tbody',
                {},
                ...rows.map((row) =>
                  h(
                    'tr',
                    {},
                    h('th', { scope: 'row', text: row.field }),
                    ...row.values.map((v) => h('td', { text: v ?? '–' })),
                  ),
                ),
              ),
            );
    }
    const diverged = runs.filter((r) => statusOf(r) === 'nan');
    setChildren(
      this.el,
      h('h2', { text: 'Summary' }),
      summary,
      ...diverged.map((r) => lastFiniteTable(r, runs.length > 1)),
      diff && h('h2', { text: 'What differs' }),
      diff,
    );
  }
}

/** A diverged run's last finite values: where to look when the loss blew up. */
function lastFiniteTable(run: RunState, compare: boolean): HTMLElement {
  const values = lastFiniteValues(run);
  const title = `${compare ? `${run.label}: l` : 'L'}ast finite values before it diverged`;
  if (values.length === 0)
    return h('p', { class: 'last-finite empty', text: `${title}: none; nothing finite was logged before it.` });
  return h(
    'table',
    { class: 'last-finite' },
    h('caption', { text: title }),
    h('thead', {}, h('tr', {}, ...['metric', 'value', 'step'].map((t) => h('th', { scope: 'col', text: t })))),
    h(
      'tbody',
      {},
      ...values.map((v) =>
        h(
          'tr',
          {},
          h('th', { scope: 'row', text: v.metric }),
          h('td', { text: formatValue(v.value) }),
          h('td', { text: String(v.step) }),
        ),
      ),
    ),
  );
}
