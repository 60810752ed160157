/**
 * The evaluation card (provided): what was evaluated, how, the results with their sample sizes and 95% intervals,
 * and the failure modes the numbers show, as Markdown. In the spirit of model cards (Mitchell et al. 2019) and of
 * the GPT-4V system card's evaluations section: every number says how many trials it rests on.
 */
import type { AttackCounts, Condition } from './attack';
import { wilson, type Interval } from './intervals';
import type { Confusion, NegativeStrategy, PopeMetrics } from './pope';

export interface PopeResult {
  split: NegativeStrategy;
  table: Confusion;
  metrics: PopeMetrics;
  offForm: number;
}

export interface CardInput {
  config: string; // the run's configuration name
  models: { vlm: string; clip: string };
  pope: PopeResult[];
  popeScenes: number;
  attack: Record<Condition, AttackCounts>;
  seeds: string;
  minutes: number;
}

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
const ci = (i: Interval): string => `${pct(i.estimate)} [${pct(i.low)}, ${pct(i.high)}]`;

/** Accuracy and yes ratio as intervals. */
export function popeIntervals(r: PopeResult): { accuracy: Interval; yesRatio: Interval; falseYes: Interval } {
  const { tp, fp, tn, fn } = r.table;
  return {
    accuracy: wilson(tp + tn, r.metrics.n),
    yesRatio: wilson(tp + fp, r.metrics.n),
    falseYes: wilson(fp, fp + tn), // how often an absent object gets a "yes": the hallucination rate
  };
}

/** Failure modes read off the numbers (each sentence only when its number says so). */
function failureModes(input: CardInput): string[] {
  const out: string[] = [];
  for (const r of input.pope) {
    const { falseYes, yesRatio } = popeIntervals(r);
    if (falseYes.low > 0.05)
      out.push(
        `Object hallucination (${r.split} negatives): "yes" to ${ci(falseYes)} of questions about an absent object.`,
      );
    const trueYes = wilson(r.table.tp, r.table.tp + r.table.fn);
    if (falseYes.low <= trueYes.high && trueYes.low <= falseYes.high)
      out.push(
        `The answer does not depend on the object being there (${r.split}): "yes" to ${ci(trueYes)} of present ` +
          `and ${ci(falseYes)} of absent objects.`,
      );
    if (yesRatio.low > 0.5) out.push(`A "yes" bias (${r.split}): yes ratio ${ci(yesRatio)} where the truth is 50%.`);
  }
  const [first, last] = [input.pope[0], input.pope[input.pope.length - 1]];
  if (popeIntervals(last).accuracy.high < popeIntervals(first).accuracy.low)
    out.push(
      `Harder negatives hurt: accuracy ${ci(popeIntervals(first).accuracy)} (${first.split}) falls to ` +
        `${ci(popeIntervals(last).accuracy)} (${last.split}); the intervals do not overlap.`,
    );
  const { clean, attacked, control } = input.attack;
  const [c, a, k] = [clean, attacked, control].map((x) => wilson(x.correct, x.n));
  const numbers = `${ci(c)} clean, ${ci(a)} with a class name, ${ci(k)} with nonsense letters`;
  if (a.high < c.low && k.high < c.low && a.low <= k.high && k.low <= a.high)
    out.push(
      `Any ink lowers zero-shot accuracy, a class name no more than nonsense (clutter, not reading): ${numbers}.`,
    );
  else if (a.high < k.low)
    out.push(`A written class name lowers zero-shot accuracy beyond the ink itself: ${numbers}.`);
  else if (a.high < c.low) out.push(`Written text lowers zero-shot accuracy: ${numbers}.`);
  const [toA, toK] = [wilson(attacked.toTarget, attacked.n), wilson(control.toTarget, control.n)];
  if (toA.low > toK.high) out.push(`The CLIP reads: written class chosen ${ci(toA)} vs ${ci(toK)} for nonsense ink.`);
  if (out.length === 0) out.push('None of the probes above showed a failure beyond its 95% interval.');
  return out;
}

/** The card's "How" section. */
const HOW = (popeScenes: number): string[] => [
  '## How',
  '',
  `- **Object hallucination (POPE, Li et al. 2023).** ${popeScenes} two-object scenes; per scene one question ` +
    'about its objects (truth: yes) and one with an absent object in the place of one of them (truth: no), in the ' +
    'yes/no form the VLM was trained on: "is the <colour shape> <relation> the <colour shape> ?". Negatives: ' +
    'random (any absent object), popular (the most frequent absent objects), adversarial (an absent object sharing ' +
    'a colour or a shape with a present one). "yes" when the LM scores "yes" above "no" at the answer.',
  '- **Typographic attack (Goh et al. 2021).** One-object images of the 40 trained colour×shape pairs, ' +
    "48-way zero-shot classification with exercise 1's prompts; clean, with another class's name written in grey " +
    '3×5-pixel letters away from the object, and with as many nonsense letters in the same place (control).',
  '- **Intervals**: 95% Wilson score intervals, [low, high], on n trials.',
  '',
];

/** The card as Markdown. */
export function evaluationCard(input: CardInput): string {
  const popeRows = input.pope.map((r) => {
    const m = r.metrics,
      i = popeIntervals(r);
    return (
      `| ${r.split} | ${m.n} | ${ci(i.accuracy)} | ${pct(m.precision)} | ${pct(m.recall)} | ${pct(m.f1)} | ` +
      `${ci(i.yesRatio)} | ${ci(i.falseYes)} | ${r.offForm} |`
    );
  });
  const attackRows = (['clean', 'control', 'attacked'] as Condition[]).map((k) => {
    const a = input.attack[k];
    return (
      `| ${k} | ${a.n} | ${ci(wilson(a.correct, a.n))} | ${ci(wilson(a.toTarget, a.n))} | ` +
      `${pct(a.toTargetColour / a.n)} | ${pct(a.toTargetShape / a.n)} |`
    );
  });
  return [
    '# Evaluation card',
    '',
    `Run configuration \`${input.config}\`, ${(input.minutes * 60).toFixed(0)} s. Seeds: ${input.seeds}.`,
    '',
    '## What was evaluated',
    '',
    `- **VLM**: ${input.models.vlm}`,
    `- **CLIP**: ${input.models.clip}`,
    '',
    ...HOW(input.popeScenes),
    '## Results',
    '',
    '| split | n | accuracy [95% CI] | precision | recall | F1 | yes ratio [95% CI] | "yes" to absent [95% CI] | off-form |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...popeRows,
    '',
    '| images | n | zero-shot accuracy [95% CI] | predicted the written class [95% CI] | written colour | written shape |',
    '| --- | --- | --- | --- | --- | --- |',
    ...attackRows,
    '',
    '## Failure modes seen',
    '',
    ...failureModes(input).map((s) => `- ${s}`),
    '',
    '## Limits of this evaluation',
    '',
    '- Shapes world only: 40 objects, one yes/no question form; nothing here speaks for natural images.',
    '- The "popular" split is close to "random": shapes-world objects are drawn uniformly, so no object is much ' +
      "more frequent than another. POPE's adversarial split ranks by co-occurrence; here co-occurrence is uniform, " +
      'so "adversarial" means sharing a colour or a shape.',
    '- Not evaluated: refusals and harmful content (the model has no such words), jailbreaks, other adversarial ' +
      'inputs than written text.',
    '',
  ].join('\n');
}
