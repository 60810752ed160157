import * as assert from 'node:assert/strict';
import { BASIS_SAMPLE, pca2, pcaMethod } from '../../webview/src/run/pca';

/** A seeded generator in [0, 1), so every run of the suite sees the same points. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 2 ** 32;
  };
}

/** n points of d dims: `f(i, j, r)` gives coordinate j of point i. */
function points(n: number, d: number, f: (i: number, j: number, r: () => number) => number, seed = 1): number[] {
  const r = random(seed);
  const out: number[] = [];
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) out.push(f(i, j, r));
  return out;
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += a[j] * b[j];
  return s;
};

/** Points spread along `main` (variance 1 per unit t²), a smaller spread along `second`, tiny noise elsewhere. */
function twoDirections(n: number, d: number, main: number[], second: number[], seed = 3): number[] {
  return points(n, d, () => 0, seed).map((_, k) => {
    const i = Math.floor(k / d),
      j = k % d;
    const t = Math.sin(i * 1.7) * 3,
      u = Math.cos(i * 0.61) * 1;
    return t * main[j] + u * second[j] + 1e-3 * Math.sin(i * 7.3 + j * 2.1) + 5;
  });
}

const unit = (v: number[]): number[] => {
  const n = Math.sqrt(dot(v, v));
  return v.map((x) => x / n);
};

describe('webview: PCA for the embeddings view', () => {
  it('recovers the direction of points along a line in 10-D: parallel first component, ~100% of the variance', () => {
    const dir = unit([3, -1, 0, 2, 0, 0, 1, 0, -4, 0.5]);
    const data = points(200, 10, (i, j) => (i / 20 - 5) * dir[j] + 7 * (j + 1));
    const p = pca2(data, 200, 10);
    assert.ok(Math.abs(Math.abs(dot(p.components[0], dir)) - 1) < 1e-9, `parallel: ${dot(p.components[0], dir)}`);
    assert.ok(p.explained[0] > 0.999999, `variance ${p.explained[0]}`);
    assert.ok(p.explained[1] < 1e-6);
    // The scores are the centred positions along the line.
    assert.ok(Math.abs(Math.abs(p.x[199] - p.x[0]) - 199 / 20) < 1e-9);
  });

  it('gives orthogonal unit components, the first explaining more, and scores with zero mean', () => {
    const data = points(300, 12, (i, j, r) => r() * (j + 1) + (j === 4 ? i / 100 : 0));
    const p = pca2(data, 300, 12);
    assert.ok(Math.abs(dot(p.components[0], p.components[0]) - 1) < 1e-9);
    assert.ok(Math.abs(dot(p.components[1], p.components[1]) - 1) < 1e-9);
    assert.ok(Math.abs(dot(p.components[0], p.components[1])) < 1e-6, 'orthogonal');
    assert.ok(p.explained[0] >= p.explained[1] && p.explained[1] > 0);
    assert.ok(Math.abs(p.x.reduce((a, b) => a + b, 0)) < 1e-8 && Math.abs(p.y.reduce((a, b) => a + b, 0)) < 1e-8);
  });

  it('fixes the sign: the largest-|loading| coordinate is positive, and stays so under a tiny perturbation', () => {
    const main = unit([1, -3, 0.5, 0, 0, 0, 0, 0]),
      second = unit([0, 0, 0, 2, -1, 0, 0, 0]);
    const a = twoDirections(150, 8, main, second);
    const b = a.map((v, k) => v + 1e-6 * Math.sin(k));
    const pa = pca2(a, 150, 8),
      pb = pca2(b, 150, 8);
    for (const p of [pa, pb]) {
      assert.ok(p.components[0][1] > 0, 'largest |loading| of the first component (index 1) is positive');
      assert.ok(p.components[1][3] > 0, 'largest |loading| of the second component (index 3) is positive');
    }
    // -main has its largest |loading| positive: the component points that way whichever sign the iteration found.
    assert.ok(dot(pa.components[0], main) < -0.999999);
    for (let i = 0; i < 150; i += 7) {
      assert.ok(Math.abs(pa.x[i] - pb.x[i]) < 1e-4, `point ${i} x: ${pa.x[i]} vs ${pb.x[i]}`);
      assert.ok(Math.abs(pa.y[i] - pb.y[i]) < 1e-4, `point ${i} y: ${pa.y[i]} vs ${pb.y[i]}`);
    }
  });

  it('the Gram (N < D) path gives the same projection as the covariance path', () => {
    const n = 40,
      d = 90;
    assert.equal(pcaMethod(n, d), 'gram');
    const main = unit(Array.from({ length: d }, (_, j) => Math.cos(j))),
      second = unit(Array.from({ length: d }, (_, j) => (j % 3 === 0 ? 1 : 0) - Math.cos(j) * 0.01));
    const data = twoDirections(n, d, main, second);
    const gram = pca2(data, n, d, 'gram'),
      cov = pca2(data, n, d, 'covariance'),
      implicit = pca2(data, n, d, 'implicit');
    // The iteration stops once the eigenvalue settles (to 1e-8): the vectors then agree to ~1e-4 of the spread (3).
    for (const other of [cov, implicit]) {
      for (let i = 0; i < n; i++) {
        assert.ok(Math.abs(gram.x[i] - other.x[i]) < 1e-4, `x[${i}]: ${gram.x[i]} vs ${other.x[i]}`);
        assert.ok(Math.abs(gram.y[i] - other.y[i]) < 1e-4, `y[${i}]: ${gram.y[i]} vs ${other.y[i]}`);
      }
      assert.ok(Math.abs(gram.explained[0] - other.explained[0]) < 1e-7);
      assert.ok(Math.abs(gram.explained[1] - other.explained[1]) < 1e-6);
    }
  });

  it('projects a large input (5,000 × 64, two separated groups) correctly: the gap is the first axis', () => {
    const n = 5000,
      d = 64;
    assert.ok(n > BASIS_SAMPLE, 'the basis comes from a sample of the points');
    const gap = unit(Array.from({ length: d }, (_, j) => (j < 4 ? 1 : 0)));
    const data = points(n, d, (i, j, r) => (r() - 0.5) * 0.2 + (i < n / 2 ? 1 : -1) * gap[j] * 2);
    const p = pca2(data, n, d);
    assert.ok(Math.abs(dot(p.components[0], gap)) > 0.999, `along the gap: ${dot(p.components[0], gap)}`);
    assert.ok(p.explained[0] > 0.9, `the gap explains most: ${p.explained[0]}`);
    // Every point lands on its group's side of the first axis: the groups are not normalised apart.
    const first = Math.sign(p.x[0]);
    for (let i = 0; i < n; i++) assert.equal(Math.sign(p.x[i]), i < n / 2 ? first : -first, `point ${i}`);
    assert.ok(Math.abs(Math.abs(p.x[0]) - 2) < 0.1, `scores keep the data's scale: ${p.x[0]}`);
  });

  it('handles identical points (no variance) and refuses a length that does not match', () => {
    const p = pca2([1, 2, 1, 2, 1, 2], 3, 2);
    assert.deepEqual([...p.x], [0, 0, 0]);
    assert.deepEqual(p.explained, [0, 0]);
    assert.throws(() => pca2([1, 2, 3], 2, 2), /3 values for 2 points of 2 dimensions/);
  });
});
