// Child-process fixture for tfjsSpecs.test.ts: the two engine sequences that used to break the replacement
// kernels, each in a fresh process (a process initialises wasm once before any sequence can be tried).
//   reset:         setBackend('wasm') → install → run → tf.engine().reset() → setBackend('wasm') → run
//   install-first: install (wasm loaded, never initialised) → setBackend('wasm') → run
// "run" is a forward and backward pass through every kernel the training kernels add or replace. Prints one
// JSON line: the loss and gradients of each wasm run and of cpu, or the error that stopped the sequence.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as path from 'node:path';
import { installTrainingKernels } from '../../templates/workspace/lab/runtime/kernels';
import { rng } from '../../bench/training/layers';

/** Loss and every gradient, flattened: conv, depthwise, tanh, max pool, nearest resize, split/concat, clone,
 * gather, matMul (plain and transposed) and a bias whose gradient is a column Sum. */
function lossAndGrads(): number[] {
  const next = rng(31);
  const rand = (shape: number[]): tf.Tensor =>
    tf.tensor(
      Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => next() - 0.5),
      shape,
    );
  return tf.tidy(() => {
    const inputs = [
      rand([2, 6, 6, 3]),
      rand([3, 3, 3, 4]),
      rand([3, 3, 4, 1]),
      rand([10, 8]),
      rand([64, 5]),
      rand([64]),
    ];
    const ids = tf.tensor1d([1, 4, 4, 9, 0], 'int32');
    const f = (
      x: tf.Tensor,
      w: tf.Tensor,
      d: tf.Tensor,
      table: tf.Tensor,
      m: tf.Tensor,
      bias: tf.Tensor,
    ): tf.Scalar => {
      let h = tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, 'same'); // [2, 3, 3, 4]
      h = tf.depthwiseConv2d(h, d as tf.Tensor4D, 1, 'same');
      h = tf.maxPool(tf.tanh(h), 2, 1, 'valid'); // [2, 2, 2, 4]
      h = tf.image.resizeNearestNeighbor(h, [4, 4]); // [2, 4, 4, 4]
      const [p, q] = tf.split(h, 2, 3);
      const flat = tf.add(tf.reshape(tf.concat([p, tf.clone(q)], 3), [2, 64]), bias); // [2, 64]
      const e = tf.gather(table, ids); // [5, 8]
      return tf.add(tf.sum(tf.matMul(flat, m)), tf.sum(tf.matMul(e, e, false, true))) as tf.Scalar;
    };
    const { value, grads } = tf.valueAndGrads(f as (...xs: tf.Tensor[]) => tf.Scalar)(inputs);
    return [value, ...grads].flatMap((t) => Array.from(t.dataSync()));
  });
}

async function use(name: 'cpu' | 'wasm'): Promise<void> {
  const ok = await tf.setBackend(name);
  if (!ok || tf.getBackend() !== name) throw new Error(`backend ${name} requested, got ${tf.getBackend()}`);
}

async function main(): Promise<void> {
  const sequence = process.argv[2];
  setWasmPaths(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')) + path.sep);
  const wasm: number[][] = [];
  if (sequence === 'reset') {
    await use('wasm');
    installTrainingKernels(tf);
    wasm.push(lossAndGrads());
    tf.engine().reset();
    await use('wasm');
    wasm.push(lossAndGrads());
  } else if (sequence === 'install-first') {
    if (tf.findBackend('wasm') !== null) throw new Error('wasm was initialised before the install');
    installTrainingKernels(tf);
    await use('wasm');
    wasm.push(lossAndGrads());
  } else {
    throw new Error(`unknown sequence ${sequence}`);
  }
  await use('cpu');
  process.stdout.write(JSON.stringify({ wasm, cpu: lossAndGrads() }) + '\n');
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stdout.write(JSON.stringify({ error: e instanceof Error ? e.message : String(e) }) + '\n');
    process.exit(1);
  },
);
