// TODO(4): greedy decoding, driven by a stub "model" that spells out a fixed script, so the loop is tested on its
// own: SOT first, argmax fed back, each sequence stopped at its EOT (then fed PAD), all stopped at maxTokens.
import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { expectNoTensorLeak } from '../../../lab/testing';
import { greedyDecode, type NextTokenLogits } from '../decode';
import { EOT, PAD, SOT, VOCAB_SIZE } from '../tokenizer';

/**
 * A stub whose argmax at step t is script[b][t] (EOT after the script ends). It is called synchronously, so it keeps
 * a copy of what it was fed, and `fed()` reads those copies afterwards (and frees them).
 */
function scripted(script: number[][]): { next: NextTokenLogits; fed: () => Promise<number[][][]> } {
  const kept: tf.Tensor[] = [];
  const next: NextTokenLogits = (tokens) => {
    assert.equal(tokens.dtype, 'int32', 'feed the decoder int32 token ids');
    kept.push(tf.keep(tokens.clone()));
    const [B, length] = tokens.shape;
    const t = length - 1; // tokens so far, after SOT
    const logits = Array.from({ length: B }, (_, b) =>
      Array.from({ length: VOCAB_SIZE }, (_, v) => {
        const want = script[b][t] ?? EOT;
        return v === want ? 2 : Math.sin(v + b + t); // the wanted token is the argmax (others ≤ 1)
      }),
    );
    return tf.tensor2d(logits);
  };
  const fed = async (): Promise<number[][][]> => {
    const rows = await Promise.all(kept.map(async (k) => (await k.array()) as number[][]));
    tf.dispose(kept.splice(0));
    return rows;
  };
  return { next, fed };
}

describe('TODO(4): greedy decoding', () => {
  it('starts from SOT and feeds back the argmax token', async () => {
    const stub = scripted([[5, 6, 7]]);
    const out = await greedyDecode(stub.next, 1, 10);
    const fed = await stub.fed();
    assert.deepEqual(fed[0], [[SOT]], 'the first call should see only SOT: [[1]]');
    assert.deepEqual(fed[1], [[SOT, 5]], 'the second call should see SOT and the first argmax token');
    assert.deepEqual(out, [[5, 6, 7]], 'the result is the tokens after SOT, without EOT');
  });

  it('stops each sequence at its EOT, feeds PAD after it, and stops calling once all are done', async () => {
    const stub = scripted([[5, 6], [7], [8, 9, 10]]);
    const out = await greedyDecode(stub.next, 3, 10);
    const fed = await stub.fed();
    assert.deepEqual(out, [[5, 6], [7], [8, 9, 10]], 'each row keeps only its own tokens before its EOT');
    assert.equal(
      fed.length,
      4,
      `the longest script is 3 tokens + EOT, so 4 calls; got ${fed.length} (stop when every sequence has produced EOT)`,
    );
    assert.deepEqual(
      fed[3][1],
      [SOT, 7, PAD, PAD],
      'a finished sequence is fed PAD (0) after its EOT, so the batch stays rectangular',
    );
  });

  it('stops at maxTokens (SOT included) when EOT never comes', async () => {
    const stub = scripted([Array.from({ length: 50 }, () => 4)]);
    const out = await greedyDecode(stub.next, 1, 6);
    const fed = await stub.fed();
    assert.equal(out[0].length, 5, `with maxTokens = 6 the decoder holds SOT + 5 tokens; got ${out[0].length} tokens`);
    assert.ok(
      fed.every((rows) => rows[0].length <= 5),
      'never feed more than maxTokens − 1 tokens (the next one would not fit)',
    );
  });

  it('leaves no tensors behind', async () => {
    const stub = scripted([[5, 6], [7]]);
    await expectNoTensorLeak(async () => {
      await greedyDecode(stub.next, 2, 8);
      await stub.fed(); // frees the stub's copies of its inputs
    }, 'greedyDecode');
  });
});
