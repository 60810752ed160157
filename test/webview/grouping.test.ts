import * as assert from 'node:assert/strict';
import { groupMetrics, groupOf } from '../../webview/src/run/grouping';

describe('webview: metric groups', () => {
  it('groups by the prefix before the first slash, loss first and runner last and collapsed', () => {
    const groups = groupMetrics([
      'acc/seen',
      'runner/stepMs',
      'lr',
      'loss',
      'acc/heldout',
      'runner/numTensors',
      'loss',
    ]);
    assert.deepEqual(
      groups.map((g) => g.name),
      ['loss', 'acc', 'lr', 'runner'],
    );
    assert.deepEqual(groups[1].series, ['acc/heldout', 'acc/seen']);
    assert.deepEqual(groups[3].series, ['runner/numTensors', 'runner/stepMs']);
    assert.deepEqual(
      groups.map((g) => g.collapsedByDefault),
      [false, false, false, true],
    );
  });

  it('keeps names without a prefix (or with a leading slash) whole', () => {
    assert.equal(groupOf('loss'), 'loss');
    assert.equal(groupOf('/odd'), '/odd');
    assert.equal(groupOf('a/b/c'), 'a');
  });
});
