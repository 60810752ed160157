// TODO(5)–(7): the teacher-forced loss with PAD ignored, which variables each fine-tuning mode trains, and one
// training step (it lowers the loss, touches only the chosen variables, leaks no tensors). A tiny model keeps
// these fast; the architecture is the one the base model uses.
import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { expectNoTensorLeak, expectTensorClose } from '../../../lab/testing';
import { makeBatch, type Batch, type Example } from '../data';
import { fineTuneStep, sequenceLoss, trainableVariables } from '../finetune';
import {
  createWhisper,
  decodeText,
  decoderVariables,
  disposeWhisper,
  encodeAudio,
  encoderVariables,
  namedVariables,
  type Whisper,
  type WhisperConfig,
} from '../model';
import { PAD, VOCAB_SIZE } from '../tokenizer';

const TINY: WhisperConfig = {
  mels: 40,
  frames: 32,
  width: 16,
  heads: 2,
  encoderDepth: 1,
  decoderDepth: 1,
  mlpRatio: 2,
  vocabSize: VOCAB_SIZE,
  maxTokens: 12,
};

/** Four clips of seeded noise "saying" short texts. */
async function tinyBatch(): Promise<Batch> {
  const texts = ['red go', 'two', 'stop left', 'nine'];
  const examples: Example[] = await Promise.all(
    texts.map(async (text, i) => {
      const noise = tf.randomNormal([TINY.frames * TINY.mels], 0, 1, 'float32', 10 + i);
      const data = (await noise.data()) as Float32Array;
      noise.dispose();
      return { text, mel: { frames: TINY.frames, mels: TINY.mels, data } };
    }),
  );
  return makeBatch(examples, [0, 1, 2, 3], TINY.maxTokens);
}

/** The teacher-forced loss computed here, independently of TODO(5). */
async function referenceLoss(model: Whisper, batch: Batch): Promise<number> {
  const sums = tf.tidy(() => {
    const logp = tf.logSoftmax(decodeText(model, batch.input, encodeAudio(model, batch.mels)), -1); // [B, L, V]
    const picked = tf.sum(tf.mul(logp, tf.oneHot(batch.target, VOCAB_SIZE)), -1); // [B, L]
    const mask = tf.cast(tf.notEqual(batch.target, PAD), 'float32');
    return tf.stack([tf.sum(tf.mul(picked, mask)), tf.sum(mask)]); // [2]: Σ log p over real tokens, their count
  });
  const [logLikelihood, count] = await sums.data();
  sums.dispose();
  return -logLikelihood / count;
}

describe('TODO(5): the sequence loss', () => {
  it('is log V for uniform predictions', async () => {
    const loss = sequenceLoss(
      tf.zeros([2, 3, 5]) as tf.Tensor3D,
      tf.tensor2d(
        [
          [1, 2, PAD],
          [3, PAD, PAD],
        ],
        [2, 3],
        'int32',
      ),
    );
    await expectTensorClose(
      loss,
      Math.log(5),
      { atol: 1e-5 },
      'uniform logits over 5 tokens should give −log(1/5) = log 5 ≈ 1.6094',
    );
  });

  it('matches −log softmax at the target, averaged over every real token in the batch', async () => {
    // Row 0 has one real token (target 2 under logits [1, 2, 3]), row 1 has three real tokens under uniform logits.
    const logits = tf.tensor3d([
      [
        [1, 2, 3],
        [9, -9, 0],
        [9, -9, 0],
      ],
      [
        [0, 0, 0],
        [0, 0, 0],
        [0, 0, 0],
      ],
    ]);
    const targets = tf.tensor2d(
      [
        [2, PAD, PAD],
        [1, 2, 1],
      ],
      [2, 3],
      'int32',
    );
    const a = -Math.log(Math.exp(3) / (Math.exp(1) + Math.exp(2) + Math.exp(3))),
      b = Math.log(3);
    await expectTensorClose(
      sequenceLoss(logits, targets),
      (a + 3 * b) / 4,
      { atol: 1e-5 },
      `expected (${a.toFixed(4)} + 3 × ${b.toFixed(4)}) / 4: the mean over the 4 real tokens. The PAD positions of row 0 must not count (their logits are wild), ` +
        'and each token counts once (not the mean of per-sequence means)',
    );
  });

  it('ignores PAD targets entirely', async () => {
    const row = (hot: number, scale: number): number[] => Array.from({ length: 6 }, (_, v) => (v === hot ? scale : 0));
    // right on the real tokens, wild on PAD
    const garbage = tf.tensor3d([[row(3, 30), row(4, 30), row(5, 50), row(5, 50)]]);
    const loss = (await sequenceLoss(garbage, tf.tensor2d([[3, 4, PAD, PAD]], [1, 4], 'int32')).data())[0];
    assert.ok(
      loss < 1e-6,
      `the predictions at the two real positions are certain and right, so the loss should be ≈ 0; got ${loss.toFixed(3)}: the PAD positions leaked in. ` +
        "Multiply by a mask targets ≠ PAD and divide by the mask's sum.",
    );
  });
});

