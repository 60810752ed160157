/** Text series (generated answers, transcripts) at the shared cursor: per series, each run's entry at or before it. */
import { h, setChildren } from '../shared/dom';
import { frameAt, seriesNames, seriesSteps } from './cursor';
import type { RunModel } from './model';

export class TextView {
  readonly el = h('section', { class: 'texts', 'aria-label': 'Text samples' });

  constructor(private readonly model: RunModel) {}

  steps(): number[] {
    return seriesSteps(this.model.runs, (r) => r.text);
  }

  render(cursor: number | undefined): void {
    const names = seriesNames(this.model.runs, (r) => r.text);
    setChildren(
      this.el,
      ...names.map((name) =>
        h(
          'div',
          { class: 'text-series' },
          h('h3', { text: name }),
          h(
            'ul',
            {},
            ...this.model.runs.map((run) => {
              const entry = frameAt(run.text.get(name), cursor);
              const who = this.model.compare ? `${run.label} · ` : '';
              return h(
                'li',
                {},
                h('span', {
                  class: 'text-meta',
                  text: entry ? `${who}step ${entry.step}` : `${who}nothing logged at or before step ${cursor}`,
                }),
                entry ? h('pre', { text: entry.text }) : null,
              );
            }),
          ),
        ),
      ),
    );
  }
}
