// The shipped first stage of the latent-diffusion exercise (templates/workspace/lab/weights/mnist-autoencoder,
// built by `npm run build:weights -- mnist-autoencoder`): it loads from memory and computes the function it was
// saved with (a stored latent fingerprint), its reconstruction error and latent scale on the MNIST test digits
// are what meta.json says, it is small, and a reduced build (a few steps, into a temp dir) writes weights that load.
import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { onWasmInThisSuite } from '../kernels/backends';
import { FINGERPRINT_DIGITS, MAX_RECONSTRUCTION_MSE, build, digits } from '../../scripts/weights/mnist-autoencoder';
import {
  AUTOENCODER_WEIGHTS_DIR,
  autoencoderMeta,
  decode,
  disposeAutoencoder,
  encode,
  loadAutoencoder,
} from '../../templates/workspace/lab/autoencoder';
import { loadMnist } from '../../templates/workspace/lab/mnist';

const REBUILD = 'rebuild with npm run build:weights -- mnist-autoencoder';

describe('lab/autoencoder: the shipped MNIST autoencoder', function () {
  this.timeout(120000);
  onWasmInThisSuite();

  it('loads from memory, frozen, and reproduces its stored latent fingerprint', async () => {
    const ae = await loadAutoencoder();
    const meta = autoencoderMeta();
    assert.deepEqual(ae.config, meta.config);
    assert.ok(
      Object.values(ae.weights).every((w) => !w.trainable),
      'the shipped autoencoder should load frozen (non-trainable variables)',
    );
    const x = digits(loadMnist('test', { size: 16 }), FINGERPRINT_DIGITS);
    const z = encode(ae, x);
    assert.deepEqual(z.shape, [FINGERPRINT_DIGITS.length, 4, 4, 4]);
    const got = Array.from(z.slice([0, 0, 0, 0], [1, 4, 4, 4]).dataSync());
    assert.equal(got.length, meta.fingerprint.latents.length);
    meta.fingerprint.latents.forEach((v, k) =>
      assert.ok(
        Math.abs(got[k] - v) < 1e-3,
        `latent ${k}: got ${got[k]}, stored ${v}; the weights or lab/autoencoder.ts changed — ${REBUILD}`,
      ),
    );
    const mse = tf.tidy(() => tf.mean(tf.square(tf.sub(decode(ae, z), x))).dataSync()[0]);
    assert.ok(
      Math.abs(mse - meta.fingerprint.reconstructionMse) < 1e-4,
      `round-trip MSE of the fingerprint digits ${mse}, stored ${meta.fingerprint.reconstructionMse} — ${REBUILD}`,
    );
    tf.dispose([x, z]);
    disposeAutoencoder(ae);
  });

  it("reconstructs the 10,000 test digits with meta.json's error, and its latent scale gives unit variance", async () => {
    const ae = await loadAutoencoder();
    const meta = autoencoderMeta();
    const test = loadMnist('test', { size: 16 });
    let se = 0,
      sum = 0,
      sq = 0,
      n = 0;
    for (let from = 0; from < test.count; from += 1000) {
      const x = digits(
        test,
        Array.from({ length: 1000 }, (_, i) => from + i),
      );
      const [err, z] = tf.tidy(() => {
        const raw = encode(ae, x);
        return [tf.sum(tf.square(tf.sub(decode(ae, raw), x))).dataSync()[0], raw.dataSync()] as const;
      });
      x.dispose();
      se += err;
      for (const v of z) {
        sum += v;
        sq += v * v;
        n++;
      }
    }
    const mse = se / (test.count * 256);
    assert.ok(
      Math.abs(mse - meta.reconstructionMse) < 1e-4,
      `test reconstruction MSE ${mse} vs meta.json ${meta.reconstructionMse}`,
    );
    assert.ok(
      mse <= MAX_RECONSTRUCTION_MSE,
      `test reconstruction MSE ${mse} above the build's gate ${MAX_RECONSTRUCTION_MSE}`,
    );
    const std = Math.sqrt(sq / n - (sum / n) ** 2) * meta.latentScale;
    assert.ok(
      Math.abs(std - 1) < 0.05,
      `scaled test latents have std ${std}; latentScale ${meta.latentScale} should make it ≈ 1 (it was measured on training digits)`,
    );
    assert.ok(
      meta.classifierAccuracy.reconstructed >= 0.9,
      `the MNIST judge reads only ${meta.classifierAccuracy.reconstructed} of the reconstructions correctly`,
    );
    disposeAutoencoder(ae);
  });

  it('ships small, and rejects inputs of the wrong shape with a message that says which shape it wants', async () => {
    const bytes = ['model.json', 'weights.bin', 'meta.json']
      .filter((f) => existsSync(join(AUTOENCODER_WEIGHTS_DIR, f)))
      .reduce((k, f) => k + statSync(join(AUTOENCODER_WEIGHTS_DIR, f)).size, 0);
    assert.ok(bytes < 300_000, `${AUTOENCODER_WEIGHTS_DIR}: ${bytes} bytes`);
    const ae = await loadAutoencoder();
    const x = tf.zeros([1, 28, 28, 1]) as tf.Tensor4D;
    assert.throws(() => encode(ae, x), /\[B, 16, 16, 1\]/);
    const z = tf.zeros([1, 8, 8, 2]) as tf.Tensor4D;
    assert.throws(() => decode(ae, z), /\[B, 4, 4, 4\]/);
    tf.dispose([x, z]);
    disposeAutoencoder(ae);
  });

  it('a reduced build (3 steps) runs and writes weights that load and leak nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mml-autoencoder-'));
    try {
      await build(dir, { steps: 3, quiet: true, evalDigits: 1000 });
      const ae = await loadAutoencoder(dir);
      assert.equal(ae.meta?.steps, 3);
      assert.ok(ae.meta !== undefined && ae.meta.latentScale > 0 && ae.meta.reconstructionMse > 0);
      const x = tf.zeros([2, 16, 16, 1]) as tf.Tensor4D;
      const before = tf.memory().numTensors;
      const z = encode(ae, x);
      const y = decode(ae, z);
      assert.deepEqual(y.shape, [2, 16, 16, 1]);
      assert.equal(
        tf.memory().numTensors,
        before + 2,
        'encode and decode should each return one tensor and keep nothing else',
      );
      tf.dispose([z, y]);
      x.dispose();
      disposeAutoencoder(ae);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