describe('TODO(6): which variables are trained', () => {
  let model: Whisper;
  before(() => {
    model = createWhisper(TINY, 3);
  });
  after(() => disposeWhisper(model));

  it('freezing the encoder trains exactly the decoder', () => {
    const chosen = new Set(trainableVariables(model, 'freeze-encoder'));
    const names = Object.entries(namedVariables(model));
    const wrong = names.filter(([n, v]) => n.startsWith('encoder.') && chosen.has(v)).map(([n]) => n);
    const missing = names.filter(([n, v]) => n.startsWith('decoder.') && !chosen.has(v)).map(([n]) => n);
    assert.deepEqual(
      wrong,
      [],
      `these encoder variables would be trained although the encoder is frozen: ${wrong.join(', ')}`,
    );
    assert.deepEqual(
      missing,
      [],
      `these decoder variables would stay frozen: ${missing.join(', ')} (the cross-attention and embeddings belong to the decoder)`,
    );
    assert.equal(chosen.size, decoderVariables(model).length);
  });

  it('full fine-tuning trains every variable, each once', () => {
    const chosen = trainableVariables(model, 'full');
    const all = Object.values(namedVariables(model));
    assert.equal(new Set(chosen).size, chosen.length, 'a variable appears twice in the list');
    assert.equal(
      chosen.length,
      all.length,
      `expected all ${all.length} variables (encoder ${encoderVariables(model).length} + decoder ${decoderVariables(model).length}); got ${chosen.length}`,
    );
  });
});

describe('TODO(7): one fine-tuning step', function () {
  this.timeout(60_000);

  it('returns the loss before the update, and repeated steps lower it', async () => {
    const model = createWhisper(TINY, 4),
      batch = await tinyBatch(),
      optimizer = tf.train.adam(3e-3);
    const variables = [...encoderVariables(model), ...decoderVariables(model)];
    try {
      const first = await fineTuneStep(model, optimizer, batch, variables);
      assert.equal(
        typeof first,
        'number',
        'fineTuneStep resolves to the loss as a plain number (read it with (await loss.data())[0])',
      );
      let last = first;
      for (let i = 0; i < 14; i++) {
        const expected = await referenceLoss(model, batch);
        last = await fineTuneStep(model, optimizer, batch, variables);
        assert.ok(
          Math.abs(last - expected) < 1e-3,
          `step ${i + 2} returned ${last.toFixed(4)} but the teacher-forced loss before it was ${expected.toFixed(4)}`,
        );
      }
      assert.ok(
        last < first - 0.3,
        `15 steps of Adam on one batch should cut the loss by well over 0.3; it went ${first.toFixed(3)} → ${last.toFixed(3)}. ` +
          'Is the loss a function of the variables you pass to minimize?',
      );
    } finally {
      disposeWhisper(model);
      optimizer.dispose();
      tf.dispose([batch.mels, batch.input, batch.target]);
    }
  });

  it('changes only the variables it is given (a frozen encoder stays put)', async () => {
    const model = createWhisper(TINY, 5),
      batch = await tinyBatch(),
      optimizer = tf.train.adam(1e-2);
    const values = async (): Promise<Record<string, Float32Array>> =>
      Object.fromEntries(
        await Promise.all(
          Object.entries(namedVariables(model)).map(
            async ([n, v]) => [n, ((await v.data()) as Float32Array).slice()] as const,
          ),
        ),
      );
    const before = await values();
    try {
      await fineTuneStep(model, optimizer, batch, decoderVariables(model));
      const after = await values();
      for (const name of Object.keys(after)) {
        const moved = after[name].some((x, i) => x !== before[name][i]);
        if (name.startsWith('encoder.'))
          assert.ok(
            !moved,
            `${name} changed although only the decoder's variables were passed: minimize(f, true, variables)`,
          );
        if (name === 'decoder.tokenEmbed')
          assert.ok(moved, "the decoder did not change: pass `variables` as minimize's var list");
      }
    } finally {
      disposeWhisper(model);
      optimizer.dispose();
      tf.dispose([batch.mels, batch.input, batch.target]);
    }
  });

  it('leaves no tensors behind (tf.memory().numTensors is flat across a step)', async () => {
    const model = createWhisper(TINY, 6),
      batch = await tinyBatch(),
      optimizer = tf.train.adam(1e-3);
    const variables = [...encoderVariables(model), ...decoderVariables(model)];
    try {
      // the first step creates Adam's moment variables; they stay
      await fineTuneStep(model, optimizer, batch, variables);
      await expectNoTensorLeak(async () => {
        await fineTuneStep(model, optimizer, batch, variables);
      }, 'fineTuneStep');
    } finally {
      disposeWhisper(model);
      optimizer.dispose();
      tf.dispose([batch.mels, batch.input, batch.target]);
    }
  });
});
