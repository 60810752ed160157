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

/**
 * Training throughput of the current backend: Adam steps/s of a small conv net (the bench's MNIST conv net at
 * batch 16), forward, backward and update, over about `budgetMs` after one warm-up step. A forward benchmark
 * alone hides missing or slow gradient kernels; this one does not.
 */
export async function trainStepsPerSecond(tf: Tfjs, slow: boolean, budgetMs = 1500): Promise<number> {
  const batch = 16;
  const x = tf.randomNormal([batch, 28, 28, 1]);
  const labels = tf.oneHot(
    tf.tensor1d(
      Array.from({ length: batch }, (_, i) => i % 10),
      'int32',
    ),
    10,
  );
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 3, activation: 'relu', padding: 'same' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: slow ? 8 : 16, kernelSize: 3, activation: 'relu', padding: 'same' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 10 }),
    ],
  });
  const optimizer = tf.train.adam(1e-3);
  const step = async (): Promise<void> => {
    const loss = optimizer.minimize(
      () => tf.losses.softmaxCrossEntropy(labels, model.predict(x) as import('@tensorflow/tfjs').Tensor),
      true,
    );
    await loss?.data();
    loss?.dispose();
  };
  try {
    await step();
    let steps = 0;
    const start = performance.now();
    while (performance.now() - start < budgetMs) {
      await step();
      steps++;
    }
    return Math.round((steps / ((performance.now() - start) / 1000)) * 100) / 100;
  } finally {
    x.dispose();
    labels.dispose();
    model.dispose();
    optimizer.dispose();
  }
}
