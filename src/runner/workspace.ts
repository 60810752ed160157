// Loads tfjs from the learner's workspace (never a bundled copy), so the runner and the learner's code share one
// tfjs instance with one set of backends and kernels.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { canResolve } from '../../templates/workspace/lab/runtime/ladder';

export { canResolve, packageVersion } from '../../templates/workspace/lab/runtime/ladder';

export type Tfjs = typeof import('@tensorflow/tfjs');

export interface Workspace {
  readonly root: string;
  /** `require` as seen from the workspace root. */
  readonly require: NodeJS.Require;
  readonly tf: Tfjs;
}

/** Thrown when the workspace lacks a package the runner needs; carries the hint the learner should follow. */
export class MissingPackageError extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
    this.name = 'MissingPackageError';
  }
}

export const INSTALL_HINT =
  'Run the command "Multimodal Lab: Install Exercise Dependencies" (or `npm install` in the workspace folder), then try again.';

export function loadWorkspace(root: string): Workspace {
  const req = createRequire(join(root, 'package.json'));
  if (!canResolve(req, '@tensorflow/tfjs')) {
    throw new MissingPackageError(
      `@tensorflow/tfjs is not installed in the workspace ${root} (no node_modules/@tensorflow/tfjs found from there).`,
      INSTALL_HINT,
    );
  }
  return { root, require: req, tf: req('@tensorflow/tfjs') as Tfjs };
}
