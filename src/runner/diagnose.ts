// `diagnose` jobs: the matmul micro-benchmark run on each rung that loads.
import type { Tfjs } from './workspace';

/** Matmul throughput of the current backend over about `budgetMs`, in GFLOP/s (2·n³ flops per product). */
export async function matmulGflops(tf: Tfjs, slow: boolean, budgetMs = 1000): Promise<number> {
  const n = slow ? 128 : 512;
  const a = tf.randomNormal([n, n]);
  const b = tf.randomNormal([n, n]);
  try {
    const warm = tf.matMul(a, b);
    await warm.data();
    warm.dispose();
    let products = 0;
    const start = performance.now();
    while (performance.now() - start < budgetMs) {
      const c = tf.matMul(a, b);
      await c.data();
      c.dispose();
      products++;
    }
    const seconds = (performance.now() - start) / 1000;
    return Math.round(((2 * n ** 3 * products) / seconds / 1e9) * 1000) / 1000;
  } finally {
    a.dispose();
    b.dispose();
  }
}
