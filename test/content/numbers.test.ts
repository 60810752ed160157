// Content CI for the numbers the course states: each is computed here from the code that produces it, so a README or
// quiz cannot drift from the exercise (ᾱ_T once read 5e-5 where the schedule gives 3.0e-5, and the latent quiz spoke
// of a 7×7×4 latent of 28×28 digits where exercise 7 encodes 16×16 digits to 4×4×4).
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { linearBetaSchedule } from '../../templates/ddpm/solution/schedule';
import { AUTOENCODER_CONFIG } from '../../templates/workspace/lab/autoencoder';
import { betaRange } from '../../templates/workspace/lab/diffusion/training';
import { TEMPLATES } from './harness';

/** The numbers after `label` in `text`, in order, as written (e.g. "3.0e-5"). */
export function statedAfter(text: string, label: string): string[] {
  const escaped = label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return [...text.matchAll(new RegExp(`${escaped}\\s*([0-9.]+(?:e-?[0-9]+)?)`, 'g'))].map((m) => m[1]);
}

/** Whether `stated` is `value` rounded to the digits it shows (1e-4 is 0.0001, 3.0e-5 is 3.0·10⁻⁵ ± 0.05·10⁻⁵). */
export function agrees(stated: string, value: number): boolean {
  const [mantissa, exponent = '0'] = stated.split('e');
  const decimals = mantissa.includes('.') ? mantissa.split('.')[1].length : 0;
  const halfUlp = 0.5 * 10 ** (Number(exponent) - decimals);
  return Math.abs(value - Number(stated)) <= halfUlp * (1 + 1e-9);
}

function cpuT(id: string): number {
  const train = readFileSync(join(TEMPLATES, id, 'starter', 'train.ts'), 'utf8');
  const cpu = /cpu: \{[^}]*?\bT: (\d+)/.exec(train);
  if (cpu) return Number(cpu[1]);
  throw new Error(`${id}/starter/train.ts states no T in its cpu configuration`);
}

describe('content: the numbers the course states are the code’s', () => {
  it('agrees() reads a stated number at the precision it is written', () => {
    assert.ok(agrees('3.0e-5', 3.03e-5));
    assert.ok(!agrees('5e-5', 3.03e-5));
    assert.ok(agrees('0.1', 0.1));
    assert.ok(!agrees('3.0e-5', 4.0e-5));
    assert.deepEqual(statedAfter('keeps ᾱ_T ≈ 3.0e-5 (the paper: ᾱ_T ≈ 4.0e-5)', 'ᾱ_T ≈'), ['3.0e-5', '4.0e-5']);
  });

  it('ddpm README: the rescaled β range and ᾱ_T, for the cpu configuration and for the paper', () => {
    const readme = readFileSync(join(TEMPLATES, 'ddpm', 'README.md'), 'utf8');
    const T = cpuT('ddpm');
    const [beta1, betaT] = betaRange(T);
    const ours = linearBetaSchedule(T, beta1, betaT).alphaBars[T - 1];
    const paper = linearBetaSchedule(1000, 1e-4, 0.02).alphaBars[999];
    const range = /by 1000\/T \(([0-9.e-]+) → ([0-9.e-]+)\)/.exec(readme);
    assert.ok(range, 'README no longer states the rescaled range "by 1000/T (β_1 → β_T)"');
    assert.ok(
      agrees(range[1], beta1) && agrees(range[2], betaT),
      `β range is ${beta1} → ${betaT}, README: ${range[0]}`,
    );
    const stated = statedAfter(readme, 'ᾱ_T ≈');
    assert.equal(stated.length, 2, `README should state ᾱ_T for T = ${T} and for the paper's schedule: ${stated}`);
    assert.ok(agrees(stated[0], ours), `ᾱ_T for T = ${T} is ${ours.toExponential(2)}; README says ${stated[0]}`);
    assert.ok(agrees(stated[1], paper), `the paper's ᾱ_T is ${paper.toExponential(2)}; README says ${stated[1]}`);
  });

  it('the latent quiz: the pixel and latent shapes of exercise 7, and the factor between their positions', () => {
    const quiz = JSON.parse(readFileSync(join(TEMPLATES, 'quizzes', 'ldm.json'), 'utf8')) as {
      questions: { id: string; prompt: string; answer: unknown; explanation: string }[];
    };
    const q = quiz.questions.find((x) => x.id === 'positions');
    assert.ok(q, 'ldm.json has no "positions" question');
    const { imageSize: s, imageChannels, latentSize: l, latentChannels } = AUTOENCODER_CONFIG;
    assert.match(
      q.prompt,
      new RegExp(`${l}×${l}×${latentChannels} latent instead of ${s}×${s}×${imageChannels} pixels`),
    );
    assert.equal(q.answer, (s * s) / (l * l));
    assert.match(q.explanation, new RegExp(`${s}×${s} = ${s * s} positions against ${l}×${l} = ${l * l}`));
  });

  it('a quiz milestone that counts its questions ("… of 12 real VLMs") counts them right', () => {
    const course = JSON.parse(readFileSync(join(TEMPLATES, 'course.json'), 'utf8')) as {
      milestones: { evidence: { kind: string; quiz?: string; label?: string }[] }[];
    };
    const counted = course.milestones
      .flatMap((m) => m.evidence)
      .filter((e) => e.kind === 'quiz' && e.quiz && /\d/.test(e.label ?? ''));
    assert.ok(counted.length > 0, 'no quiz milestone states a count any more: drop this check');
    for (const e of counted) {
      const quiz = JSON.parse(readFileSync(join(TEMPLATES, 'quizzes', `${e.quiz}.json`), 'utf8')) as {
        questions: unknown[];
      };
      assert.equal(Number(/\d+/.exec(e.label ?? '')?.[0]), quiz.questions.length, `"${e.label}" (${e.quiz}.json)`);
    }
  });
});
