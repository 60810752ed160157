import * as assert from 'node:assert/strict';
import { discoverTests } from '../../src/core/testDiscovery';

describe('static test discovery', () => {
  it('finds nested tests with their suite path and line', () => {
    const src = [
      "import * as assert from 'node:assert/strict';", // 1
      '',
      "describe('CLIP loss', () => {", // 3
      "  it('is symmetric in the two directions', () => {", // 4
      "    const s = '{ not a brace }';",
      '  });',
      "  describe('temperature', () => {", // 7
      '    it("is clamped at 100", async () => {', // 8
      '      if (x) { y(); }',
      '    });',
      '  });',
      "  it('ignores permutations of the batch', () => {});", // 12
      '});',
      "it('stands alone', () => {});", // 14
    ].join('\n');
    assert.deepEqual(discoverTests(src), [
      { path: ['CLIP loss', 'is symmetric in the two directions'], line: 4 },
      { path: ['CLIP loss', 'temperature', 'is clamped at 100'], line: 8 },
      { path: ['CLIP loss', 'ignores permutations of the batch'], line: 12 },
      { path: ['stands alone'], line: 14 },
    ]);
  });

  it('handles escaped quotes and template-literal titles', () => {
    const src = "describe(`shapes`, () => {\n  it('doesn\\'t leak tensors', () => {});\n});\n";
    assert.deepEqual(discoverTests(src), [{ path: ['shapes', "doesn't leak tensors"], line: 2 }]);
  });

  it('closes a suite whose body ends on the same line', () => {
    const src = "describe('a', () => { it('x', () => {}); });\nit('y', () => {});\n";
    assert.deepEqual(
      discoverTests(src).map((t) => t.path),
      [['a', 'x'], ['y']],
    );
  });
});
