/** PLACEHOLDER (issue 16, step 2 replaces it): the Matrices view. It only names what a cell would draw. */
import type { InsightEntries } from '../../../src/protocol/panels';
import { h } from '../shared/dom';
import { InsightRows, type InsightCell } from './insightRows';
import type { RunModel } from './model';

export class MatrixView extends InsightRows<'matrices'> {
  constructor(model: RunModel) {
    super(model, 'matrices', 'Matrices');
  }

  protected createCell(): InsightCell<InsightEntries['matrices']> {
    const el = h('pre', { class: 'insight-pending' });
    return { el, show: (e) => void (el.textContent = `${e.name} at step ${e.step}`) };
  }
}
