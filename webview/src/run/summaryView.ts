/**
 * The summary: for one run a table of its summary values; for several, one column per run plus the config
 * differences (config, backend, versions that differ).
 */
import { h, setChildren } from '../shared/dom';
import { configDifferences, summaryKeys } from './configDiff';
import { formatValue } from './format';
import type { RunModel } from './model';

export class SummaryView {
  readonly el = h('section', { class: 'summary', 'aria-label': 'Summary' });

  constructor(private readonly model: RunModel) {}

  render(): void {
    const runs = this.model.runs;
    const keys = summaryKeys(runs.map((r) => r.summary));
    const heads = h('tr', {}, h('th', { scope: 'col', text: 'metric' }), ...runs.map((r) => h('th', { scope: 'col', text: runs.length > 1 ? r.label : 'value' })));
    const summary = keys.length === 0
      ? h('p', { class: 'empty', text: 'No summary yet: the script writes one with lab.summary().' })
      : h('table', { class: 'summary-table' }, h('thead', {}, heads),
        h('tbody', {}, ...keys.map((k) => h('tr', {}, h('th', { scope: 'row', text: k }), ...runs.map((r) => h('td', { text: formatValue(r.summary?.[k]) }))))));
    let diff: HTMLElement | null = null;
    if (runs.length > 1) {
      const rows = configDifferences(runs.map((r) => r.meta));
      diff = rows.length === 0
        ? h('p', { class: 'config-same', text: 'Config, backend and versions are the same in all runs.' })
        : h('table', { class: 'config-diff' },
          h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: 'differs' }), ...runs.map((r) => h('th', { scope: 'col', text: r.label })))),
          h('tbody', {}, ...rows.map((row) => h('tr', {}, h('th', { scope: 'row', text: row.field }), ...row.values.map((v) => h('td', { text: v ?? '–' }))))));
    }
    setChildren(this.el, h('h2', { text: 'Summary' }), summary, diff && h('h2', { text: 'What differs' }), diff);
  }
}
