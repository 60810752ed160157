// Not copied into any workspace and not packaged (.vscodeignore). In a learner's workspace, `../../lab/transformer`
// from exercises/whisper/ is lab/transformer.ts; in this repository the same path from templates/whisper/starter/
// lands here, so the root type check can read whisper's model as a workspace lays it out (the weight builder's
// scripts/weights/whisperSolution.ts takes its types from templates/whisper/starter/model.ts).
export * from '../workspace/lab/transformer';
