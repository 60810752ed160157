/**
 * A speech corpus you can regenerate from a seed: short commands ("seven red go") spoken by random synthetic
 * speakers in two accents, at 8 kHz. No recordings ship and nothing is downloaded; this file and
 * lab/speechLexicon.ts are the whole corpus.
 *
 *   const u = utterance('B', 1234);      // one utterance: { words, text: 'nine blue stop', audio, speaker, … }
 *   const set = corpus('A', 200, 7);     // 200 utterances from seed 7 (same seed, same audio, on any machine)
 *
 * HOW IT SOUNDS. A source–filter formant synthesizer in the style of Klatt (1980): a glottal pulse train (voicing)
 * and white noise (aspiration, frication) drive a cascade of four two-pole resonators, the formants F1–F4, whose
 * frequencies glide between per-phone targets (lab/speechLexicon.ts) every 5 ms; fricatives and stop bursts add
 * band-passed noise in parallel. It is robotic but intelligible-ish, and it has what makes speech hard: formant
 * transitions, coarticulation, speaker and rate variation, and background noise.
 *
 * SPEAKERS vary in pitch (85–250 Hz), vocal-tract length (formants × 0.88–1.22, shorter tract = higher
 * formants), speaking rate (0.8–1.25×), breathiness and background noise (SNR 12–35 dB). Each utterance draws
 * its own speaker, so test speakers are never training speakers.
 *
 * ACCENTS. A is the lexicon as written (General-American-like). B is a documented, systematic shift: phone
 * substitutions (th-stopping, v→w, trap raising, a diphthong shift, kit tensing, non-rhoticity, final devoicing:
 * see `accentB`), formant shifts (back-vowel fronting, more open vowels), slower vowels and a rising final pitch
 * (see `ACCENT_B_SHIFT`). The seed alone picks the words and the speaker, so `utterance('A', s)` and
 * `utterance('B', s)` are the same sentence by the same speaker in the two accents.
 */
import { mulberry32, type Rng } from './random';
import { ACCENT_B_SHIFT, LEXICON, PHONES, WORDS, accentB, type PhoneSpec } from './speechLexicon';

export { WORDS } from './speechLexicon';
export const SAMPLE_RATE = 8000;
export type Accent = 'A' | 'B';

export interface Speaker {
  pitch: number; // mean F0 in Hz
  tract: number; // formant scale: 1 = adult male vocal tract, > 1 shorter
  rate: number; // speaking rate: 1.25 = 25% faster
  breath: number; // aspiration noise mixed into voicing, 0–0.3
  snrDb: number; // background white noise, dB below the speech
}

export interface Utterance {
  seed: number;
  accent: Accent;
  words: string[];
  text: string; // the words joined by single spaces: the transcript
  speaker: Speaker;
  audio: Float32Array; // samples at SAMPLE_RATE, speech RMS ≈ 0.08
}

// The course's one seeded generator (lab/random.ts), re-exported for the exercise's scripts.
export { mulberry32, type Rng };
const uniform = (rng: Rng, lo: number, hi: number): number => lo + (hi - lo) * rng();
const gaussian = (rng: Rng): number => Math.sqrt(-2 * Math.log(rng() + 1e-12)) * Math.cos(2 * Math.PI * rng());

export function randomSpeaker(rng: Rng): Speaker {
  const tract = uniform(rng, 0.88, 1.22);
  // Shorter tracts tend to go with higher voices (women, children), loosely.
  const pitch = Math.min(250, Math.max(85, 100 * tract ** 3.5 * uniform(rng, 0.85, 1.2)));
  return { pitch, tract, rate: uniform(rng, 0.8, 1.25), breath: uniform(rng, 0, 0.3), snrDb: uniform(rng, 12, 35) };
}

/** 2–4 words drawn uniformly from the vocabulary (no grammar, so the decoder cannot guess from context). */
export function randomWords(rng: Rng): string[] {
  const n = 2 + Math.floor(rng() * 3);
  return Array.from({ length: n }, () => WORDS[Math.floor(rng() * WORDS.length)]);
}

/** One utterance: words and speaker depend only on `seed`; `accent` changes only how they are spoken. */
export function utterance(accent: Accent, seed: number): Utterance {
  const rng = mulberry32(seed);
  const words = randomWords(rng);
  const speaker = randomSpeaker(rng);
  const audio = synthesize(words, speaker, accent, mulberry32(seed ^ 0x5eed));
  return { seed, accent, words, text: words.join(' '), speaker, audio };
}

/** `count` utterances whose seeds are derived from `seed` (utterance i gets seed·100003 + i). */
export function corpus(accent: Accent, count: number, seed: number): Utterance[] {
  return Array.from({ length: count }, (_, i) => utterance(accent, (seed * 100003 + i) >>> 0));
}

// ----- synthesis -----

const HOP = 40; // samples per control frame (5 ms)
type Formants = [number, number, number];

/** One stretch of sound with constant targets; the control tracks glide between neighbours. */
interface Segment {
  frames: number;
  f: Formants;
  voice: number; // voicing amplitude
  asp: number; // aspiration (noise through the formants)
  fric: number; // frication (noise through its own band)
  band: { hz: number; bw: number };
  damp: number; // formant bandwidth multiplier (nasals are damped)
}

