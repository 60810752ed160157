/**
 * Is there a GPU that WebGPU (Dawn) can use? Asked once per machine, in a short-lived child process, and
 * remembered until the packages or the driver change.
 *
 * Why a child process: Dawn and the Vulkan loader print from C++ straight to the process's stderr ("XDG_RUNTIME_DIR
 * is invalid", warnings from the build machine of the `webgpu` package). JavaScript cannot intercept those writes,
 * so they would land before every test result. In a child, they land in a pipe that is kept in the verdict for
 * Diagnose Backends, and the test or training process loads Dawn only when the verdict says it works.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { homedir, hostname, release, version as osVersion } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';

/** What Dawn reports about an adapter (the fields the ladder reads). */
export interface AdapterInfo {
  readonly description?: string;
  readonly vendor?: string;
  readonly architecture?: string;
  readonly device?: string;
  readonly isFallbackAdapter?: boolean;
}

export interface GpuVerdict {
  /** The adapter Dawn offered, or null when it offered none. */
  readonly adapter: AdapterInfo | null;
  /** Why the probe could not tell: webgpu did not load, the probe crashed, or it did not answer. */
  readonly error?: string;
  /** The probe did not answer in time: never cached, it may answer next time. */
  readonly timedOut?: boolean;
  /** What Dawn, Vulkan and the driver printed while probing (kept out of the learner's output). */
  readonly nativeOutput: string;
  readonly probedAt: string;
}

/** Everything that can change the verdict: when any of it changes, the GPU is probed again. */
export interface ProbeKey {
  readonly platform: string;
  readonly arch: string;
  readonly node: string;
  /** The cache may sit in a synced home folder; a verdict belongs to one machine. */
  readonly host: string;
  readonly packages: Readonly<Record<string, string>>;
  readonly driver: string;
}

/** The probe itself, as the body of `async (req) => …`: run in a child (below) or, for tests, in-process. */
const PROBE_BODY = `
  const dawn = req('webgpu');
  Object.assign(globalThis, dawn.globals);
  const adapter = await dawn.create([]).requestAdapter();
  if (!adapter) return { adapter: null };
  const i = adapter.info || {};
  return { adapter: { description: i.description, vendor: i.vendor, architecture: i.architecture, device: i.device,
    isFallbackAdapter: i.isFallbackAdapter === true || adapter.isFallbackAdapter === true } };
`;
const MARK = '@@multimodal-lab-gpu-probe@@';
const CHILD_SOURCE = `const req = (id) => require(id === 'webgpu' ? process.argv[1] : id);
const say = (v) => { process.stdout.write('\\n${MARK}' + JSON.stringify(v) + '\\n', () => process.exit(0)); };
(async (req) => {${PROBE_BODY}})(req).then(say, (e) => say({ adapter: null, error: String((e && e.message) || e).split('\\n')[0] }));`;

/** Runs the probe in this process with `req` (tests substitute a stand-in `webgpu`). */
export async function probeInProcess(req: NodeJS.Require): Promise<GpuVerdict> {
  const probe = new Function('req', `return (async () => {${PROBE_BODY}})();`) as (
    r: NodeJS.Require,
  ) => Promise<Pick<GpuVerdict, 'adapter'>>;
  const probedAt = new Date().toISOString();
  try {
    return { ...(await probe(req)), nativeOutput: '', probedAt };
  } catch (err) {
    return { adapter: null, error: firstLine(err), nativeOutput: '', probedAt };
  }
}

/**
 * Runs the probe in a child process that loads `webgpu` from `webgpuEntry` (the path the workspace resolves it to);
 * the child's stdout and stderr never reach ours.
 */
export function probeInChild(webgpuEntry: string, timeoutMs = 20_000): Promise<GpuVerdict> {
  const probedAt = new Date().toISOString();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', CHILD_SOURCE, webgpuEntry], {
      cwd: dirname(webgpuEntry),
      stdio: ['ignore', 'pipe', 'pipe'],
      env: process.env,
    });
    let out = '';
    let err = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (t: string) => {
      out += t;
    });
    child.stderr.setEncoding('utf8').on('data', (t: string) => {
      err += t;
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ adapter: null, error: `the GPU probe could not start: ${e.message}`, nativeOutput: '', probedAt });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const marked = out
        .split('\n')
        .filter((l) => l.startsWith(MARK))
        .at(-1);
      const nativeOutput = (
        out
          .split('\n')
          .filter((l) => !l.startsWith(MARK))
          .join('\n')
          .trim() +
        '\n' +
        err
      )
        .trim()
        .slice(-4000);
      if (marked) {
        resolve({
          ...(JSON.parse(marked.slice(MARK.length)) as Pick<GpuVerdict, 'adapter' | 'error'>),
          nativeOutput,
          probedAt,
        });
      } else if (timedOut) {
        resolve({
          adapter: null,
          error: `the GPU probe did not answer within ${Math.round(timeoutMs / 1000)} s`,
          timedOut: true,
          nativeOutput,
          probedAt,
        });
      } else {
        const how = signal ? `was killed (${signal})` : `exited with code ${code}`;
        const said = nativeOutput.split('\n').find((l) => l.trim()) ?? 'nothing';
        resolve({
          adapter: null,
          error: `the GPU probe ${how} while loading webgpu (Dawn); it printed: ${said}`,
          nativeOutput,
          probedAt,
        });
      }
    });
  });
}

