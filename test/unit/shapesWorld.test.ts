// The shapes-world generator (templates/workspace/lab/shapes.ts) that the CLIP exercise trains on and later
// vision–language exercises reuse: seeded, held-out pairs really held out, captions and questions in the vocabulary.
import * as assert from 'node:assert/strict';
import {
  COLOURS,
  EOT,
  HELD_OUT,
  PAD,
  PAIRS,
  SHAPES,
  UNK,
  VOCAB,
  caption,
  isHeldOut,
  mulberry32,
  questions,
  relation,
  renderScene,
  sampleScene,
  tokenize,
  type Scene,
} from '../../templates/workspace/lab/shapes';

describe('shapes world (lab/shapes.ts)', () => {
  it('mulberry32 is deterministic per seed, differs across seeds and stays in [0, 1)', () => {
    const a = mulberry32(42),
      b = mulberry32(42),
      c = mulberry32(43);
    const xs = Array.from({ length: 1000 }, () => a());
    assert.deepEqual(
      xs,
      Array.from({ length: 1000 }, () => b()),
    );
    assert.notDeepEqual(
      xs.slice(0, 10),
      Array.from({ length: 10 }, () => c()),
    );
    assert.ok(xs.every((x) => x >= 0 && x < 1));
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    assert.ok(Math.abs(mean - 0.5) < 0.05, `mean ${mean}`);
  });

  it('holds out 8 colour×shape pairs, one per colour, leaving every colour and shape seen with others', () => {
    assert.equal(HELD_OUT.length, 8);
    assert.equal(PAIRS.length, 48);
    for (const c of COLOURS) assert.equal(HELD_OUT.filter(([hc]) => hc === c).length, 1, `${c} held out once`);
    for (const s of SHAPES) {
      const seenColours = COLOURS.filter((c) => !isHeldOut(c, s)).length;
      assert.ok(seenColours >= 6, `${s} is seen with only ${seenColours} colours`);
    }
  });

  it('never samples a held-out pair by default, only held-out pairs with heldOut: "only"', () => {
    const rng = mulberry32(1);
    for (let i = 0; i < 3000; i++) {
      const scene = sampleScene(rng, { objects: [1, 4] });
      for (const o of scene.objects)
        assert.ok(!isHeldOut(o.colour, o.shape), `sampled held-out ${o.colour} ${o.shape}`);
      const held = sampleScene(rng, { heldOut: 'only' });
      assert.ok(isHeldOut(held.objects[0].colour, held.objects[0].shape));
    }
  });

  it('places objects on distinct cells, with counts of one object and pairs of two different ones', () => {
    const rng = mulberry32(2);
    const kinds = new Set<string>();
    for (let i = 0; i < 500; i++) {
      const s = sampleScene(rng, { objects: [1, 4] });
      kinds.add(s.kind);
      const cells = s.objects.map((o) => o.row * 3 + o.col);
      assert.equal(new Set(cells).size, cells.length, 'two objects share a cell');
      if (s.kind === 'count')
        assert.ok(
          s.objects.every(
            (o) => o.colour === s.objects[0].colour && o.shape === s.objects[0].shape && o.size === s.objects[0].size,
          ),
        );
      if (s.kind === 'pair') {
        const [a, b] = s.objects;
        assert.equal(s.objects.length, 2);
        assert.ok(a.colour !== b.colour || a.shape !== b.shape);
      }
    }
    assert.deepEqual([...kinds].sort(), ['count', 'pair', 'single']);
  });

  it('renders the same pixels from the same seed, in [0, 1], with the object in its colour at its cell', () => {
    const scene: Scene = {
      kind: 'single',
      objects: [{ shape: 'square', colour: 'blue', size: 'large', row: 0, col: 2 }],
    };
    const a = renderScene(scene, 48, mulberry32(5)),
      b = renderScene(scene, 48, mulberry32(5));
    assert.deepEqual(a, b);
    assert.equal(a.length, 48 * 48 * 3);
    assert.ok(a.every((v) => v >= 0 && v <= 1));
    const at = (x: number, y: number): number[] => Array.from(a.slice((y * 48 + x) * 3, (y * 48 + x) * 3 + 3));
    const [r, g, bl] = at(Math.round(0.8 * 48), Math.round(0.2 * 48)); // top-right cell centre
    assert.ok(bl > 0.8 && r < 0.35 && g < 0.45, `expected blue at the top-right cell, got ${[r, g, bl]}`);
    const [br, bg, bb] = at(Math.round(0.2 * 48), Math.round(0.8 * 48)); // bottom-left: background
    assert.ok(br < 0.15 && bg < 0.15 && bb < 0.15, 'background should be dark');
    // Batches: rendering at an offset fills the right slice.
    const batch = new Float32Array(2 * 48 * 48 * 3);
    renderScene(scene, 48, mulberry32(5), batch, 48 * 48 * 3);
    assert.deepEqual(batch.slice(48 * 48 * 3), a);
  });

  it('names colour and shape in every caption and words only from VOCAB in captions and questions', () => {
    const rng = mulberry32(3);
    const words = new Set(VOCAB);
    for (let i = 0; i < 2000; i++) {
      const scene = sampleScene(rng, { objects: [1, 4], heldOut: 'any' });
      const text = caption(scene, rng);
      const o = scene.objects[0];
      assert.ok(
        text.includes(o.colour) && (text.includes(o.shape) || scene.kind === 'count'),
        `"${text}" misses ${o.colour} ${o.shape}`,
      );
      for (const qa of questions(scene)) {
        for (const w of `${qa.question} ${qa.answer}`.split(' '))
          assert.ok(words.has(w), `"${w}" (in "${qa.question}" → ${qa.answer}) is not in VOCAB`);
        assert.equal(qa.answer.split(' ').length <= 2, true);
      }
      assert.ok(!tokenize(text, 16).includes(UNK), `"${text}" has a word outside VOCAB`);
    }
    assert.equal(
      caption({ kind: 'single', objects: [{ shape: 'star', colour: 'red', size: 'small', row: 1, col: 1 }] }),
      'a small red star at the centre',
    );
  });

  it('answers questions about count, position and relations correctly', () => {
    const count: Scene = {
      kind: 'count',
      objects: [0, 4, 8].map((c) => ({
        shape: 'cross' as const,
        colour: 'green' as const,
        size: 'small' as const,
        row: Math.floor(c / 3),
        col: c % 3,
      })),
    };
    assert.deepEqual(
      questions(count).find((q) => q.question.startsWith('how many')),
      { question: 'how many crosses are there', answer: 'three' },
    );
    const a = { shape: 'circle' as const, colour: 'red' as const, size: 'large' as const, row: 1, col: 0 };
    const b = { shape: 'square' as const, colour: 'blue' as const, size: 'small' as const, row: 1, col: 2 };
    assert.equal(relation(a, b), 'left of');
    assert.equal(relation(b, a), 'right of');
    assert.equal(relation({ ...a, row: 0 }, b), 'above');
    const qs = questions({ kind: 'pair', objects: [a, b] });
    assert.ok(qs.some((q) => q.question === 'is the red circle left of the blue square' && q.answer === 'yes'));
    assert.ok(qs.some((q) => q.question === 'is the blue square left of the red circle' && q.answer === 'no'));
    assert.deepEqual(
      questions({ kind: 'single', objects: [{ ...a, row: 2, col: 2 }] }).find((q) => q.question.startsWith('where')),
      { question: 'where is the circle', answer: 'bottom right' },
    );
  });

  it('tokenizes to word ids, then <eot>, then <pad>, and refuses captions that do not fit', () => {
    const ids = tokenize('A red circle?', 6);
    assert.deepEqual(ids, [VOCAB.indexOf('a'), VOCAB.indexOf('red'), VOCAB.indexOf('circle'), EOT, PAD, PAD]);
    assert.equal(tokenize('a blorp', 4)[1], UNK);
    assert.throws(() => tokenize('a red circle', 3), /needs length ≥ 4/);
  });
});
