import * as assert from 'node:assert/strict';
import { isTestOfFile, parseTestId, testId } from '../../src/protocol/testIds';

describe('test ids (runner ↔ Test Explorer)', () => {
  const file = '/ws/exercises/clip/tests/loss.test.ts';

  it('joins the file and the titles from the outermost suite in', () => {
    assert.equal(testId(file, ['TODO(1): logits', 'is symmetric']), `${file}::TODO(1): logits > is symmetric`);
    assert.equal(testId(file, []), `${file}::`);
  });

  it('parses back what it builds, a title holding "::" included', () => {
    for (const titles of [['a'], ['TODO(2): loss', 'falls'], ['uses a::b', 'x'], []]) {
      assert.deepEqual(parseTestId(testId(file, titles)), { file, titles });
    }
    assert.equal(parseTestId('exercise:clip'), undefined);
  });

  it("tells a file's tests from another file's with the same prefix", () => {
    assert.equal(isTestOfFile(testId(file, ['a']), file), true);
    assert.equal(isTestOfFile(testId(`${file}x`, ['a']), file), false);
  });
});
