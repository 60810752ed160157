/**
 * The phones and words of the synthetic speech corpus (lab/speech.ts): a pronunciation for each word in ARPAbet,
 * the acoustic targets of each phone, and the systematic shift that makes accent B.
 *
 * Phone targets are textbook values for an adult male vocal tract: vowel formants from Peterson & Barney (1952) /
 * Hillenbrand et al. (1995); consonant loci and noise bands from Klatt (1980), "Software for a cascade/parallel
 * formant synthesizer". The pronunciations are written by hand (they agree with CMUdict). Nothing here is copied
 * from a synthesizer's source; the numbers are public acoustic-phonetic facts.
 */

/** How a phone is made: a vowel (two targets for a diphthong), a stop, a fricative, a nasal or an approximant. */
export type PhoneKind = 'vowel' | 'stop' | 'fricative' | 'nasal' | 'approximant' | 'aspirate';

export interface PhoneSpec {
  kind: PhoneKind;
  /** F1, F2, F3 in Hz (the closure locus for a stop); a diphthong also has `to`. */
  formants: [number, number, number];
  to?: [number, number, number];
  /** Typical duration in ms at speaking rate 1. */
  ms: number;
  voiced: boolean;
  /** Frication noise: centre and bandwidth of its band in Hz, and its level (stops: the burst). */
  noise?: { hz: number; bw: number; level: number };
}

const V = (f1: number, f2: number, f3: number, ms: number, to?: [number, number, number]): PhoneSpec => ({
  kind: 'vowel',
  formants: [f1, f2, f3],
  ms,
  voiced: true,
  ...(to ? { to } : {}),
});

/** A stop (its burst) or a fricative (its frication): a locus, a duration, voicing, and the noise band in Hz. */
const noisy = (
  kind: 'stop' | 'fricative',
  formants: [number, number, number],
  ms: number,
  voiced: boolean,
  hz: number,
  bw: number,
  level: number,
): PhoneSpec => ({ kind, formants, ms, voiced, noise: { hz, bw, level } });

/** A voiced phone without noise (nasal or approximant): its formants and its duration. */
const voicedPhone = (kind: 'nasal' | 'approximant', formants: [number, number, number], ms: number): PhoneSpec => ({
  kind,
  formants,
  ms,
  voiced: true,
});

export const PHONES: Record<string, PhoneSpec> = {
  // Monophthongs (lax ones short, tense ones long).
  IY: V(270, 2290, 3010, 130),
  IH: V(390, 1990, 2550, 90),
  EH: V(530, 1840, 2480, 100),
  AE: V(660, 1720, 2410, 130),
  AH: V(520, 1190, 2390, 90),
  AA: V(730, 1090, 2440, 140),
  AO: V(570, 840, 2410, 140),
  UH: V(440, 1020, 2240, 90),
  UW: V(300, 870, 2240, 130),
  ER: V(490, 1350, 1690, 130),
  // Diphthongs glide from `formants` to `to`.
  AY: V(730, 1090, 2440, 190, [320, 2150, 2800]),
  EY: V(480, 1900, 2500, 170, [300, 2250, 2900]),
  OW: V(540, 900, 2400, 170, [340, 780, 2300]),
  AW: V(730, 1200, 2440, 190, [400, 900, 2300]),
  OY: V(560, 850, 2400, 200, [320, 2100, 2800]),
  // Stops: closure at the place's locus, then a burst (voiceless ones also aspirate).
  P: noisy('stop', [250, 900, 2200], 70, false, 900, 1500, 0.5),
  B: noisy('stop', [250, 900, 2200], 60, true, 900, 1500, 0.35),
  T: noisy('stop', [250, 1700, 2700], 70, false, 3300, 1200, 0.8),
  D: noisy('stop', [250, 1700, 2700], 60, true, 3300, 1200, 0.5),
  K: noisy('stop', [250, 2000, 2500], 75, false, 2000, 700, 0.8),
  G: noisy('stop', [250, 2000, 2500], 65, true, 2000, 700, 0.5),
  // Fricatives (at 8 kHz /s/ is cut at the 4 kHz Nyquist limit, as on a telephone).
  S: noisy('fricative', [300, 1700, 2700], 110, false, 3500, 900, 0.9),
  Z: noisy('fricative', [300, 1700, 2700], 90, true, 3500, 900, 0.5),
  SH: noisy('fricative', [300, 1800, 2500], 110, false, 2500, 900, 1.0),
  F: noisy('fricative', [300, 900, 2200], 100, false, 2500, 3000, 0.3),
  V: noisy('fricative', [300, 900, 2200], 70, true, 2500, 3000, 0.2),
  TH: noisy('fricative', [300, 1400, 2600], 100, false, 3000, 2500, 0.25),
  DH: noisy('fricative', [300, 1400, 2600], 60, true, 3000, 2500, 0.15),
  HH: { kind: 'aspirate', formants: [500, 1500, 2500], ms: 70, voiced: false },
  // Nasals: a low, damped murmur whose F2 marks the place.
  M: voicedPhone('nasal', [250, 1100, 2300], 80),
  N: voicedPhone('nasal', [250, 1600, 2600], 80),
  NG: voicedPhone('nasal', [250, 2000, 2500], 90),
  // Approximants: vowel-like, with /r/'s low F3 and /l/'s low F2.
  L: voicedPhone('approximant', [360, 1000, 2800], 70),
  R: voicedPhone('approximant', [350, 1100, 1500], 70),
  W: voicedPhone('approximant', [300, 700, 2200], 60),
  Y: voicedPhone('approximant', [280, 2250, 3000], 60),
};

