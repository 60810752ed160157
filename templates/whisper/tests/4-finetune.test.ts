// TODO(5)–(7): the teacher-forced loss with PAD ignored, which variables each fine-tuning mode trains, and one
// training step (it lowers the loss, touches only the chosen variables, leaks no tensors). A tiny model keeps
// these fast; the architecture is the one the base model uses.
import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { expectNoTensorLeak, expectTensorClose } from '../../../lab/testing';
import { makeBatch, type Batch, type Example } from '../data';
import { fineTuneStep, sequenceLoss, trainableVariables } from '../finetune';
import { createWhisper, decodeText, decoderVariables, disposeWhisper, encodeAudio, encoderVariables, namedVariables, type Whisper, type WhisperConfig } from '../model';
import { PAD, VOCAB_SIZE } from '../tokenizer';

const TINY: WhisperConfig = { mels: 40, frames: 32, width: 16, heads: 2, encoderDepth: 1, decoderDepth: 1, mlpRatio: 2, vocabSize: VOCAB_SIZE, maxTokens: 12 };

/** Four clips of seeded noise "saying" short texts. */
function tinyBatch(): Batch {
  const texts = ['red go', 'two', 'stop left', 'nine'];
  const examples: Example[] = texts.map((text, i) => ({
    text, mel: { frames: TINY.frames, mels: TINY.mels, data: tf.tidy(() => tf.randomNormal([TINY.frames * TINY.mels], 0, 1, 'float32', 10 + i).dataSync() as Float32Array) },
  }));
  return makeBatch(examples, [0, 1, 2, 3], TINY.maxTokens);
}

/** The teacher-forced loss computed here, independently of TODO(5). */
function referenceLoss(model: Whisper, batch: Batch): number {
  return tf.tidy(() => {
    const logp = tf.logSoftmax(decodeText(model, batch.input, encodeAudio(model, batch.mels)), -1); // [B, L, V]
    const picked = tf.sum(tf.mul(logp, tf.oneHot(batch.target, VOCAB_SIZE)), -1); // [B, L]
    const mask = tf.cast(tf.notEqual(batch.target, PAD), 'float32');
    return -tf.sum(tf.mul(picked, mask)).dataSync()[0] / tf.sum(mask).dataSync()[0];
  });
}

describe('TODO(5): the sequence loss', () => {
  it('is log V for uniform predictions', () => {
    const loss = sequenceLoss(tf.zeros([2, 3, 5]) as tf.Tensor3D, tf.tensor2d([[1, 2, PAD], [3, PAD, PAD]], [2, 3], 'int32'));
    expectTensorClose(loss, Math.log(5), { atol: 1e-5 }, 'uniform logits over 5 tokens should give −log(1/5) = log 5 ≈ 1.6094');
  });

  it('matches −log softmax at the target, averaged over every real token in the batch', () => {
    // Row 0 has one real token (target 2 under logits [1, 2, 3]), row 1 has three real tokens under uniform logits.
    const logits = tf.tensor3d([[[1, 2, 3], [9, -9, 0], [9, -9, 0]], [[0, 0, 0], [0, 0, 0], [0, 0, 0]]]);
    const targets = tf.tensor2d([[2, PAD, PAD], [1, 2, 1]], [2, 3], 'int32');
    const a = -Math.log(Math.exp(3) / (Math.exp(1) + Math.exp(2) + Math.exp(3))), b = Math.log(3);
    expectTensorClose(sequenceLoss(logits, targets), (a + 3 * b) / 4, { atol: 1e-5 },
      `expected (${a.toFixed(4)} + 3 × ${b.toFixed(4)}) / 4: the mean over the 4 real tokens. The PAD positions of row 0 must not count (their logits are wild), ` +
      'and each token counts once (not the mean of per-sequence means)');
  });

  it('ignores PAD targets entirely', () => {
    const row = (hot: number, scale: number): number[] => Array.from({ length: 6 }, (_, v) => (v === hot ? scale : 0));
    const garbage = tf.tensor3d([[row(3, 30), row(4, 30), row(5, 50), row(5, 50)]]); // right on the real tokens, wild on PAD
    const loss = sequenceLoss(garbage, tf.tensor2d([[3, 4, PAD, PAD]], [1, 4], 'int32')).dataSync()[0];
    assert.ok(loss < 1e-6, `the predictions at the two real positions are certain and right, so the loss should be ≈ 0; got ${loss.toFixed(3)}: the PAD positions leaked in. ` +
      'Multiply by a mask targets ≠ PAD and divide by the mask\'s sum.');
  });
});

