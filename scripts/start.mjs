// `npm start`: build, then try the extension on sample-workspace/.
// With desktop VS Code on PATH it opens an Extension Development Host; otherwise it serves VS Code in the
// browser through code-server (installed on first use into .cache/code-server/) until Ctrl-C.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureCodeServer, linkExtension, repoRoot, startCodeServer } from './code-server.mjs';
import { checkOrExit, which } from './prereqs.mjs';

// Before the build: a missing prerequisite is one line naming what to install, not a failure minutes later.
checkOrExit('start');

const workspace = join(repoRoot, 'sample-workspace');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
// The extension opens the curriculum and its walkthrough on activation when this is set, so the first screen is
// the product rather than VS Code's own Get Started page.
const welcome = { MULTIMODAL_LAB_WELCOME: '1' };

/**
 * Settings for the kept user-data dir: no Get Started page (the extension shows its walkthrough instead), and no
 * prompt to open the repository that holds sample-workspace/. Keys the learner has set are left alone.
 */
function seedUserSettings(userDataDir) {
  const file = join(userDataDir, 'User', 'settings.json');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  let settings = {};
  if (existsSync(file)) {
    try {
      settings = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      return; // hand-edited with comments: leave it as it is
    }
  }
  const defaults = { 'workbench.startupEditor': 'none', 'git.openRepositoryInParentFolders': 'never' };
  writeFileSync(file, `${JSON.stringify({ ...defaults, ...settings }, null, 2)}\n`);
}

// npm.cmd, like every .cmd, runs only through a shell on Windows.
const build = spawnSync(npm, ['run', 'build'], {
  cwd: repoRoot,
  stdio: 'inherit',
  shell: process.platform === 'win32',
});
if (build.status !== 0) {
  console.error(`npm run build failed (exit ${build.status}); fix the errors above and run npm start again.`);
  process.exit(build.status ?? 1);
}

if (which('code') && !process.env.MULTIMODAL_LAB_USE_CODE_SERVER) {
  console.log('Opening an Extension Development Host on sample-workspace/ …');
  // On Windows `code` is code.cmd, which Node runs only through a shell (so each argument is quoted).
  const windows = process.platform === 'win32';
  const args = [`--extensionDevelopmentPath=${repoRoot}`, workspace].map((a) => (windows ? `"${a}"` : a));
  const code = spawn('code', args, { stdio: 'inherit', shell: windows, env: { ...process.env, ...welcome } });
  code.on('exit', (status) => process.exit(status ?? 0));
} else {
  await ensureCodeServer();
  // A user-data dir kept between runs, so the window layout and the learner's settings survive restarts.
  const stateDir = process.env.MULTIMODAL_LAB_START_DIR ?? join(repoRoot, '.cache', 'start');
  const extensionsDir = join(stateDir, 'extensions');
  mkdirSync(extensionsDir, { recursive: true });
  linkExtension(extensionsDir);
  const port = Number(process.env.PORT ?? 8080);
  seedUserSettings(join(stateDir, 'user-data'));
  const server = await startCodeServer({
    port,
    userDataDir: join(stateDir, 'user-data'),
    extensionsDir,
    workspace,
    env: welcome,
    log: (text) => console.log(text.replace(/^/gm, '[code-server] ')),
  });
  console.log(`\nMultimodal Lab is running in code-server (VS Code in the browser):\n\n  ${server.folderUrl}\n`);
  console.log(
    'Open that URL in a browser. Rebuild with `npm run build` and reload the page to pick up changes. Ctrl-C stops.',
  );
  let stopping = false;
  const shutdown = async () => {
    stopping = true;
    await server.stop();
    process.exit(0);
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  const code = await server.exited;
  if (stopping) await new Promise(() => {}); // shutdown() exits once the process group is gone
  console.error(`code-server stopped unexpectedly (exit ${code}); see its output above.`);
  process.exit(1);
}
