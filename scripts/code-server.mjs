// Helpers to run the extension in a real VS Code on machines without a VS Code download:
// code-server (VS Code 1.100.3 in a browser) from npm, installed into a git-ignored cache folder.
// Facts behind every flag and workaround here: notes/e2e-code-server.md.
import { spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
  copyFileSync,
  lstatSync,
  openSync,
  closeSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findChromium } from './prereqs.mjs';

/** Newest code-server that still runs on Node 20 (later releases need Node 22+). */
export const CODE_SERVER_VERSION = '4.100.3';
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const cacheDir = join(repoRoot, '.cache', 'code-server');
/** The browser the e2e suites drive: the one `npm test` checks for (scripts/prereqs.mjs), or Debian's by default. */
export const chromiumPath = findChromium() ?? '/usr/bin/chromium';

const codeServerPackageDir = join(cacheDir, 'node_modules', 'code-server');
const codeServerBin = join(codeServerPackageDir, 'out', 'node', 'entry.js');
const installLog = join(cacheDir, 'install.log');
const vscodeModules = join(codeServerPackageDir, 'lib', 'vscode', 'node_modules');
/** Files that only exist when every native build and download of the install succeeded. */
const installProducts = [
  codeServerBin,
  join(vscodeModules, 'node-pty', 'build', 'Release', 'pty.node'),
  join(vscodeModules, '@vscode', 'ripgrep', 'bin', 'rg'),
];
// @vscode/ripgrep 1.15.11 (inside code-server) downloads this asset from GitHub unless it is cached.
const ripgrepPackageVersion = '1.15.11';
const ripgrepAssetVersion = 'v13.0.0-10';

/** Paths of a command on PATH, or undefined. */
export function which(command) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, command))) return join(dir, command);
  }
  return undefined;
}

/**
 * Throws one line naming the Debian packages to install when a system prerequisite is missing.
 * `forInstall` adds the compilers that code-server's native modules need at install time.
 */
export function checkPrerequisites({ browser = true, forInstall = false } = {}) {
  const missing = new Set();
  if (browser && !existsSync(chromiumPath)) missing.add('chromium');
  if (!which('rg')) missing.add('ripgrep');
  if (forInstall) {
    if (!which('g++') || !which('make')) missing.add('build-essential');
    if (!which('python3')) missing.add('python3');
    if (!which('krb5-config') && !existsSync('/usr/include/gssapi/gssapi.h')) missing.add('libkrb5-dev');
  }
  if (missing.size > 0) {
    throw new Error(`Missing system packages for code-server tests; run: apt-get install -y ${[...missing].join(' ')}`);
  }
}

function isInstalled() {
  if (!installProducts.every((file) => existsSync(file))) return false;
  try {
    return JSON.parse(readFileSync(join(codeServerPackageDir, 'package.json'), 'utf8')).version === CODE_SERVER_VERSION;
  } catch {
    return false;
  }
}

