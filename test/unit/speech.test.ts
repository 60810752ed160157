// The synthetic speech corpus (templates/workspace/lab/speech.ts) and the shipped "pretrained Whisper" of exercise
// 5 (templates/workspace/lab/weights/whisper-base, built by `npm run build:weights -- whisper-base`): the
// generator is a pure function of the seed, accent B is the documented shift of accent A, and the shipped
// weights load into the exercise's model and compute the function they were saved with.
import * as assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { SAMPLE_RATE, corpus, mulberry32, randomSpeaker, utterance } from '../../templates/workspace/lab/speech';
import { LEXICON, PHONES, WORDS, accentB } from '../../templates/workspace/lab/speechLexicon';
import { loadWhisperSolution, type WhisperSolution } from '../../scripts/weights/whisperSolution';

interface BaseMeta {
  werA: number;
  werB: number;
  params: number;
  seed: number;
  date: string;
  testCorpusSeed: number;
  fingerprint: { audioSum: number; melMean: number; melFrame40: number[]; logits: number[][] };
}
const BASE_WEIGHTS = join(__dirname, '..', '..', 'templates', 'workspace', 'lab', 'weights', 'whisper-base');
const meta = (): BaseMeta => JSON.parse(readFileSync(join(BASE_WEIGHTS, 'meta.json'), 'utf8')) as BaseMeta;
const REBUILD =
  'the generator, the front end or the model changed since the weights were built — rebuild with npm run build:weights -- whisper-base';

describe('lab/speech: the synthetic speech corpus', () => {
  it('is a pure function of the seed', () => {
    const a = utterance('A', 42),
      b = utterance('A', 42);
    assert.equal(a.text, b.text);
    assert.deepEqual(a.audio, b.audio, 'the same seed must give the same samples');
    assert.notDeepEqual(utterance('A', 43).audio, a.audio);
    assert.deepEqual(
      corpus('B', 3, 7).map((u) => u.text),
      corpus('B', 3, 7).map((u) => u.text),
    );
  });

  it('speaks 2–4 vocabulary words at 8 kHz, short and in range', () => {
    for (const u of corpus('A', 30, 11)) {
      assert.ok(u.words.length >= 2 && u.words.length <= 4 && u.words.every((w) => WORDS.includes(w)), u.text);
      assert.equal(u.text, u.words.join(' '));
      assert.ok(
        u.audio.length / SAMPLE_RATE < 2.56,
        `"${u.text}" lasts ${(u.audio.length / SAMPLE_RATE).toFixed(2)} s; the model pads to 2.56 s`,
      );
      assert.ok(u.audio.every((x) => Number.isFinite(x) && Math.abs(x) <= 1));
    }
  });

  it('draws speakers over the documented ranges of pitch, vocal-tract length, rate and noise', () => {
    const rng = mulberry32(5);
    const speakers = Array.from({ length: 300 }, () => randomSpeaker(rng));
    const range = (k: 'pitch' | 'tract' | 'rate' | 'snrDb'): [number, number] => [
      Math.min(...speakers.map((s) => s[k])),
      Math.max(...speakers.map((s) => s[k])),
    ];
    const [p0, p1] = range('pitch'),
      [t0, t1] = range('tract'),
      [r0, r1] = range('rate'),
      [n0, n1] = range('snrDb');
    assert.ok(p0 >= 85 && p1 <= 250 && p1 - p0 > 100, `pitch ${p0}–${p1}`);
    assert.ok(t0 >= 0.88 && t1 <= 1.22 && t1 - t0 > 0.25, `tract ${t0}–${t1}`);
    assert.ok(r0 >= 0.8 && r1 <= 1.25 && r1 - r0 > 0.3, `rate ${r0}–${r1}`);
    assert.ok(n0 >= 12 && n1 <= 35 && n1 - n0 > 15, `SNR ${n0}–${n1}`);
  });

  it('makes accent B the same sentence and speaker as A with the documented phone substitutions', () => {
    const a = utterance('A', 99),
      b = utterance('B', 99);
    assert.equal(a.text, b.text);
    assert.deepEqual(a.speaker, b.speaker);
    assert.notDeepEqual(a.audio, b.audio);
    assert.deepEqual(accentB(LEXICON.three).phones, ['T', 'R', 'IY'], 'th-stopping (the /r/ before a vowel stays)');
    assert.deepEqual(
      accentB(LEXICON.four),
      { phones: ['F', 'AO'], lengthen: [false, true] },
      'non-rhotic: the /r/ after a vowel goes and the vowel grows',
    );
    assert.deepEqual(accentB(LEXICON.seven).phones, ['S', 'EH', 'W', 'AH', 'N'], 'v → w');
    assert.deepEqual(accentB(LEXICON.red).phones, ['R', 'EH', 'T'], 'final devoicing');
    assert.deepEqual(accentB(LEXICON.nine).phones, ['N', 'OY', 'N'], 'AY → OY');
    assert.deepEqual(accentB(LEXICON.black).phones, ['B', 'L', 'EH', 'K'], 'trap raising');
    for (const w of WORDS)
      for (const p of [...LEXICON[w], ...accentB(LEXICON[w]).phones]) assert.ok(PHONES[p], `${w}: unknown phone ${p}`);
  });

  it('makes accent B slower (its vowels are 1.35× longer)', () => {
    const seeds = Array.from({ length: 20 }, (_, i) => 500 + i);
    const total = (accent: 'A' | 'B'): number => seeds.reduce((s, seed) => s + utterance(accent, seed).audio.length, 0);
    assert.ok(total('B') > 1.08 * total('A'), `B lasts ${(total('B') / total('A')).toFixed(2)}× as long as A`);
  });
});