/** The corpus vocabulary: digits, colours, shapes and commands, with their accent-A (General American) phones. */
export const LEXICON: Record<string, string[]> = {
  zero: ['Z', 'IH', 'R', 'OW'],
  one: ['W', 'AH', 'N'],
  two: ['T', 'UW'],
  three: ['TH', 'R', 'IY'],
  four: ['F', 'AO', 'R'],
  five: ['F', 'AY', 'V'],
  six: ['S', 'IH', 'K', 'S'],
  seven: ['S', 'EH', 'V', 'AH', 'N'],
  eight: ['EY', 'T'],
  nine: ['N', 'AY', 'N'],
  red: ['R', 'EH', 'D'],
  green: ['G', 'R', 'IY', 'N'],
  blue: ['B', 'L', 'UW'],
  black: ['B', 'L', 'AE', 'K'],
  white: ['W', 'AY', 'T'],
  yellow: ['Y', 'EH', 'L', 'OW'],
  circle: ['S', 'ER', 'K', 'AH', 'L'],
  square: ['S', 'K', 'W', 'EH', 'R'],
  star: ['S', 'T', 'AA', 'R'],
  cross: ['K', 'R', 'AO', 'S'],
  go: ['G', 'OW'],
  stop: ['S', 'T', 'AA', 'P'],
  left: ['L', 'EH', 'F', 'T'],
  right: ['R', 'AY', 'T'],
  up: ['AH', 'P'],
  down: ['D', 'AW', 'N'],
  yes: ['Y', 'EH', 'S'],
  no: ['N', 'OW'],
};

export const WORDS: readonly string[] = Object.keys(LEXICON);

/**
 * ACCENT B, part 1: phone substitutions, applied to every word (a made-up but internally consistent accent, built
 * from shifts real English accents show):
 *   TH → T, DH → D          th-stopping              "three" → "tree"
 *   V → W                   v/w merger               "seven" → "sewen", "five" → "fiwe"
 *   AE → EH                 trap raising             "black" → "bleck"
 *   EY → AY, AY → OY        diphthong shift          "eight" → "ite", "nine" → "noin"
 *   IH → IY                 kit tensing              "six" → "seeks"
 *   R after a vowel → gone  non-rhotic; the vowel is lengthened by half    "four" → "foh"
 *   B, D, G at a word's end → P, T, K                final devoicing          "red" → "ret"
 */
export function accentB(phones: readonly string[]): { phones: string[]; lengthen: boolean[] } {
  const SUB: Record<string, string> = { TH: 'T', DH: 'D', V: 'W', AE: 'EH', EY: 'AY', AY: 'OY', IH: 'IY' };
  const DEVOICE: Record<string, string> = { B: 'P', D: 'T', G: 'K' };
  const out: string[] = [],
    lengthen: boolean[] = [];
  phones.forEach((p, i) => {
    const isLast = i === phones.length - 1;
    if (p === 'R' && i > 0 && PHONES[phones[i - 1]].kind === 'vowel') {
      if (lengthen.length > 0) lengthen[lengthen.length - 1] = true; // the vowel before a dropped /r/ grows
      return;
    }
    out.push(isLast && DEVOICE[p] ? DEVOICE[p] : (SUB[p] ?? p));
    lengthen.push(false);
  });
  return { phones: out, lengthen };
}

/**
 * ACCENT B, part 2: acoustic shifts on top of the phones (see synthesize in lab/speech.ts):
 *   back-vowel fronting     F2 of UW, UH, OW, AW × 1.45 ("two" sounds closer to "tew")
 *   open vowels             F1 of every vowel × 1.12
 *   tempo                   vowels 1.35× longer, consonants 0.85×
 *   intonation              a rising pitch on the last word (uptalk) instead of A's fall
 */
export const ACCENT_B_SHIFT = {
  frontedVowels: ['UW', 'UH', 'OW', 'AW'] as readonly string[],
  f2Fronting: 1.45,
  f1Scale: 1.12,
  vowelTempo: 1.35,
  consonantTempo: 0.85,
  finalRise: 1.3,
};
