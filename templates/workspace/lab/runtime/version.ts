/**
 * The runtime's version, bumped whenever it changes what it selects or installs, or how it stores runs (runStore.ts).
 * The extension compares the workspace's copy with its own and says so when they differ (Start Exercise offers the
 * update as a diff).
 * Written for the tfjs version pinned in the workspace's package.json (the kernels check it at install).
 */
export const RUNTIME_VERSION = '6';