describe('lab/weights/whisper-base: the shipped pretrained model', function () {
  this.timeout(120_000);
  let whisper: WhisperSolution;
  before(() => {
    whisper = loadWhisperSolution();
  });

  it('is small and records its WER on both accents, seed, date and size', () => {
    const bytes = statSync(join(BASE_WEIGHTS, 'weights.bin')).size + statSync(join(BASE_WEIGHTS, 'model.json')).size;
    assert.ok(bytes < 2 * 1024 * 1024, `${bytes} bytes; the shipped weights must stay under 2 MB`);
    const m = meta();
    assert.ok(m.werA < 0.1, `WER on accent A is ${m.werA}; the base model should know accent A`);
    assert.ok(
      m.werB > m.werA + 0.15,
      `WER on B (${m.werB}) should be clearly worse than on A (${m.werA}): B is the accent to adapt to`,
    );
    assert.ok(m.seed > 0 && /^\d{4}-\d{2}-\d{2}$/.test(m.date) && m.params * 4 <= bytes);
  });

  it('sees the same audio and features it was built from (generator and front end unchanged)', () => {
    const u = corpus('A', 1, meta().testCorpusSeed)[0];
    const sum = u.audio.reduce((s, x) => s + Math.abs(x), 0);
    assert.ok(
      Math.abs(sum - meta().fingerprint.audioSum) < 1e-2,
      `audio Σ|x| ${sum} vs ${meta().fingerprint.audioSum}: ${REBUILD}`,
    );
    const mel = whisper.logMelSpectrogram(u.audio, 256);
    meta().fingerprint.melFrame40.forEach((v, m) =>
      assert.ok(Math.abs(mel.data[40 * 40 + m] - v) < 1e-3, `log-Mel frame 40 band ${m}: ${REBUILD}`),
    );
  });

  it('loads from memory into the exercise model and reproduces the stored logits', async () => {
    const { decodeText, disposeWhisper, encodeAudio, featurize, loadWhisper, makeBatch, namedVariables } = whisper;
    const model = await loadWhisper(BASE_WEIGHTS);
    const examples = featurize(corpus('A', 1, meta().testCorpusSeed), model.config.frames);
    const batch = makeBatch(examples, [0], model.config.maxTokens);
    const got = tf.tidy(
      () => (decodeText(model, batch.input, encodeAudio(model, batch.mels)).arraySync() as number[][][])[0],
    );
    tf.dispose([batch.mels, batch.input, batch.target]);
    meta().fingerprint.logits.forEach((row, t) =>
      row.forEach((v, k) => {
        assert.ok(Math.abs(got[t][k] - v) < 2e-3, `logit [${t}, ${k}]: got ${got[t][k]}, stored ${v}: ${REBUILD}`);
      }),
    );
    assert.equal(Object.keys(namedVariables(model)).length > 40, true);
    disposeWhisper(model);
  });

  it('transcribes accent A well and accent B worse (greedy decoding, 16 held-out clips each)', async () => {
    const { disposeWhisper, featurize, loadWhisper, melBatch, transcribe, wordErrorRate } = whisper;
    const model = await loadWhisper(BASE_WEIGHTS);
    const wer = async (accent: 'A' | 'B'): Promise<number> => {
      const examples = featurize(corpus(accent, 16, meta().testCorpusSeed), model.config.frames);
      const mels = melBatch(
        examples,
        examples.map((_, i) => i),
      );
      const hyps = await transcribe(model, mels);
      mels.dispose();
      return wordErrorRate(examples.map((e, i) => ({ reference: e.text, hypothesis: hyps[i] }))).wer;
    };
    const a = await wer('A'),
      b = await wer('B');
    disposeWhisper(model);
    assert.ok(a <= 0.15, `WER on 16 accent-A clips is ${a}`);
    assert.ok(b > a, `WER on the same 16 sentences in accent B (${b}) should be worse than in A (${a})`);
  });
});
