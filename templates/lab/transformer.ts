// Not copied into any workspace and not packaged (.vscodeignore). In a learner's workspace, `../../lab/transformer`
// from exercises/whisper/ is lab/transformer.ts; in this repository the same path from templates/whisper/solution/
// lands here, so the weight builder (scripts/weights/whisper-base.ts), the unit tests and the type check can import
// whisper's solution as a workspace lays it out.
export * from '../workspace/lab/transformer';