function segmentsOf(phones: string[], lengthen: boolean[], accent: Accent, sp: Speaker, rng: Rng): Segment[] {
  const out: Segment[] = [];
  const frames = (ms: number): number =>
    Math.max(1, Math.round(((ms * SAMPLE_RATE) / 1000 / HOP / sp.rate) * uniform(rng, 0.85, 1.15)));
  const shift = (p: string, f: Formants): Formants => {
    if (accent === 'A') return f;
    const f2 = ACCENT_B_SHIFT.frontedVowels.includes(p) ? Math.min(f[1] * ACCENT_B_SHIFT.f2Fronting, f[2] - 200) : f[1];
    return [f[0] * ACCENT_B_SHIFT.f1Scale, f2, f[2]];
  };
  const silentBand = { hz: 1000, bw: 1000, level: 0 };
  phones.forEach((p, i) => {
    const s: PhoneSpec = PHONES[p];
    const next = PHONES[phones[i + 1]] as PhoneSpec | undefined;
    const isVowel = s.kind === 'vowel';
    const tempo = accent === 'B' ? (isVowel ? ACCENT_B_SHIFT.vowelTempo : ACCENT_B_SHIFT.consonantTempo) : 1;
    const ms = s.ms * tempo * (lengthen[i] ? 1.5 : 1);
    const base = { asp: 0, fric: 0, band: silentBand, damp: 1 };
    if (isVowel) {
      const f = shift(p, s.formants);
      if (s.to) {
        out.push({ ...base, frames: frames(ms * 0.45), f, voice: 1 });
        out.push({ ...base, frames: frames(ms * 0.55), f: shift(p, s.to), voice: 1 });
      } else {
        out.push({ ...base, frames: frames(ms), f, voice: 1 });
      }
    } else if (s.kind === 'stop') {
      const band = s.noise ?? silentBand;
      out.push({ ...base, frames: frames(ms * 0.7), f: s.formants, voice: s.voiced ? 0.12 : 0, band });
      out.push({ ...base, frames: 2, f: s.formants, voice: s.voiced ? 0.3 : 0, fric: band.level, band });
      if (!s.voiced)
        out.push({ ...base, frames: frames(35), f: next?.formants ?? s.formants, voice: 0, asp: 0.35, band });
    } else if (s.kind === 'fricative') {
      out.push({
        ...base,
        frames: frames(ms),
        f: s.formants,
        voice: s.voiced ? 0.35 : 0,
        fric: s.noise?.level ?? 0,
        band: s.noise ?? silentBand,
      });
    } else if (s.kind === 'aspirate') {
      out.push({ ...base, frames: frames(ms), f: next?.formants ?? s.formants, voice: 0, asp: 0.5 });
    } else if (s.kind === 'nasal') {
      out.push({ ...base, frames: frames(ms), f: s.formants, voice: 0.45, damp: 2.2 });
    } else {
      out.push({ ...base, frames: frames(ms), f: s.formants, voice: 0.7 });
    }
  });
  return out;
}

const silence = (frames: number): Segment => ({
  frames,
  f: [500, 1500, 2500],
  voice: 0,
  asp: 0,
  fric: 0,
  band: { hz: 1000, bw: 1000 },
  damp: 1,
});

/** Moving average of `x` over ±`half` frames (coarticulation: targets are approached, not jumped to). */
function smooth(x: Float32Array, half: number): Float32Array {
  const y = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    let sum = 0,
      n = 0;
    for (let j = Math.max(0, i - half); j <= Math.min(x.length - 1, i + half); j++) {
      sum += x[j];
      n++;
    }
    y[i] = sum / n;
  }
  return y;
}

/** A two-pole resonator (Klatt 1980, eq. 1) whose frequency and bandwidth may change every sample. */
class Resonator {
  private y1 = 0;
  private y2 = 0;
  step(x: number, hz: number, bw: number): number {
    const T = 1 / SAMPLE_RATE;
    const c = -Math.exp(-2 * Math.PI * bw * T),
      b = 2 * Math.exp(-Math.PI * bw * T) * Math.cos(2 * Math.PI * hz * T);
    const y = (1 - b - c) * x + b * this.y1 + c * this.y2;
    this.y2 = this.y1;
    this.y1 = y;
    return y;
  }
}

/** A band-pass biquad with 0 dB peak gain (the RBJ cookbook's constant-peak form), for frication noise. */
class Bandpass {
  private x1 = 0;
  private x2 = 0;
  private y1 = 0;
  private y2 = 0;
  step(x: number, hz: number, bw: number): number {
    const w = (2 * Math.PI * hz) / SAMPLE_RATE,
      alpha = (Math.sin(w) * bw) / (2 * hz);
    const y = (alpha * (x - this.x2) + 2 * Math.cos(w) * this.y1 - (1 - alpha) * this.y2) / (1 + alpha);
    this.x2 = this.x1;
    this.x1 = x;
    this.y2 = this.y1;
    this.y1 = y;
    return y;
  }
}

