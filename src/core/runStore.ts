/**
 * The extension's side of the run store. Run ids, run paths, the run folder's file names and the meta.json rules have
 * one owner, templates/workspace/lab/runtime/runStore.ts: a terminal run is written by the learner's copy of the lab
 * library, which cannot import the extension, so the owner lives in the runtime both sides are built from. This module
 * re-exports it with the protocol's RunMeta types; everything in src asks it for a run's path and writes meta.json
 * only through it.
 */
import * as store from '../../templates/workspace/lab/runtime/runStore';
import type { RunMeta } from '../protocol/runFiles';

export {
  INSIGHT_FILES,
  META_FIELD_RULES,
  RUN_FILES,
  RUN_META_GLOB,
  RUN_META_VERSION,
  appendRecords,
  exerciseRunsDir,
  isRunSegment,
  makeRunDir,
  newRunId,
  runDir,
  runDirForDisplay,
  runFile,
  runsRoot,
  writeJsonAtomic,
  type InsightFile,
  type MetaFieldRule,
  type RecordFile,
  type RunFile,
} from '../../templates/workspace/lab/runtime/runStore';

/** What a later writer passes: only progress and ending fields take effect (see META_FIELD_RULES). */
export type RunMetaPatch = Partial<Omit<RunMeta, 'endedWithoutRecord'>>;

type SameKeys<A, B> = [Exclude<keyof A, keyof B>, Exclude<keyof B, keyof A>] extends [never, never] ? true : false;
/** Compile-time: every RunMeta field has a merge rule, and every rule names a RunMeta field. */
export const META_RULES_COVER_RUN_META: SameKeys<typeof store.META_FIELD_RULES, Required<RunMeta>> = true;

/**
 * Starts a run's meta.json (see the runtime's createMeta: a `running` meta is stamped with this process's pid and
 * host).
 */
export function createMeta(dir: string, meta: RunMeta): RunMeta {
  return store.createMeta(dir, meta);
}

/** The run's meta.json, or undefined when it is missing, unreadable or has no status. */
export function readMeta(dir: string): RunMeta | undefined {
  return store.readMeta<RunMeta>(dir);
}

/** Merges `patch` into the run's meta.json by META_FIELD_RULES; undefined when the run has no meta.json. */
export function updateMeta(dir: string, patch: RunMetaPatch): RunMeta | undefined {
  return store.updateMeta<RunMeta>(dir, patch);
}

/** The pure merge `updateMeta` applies. */
export function mergeMeta(current: RunMeta, patch: RunMetaPatch): RunMeta {
  return store.mergeMeta<RunMeta>(current, patch);
}
