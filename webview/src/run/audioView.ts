/** PLACEHOLDER (issue 16, step 2 replaces it): the Sounds view. It only names what a cell would draw. */
import type { InsightEntries } from '../../../src/protocol/panels';
import { h } from '../shared/dom';
import { InsightRows, type InsightCell } from './insightRows';
import type { RunModel } from './model';

export class AudioView extends InsightRows<'audio'> {
  constructor(model: RunModel) {
    super(model, 'audio', 'Sounds');
  }

  protected createCell(): InsightCell<InsightEntries['audio']> {
    const el = h('pre', { class: 'insight-pending' });
    return { el, show: (e) => void (el.textContent = `${e.name} at step ${e.step}`) };
  }
}