/** Speaks `words` with speaker `sp` in `accent`; `rng` drives durations, jitter and noise. */
export function synthesize(words: readonly string[], sp: Speaker, accent: Accent, rng: Rng): Float32Array {
  // 1. Segments: silence, then each word's phones with short pauses between words.
  const segs: Segment[] = [silence(Math.round(uniform(rng, 10, 30)))];
  const wordSpans: [number, number][] = [];
  let at = segs[0].frames;
  words.forEach((w, k) => {
    const phones = LEXICON[w];
    const spoken = accent === 'B' ? accentB(phones) : { phones: [...phones], lengthen: phones.map(() => false) };
    const s = segmentsOf(spoken.phones, spoken.lengthen, accent, sp, rng);
    const start = at;
    for (const seg of s) {
      segs.push(seg);
      at += seg.frames;
    }
    wordSpans.push([start, at]);
    const gap = k < words.length - 1 ? Math.round(uniform(rng, 4, 20)) : Math.round(uniform(rng, 10, 30));
    segs.push(silence(gap));
    at += gap;
  });
  const nFrames = at;

  // 2. Control tracks, one value per 5 ms frame: formants smoothed over ±30 ms, amplitudes over ±5 ms.
  const track = (get: (s: Segment) => number): Float32Array => {
    const t = new Float32Array(nFrames);
    let i = 0;
    for (const s of segs) for (let k = 0; k < s.frames; k++) t[i++] = get(s);
    return t;
  };
  const F = [0, 1, 2].map((j) =>
    smooth(
      track((s) => s.f[j] * sp.tract),
      6,
    ),
  );
  const [voice, asp, fric] = [track((s) => s.voice), track((s) => s.asp), track((s) => s.fric)].map((t) =>
    smooth(t, 1),
  );
  const bandHz = track((s) => Math.min(3800, s.band.hz * sp.tract)),
    bandBw = track((s) => s.band.bw),
    damp = smooth(
      track((s) => s.damp),
      2,
    );
  // Pitch: a gentle fall over the utterance with a lift at each word's start; accent B rises on the last word.
  const f0 = new Float32Array(nFrames);
  for (let i = 0; i < nFrames; i++) f0[i] = sp.pitch * (1.1 - 0.22 * (i / nFrames));
  wordSpans.forEach(([a, b], k) => {
    for (let i = a; i < b; i++) {
      f0[i] *= 1 + 0.08 * Math.exp(-(i - a) / 20);
      if (accent === 'B' && k === wordSpans.length - 1)
        f0[i] *= 1 + (ACCENT_B_SHIFT.finalRise - 1) * ((i - a) / (b - a));
    }
  });

  // 3. Sample loop: glottal pulses + aspiration → F1…F4 cascade → radiation; frication added in parallel.
  const n = nFrames * HOP;
  const speech = new Float32Array(n);
  const glottis = new Resonator(),
    fricBand = new Bandpass(),
    fricBand2 = new Bandpass();
  const formants = [new Resonator(), new Resonator(), new Resonator(), new Resonator()];
  const BW = [60, 90, 150, 250];
  let phase = 0,
    prev = 0,
    pulse = 0;
  for (let t = 0; t < n; t++) {
    const i = Math.min(nFrames - 1, Math.floor(t / HOP)),
      j = Math.min(nFrames - 1, i + 1),
      u = (t % HOP) / HOP;
    const lerp = (x: Float32Array): number => x[i] + (x[j] - x[i]) * u;
    phase += lerp(f0) / SAMPLE_RATE;
    let excite = 0;
    if (phase >= 1) {
      phase -= 1 + 0.01 * gaussian(rng); // jitter
      excite = 60 * (1 + 0.05 * gaussian(rng)); // shimmer
    }
    const v = lerp(voice);
    pulse = glottis.step(excite * v, 0, 150);
    const noise = gaussian(rng);
    let x = pulse + noise * (lerp(asp) * 0.9 + v * sp.breath * 0.15);
    const d = lerp(damp);
    for (let k = 0; k < 4; k++) {
      const hz = k < 3 ? lerp(F[k]) : Math.min(3700, 3400 * sp.tract);
      x = formants[k].step(x, hz, BW[k] * (k < 2 ? d : 1));
    }
    const radiated = x - prev;
    prev = x;
    const band = fricBand2.step(
      fricBand.step(noise * lerp(fric), lerp(bandHz), lerp(bandBw)),
      lerp(bandHz),
      lerp(bandBw),
    );
    speech[t] = radiated + 0.35 * band;
  }

  // 4. Level and noise: speech RMS 0.08, then white noise at the speaker's SNR.
  let sum = 0;
  for (let t = 0; t < n; t++) sum += speech[t] * speech[t];
  const gain = 0.08 / Math.sqrt(sum / n + 1e-12),
    noiseRms = 0.08 * 10 ** (-sp.snrDb / 20);
  for (let t = 0; t < n; t++) speech[t] = Math.max(-1, Math.min(1, speech[t] * gain + noiseRms * gaussian(rng)));
  return speech;
}
