// Prerequisites of the benchmark: system packages (apt, when root), the compiled C programs,
// the fuse-native peer's npm install, and a load check of each peer. Runs before any
// measurement, never during one. A peer that cannot be set up is skipped with the reason.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { has, runSync } from './proc.mjs';

const PY = '/usr/bin/python3';

const tail = (text, n = 600) => {
  const s = String(text ?? '').trim();
  return s.length > n ? `…${s.slice(-n)}` : s;
};

/** The first line that names an error (Node prints the stack after it), else the tail. */
const firstError = (text) =>
  String(text ?? '')
    .split('\n')
    .map((l) => l.trim())
    .find((l) => /^(\w*Error|error)\b/.test(l)) ?? tail(text);

const pkgConfigHas = (lib) => runSync('pkg-config', ['--exists', lib]).status === 0;
const hasLib = (soname) => (runSync('ldconfig', ['-p']).stdout ?? '').includes(soname);
const pyfuse3Works = () => existsSync(PY) && runSync(PY, ['-c', 'import pyfuse3, trio']).status === 0;

/** [what, check, Debian package]; `for` names the peer or workload that needs it. */
const REQUIREMENTS = [
  { for: 'all', what: 'fusermount3', ok: () => has('fusermount3'), deb: 'fuse3' },
  { for: 'all', what: 'taskset', ok: () => has('taskset'), deb: 'util-linux' },
  { for: 'all', what: 'a C compiler (cc)', ok: () => has('cc'), deb: 'gcc' },
  { for: 'all', what: 'pkg-config', ok: () => has('pkg-config'), deb: 'pkg-config' },
  { for: 'c', what: 'libfuse 3 headers (pkg-config fuse3)', ok: () => pkgConfigHas('fuse3'), deb: 'libfuse3-dev' },
  { for: 'fio', what: 'fio', ok: () => has('fio'), deb: 'fio' },
  { for: 'pyfuse3', what: 'pyfuse3 for /usr/bin/python3', ok: pyfuse3Works, deb: 'python3-pyfuse3' },
  // fuse-native's prebuilt addon links libfuse.so.2 from the system.
  { for: 'fuse-native', what: 'libfuse 2 (libfuse.so.2)', ok: () => hasLib('libfuse.so.2'), deb: 'libfuse2' },
];

