import * as assert from 'node:assert/strict';

// A dynamic import: the checker is plain Node ESM (it runs before npm install), and this file is CommonJS.
const loadPrereqs = () => import('../../scripts/prereqs.mjs');
type Prereqs = Awaited<ReturnType<typeof loadPrereqs>>;
type Facts = Parameters<Prereqs['missingPrerequisites']>[1];

/** A Debian machine with everything `npm test` and `npm start` need. */
const complete: Facts = {
  platform: 'linux',
  distro: 'debian',
  nodeVersion: '20.19.0',
  dependenciesInstalled: true,
  chromium: { path: '/usr/bin/chromium' },
  code: false,
  codeServerInstalled: false,
  rg: true,
  compilers: true,
  python3: true,
  krb5: true,
};

describe('prerequisites of npm test and npm start (scripts/prereqs.mjs)', () => {
  let p: Prereqs;
  before(async () => {
    p = await loadPrereqs();
  });

  it('finds nothing missing on a complete machine', () => {
    assert.deepEqual(p.missingPrerequisites('test', complete), []);
    assert.deepEqual(p.missingPrerequisites('start', complete), []);
  });

  it('names the browser and how to install it for this OS, in one line, when no Chromium or Chrome is found', () => {
    const none = { ...complete, chromium: {} };
    assert.deepEqual(p.missingPrerequisites('test', none), [
      'npm test needs Chromium or Chrome for the webview suites: sudo apt-get install chromium, or set CHROMIUM_PATH to one.',
    ]);
    assert.match(
      p.missingPrerequisites('test', { ...none, distro: 'ubuntu' })[0],
      /: npx playwright-core install --with-deps chromium, or set CHROMIUM_PATH/,
    );
    assert.match(
      p.missingPrerequisites('test', { ...none, platform: 'darwin', distro: 'darwin' })[0],
      /: npx playwright-core install chromium \(or install Google Chrome\)/,
    );
    assert.match(
      p.missingPrerequisites('test', { ...none, platform: 'freebsd', distro: 'freebsd' })[0],
      /: install Chromium with your package manager/,
    );
    // npm start does not drive a browser.
    assert.deepEqual(p.missingPrerequisites('start', none), []);
  });

  it('says when CHROMIUM_PATH names a file that is not there, rather than looking elsewhere', () => {
    const lines = p.missingPrerequisites('test', { ...complete, chromium: { setTo: '/opt/chrome/chrome' } });
    assert.equal(lines.length, 1);
    assert.equal(
      lines[0],
      'npm test needs the Chromium or Chrome at CHROMIUM_PATH (/opt/chrome/chrome) for the webview suites, and there is none: point CHROMIUM_PATH at one, or unset it.',
    );
  });

  it('names an old Node and missing npm packages, one line each', () => {
    assert.deepEqual(
      p.missingPrerequisites('test', { ...complete, nodeVersion: '20.18.3', dependenciesInstalled: false }),
      [
        'npm test needs Node 20.19 or newer (this is Node 20.18.3): install it from https://nodejs.org (or nvm install 20).',
        'npm test needs its npm packages: run npm install.',
      ],
    );
    assert.equal(p.nodeVersionOk('v22.0.0'), true);
    assert.equal(p.nodeVersionOk('20.19.0'), true);
    assert.equal(p.nodeVersionOk('19.9.0'), false);
  });

  it('on Windows sends npm test to WSL, and npm start to desktop VS Code', () => {
    const windows = { ...complete, platform: 'win32' as const, distro: 'win32' };
    assert.deepEqual(
      p.missingPrerequisites('test', windows).map((l) => /: (.*)$/.exec(l)?.[1]),
      ['run it in WSL (wsl --install -d Ubuntu) and follow the Ubuntu steps there.'],
    );
    assert.match(
      p.missingPrerequisites('start', windows)[0],
      /^npm start needs VS Code with its `code` command on the PATH .*: install it from https:\/\/code\.visualstudio\.com\.$/,
    );
    assert.deepEqual(p.missingPrerequisites('start', { ...windows, code: true }), []);
  });

  it('npm start without `code` needs what code-server needs: ripgrep always, the build tools only until it is installed', () => {
    const bare = { ...complete, rg: false, compilers: false, python3: false, krb5: false };
    assert.deepEqual(
      p.missingPrerequisites('start', bare).map((l) => /: (.*)$/.exec(l)?.[1]),
      [
        'sudo apt-get install ripgrep.',
        'sudo apt-get install build-essential.',
        'sudo apt-get install python3.',
        'sudo apt-get install libkrb5-dev.',
      ],
    );
    assert.deepEqual(p.missingPrerequisites('start', { ...bare, codeServerInstalled: true }).length, 1);
    assert.match(
      p.missingPrerequisites('start', { ...bare, platform: 'darwin', distro: 'darwin' })[0],
      /brew install ripgrep\.$/,
    );
    assert.deepEqual(
      p.missingPrerequisites('start', { ...bare, code: true }),
      [],
      'desktop VS Code needs none of them',
    );
    // code-server 4.100 installs and runs on Node 20 only.
    assert.match(
      p.missingPrerequisites('start', { ...complete, nodeVersion: '22.11.0' })[0],
      /^npm start needs Node 20 for code-server, .*: install Node 20 \(nvm install 20\), or VS Code\.$/,
    );
    assert.deepEqual(p.missingPrerequisites('start', { ...complete, nodeVersion: '22.11.0', code: true }), []);
    assert.deepEqual(p.missingPrerequisites('test', { ...complete, nodeVersion: '22.11.0' }), []);
  });

  it('finds the browser at CHROMIUM_PATH, else at the first usual place that exists, else the one Playwright downloaded', () => {
    const at =
      (...present: string[]) =>
      (f: string) =>
        present.includes(f);
    const none = () => undefined;
    assert.equal(
      p.findChromium({ platform: 'linux', env: { CHROMIUM_PATH: '/x/chrome' }, exists: at(), playwright: none }),
      '/x/chrome',
    );
    assert.equal(
      p.findChromium({
        platform: 'linux',
        env: {},
        exists: at('/usr/bin/google-chrome', '/snap/bin/chromium'),
        playwright: none,
      }),
      '/usr/bin/google-chrome',
    );
    assert.equal(
      p.findChromium({ platform: 'linux', env: {}, exists: at('/pw/chrome'), playwright: () => '/pw/chrome' }),
      '/pw/chrome',
    );
    assert.equal(
      p.findChromium({ platform: 'linux', env: {}, exists: at(), playwright: () => '/pw/chrome' }),
      undefined,
    );
    assert.equal(
      p.findChromium({
        platform: 'darwin',
        env: {},
        home: '/Users/a',
        exists: at('/Users/a/Applications/Google Chrome.app/Contents/MacOS/Google Chrome'),
        playwright: none,
      }),
      '/Users/a/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
    );
    assert.equal(
      p.findChromium({
        platform: 'win32',
        env: { LOCALAPPDATA: 'C:\\Users\\a\\AppData\\Local' },
        exists: at('C:\\Users\\a\\AppData\\Local\\Google\\Chrome\\Application\\chrome.exe'),
        playwright: none,
      }),
      'C:\\Users\\a\\AppData\\Local\\Google\\Chrome\\Application\\chrome.exe',
    );
  });
});
