// The runner's side of the backend ladder. The ladder itself, the training kernels and the wasm threads live in
// the learner's workspace runtime (templates/workspace/lab/runtime), so a terminal run and the extension choose
// the same way from one implementation; this file only turns its report into a protocol event.
import {
  BACKEND_LADDER as RUNTIME_LADDER, selectBackend as selectRuntimeBackend,
  type BackendName as RuntimeBackendName, type LadderOptions,
} from '../../templates/workspace/lab/runtime/ladder';
import { BACKEND_LADDER, type BackendEvent, type BackendName } from '../protocol/runner';
import type { Workspace } from './workspace';

export { NoBackendError, tfName, versionsOf, type LadderOptions } from '../../templates/workspace/lab/runtime/ladder';

// The protocol and the runtime name the same rungs in the same order; these fail to compile when they drift.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const NAMES_MATCH: Same<RuntimeBackendName, BackendName> = true;

/** True when the protocol's ladder and the runtime's list the same rungs in the same order. */
export function laddersAgree(): boolean {
  return RUNTIME_LADDER.length === BACKEND_LADDER.length && RUNTIME_LADDER.every((r, i) => r === BACKEND_LADDER[i]);
}

/** Walks the ladder (see the runtime's ladder.ts) and describes the result as a `backend` event. */
export async function selectBackend(ws: Workspace, options: LadderOptions): Promise<BackendEvent> {
  const report = await selectRuntimeBackend(ws, options);
  return { type: 'backend', ...report } satisfies BackendEvent;
}
