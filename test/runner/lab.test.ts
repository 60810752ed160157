// The learner-side lab library on its own, in this process (tfjs from the repo, cpu backend).
import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs';
import {
  Lab,
  NonFiniteError,
  TensorAssertionError,
  crc32,
  encodePng,
  expectNoTensorLeak,
  expectShape,
  expectTensorClose,
  toPixels,
  type LabEvent,
  type RunnerHook,
} from '../../templates/workspace/lab/index';
import { createMeta, readMeta } from '../../templates/workspace/lab/runtime/runStore';
import { onTfjsCpuInThisSuite } from '../fixtures/tfjsCpu';

describe('lab library', () => {
  onTfjsCpuInThisSuite();

  it('crc32 matches the PNG spec value for IEND and zlib for text', () => {
    assert.equal(crc32(Buffer.from('IEND')), 0xae426082);
    assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926);
  });

  it('encodes a 2×1 gray PNG whose scanlines inflate back to the pixels', () => {
    const png = encodePng(2, 1, 1, Uint8Array.from([10, 250]));
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20), png[24], png[25]], [2, 1, 8, 0]);
    assert.deepEqual([...inflateSync(png.subarray(41, 41 + png.readUInt32BE(33)))], [0, 10, 250]);
    assert.equal(png.subarray(-8, -4).toString('ascii'), 'IEND');
    assert.throws(() => encodePng(2, 2, 3, new Uint8Array(3)), /expected 2×2×3 = 12 bytes, got 3/);
  });

  it('lays a batch out as a grid and maps ranges: int 0–255, float [0, 1]', async () => {
    const batch = tf.tensor4d([0, 255, 128, 64, 1, 2, 3, 4, 9, 9, 9, 9], [3, 2, 2, 1], 'int32');
    const px = await toPixels(batch);
    assert.deepEqual([px.width, px.height, px.channels], [5, 5, 1]); // 2 columns × 2 rows of 2×2, 1-pixel gaps
    assert.deepEqual([...px.data.subarray(0, 5)], [0, 255, 0, 1, 2]);
    assert.deepEqual([...(await toPixels(tf.tensor2d([[0, 0.5, 1]]))).data], [0, 128, 255]);
    await assert.rejects(
      toPixels(tf.zeros([1, 3, 4, 5])),
      /got 5 in shape \[1, 3, 4, 5\]\. If your tensor is \[N, C, H, W\], transpose it/,
    );
    await assert.rejects(toPixels(tf.zeros([2, 2, 2])), /an image needs 1, 3 or 4 channels \(last axis\), got 2/);
  });

  it('writes scalars as JSONL lines, hands each event to the runner hook, and stops on a NaN loss', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mml-lab-'));
    const seen: LabEvent[] = [];
    const hook: RunnerHook = { emit: (e) => seen.push(e), shouldStop: () => true, run: async () => undefined };
    const lab = new Lab({ MULTIMODAL_LAB_RUN_DIR: dir, MULTIMODAL_LAB_CONFIG: 'smoke' }, () => hook);
    lab.scalar('loss', 0.5, 1);
    lab.scalar('acc', NaN, 1); // not watched
    lab.watchFinite('acc');
    assert.throws(
      () => lab.scalar('acc', Infinity, 2),
      (e: unknown) => e instanceof NonFiniteError && e.step === 2 && /^acc became Infinity at step 2/.test(e.message),
    );
    assert.throws(() => lab.scalar('loss', NaN, 3), /^NonFiniteError: loss became NaN at step 3: training diverged/);
    assert.throws(() => lab.scalar('loss', 1, 1.5), /step must be a whole number ≥ 0, got 1.5/);
    const lines = readFileSync(join(dir, 'scalars.jsonl'), 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { name: string; value: number | null });
    assert.deepEqual(
      lines.map((l) => [l.name, l.value]),
      [
        ['loss', 0.5],
        ['acc', null],
      ],
    );
    assert.deepEqual(
      seen.map((e) => e.type),
      ['scalar', 'scalar'],
    );
    assert.equal(lab.shouldStop(), true);
    assert.equal(lab.config({ cpu: 1, gpu: 2, smoke: 3 }), 3);
    assert.equal(lab.resumeFrom(), undefined);
    lab.summary({ a: 1 });
    lab.summary({ b: 'x' });
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')), { a: 1, b: 'x' });
  });

  describe('lab.config with MULTIMODAL_LAB_OVERRIDES', () => {
    const configs = {
      cpu: { steps: 100, lr: 1e-3, seed: 0, mode: 'full' },
      gpu: { steps: 1000, lr: 1e-3, seed: 0, mode: 'full' },
      smoke: { steps: 4, lr: 1e-3, seed: 0, mode: 'full' },
    };
    /** A Lab with its own run folder (meta.json running), and what it printed to stdout. */
    function labWith(env: NodeJS.ProcessEnv): { lab: Lab; dir: string; printed: string[] } {
      const dir = mkdtempSync(join(tmpdir(), 'mml-lab-'));
      createMeta(dir, { version: 1, exerciseId: 'x', runId: 'r', config: 'cpu', startedAt: 't0', status: 'running' });
      const printed: string[] = [];
      const hook: RunnerHook = { emit: () => undefined, shouldStop: () => false, run: async () => undefined };
      const lab = new Lab({ MULTIMODAL_LAB_RUN_DIR: dir, ...env }, () => hook);
      const log = console.log;
      const config = lab.config.bind(lab);
      // Wraps config so that its stdout line is captured instead of printed.
      lab.config = (c) => {
        console.log = (...args: unknown[]) => printed.push(args.join(' '));
        try {
          return config(c);
        } finally {
          console.log = log;
        }
      };
      return { lab, dir, printed };
    }

    it('merges the overrides over the chosen configuration, prints them and records them in meta.json', () => {
      const { lab, dir, printed } = labWith({
        MULTIMODAL_LAB_CONFIG: 'smoke',
        MULTIMODAL_LAB_OVERRIDES: '{"seed":1,"mode":"freeze-encoder"}',
      });
      assert.deepEqual(lab.config(configs), { steps: 4, lr: 1e-3, seed: 1, mode: 'freeze-encoder' });
      assert.deepEqual(configs.smoke, { steps: 4, lr: 1e-3, seed: 0, mode: 'full' }); // the script's object is kept
      assert.deepEqual(printed, ['config overrides: seed=1, mode=freeze-encoder']);
      assert.deepEqual(readMeta<{ status: string; overrides?: unknown }>(dir)?.overrides, {
        seed: 1,
        mode: 'freeze-encoder',
      });
    });

    it('without the variable (or with an empty one) returns the chosen configuration unchanged and says nothing', () => {
      for (const env of [{}, { MULTIMODAL_LAB_OVERRIDES: '' }, { MULTIMODAL_LAB_OVERRIDES: '{}' }]) {
        const { lab, dir, printed } = labWith(env);
        assert.equal(lab.config(configs), configs.cpu);
        assert.deepEqual(printed, []);
        assert.equal(readMeta<{ status: string; overrides?: unknown }>(dir)?.overrides, undefined);
      }
    });

    it('rejects a key the configuration does not have, naming it and the allowed keys', () => {
      const { lab } = labWith({ MULTIMODAL_LAB_OVERRIDES: '{"sed":1}' });
      assert.throws(
        () => lab.config(configs),
        /^Error: MULTIMODAL_LAB_OVERRIDES: "sed" is not a field of the cpu configuration\. Allowed keys: steps, lr, seed, mode\.$/,
      );
    });

    it('rejects a value of another type than the configuration has', () => {
      const { lab } = labWith({ MULTIMODAL_LAB_OVERRIDES: '{"steps":"500"}' });
      assert.throws(
        () => lab.config(configs),
        /^Error: MULTIMODAL_LAB_OVERRIDES: "steps" must be a number \(as in the cpu configuration\), got a string: "500"\. Allowed keys: steps, lr, seed, mode\.$/,
      );
    });

    it('rejects text that is not a JSON object, naming the variable', () => {
      assert.throws(
        () => labWith({ MULTIMODAL_LAB_OVERRIDES: 'seed=1' }).lab.config(configs),
        (e: unknown) => {
          return e instanceof Error && /^MULTIMODAL_LAB_OVERRIDES is not valid JSON \(.+\): seed=1\./.test(e.message);
        },
      );
      assert.throws(
        () => labWith({ MULTIMODAL_LAB_OVERRIDES: '[1]' }).lab.config(configs),
        /^Error: MULTIMODAL_LAB_OVERRIDES must be a JSON object such as \{"seed":1\}, got: \[1\]$/,
      );
    });
  });

  it('lab.images reads the tensor asynchronously and writes the PNG and its record before it resolves', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mml-lab-'));
    const seen: LabEvent[] = [];
    const lab = new Lab({ MULTIMODAL_LAB_RUN_DIR: dir }, () => ({
      emit: (e) => seen.push(e),
      shouldStop: () => false,
      run: async () => undefined,
    }));
    const image = tf.tensor3d([0, 0.5, 1, 1], [2, 2, 1]);
    const written = lab.images('samples/gray', image, 3);
    assert.ok(written instanceof Promise, 'lab.images returns a promise to await');
    await written;
    image.dispose();
    const png = readFileSync(join(dir, 'images/samples_gray/3.png'));
    assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [2, 2]);
    assert.deepEqual([...inflateSync(png.subarray(41, 41 + png.readUInt32BE(33)))], [0, 0, 128, 0, 255, 255]);
    // The event carries the number of the record it wrote (the run panel joins replay and live stream by it).
    assert.deepEqual(seen, [
      { type: 'image', seq: 1, step: 3, name: 'samples/gray', file: 'images/samples_gray/3.png', width: 2, height: 2 },
    ]);
    assert.equal((JSON.parse(readFileSync(join(dir, 'images.jsonl'), 'utf8')) as { seq: number }).seq, 1);
    await assert.rejects(lab.images('samples/gray', tf.zeros([2, 2, 2]), 4), /an image needs 1, 3 or 4 channels/);
  });

  it('expectShape and expectTensorClose fail with expected/actual text and tensor summaries', async () => {
    const t = tf.tensor2d([[1, 2, 3]]);
    await expectShape(t, [1, null], 'x');
    await assert.rejects(
      expectShape(t, [2, 3], 'logits'),
      (e: unknown) =>
        e instanceof TensorAssertionError &&
        e.expected === '[2, 3]' &&
        e.actual === '[1, 3]' &&
        e.tensors?.actual?.max === 3 &&
        /^logits: expected shape \[2, 3\], got \[1, 3\]/.test(e.message),
    );
    await expectTensorClose(t, [[1, 2, 3.000001]], { atol: 1e-4 }, 'close enough');
    await assert.rejects(
      expectTensorClose(
        t,
        [[1, 2, 3]].map((r) => r.map((v) => v * 2)),
        { atol: 1e-4, rtol: 0 },
        'doubled',
      ),
      (e: unknown) =>
        e instanceof TensorAssertionError &&
        e.name === 'AssertionError' &&
        e.tensors?.expected?.mean === 4 &&
        e.tensors?.actual?.mean === 2 &&
        /worst at flat index 2: got 3, expected 6/.test(e.message),
    );
  });

  it('expectNoTensorLeak passes for tidy code and names the count for leaky code', async () => {
    const x = tf.ones([2]);
    await expectNoTensorLeak(() => tf.tidy(() => x.add(1).mul(2)), 'tidy');
    await assert.rejects(
      expectNoTensorLeak(() => {
        x.add(1);
        return x.mul(2);
      }, 'leaky step'),
      /^AssertionError: leaky step leaked 1 tensor\(s\): tf\.memory\(\)\.numTensors went from \d+ to \d+/,
    );
  });
});
