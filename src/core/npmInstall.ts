/**
 * `npm install` in the learner's workspace, read for the learner: what npm is doing right now (for the progress
 * notification), and afterwards what its warnings mean and whether anything was lost. Pure: it reads npm's
 * `--loglevel=info` output.
 */

/** What each install script of the workspace's dependency tree does, in a few words. */
const SCRIPT_PURPOSE: Readonly<Record<string, string>> = {
  '@tensorflow/tfjs-node': "downloads TensorFlow's native library",
  '@tensorflow/tfjs-node-gpu': "downloads TensorFlow's native CUDA library",
  esbuild: "checks esbuild's native binary for this platform",
  webgpu: 'on macOS, clears the download quarantine from its native WebGPU library',
  'core-js': 'prints a request for donations',
};

/** What is lost when npm 12 skips a package's install script. */
const LOST_WITHOUT_SCRIPT: Readonly<Record<string, string>> = {
  '@tensorflow/tfjs-node': 'the native CPU backend cannot load',
  '@tensorflow/tfjs-node-gpu': 'the native GPU backend cannot load',
  esbuild: "tsx, which runs your TypeScript, may not find esbuild's binary",
  webgpu: 'on macOS, the WebGPU backend cannot load',
  'core-js': 'nothing',
};

/** Packages whose scripts only nag, so approving them gains nothing. */
const NOT_WORTH_APPROVING = new Set(['core-js']);

/** Optional native backends: their failure leaves a slower backend, not a broken workspace. */
const NATIVE_BACKENDS: Readonly<Record<string, string>> = {
  '@tensorflow/tfjs-node': 'the native TensorFlow backend',
  '@tensorflow/tfjs-node-gpu': 'the native TensorFlow GPU backend',
};

const TARBALL = /\/((?:@[^/]+\/)?[^/]+)\/-\/[^/]+?-(\d[^/]*)\.tgz$/;

/** `name@1.2.3` → `[name, 1.2.3]`, scoped names included. */
function nameAndVersion(spec: string): [string, string] {
  const at = spec.lastIndexOf('@');
  return at > 0 ? [spec.slice(0, at), spec.slice(at + 1)] : [spec, ''];
}

