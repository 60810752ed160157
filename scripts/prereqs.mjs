// The system prerequisites of `npm test` and `npm start`, checked before either builds anything, so that a missing
// one is named in one line within seconds instead of failing minutes later. Plain Node and no dependencies, so it
// also runs before `npm install`.
//   node scripts/prereqs.mjs test|start   prints one line per missing prerequisite and exits 1, or exits 0
// The pure part (what is missing → the lines) is missingPrerequisites; probe() gathers the facts it reads.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { delimiter, dirname, join, posix, resolve, win32 } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** The oldest Node the extension's build, its tests and code-server 4.100 run on (package.json `engines`). */
export const MIN_NODE = [20, 19];

/** True when `version` ("20.19.0", "v22.1.0") is MIN_NODE or newer. */
export function nodeVersionOk(version) {
  const [major, minor] = version.replace(/^v/, '').split('.').map(Number);
  return major > MIN_NODE[0] || (major === MIN_NODE[0] && minor >= MIN_NODE[1]);
}

/** The flags every headless Chromium of the test suites and benches runs with: offline and quiet on these machines. */
export const CHROMIUM_ARGS = Object.freeze([
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]);

/** Where a Chromium or Chrome executable usually lives on `platform`, most likely first. */
export function chromiumCandidates(platform = process.platform, env = process.env, home = homedir()) {
  if (platform === 'darwin') {
    return ['/Applications', join(home, 'Applications')].flatMap((apps) => [
      `${apps}/Chromium.app/Contents/MacOS/Chromium`,
      `${apps}/Google Chrome.app/Contents/MacOS/Google Chrome`,
    ]);
  }
  if (platform === 'win32') {
    const roots = [
      env.LOCALAPPDATA,
      env.PROGRAMFILES ?? env.ProgramFiles,
      env['PROGRAMFILES(X86)'] ?? env['ProgramFiles(x86)'],
    ];
    return roots
      .filter(Boolean)
      .flatMap((root) => [
        win32.join(root, 'Google', 'Chrome', 'Application', 'chrome.exe'),
        win32.join(root, 'Chromium', 'Application', 'chrome.exe'),
      ]);
  }
  return [
    '/usr/bin/chromium',
    '/usr/bin/google-chrome',
    '/usr/bin/google-chrome-stable',
    '/usr/bin/chromium-browser',
    '/snap/bin/chromium',
  ];
}

/** The Chromium that `npx playwright-core install chromium` downloads, where playwright-core is installed. */
function playwrightChromium() {
  try {
    return createRequire(join(repoRoot, 'package.json'))('playwright-core').chromium.executablePath();
  } catch {
    return undefined; // npm install has not run yet: the dependency check names that
  }
}

/**
 * The browser the webview suites (and the e2e suites) launch: CHROMIUM_PATH when it is set, whether or not it
 * exists (an explicit choice is never second-guessed), else the first usual place that exists, else the Chromium
 * Playwright downloaded, else undefined.
 */
export function findChromium({
  platform = process.platform,
  env = process.env,
  home = homedir(),
  exists = existsSync,
  playwright = playwrightChromium,
} = {}) {
  if (env.CHROMIUM_PATH) return env.CHROMIUM_PATH;
  const found = chromiumCandidates(platform, env, home).find((p) => exists(p));
  if (found) return found;
  const downloaded = playwright();
  return downloaded && exists(downloaded) ? downloaded : undefined;
}

/** Debian, Ubuntu (and their derivatives, by ID_LIKE), or another Linux, from /etc/os-release. */
function linuxDistro() {
  try {
    const release = readFileSync('/etc/os-release', 'utf8');
    const field = (key) => new RegExp(`^${key}="?([^"\\n]*)`, 'm').exec(release)?.[1] ?? '';
    const ids = `${field('ID')} ${field('ID_LIKE')}`;
    return /\bubuntu\b/.test(ids) ? 'ubuntu' : /\bdebian\b/.test(ids) ? 'debian' : 'linux';
  } catch {
    return 'linux';
  }
}

/** A command on PATH (with Windows' PATHEXT), or undefined. */
export function which(command, env = process.env, platform = process.platform) {
  const extensions = platform === 'win32' ? (env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';') : [''];
  for (const dir of (env.PATH ?? env.Path ?? '').split(platform === 'win32' ? ';' : delimiter)) {
    for (const ext of extensions) {
      const file = (platform === 'win32' ? win32 : posix).join(dir, command + ext);
      if (dir && existsSync(file)) return file;
    }
  }
  return undefined;
}

/** The facts missingPrerequisites reads, from this machine. */
export function probe() {
  const chromiumPath = findChromium();
  return {
    platform: process.platform,
    distro: process.platform === 'linux' ? linuxDistro() : process.platform,
    nodeVersion: process.versions.node,
    dependenciesInstalled: ['mocha', 'esbuild', 'tsx'].every((p) =>
      existsSync(join(repoRoot, 'node_modules', p, 'package.json')),
    ),
    chromium: {
      path: chromiumPath && existsSync(chromiumPath) ? chromiumPath : undefined,
      setTo: process.env.CHROMIUM_PATH || undefined,
    },
    code: Boolean(which('code')) && !process.env.MULTIMODAL_LAB_USE_CODE_SERVER,
    codeServerInstalled: existsSync(
      join(repoRoot, '.cache', 'code-server', 'node_modules', 'code-server', 'out', 'node', 'entry.js'),
    ),
    rg: Boolean(which('rg')),
    compilers: Boolean((which('g++') || which('clang++')) && which('make')),
    python3: Boolean(which('python3')),
    krb5: Boolean(which('krb5-config')) || existsSync('/usr/include/gssapi/gssapi.h'),
  };
}