/** Puts Debian's `rg` where @vscode/ripgrep's postinstall looks before it tries GitHub. */
export function seedRipgrepCache() {
  const target = process.arch === 'arm64' ? 'aarch64-unknown-linux-musl' : 'x86_64-unknown-linux-musl';
  const cache = join(tmpdir(), `vscode-ripgrep-cache-${ripgrepPackageVersion}`);
  const asset = join(cache, `ripgrep-${ripgrepAssetVersion}-${target}.tar.gz`);
  if (existsSync(asset)) return;
  mkdirSync(cache, { recursive: true });
  const staging = mkdtempSync(join(tmpdir(), 'rg-seed-'));
  try {
    copyFileSync(which('rg'), join(staging, 'rg'));
    const tar = spawnSync('tar', ['-czf', asset, '-C', staging, 'rg'], { stdio: 'inherit' });
    if (tar.status !== 0) throw new Error(`Could not write the ripgrep cache ${asset} (tar exited ${tar.status}).`);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** The environment minus what an outer `npm run` injects about *this* project (its prefix, package, script). */
function inheritedEnvWithoutNpmRunContext() {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (
      /^npm_(package|lifecycle)_/.test(key) ||
      ['npm_config_local_prefix', 'npm_config_call', 'npm_config_allow_scripts'].includes(key)
    )
      delete env[key];
  }
  return env;
}

/**
 * Installs code-server into `.cache/code-server/` (its own npm project, outside the extension's
 * dependency tree) unless a verified install of the pinned version is already there.
 * @returns the path of code-server's node entry script
 */
export async function ensureCodeServer({ log = console.log } = {}) {
  if (isInstalled()) return codeServerBin;
  checkPrerequisites({ browser: false, forInstall: true });
  seedRipgrepCache();
  // A failed npm install rolls everything back; start from a clean folder so retries are deterministic.
  rmSync(cacheDir, { recursive: true, force: true });
  mkdirSync(cacheDir, { recursive: true });
  writeFileSync(
    join(cacheDir, 'package.json'),
    `${JSON.stringify(
      {
        name: 'multimodal-lab-code-server',
        private: true,
        description: 'code-server for Multimodal Lab end-to-end tests; written by scripts/code-server.mjs',
        dependencies: { 'code-server': CODE_SERVER_VERSION },
        // npm 11 asks for install scripts to be approved; these build code-server's native modules.
        allowScripts: { 'code-server': true, argon2: true },
      },
      null,
      2,
    )}\n`,
  );
  log(
    `[code-server] installing code-server@${CODE_SERVER_VERSION} into ${cacheDir} (about 1-2 min; log: ${installLog})`,
  );
  const started = Date.now();
  const env = {
    ...inheritedEnvWithoutNpmRunContext(),
    npm_config_yes: 'true', // node-pty runs `npx node-gyp`; root's npmrc here says yes=false
    npm_config_unsafe_perm: 'true', // code-server's postinstall refuses to run as root without it
    npm_config_strict_allow_scripts: 'false', // nested installs inside code-server have unreviewed scripts
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1',
  };
  const logFd = openSync(installLog, 'w');
  const code = await new Promise((resolvePromise, reject) => {
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const child = spawn(npm, ['install', '--foreground-scripts'], {
      cwd: cacheDir,
      env,
      stdio: ['ignore', logFd, logFd],
    });
    child.on('error', reject);
    child.on('exit', (exitCode) => resolvePromise(exitCode));
  });
  closeSync(logFd);
  const missing = installProducts.filter((file) => !existsSync(file));
  if (code !== 0 || missing.length > 0) {
    const tail = readFileSync(installLog, 'utf8').split('\n').slice(-30).join('\n');
    throw new Error(
      `code-server install failed (npm exit ${code}${missing.length ? `; missing ${missing.join(', ')}` : ''}).\n` +
        `Last lines of ${installLog}:\n${tail}`,
    );
  }
  log(`[code-server] installed in ${Math.round((Date.now() - started) / 1000)} s`);
  return codeServerBin;
}

/** Name of the unpacked-extension folder VS Code expects: publisher.name-version. */
export function extensionFolderName() {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
  return `${pkg.publisher}.${pkg.name}-${pkg.version}`;
}

/**
 * Symlinks this repository (the unpacked extension) into `extensionsDir`; code-server picks it up
 * at startup. Replaces a stale link of the same name.
 * @returns the link's path
 */
export function linkExtension(extensionsDir) {
  mkdirSync(extensionsDir, { recursive: true });
  const link = join(extensionsDir, extensionFolderName());
  let stale = false;
  try {
    stale = lstatSync(link) !== undefined;
  } catch {
    /* no previous link */
  }
  if (stale) rmSync(link, { recursive: true, force: true });
  symlinkSync(repoRoot, link, 'dir');
  return link;
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort() {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePromise(port));
    });
  });
}

async function waitForHealthz(url, child, output, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`code-server exited with code ${child.exitCode} before it was ready:\n${output.join('')}`);
    }
    try {
      const response = await fetch(`${url}/healthz`);
      if (response.ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`code-server did not answer ${url}/healthz within ${timeoutMs / 1000} s:\n${output.join('')}`);
}

/**
 * Starts code-server in its own process group with the flags from notes/e2e-code-server.md and
 * waits until /healthz answers. `env` adds variables for the server and the extension host it starts.
 * @returns `{ url, port, folderUrl, stop, exited, output }`; `stop()` ends the whole process group and
 *   `exited` resolves with the server's exit code when it ends for any reason.
 */
export async function startCodeServer({
  port,
  userDataDir,
  extensionsDir,
  workspace,
  log = () => {},
  timeoutMs = 60_000,
  env = {},
} = {}) {
  const bin = await ensureCodeServer();
  const chosenPort = port ?? (await freePort());
  // A missing parent folder makes code-server spin forever, so create both up front.
  mkdirSync(userDataDir, { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  const args = [
    bin,
    '--config',
    '/dev/null',
    '--bind-addr',
    `127.0.0.1:${chosenPort}`,
    '--auth',
    'none',
    '--user-data-dir',
    userDataDir,
    '--extensions-dir',
    extensionsDir,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--ignore-last-opened',
  ];
  const child = spawn(process.execPath, args, {
    detached: true, // own process group, so stop() also reaches the extension host and pty host
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env, PASSWORD: undefined, HASHED_PASSWORD: undefined },
  });
  const output = [];
  const collect = (chunk) => {
    const text = chunk.toString();
    output.push(text);
    if (output.length > 500) output.shift();
    log(text.trimEnd());
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const url = `http://127.0.0.1:${chosenPort}`;
  const exited = new Promise((resolvePromise) => child.once('exit', (code) => resolvePromise(code)));

  let stopped;
  const stop = () => {
    stopped ??= new Promise((resolvePromise) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolvePromise();
      const kill = (signal) => {
        try {
          process.kill(-child.pid, signal);
        } catch {
          /* already gone */
        }
      };
      const force = setTimeout(() => kill('SIGKILL'), 5_000);
      child.once('exit', () => {
        clearTimeout(force);
        kill('SIGKILL'); // children that outlive the server (extension host, file watcher)
        resolvePromise();
      });
      kill('SIGTERM');
    });
    return stopped;
  };
  try {
    await waitForHealthz(url, child, output, timeoutMs);
  } catch (error) {
    await stop();
    throw error;
  }
  const folderUrl = workspace ? `${url}/?folder=${encodeURIComponent(resolve(workspace))}` : url;
  return { url, port: chosenPort, folderUrl, stop, exited, output };
}
