// The runner's side of the backend ladder. The ladder itself, the training kernels and the wasm threads live in
// the learner's workspace runtime (templates/workspace/lab/runtime), so a terminal run and the extension choose
// the same way from one implementation; this file only turns its report into a protocol event.
import {
  BACKEND_LADDER as RUNTIME_LADDER,
  selectBackend as selectRuntimeBackend,
  type BackendName as RuntimeBackendName,
  type LadderOptions,
} from '../../templates/workspace/lab/runtime/ladder';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RUNTIME_VERSION } from '../../templates/workspace/lab/runtime/version';
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
  const stale = workspaceRuntimeNote(ws.root);
  return {
    type: 'backend',
    ...report,
    limitations: stale ? [...report.limitations, stale] : report.limitations,
  } satisfies BackendEvent;
}

/**
 * The workspace's own copy of the runtime (lab/runtime/version.ts) runs terminal runs; when it is older or newer
 * than the extension's, a terminal run may choose differently. Undefined when they agree or there is no copy.
 */
export function workspaceRuntimeNote(root: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(join(root, 'lab', 'runtime', 'version.ts'), 'utf8');
  } catch {
    return undefined;
  }
  const theirs = /RUNTIME_VERSION\s*=\s*'([^']*)'/.exec(text)?.[1];
  if (theirs === RUNTIME_VERSION) return undefined;
  return `This workspace's lab/runtime is version ${theirs ?? 'unknown'}, the extension's is ${RUNTIME_VERSION}: runs from a terminal use the workspace's copy. Start any exercise to be offered the update as a diff (your edits are never overwritten).`;
}