/** The folder for machine-wide caches: MULTIMODAL_LAB_CACHE_DIR, else the OS's cache folder. */
export function gpuCacheDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: string = process.platform,
  home: string = homedir(),
): string {
  if (env.MULTIMODAL_LAB_CACHE_DIR) return env.MULTIMODAL_LAB_CACHE_DIR;
  const path = platform === 'win32' ? join : (...parts: string[]) => parts.join('/').replace(/\/+/g, '/');
  if (platform === 'win32') return path(env.LOCALAPPDATA ?? path(home, 'AppData', 'Local'), 'multimodal-lab', 'Cache');
  if (platform === 'darwin') return path(home, 'Library', 'Caches', 'multimodal-lab');
  return path(env.XDG_CACHE_HOME || path(home, '.cache'), 'multimodal-lab');
}

/** The cache file of GPU verdicts. */
export function gpuCacheFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(gpuCacheDir(env), 'gpu-probe.json');
}

const VULKAN_ICD_DIRS = ['/usr/share/vulkan/icd.d', '/usr/local/share/vulkan/icd.d', '/etc/vulkan/icd.d'];

function stamp(file: string): string {
  try {
    const s = statSync(file);
    return `${file}:${s.size}:${Math.round(s.mtimeMs)}`;
  } catch {
    return `${file}:absent`;
  }
}

/**
 * Who drives the GPU: the NVIDIA driver's version, every Vulkan driver manifest and the library it names (a Mesa
 * or driver update changes them), the Vulkan environment variables, and the OS release (Metal and D3D12 drivers
 * come with the OS).
 */
export function driverIdentity(env: NodeJS.ProcessEnv = process.env): string {
  const parts = [`${process.platform} ${release()} ${osVersion()}`];
  if (existsSync('/proc/driver/nvidia/version')) {
    try {
      parts.push(readFileSync('/proc/driver/nvidia/version', 'utf8').split('\n')[0]);
    } catch {
      parts.push('nvidia driver present, version unreadable');
    }
  }
  for (const dir of VULKAN_ICD_DIRS) {
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).sort()) {
      const manifest = join(dir, name);
      parts.push(stamp(manifest));
      try {
        const lib = (JSON.parse(readFileSync(manifest, 'utf8')) as { ICD?: { library_path?: string } }).ICD
          ?.library_path;
        if (lib) parts.push(isAbsolute(lib) ? stamp(lib) : lib);
      } catch {
        // A manifest that is not JSON: its stamp above still changes when it does.
      }
    }
  }
  for (const v of ['VK_ICD_FILENAMES', 'VK_DRIVER_FILES', 'VK_ADD_DRIVER_FILES'])
    if (env[v]) parts.push(`${v}=${env[v]}`);
  return parts.join('\n');
}

/** The key of this machine and this workspace's webgpu packages. */
export function probeKey(req: NodeJS.Require, driver: () => string = driverIdentity): ProbeKey {
  const packages: Record<string, string> = {};
  for (const p of ['webgpu', '@tensorflow/tfjs-backend-webgpu']) {
    try {
      packages[p] = (req(`${p}/package.json`) as { version?: string }).version ?? 'unknown';
    } catch {
      packages[p] = 'absent';
    }
  }
  return {
    platform: process.platform,
    arch: process.arch,
    node: process.versions.node,
    host: hostname(),
    packages,
    driver: driver(),
  };
}

interface CacheFile {
  readonly version: 1;
  readonly entries: Record<string, { readonly key: ProbeKey; readonly verdict: GpuVerdict }>;
}

const MAX_ENTRIES = 16;

function readCache(file: string): CacheFile {
  try {
    const doc = JSON.parse(readFileSync(file, 'utf8')) as CacheFile;
    if (doc.version === 1 && typeof doc.entries === 'object' && doc.entries !== null) return doc;
  } catch {
    // Absent or unreadable: a fresh cache (the verdict is re-probed, never guessed).
  }
  return { version: 1, entries: {} };
}

export interface CacheOptions {
  readonly file: string;
  readonly probe: () => Promise<GpuVerdict>;
  /** Probe even when a verdict is cached, and replace it (Diagnose Backends). */
  readonly fresh?: boolean;
}

/** The verdict for `key`: the cached one, or a new probe's (cached unless it timed out). */
export async function cachedGpuVerdict(
  key: ProbeKey,
  options: CacheOptions,
): Promise<{ verdict: GpuVerdict; cached: boolean; cacheError?: string }> {
  const id = createHash('sha256').update(JSON.stringify(key)).digest('hex').slice(0, 32);
  const cache = readCache(options.file);
  const hit = cache.entries[id];
  if (hit && !options.fresh) return { verdict: hit.verdict, cached: true };
  const verdict = await options.probe();
  if (verdict.timedOut) return { verdict, cached: false };
  // Re-read: another process may have written meanwhile. Oldest verdicts go first beyond MAX_ENTRIES.
  const entries = Object.entries({ ...readCache(options.file).entries, [id]: { key, verdict } })
    .sort(([, a], [, b]) => a.verdict.probedAt.localeCompare(b.verdict.probedAt))
    .slice(-MAX_ENTRIES);
  try {
    mkdirSync(dirname(options.file), { recursive: true });
    const tmp = `${options.file}.${process.pid}.tmp`;
    writeFileSync(
      tmp,
      `${JSON.stringify({ version: 1, entries: Object.fromEntries(entries) } satisfies CacheFile, null, 2)}\n`,
    );
    renameSync(tmp, options.file);
  } catch (err) {
    // Not fatal: the next run probes again.
    return {
      verdict,
      cached: false,
      cacheError: `could not save the GPU verdict in ${options.file}: ${firstLine(err)}`,
    };
  }
  return { verdict, cached: false };
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0];
}