describe('TODO(6): which variables are trained', () => {
  let model: Whisper;
  before(() => { model = createWhisper(TINY, 3); });
  after(() => disposeWhisper(model));

  it('freezing the encoder trains exactly the decoder', () => {
    const chosen = new Set(trainableVariables(model, 'freeze-encoder'));
    const names = Object.entries(namedVariables(model));
    const wrong = names.filter(([n, v]) => n.startsWith('encoder.') && chosen.has(v)).map(([n]) => n);
    const missing = names.filter(([n, v]) => n.startsWith('decoder.') && !chosen.has(v)).map(([n]) => n);
    assert.deepEqual(wrong, [], `these encoder variables would be trained although the encoder is frozen: ${wrong.join(', ')}`);
    assert.deepEqual(missing, [], `these decoder variables would stay frozen: ${missing.join(', ')} (the cross-attention and embeddings belong to the decoder)`);
    assert.equal(chosen.size, decoderVariables(model).length);
  });

  it('full fine-tuning trains every variable, each once', () => {
    const chosen = trainableVariables(model, 'full');
    const all = Object.values(namedVariables(model));
    assert.equal(new Set(chosen).size, chosen.length, 'a variable appears twice in the list');
    assert.equal(chosen.length, all.length, `expected all ${all.length} variables (encoder ${encoderVariables(model).length} + decoder ${decoderVariables(model).length}); got ${chosen.length}`);
  });
});

describe('TODO(7): one fine-tuning step', function () {
  this.timeout(60_000);

  it('returns the loss before the update, and repeated steps lower it', () => {
    const model = createWhisper(TINY, 4), batch = tinyBatch(), optimizer = tf.train.adam(3e-3);
    const variables = [...encoderVariables(model), ...decoderVariables(model)];
    try {
      const first = fineTuneStep(model, optimizer, batch, variables);
      assert.equal(typeof first, 'number', 'fineTuneStep returns the loss as a plain number (read it with dataSync or data)');
      let last = first;
      for (let i = 0; i < 14; i++) {
        const expected = referenceLoss(model, batch);
        last = fineTuneStep(model, optimizer, batch, variables);
        assert.ok(Math.abs(last - expected) < 1e-3, `step ${i + 2} returned ${last.toFixed(4)} but the teacher-forced loss before it was ${expected.toFixed(4)}`);
      }
      assert.ok(last < first - 0.3, `15 steps of Adam on one batch should cut the loss by well over 0.3; it went ${first.toFixed(3)} → ${last.toFixed(3)}. ` +
        'Is the loss a function of the variables you pass to minimize?');
    } finally {
      disposeWhisper(model);
      optimizer.dispose();
      tf.dispose([batch.mels, batch.input, batch.target]);
    }
  });

  it('changes only the variables it is given (a frozen encoder stays put)', () => {
    const model = createWhisper(TINY, 5), batch = tinyBatch(), optimizer = tf.train.adam(1e-2);
    const before = Object.fromEntries(Object.entries(namedVariables(model)).map(([n, v]) => [n, v.dataSync().slice()]));
    try {
      fineTuneStep(model, optimizer, batch, decoderVariables(model));
      for (const [name, v] of Object.entries(namedVariables(model))) {
        const moved = v.dataSync().some((x, i) => x !== before[name][i]);
        if (name.startsWith('encoder.')) assert.ok(!moved, `${name} changed although only the decoder's variables were passed: minimize(f, true, variables)`);
        if (name === 'decoder.tokenEmbed') assert.ok(moved, 'the decoder did not change: pass `variables` as minimize\'s var list');
      }
    } finally {
      disposeWhisper(model);
      optimizer.dispose();
      tf.dispose([batch.mels, batch.input, batch.target]);
    }
  });

  it('leaves no tensors behind (tf.memory().numTensors is flat across a step)', async () => {
    const model = createWhisper(TINY, 6), batch = tinyBatch(), optimizer = tf.train.adam(1e-3);
    const variables = [...encoderVariables(model), ...decoderVariables(model)];
    try {
      fineTuneStep(model, optimizer, batch, variables); // the first step creates Adam's moment variables; they stay
      await expectNoTensorLeak(() => { fineTuneStep(model, optimizer, batch, variables); }, 'fineTuneStep');
    } finally {
      disposeWhisper(model);
      optimizer.dispose();
      tf.dispose([batch.mels, batch.input, batch.target]);
    }
  });
});
