// Content CI for "bridge your own exercise-1 CLIP" (the LLaVA README): exercise 1's training run saves its CLIP in
// the layout of lab/weights/shapes-clip, and lab/vision.ts loads it as the VLM exercises' encoder. The check runs
// the solution's smoke training, loads the checkpoint it announced with loadVisionEncoder, and asks the loaded
// tower the question exercise 1 asks its own: the class token's joint-space embedding must equal what exercise 1's
// encodeImage computes from the same weights (a swapped or misnamed weight would not), and the patch features
// must have the grid's shape.
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { RunnerToExtension } from '../../src/protocol/runner';
import * as lab from '../../templates/workspace/lab/transformer';
import * as vision from '../../templates/workspace/lab/vision';
import { exerciseTrainJob, run } from '../runner/harness';
import { exerciseWorkspace } from './harness';

type Checkpoint = Extract<RunnerToExtension, { type: 'checkpoint' }>;

describe("content: exercise 1's trained CLIP loads as the VLM exercises' encoder", function () {
  this.timeout(600_000);

  it('the smoke run saves a checkpoint that lab/vision.ts loads and reads as exercise 1 does', async () => {
    const ws = exerciseWorkspace('clip', 'solution');
    const { events } = await run(exerciseTrainJob(ws, 'clip', 'smoke', 'smoke', 'wasm'), { hangTimeoutMs: 300_000 });
    const saved = events.filter((e): e is Checkpoint => e.type === 'checkpoint');
    assert.equal(saved.length, 1, `expected one checkpoint event, got ${JSON.stringify(events.slice(-3))}`);

    // Exercise 1's own encodeImage, from the learner's workspace (the same tfjs: node_modules is linked).
    const exercise = (await import(join(ws, 'exercises', 'clip', 'vision.ts'))) as {
      encodeImage: (tower: object, images: tf.Tensor4D) => tf.Tensor2D;
    };
    const encoder = await vision.loadVisionEncoder(saved[0].dir);
    const c = encoder.config;
    const images = tf.randomUniform([2, c.imageSize, c.imageSize, 3], 0, 1, 'float32', 7) as tf.Tensor4D;
    const patches = vision.patchFeatures(encoder, images);
    assert.deepEqual(patches.shape, [2, vision.numPatches(c), c.width]);

    const ours = tf.tidy(() => {
      const states = vision.hiddenStates(encoder, images);
      const last = states[states.length - 1];
      const cls = tf.reshape(tf.slice(last, [0, 0, 0], [2, 1, c.width]), [2, c.width]);
      const z = tf.matMul(lab.layerNorm(cls, encoder.finalNorm), encoder.projection);
      return tf.div(z, tf.norm(z, 'euclidean', -1, true));
    });
    const tower = {
      patch: c.patch,
      heads: c.heads,
      patchEmbed: encoder.patchEmbed,
      cls: encoder.classToken,
      pos: encoder.positionEmbedding,
      blocks: encoder.blocks,
      lnPost: encoder.finalNorm,
      proj: encoder.projection,
    };
    const theirs = exercise.encodeImage(tower, images);
    const gap = (await tf.max(tf.abs(tf.sub(ours, theirs))).data())[0];
    assert.ok(gap < 1e-4, `lab/vision.ts and exercise 1 disagree on the loaded tower's embedding by ${gap}`);
    tf.dispose([images, patches, ours, theirs]);
    vision.disposeVisionEncoder(encoder);
  });
});