/** Installs (apt, as root) the system packages of `wanted` peers and workloads that are missing. */
export function installSystemPackages(wanted, log) {
  const needed = REQUIREMENTS.filter((r) => (r.for === 'all' || wanted.has(r.for)) && !r.ok());
  if (needed.length === 0) return;
  const debs = [...new Set(needed.map((r) => r.deb))];
  if (process.getuid?.() !== 0 || !has('apt-get')) {
    log(`missing: ${needed.map((r) => r.what).join(', ')} (install: apt-get install ${debs.join(' ')})`);
    return;
  }
  log(`installing system packages: ${debs.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () =>
    runSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...debs], { timeoutMs: 900_000, env, stdio: 'inherit' });
  if (install().status !== 0) {
    log('apt-get install failed; refreshing package lists and retrying once');
    runSync('apt-get', ['update', '-qq'], { timeoutMs: 600_000, env, stdio: 'inherit' });
    if (install().status !== 0) log('apt-get install failed again; the peers that need these packages are skipped');
  }
}

function newest(dir, skip = new Set()) {
  let t = 0;
  if (!existsSync(dir)) return t;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (skip.has(e.name)) continue;
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p, skip) : statSync(p).mtimeMs);
  }
  return t;
}

/** Compiles `src` into `out` when `out` is missing or older; returns an error string or undefined. */
function compile(src, out, extra, log) {
  if (existsSync(out) && statSync(out).mtimeMs >= statSync(src).mtimeMs) return undefined;
  let flags = [];
  if (extra === 'fuse3') {
    const pc = runSync('pkg-config', ['fuse3', '--cflags', '--libs']);
    if (pc.status !== 0) return `pkg-config fuse3 failed: ${tail(pc.stderr)}`;
    flags = pc.stdout.trim().split(/\s+/).filter(Boolean);
  }
  log(`compiling ${src.split('/').slice(-2).join('/')}`);
  const r = runSync('cc', ['-O2', '-Wall', '-Wextra', '-o', out, src, ...flags], { timeoutMs: 120_000 });
  return r.status === 0 ? undefined : `cc failed: ${tail(r.stderr)}`;
}

function setupFuseNative(dir, log) {
  const loads = () => runSync(process.execPath, ['-e', "require('fuse-native')"], { cwd: dir, timeoutMs: 30_000 });
  if (!existsSync(join(dir, 'node_modules', 'fuse-native', 'package.json'))) {
    log('installing fuse-native (npm, in peers/fuse-native, outside the workspaces)');
    const lock = existsSync(join(dir, 'package-lock.json'));
    const r = runSync('npm', [lock ? 'ci' : 'install', '--no-workspaces', '--no-audit', '--no-fund'], { cwd: dir, timeoutMs: 300_000 });
    if (r.status !== 0) return `npm ${lock ? 'ci' : 'install'} failed: ${tail(r.stderr)}`;
  }
  let r = loads();
  if (r.status === 0) return undefined;
  // npm 11 does not run install scripts: when the shipped prebuild does not load, build it.
  log(`fuse-native's prebuilt addon does not load (${firstError(r.stderr)}); building it with node-gyp`);
  const build = runSync('npx', ['--yes', 'node-gyp', 'rebuild'], { cwd: join(dir, 'node_modules', 'fuse-native'), timeoutMs: 600_000 });
  if (build.status !== 0) return `node-gyp rebuild failed: ${tail(build.stderr)}`;
  r = loads();
  return r.status === 0 ? undefined : `fuse-native does not load: ${firstError(r.stderr)}`;
}

function setupFusekit(root, peerDir, log, build) {
  const pkg = join(root, 'packages', 'lowlevel');
  const dist = join(pkg, 'dist', 'index.js');
  const addon = join(pkg, 'build', 'Release', 'fusekit.node');
  const loads = () =>
    runSync(process.execPath, ['--input-type=module', '-e', "await import('@fusekit/lowlevel')"], { cwd: peerDir, timeoutMs: 60_000 });
  // Build when asked or when nothing is built; a build that exists but does not load is
  // reported, not rebuilt (someone may be in the middle of changing it).
  if (build || !existsSync(dist) || !existsSync(addon)) {
    log(build ? 'building fusekit (node scripts/setup.mjs)' : 'fusekit is not built; building it (node scripts/setup.mjs)');
    const r = runSync(process.execPath, [join(root, 'scripts', 'setup.mjs')], { cwd: root, timeoutMs: 1_200_000, stdio: 'inherit' });
    if (r.status !== 0) return { error: 'node scripts/setup.mjs failed (see its output above)' };
  }
  const r = loads();
  if (r.status !== 0) return { error: `@fusekit/lowlevel does not load (run npm run build?): ${firstError(r.stderr)}` };
  // TS sources against dist/, native sources against the addon.
  const pairs = [
    [newest(join(pkg, 'src')), statSync(dist).mtimeMs, 'src/', 'dist/'],
    [newest(join(pkg, 'native')), statSync(addon).mtimeMs, 'native/', 'build/Release/fusekit.node'],
  ];
  const behind = pairs
    .filter(([source, output]) => source > output)
    .map(
      ([source, output, what, out]) =>
        `${what} (${new Date(source).toISOString()}) is newer than ${out} (${new Date(output).toISOString()})`,
    );
  const built = Math.min(statSync(dist).mtimeMs, statSync(addon).mtimeMs);
  const stale =
    behind.length > 0
      ? `packages/lowlevel changed after its last build: ${behind.join('; ')}; measuring the build. Run with --build to rebuild first.`
      : undefined;
  return { stale, builtAt: new Date(built).toISOString() };
}

/**
 * Sets everything up. Returns { binaries, peers: { [name]: { ok, reason? } }, fio: { ok, reason? },
 * notes: string[] }.
 */
export function setup({ root, benchDir, wanted, install, build, baseline, log }) {
  const notes = [];
  if (install) installSystemPackages(new Set([...wanted, 'fio']), log);
  const missing = (key) => REQUIREMENTS.filter((r) => (r.for === 'all' || r.for === key) && !r.ok()).map((r) => r.what);

  const base = missing('all');
  if (base.length > 0) throw new Error(`cannot run the benchmark without: ${base.join(', ')}`);
  if (!existsSync('/dev/fuse')) throw new Error('/dev/fuse is missing (modprobe fuse?)');

  const buildDir = join(benchDir, 'build');
  mkdirSync(buildDir, { recursive: true });
  const binaries = { statloop: join(buildDir, 'statloop'), c: join(buildDir, 'bench_ll') };
  const loopError = compile(join(benchDir, 'drivers', 'statloop.c'), binaries.statloop, undefined, log);
  if (loopError) throw new Error(`cannot build the stat driver: ${loopError}`);

  const peers = {};
  const skip = (name, reason) => {
    peers[name] = { ok: false, reason };
    log(`skipping ${name}: ${reason}`);
  };
  for (const name of wanted) {
    const lacking = missing(name);
    if (lacking.length > 0) {
      const why = !install
        ? ' (--no-install: nothing was installed)'
        : process.getuid?.() === 0
          ? ''
          : ' (not root, so nothing was installed)';
      skip(name, `missing ${lacking.join(', ')}${why}`);
      continue;
    }
    if (name === 'c' || name === 'c-mt') {
      const error = compile(join(benchDir, 'peers', 'c', 'bench_ll.c'), binaries.c, 'fuse3', log);
      if (error) skip(name, error);
      else peers[name] = { ok: true };
    } else if (name === 'pyfuse3') {
      peers[name] = { ok: true };
    } else if (name === 'fuse-native') {
      const error = setupFuseNative(join(benchDir, 'peers', 'fuse-native'), log);
      if (error) skip(name, error);
      else peers[name] = { ok: true };
    } else if (name === 'baseline') {
      // Built by whoever made that checkout: never built here.
      const built = ['dist/index.js', 'build/Release/fusekit.node'].every((f) => existsSync(join(baseline, 'packages', 'lowlevel', f)));
      const r = built
        ? setupFusekit(baseline, join(baseline, 'bench', 'lowlevel', 'peers', 'fusekit'), log, false)
        : { error: 'not built (npm ci && npm run build there)' };
      if (r.error) skip(name, `${baseline}: ${r.error}`);
      else peers[name] = { ok: true, builtAt: r.builtAt };
    } else if (name === 'fusekit-uring') {
      const reason = enableUring(log);
      if (reason) skip(name, reason);
      else peers[name] = { ok: true };
    } else if (name === 'fusekit') {
      const r = setupFusekit(root, join(benchDir, 'peers', 'fusekit'), log, build);
      if (r.error) skip(name, r.error);
      else {
        peers[name] = { ok: true, builtAt: r.builtAt };
        if (r.stale) {
          notes.push(`fusekit: ${r.stale}`);
          log(`warning: ${r.stale}`);
        }
      }
    }
  }
  const fioMissing = missing('fio');
  const fio = fioMissing.length === 0 ? { ok: true } : { ok: false, reason: `missing ${fioMissing.join(', ')}` };
  if (!fio.ok) log(`skipping the fio workloads: ${fio.reason}`);
  return { binaries, peers, fio, notes };
}

// FUSE over io_uring is off unless the fuse module's enable_uring says Y: turned on for the run
// (as root) and put back as it was when the run ends. Answers why it cannot be, or ''.
const ENABLE_URING = '/sys/module/fuse/parameters/enable_uring';
function enableUring(log) {
  if (!existsSync(ENABLE_URING)) return 'this kernel has no FUSE over io_uring (no fuse enable_uring parameter)';
  const before = readFileSync(ENABLE_URING, 'utf8').trim();
  if (before === 'Y') return '';
  if (process.getuid?.() !== 0) return `${ENABLE_URING} is ${before} and only root can turn it on`;
  writeFileSync(ENABLE_URING, 'Y');
  log(`turned ${ENABLE_URING} on for the run`);
  process.on('exit', () => writeFileSync(ENABLE_URING, before));
  return '';
}
