// Terminal against editor (a benchmark, not a test): the same smoke run of an exercise's solution, started as
// Train: Quick Check starts it (the real runner, `auto` backend) and as a learner starts it from a terminal
// (`MULTIMODAL_LAB_CONFIG=smoke npx tsx exercises/<id>/train.ts`), alternating, wall clock from start to exit.
// Both select their backend with the workspace runtime's ladder. Results: bench/results/terminal-<id>.json.
//
//   npx tsx bench/terminal.ts [clip] [--reps 2]
import { spawnSync } from 'node:child_process';
import { exerciseWorkspace } from '../test/content/harness';
import { buildRunner, exerciseTrainJob, run } from '../test/runner/harness';
import { machine, resultPath, runBenchmark, writeResult } from './results';

const args = process.argv.slice(2);
const repsAt = args.indexOf('--reps');
const reps = repsAt >= 0 ? Number(args.splice(repsAt, 2)[1]) : 2;
const id = args[0] ?? 'clip';

async function quickCheck(ws: string, n: number): Promise<{ seconds: number; why: string }> {
  const t0 = performance.now();
  let why = '';
  const { events } = await run(exerciseTrainJob(ws, id, `quick-${n}`, 'smoke'), {
    hangTimeoutMs: 600_000,
    onEvent: (e) => {
      if (e.type === 'backend') why = e.why;
    },
  });
  const ended = events.find((e) => e.type === 'runEnded');
  if (!ended || ended.type !== 'runEnded' || ended.status !== 'finished')
    throw new Error(`Quick Check did not finish: ${JSON.stringify(ended)}`);
  return { seconds: (performance.now() - t0) / 1000, why };
}

function fromTerminal(ws: string): { seconds: number; why: string } {
  const t0 = performance.now();
  const r = spawnSync('npx', ['tsx', `exercises/${id}/train.ts`], {
    cwd: ws,
    encoding: 'utf8',
    env: { ...process.env, MULTIMODAL_LAB_CONFIG: 'smoke', MULTIMODAL_LAB_RUN_DIR: '', MULTIMODAL_LAB_RUNNER: '' },
  });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`the terminal run failed (${r.status}): ${r.stderr.slice(-2000)}`);
  const why = /\[lab\] (Running on .*)/.exec(r.stderr)?.[1] ?? '';
  return { seconds, why };
}

async function main(): Promise<void> {
  await buildRunner();
  const ws = exerciseWorkspace(id, 'solution');
  const quick: number[] = [];
  const terminal: number[] = [];
  let whyQuick = '';
  let whyTerminal = '';
  for (let n = 0; n < reps; n++) {
    const q = await quickCheck(ws, n);
    quick.push(Number(q.seconds.toFixed(2)));
    whyQuick = q.why;
    const t = fromTerminal(ws);
    terminal.push(Number(t.seconds.toFixed(2)));
    whyTerminal = t.why;
    console.log(`rep ${n + 1}: Quick Check ${q.seconds.toFixed(1)} s, terminal ${t.seconds.toFixed(1)} s`);
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const result = {
    exercise: id,
    config: 'smoke',
    reps,
    quickCheckSeconds: quick,
    terminalSeconds: terminal,
    ratio: Number((median(terminal) / median(quick)).toFixed(3)),
    whyQuickCheck: whyQuick,
    whyTerminal,
    ...machine(),
    date: new Date().toISOString(),
  };
  writeResult(resultPath(`terminal-${id}.json`), result);
  console.log(JSON.stringify(result, null, 2));
}

runBenchmark(main);
