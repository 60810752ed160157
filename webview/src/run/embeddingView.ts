/** PLACEHOLDER (issue 16, step 2 replaces it): the Embeddings view. It only names what a cell would draw. */
import type { InsightEntries } from '../../../src/protocol/panels';
import { h } from '../shared/dom';
import { InsightRows, type InsightCell } from './insightRows';
import type { RunModel } from './model';

export class EmbeddingView extends InsightRows<'embeddings'> {
  constructor(model: RunModel) {
    super(model, 'embeddings', 'Embeddings');
  }

  protected createCell(): InsightCell<InsightEntries['embeddings']> {
    const el = h('pre', { class: 'insight-pending' });
    return { el, show: (e) => void (el.textContent = `${e.name} at step ${e.step}`) };
  }
}
