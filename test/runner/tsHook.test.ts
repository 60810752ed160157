import * as assert from 'node:assert/strict';
import { multiNameExportLine } from '../../src/runner/tsHook';

describe('runner: the TypeScript hook', () => {
  it('finds `export const a = …, b = …` (which sucrase compiles wrongly) and nothing else', () => {
    assert.equal(multiNameExportLine('const x = 1;\nexport const A = 0, B = 1;\n'), 2);
    assert.equal(multiNameExportLine('export const A = 0,\n  B = 1;'), 1);
    assert.equal(multiNameExportLine('export let a = f(1, 2), b = [3, 4];'), 1);
    assert.equal(multiNameExportLine('export const f = (a: number, b: number) => [a, b];'), undefined);
    assert.equal(multiNameExportLine('export const s = "a, b"; // x, y\nexport const t = `c, ${d}`;'), undefined);
    assert.equal(multiNameExportLine('export const m: Map<string, number> = new Map();'), undefined);
    assert.equal(
      multiNameExportLine('export const o = {\n  a: 1,\n  b: 2,\n};\nexport function g(a, b) {}'),
      undefined,
    );
    assert.equal(multiNameExportLine('export const x = 1\nconst y = [1, 2]'), undefined);
  });
});
