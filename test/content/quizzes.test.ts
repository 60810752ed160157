// Content CI for the bridging quiz (milestone 3): one classification, applied the same way to every model. MiniGPT-4
// was once keyed "Q-Former + linear projection" while BLIP-2, which has the same structure (Q-Former outputs through
// one linear layer into the LM), was keyed "Q-Former" alone.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TEMPLATES } from './harness';

interface Question {
  id: string;
  kind: string;
  options: string[];
  answer: number | number[];
}

// Models whose papers describe the same bridge structure: they must share one key.
const SAME_STRUCTURE = [
  ['flamingo', 'idefics'],
  ['blip2', 'instructblip', 'minigpt4'],
  ['llava', 'llava15', 'paligemma'],
  ['qwenvl', 'kosmos1', 'mplugowl'],
];

describe('content: the bridging quiz keys every model by one classification', () => {
  const quiz = JSON.parse(readFileSync(join(TEMPLATES, 'quizzes', 'vlm-bridges.json'), 'utf8')) as {
    questions: Question[];
  };

  it('every question offers the same bridges and has exactly one answer', () => {
    const [first] = quiz.questions;
    for (const q of quiz.questions) {
      assert.deepEqual(q.options, first.options, `"${q.id}" offers other options than "${first.id}"`);
      assert.equal(q.kind, 'single', `"${q.id}": a model has one bridge, so the question is single-choice`);
      assert.equal(typeof q.answer, 'number', `"${q.id}" has more than one key`);
    }
  });

  it('models with the same bridge structure share a key', () => {
    const key = new Map(quiz.questions.map((q) => [q.id, q.answer]));
    for (const group of SAME_STRUCTURE) {
      for (const id of group) assert.ok(key.has(id), `the quiz has no "${id}" question`);
      assert.deepEqual(new Set(group.map((id) => JSON.stringify(key.get(id)))).size, 1, `${group.join(', ')} differ`);
    }
  });
});