/** How to install each prerequisite, by OS family ("debian", "ubuntu", "linux", "darwin", "win32"). */
const HOW = {
  chromium: {
    debian: 'sudo apt-get install chromium',
    ubuntu: 'npx playwright-core install --with-deps chromium',
    linux: 'install Chromium with your package manager, or npx playwright-core install --with-deps chromium',
    darwin: 'npx playwright-core install chromium (or install Google Chrome)',
    win32: 'install Google Chrome',
  },
  rg: {
    debian: 'sudo apt-get install ripgrep',
    ubuntu: 'sudo apt-get install ripgrep',
    linux: 'install ripgrep with your package manager',
    darwin: 'brew install ripgrep',
  },
  compilers: {
    debian: 'sudo apt-get install build-essential',
    ubuntu: 'sudo apt-get install build-essential',
    linux: 'install g++ and make',
    darwin: 'xcode-select --install',
  },
  python3: {
    debian: 'sudo apt-get install python3',
    ubuntu: 'sudo apt-get install python3',
    linux: 'install python3',
    darwin: 'xcode-select --install',
  },
  krb5: {
    debian: 'sudo apt-get install libkrb5-dev',
    ubuntu: 'sudo apt-get install libkrb5-dev',
    linux: 'install the Kerberos development headers (krb5)',
    darwin: 'xcode-select --install',
  },
};

/**
 * What `task` ("test" or "start") lacks on a machine described by `facts` (see probe), as one line each:
 * what is missing, what for, and what to run on that OS. An empty array means everything is there.
 */
export function missingPrerequisites(task, facts) {
  const lines = [];
  const need = (what, how) => lines.push(`npm ${task} needs ${what}: ${how}.`);
  const how = (kind) => HOW[kind][facts.distro] ?? HOW[kind].linux; // another Unix: the generic Linux advice
  if (!nodeVersionOk(facts.nodeVersion)) {
    need(
      `Node ${MIN_NODE.join('.')} or newer (this is Node ${facts.nodeVersion})`,
      'install it from https://nodejs.org (or nvm install 20)',
    );
  }
  if (!facts.dependenciesInstalled) need('its npm packages', 'run npm install');
  if (task === 'test') {
    if (facts.platform === 'win32') {
      need(
        'a POSIX system (its runner tests use process groups and bash)',
        'run it in WSL (wsl --install -d Ubuntu) and follow the Ubuntu steps there',
      );
    } else if (facts.chromium.setTo && !facts.chromium.path) {
      need(
        `the Chromium or Chrome at CHROMIUM_PATH (${facts.chromium.setTo}) for the webview suites, and there is none`,
        'point CHROMIUM_PATH at one, or unset it',
      );
    } else if (!facts.chromium.path) {
      need('Chromium or Chrome for the webview suites', `${how('chromium')}, or set CHROMIUM_PATH to one`);
    }
  }
  if (task === 'start' && !facts.code) {
    if (facts.platform === 'win32') {
      need(
        'VS Code with its `code` command on the PATH (code-server, the fallback, does not run on Windows)',
        'install it from https://code.visualstudio.com',
      );
      return lines;
    }
    const reason = "for code-server, used when VS Code's `code` command is not on the PATH";
    const major = Number(facts.nodeVersion.replace(/^v/, '').split('.')[0]);
    if (major !== 20 && nodeVersionOk(facts.nodeVersion)) {
      need(
        `Node 20 ${reason} (code-server 4.100 runs on Node 20 only; this is Node ${facts.nodeVersion})`,
        'install Node 20 (nvm install 20), or VS Code',
      );
    }
    if (!facts.rg) need(`ripgrep (rg) ${reason}`, how('rg'));
    if (!facts.codeServerInstalled) {
      if (!facts.compilers)
        need(`a C++ compiler and make, to build code-server's native modules on first use`, how('compilers'));
      if (!facts.python3) need(`python3, to build code-server's native modules on first use`, how('python3'));
      if (!facts.krb5) need(`the Kerberos headers, to build code-server's native modules on first use`, how('krb5'));
    }
  }
  return lines;
}

/** Prints what `task` lacks and exits 1, or returns quietly when nothing is missing. */
export function checkOrExit(task) {
  const lines = missingPrerequisites(task, probe());
  if (lines.length === 0) return;
  for (const line of lines) console.error(line);
  process.exit(1);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const task = process.argv[2];
  if (task !== 'test' && task !== 'start') {
    console.error('usage: node scripts/prereqs.mjs test|start');
    process.exit(2);
  }
  checkOrExit(task);
}
