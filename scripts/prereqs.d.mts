// Types of scripts/prereqs.mjs for the TypeScript tests (the script itself stays plain Node so it runs before
// `npm install`).

export type Task = 'test' | 'start';

/** What probe() reads from the machine; missingPrerequisites turns it into lines. */
export interface Facts {
  readonly platform: NodeJS.Platform;
  /** "debian", "ubuntu" or "linux" on Linux; otherwise the platform. */
  readonly distro: string;
  readonly nodeVersion: string;
  readonly dependenciesInstalled: boolean;
  /** `path`: a browser that exists; `setTo`: CHROMIUM_PATH when set. */
  readonly chromium: { readonly path?: string; readonly setTo?: string };
  /** VS Code's `code` is on the PATH and code-server is not forced. */
  readonly code: boolean;
  readonly codeServerInstalled: boolean;
  readonly rg: boolean;
  readonly compilers: boolean;
  readonly python3: boolean;
  readonly krb5: boolean;
}

export const MIN_NODE: readonly [number, number];
export const CHROMIUM_ARGS: readonly string[];
export function nodeVersionOk(version: string): boolean;
export function chromiumCandidates(platform?: NodeJS.Platform, env?: NodeJS.ProcessEnv, home?: string): string[];
export function findChromium(options?: {
  platform?: NodeJS.Platform;
  env?: NodeJS.ProcessEnv;
  home?: string;
  exists?: (path: string) => boolean;
  playwright?: () => string | undefined;
}): string | undefined;
export function which(command: string, env?: NodeJS.ProcessEnv, platform?: NodeJS.Platform): string | undefined;
export function probe(): Facts;
export function missingPrerequisites(task: Task, facts: Facts): string[];
export function checkOrExit(task: Task): void;
