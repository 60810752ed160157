/** PLACEHOLDER (issue 16, step 2 replaces it): the Histograms view. It only names what a cell would draw. */
import type { InsightEntries } from '../../../src/protocol/panels';
import { h } from '../shared/dom';
import { InsightRows, type InsightCell } from './insightRows';
import type { RunModel } from './model';

export class HistogramView extends InsightRows<'histograms'> {
  constructor(model: RunModel) {
    super(model, 'histograms', 'Histograms');
  }

  protected createCell(): InsightCell<InsightEntries['histograms']> {
    const el = h('pre', { class: 'insight-pending' });
    return { el, show: (e) => void (el.textContent = `${e.name} at step ${e.step}`) };
  }
}
