/** PLACEHOLDER (issue 16, step 2 replaces it): the Attention maps view. It only names what a cell would draw. */
import type { InsightEntries } from '../../../src/protocol/panels';
import { h } from '../shared/dom';
import { InsightRows, type InsightCell } from './insightRows';
import type { RunModel } from './model';

export class AttentionView extends InsightRows<'attention'> {
  constructor(model: RunModel) {
    super(model, 'attention', 'Attention maps');
  }

  protected createCell(): InsightCell<InsightEntries['attention']> {
    const el = h('pre', { class: 'insight-pending' });
    return { el, show: (e) => void (el.textContent = `${e.name} at step ${e.step}`) };
  }
}