/** What npm is doing, from one line of its `--loglevel=info` output; undefined for lines that add nothing. */
export function describeNpmLine(line: string): string | undefined {
  const fetch = /^npm http fetch GET \d+ (https?:\/\/\S+)/.exec(line);
  if (fetch) {
    const url = fetch[1];
    const tarball = TARBALL.exec(url);
    if (tarball) return `downloading ${tarball[1]} ${tarball[2]}`;
    return `looking up ${decodeURIComponent(new URL(url).pathname.slice(1))}`;
  }
  const cached = /^npm http cache (\S+?)@https?:\/\/\S+/.exec(line);
  if (cached) {
    const tarball = TARBALL.exec(line.split(' ')[3].replace(/^\S+?@/, ''));
    return tarball ? `unpacking ${tarball[1]} ${tarball[2]} from the cache` : `unpacking ${cached[1]} from the cache`;
  }
  const ended = /^npm info run (\S+) (\w+) \{ code: (\d+)/.exec(line);
  if (ended)
    return ended[3] === '0'
      ? undefined
      : `${nameAndVersion(ended[1])[0]}'s ${ended[2]} script failed (exit ${ended[3]})`;
  const run = /^npm info run (\S+) (\w+) node_modules\//.exec(line);
  if (run) {
    const name = nameAndVersion(run[1])[0];
    const purpose = SCRIPT_PURPOSE[name];
    return `running ${name}'s ${run[2]} script${purpose ? ` (${purpose})` : ''}`;
  }
  if (/^(added|removed|changed|up to date)\b/.test(line)) return line.trim();
  return undefined;
}

/** The outcome of one `npm install`, for a notification and the npm output channel. */
export interface NpmInstallReport {
  readonly ok: boolean;
  /** One sentence: what happened. */
  readonly headline: string;
  /** One paragraph per warning worth explaining: what it means and whether anything was lost. */
  readonly notes: readonly string[];
}

const NPM_ERRORS: Readonly<Record<string, string>> = {
  ENOTFOUND:
    'npm could not reach the package registry (ENOTFOUND). Check the network connection or the proxy settings (npm config get proxy), then try again.',
  ETIMEDOUT:
    'the package registry did not answer in time (ETIMEDOUT). Check the network connection or the proxy settings, then try again.',
  ECONNREFUSED:
    'the package registry refused the connection (ECONNREFUSED). Check the proxy settings (npm config get proxy), then try again.',
  EACCES:
    "npm was not allowed to write a file (EACCES). Check that you own the workspace folder and npm's cache (npm config get cache).",
  ENOSPC: 'the disk is full (ENOSPC). Free some space, then try again.',
  ERESOLVE:
    "npm could not agree on versions for the workspace's packages (ERESOLVE). If you changed package.json, restore the version numbers the exercise gave it.",
};

/** Reads npm's whole output (stdout and stderr) and its exit code (null: cancelled). */
export function npmInstallReport(output: string, exitCode: number | null): NpmInstallReport {
  const lines = output.split(/\r?\n/);
  if (exitCode === null) {
    return {
      ok: false,
      headline:
        'npm install was cancelled; the workspace\'s node_modules may be incomplete. Run "Install Exercise Dependencies" again.',
      notes: [],
    };
  }
  if (exitCode !== 0) {
    const code = lines.map((l) => /^npm error code (\S+)/.exec(l)?.[1]).find(Boolean);
    const why =
      (code && NPM_ERRORS[code]) ??
      `${
        lines
          .filter((l) => l.startsWith('npm error'))
          .slice(0, 3)
          .map((l) => l.replace(/^npm error\s*/, ''))
          .join(' ') || 'npm gave no reason'
      }. The "Multimodal Lab: npm" output has the whole log.`;
    return { ok: false, headline: `npm install failed (exit ${exitCode}): ${why}`, notes: [] };
  }
  const done = lines.map((l) => l.trim()).find((l) => /^(added|removed|changed|up to date)\b/.test(l));
  const notes = [failedNativeBackends(lines), unreviewedScripts(lines)].flat();
  return { ok: true, headline: `Dependencies installed${done ? `: ${done}` : ''}.`, notes };
}

function failedNativeBackends(lines: readonly string[]): string[] {
  const failed = lines.flatMap((l) => {
    const m = /^npm info run (\S+) (\w+) \{ code: (\d+)/.exec(l);
    const name = m && m[3] !== '0' ? nameAndVersion(m[1])[0] : undefined;
    return name && NATIVE_BACKENDS[name] ? [{ name, event: m![2], code: m![3] }] : [];
  });
  if (failed.length === 0) return [];
  const what = failed.map((f) => `${f.name} (${NATIVE_BACKENDS[f.name]})`).join(' and ');
  const why =
    failed.length === 1
      ? `its ${failed[0].event} script failed (exit ${failed[0].code})`
      : 'their install scripts failed';
  return [
    `${what} could not be set up: ${why}. ${failed.length === 1 ? 'It is' : 'They are'} optional: tests and training run on WebAssembly instead, more slowly. "Diagnose Backends" shows which backend runs; the npm log shows why the script failed.`,
  ];
}

function unreviewedScripts(lines: readonly string[]): string[] {
  const start = lines.findIndex((l) => /install scripts not yet covered by allowScripts/.test(l));
  if (start < 0) return [];
  const names: string[] = [];
  for (const l of lines.slice(start + 1)) {
    const m = /^npm warn (?:install|allow)-scripts {3}(\S+) \(/.exec(l);
    if (!m) break;
    names.push(nameAndVersion(m[1])[0]);
  }
  if (names.length === 0) return [];
  const version = lines.map((l) => /^npm info using npm@(\S+)/.exec(l)?.[1]).find(Boolean);
  const major = version ? Number(version.split('.')[0]) : undefined;
  const sorted = [...names].sort();
  const list = sorted.length === 1 ? sorted[0] : `${sorted.slice(0, -1).join(', ')} and ${sorted[sorted.length - 1]}`;
  const what = sorted.map((n) => `${n}: ${SCRIPT_PURPOSE[n] ?? 'a script of its own'}`).join('; ');
  const head =
    `npm ${version ?? ''} warned that ${list} ${sorted.length === 1 ? 'has an install script' : 'have install scripts'} that this workspace's package.json does not list in "allowScripts".`.replace(
      'npm  ',
      'npm ',
    );
  if (major !== undefined && major >= 12) {
    const lost = sorted.map((n) => `${n}: ${LOST_WITHOUT_SCRIPT[n] ?? 'unknown'}`).join('; ');
    const approve = sorted.filter((n) => !NOT_WORTH_APPROVING.has(n));
    return [
      `${head} npm 12 skips such scripts: they did not run. What each does: ${what}. Without it: ${lost}.${approve.length ? ` To run them, in the workspace's terminal: npm install-scripts approve ${approve.join(' ')} && npm rebuild.` : ''}`,
    ];
  }
  return [
    `${head} npm 11 still runs such scripts: they ran, and nothing is missing. What each does: ${what}. The warning prepares for npm 12, which will skip unlisted scripts; new Multimodal Lab workspaces list them.`,
  ];
}

/** A test or training failure that `npm install` in the workspace fixes: a package of the workspace is missing. */
export function needsInstall(message: string): boolean {
  if (/is not installed in the workspace/.test(message)) return true;
  // A bare specifier (a package, not ./file) that Node could not resolve.
  return /Cannot find (?:module|package) '(?![./])[^']+'/.test(message);
}
