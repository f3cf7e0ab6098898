#!/usr/bin/env node
// One set-up step behind every README command: system packages, npm dependencies, build.
// Runs in a second when everything is already in place. Flags: --no-build, and --test for the
// tools the test suite drives besides (npm test passes it).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const build = !process.argv.includes('--no-build');
const forTests = process.argv.includes('--test');
const say = (line) => console.log(`[setup] ${line}`);

const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
const pkgConfigHas = (lib) => has('pkg-config') && spawnSync('pkg-config', ['--exists', lib]).status === 0;
const nodeIncludes = [join(dirname(process.execPath), '..', 'include', 'node'), '/usr/include/node'];
const hasUvHeader = () => nodeIncludes.some((d) => existsSync(join(d, 'uv.h'))) || existsSync('/usr/include/uv.h');
const hasLiburingArchive = () =>
  existsSync('/usr/include/liburing.h') &&
  ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib'].some((d) => existsSync(join(d, 'liburing.a')));

// [what is checked, Debian/Ubuntu package, Fedora package]
const requirements = [
  [() => has('fusermount3'), 'fuse3', 'fuse3'],
  [() => has('pkg-config'), 'pkg-config', 'pkgconf-pkg-config'],
  [() => pkgConfigHas('fuse3'), 'libfuse3-dev', 'fuse3-devel'],
  [() => has('cmake'), 'cmake', 'cmake'],
  [() => has('g++') || has('c++'), 'g++', 'gcc-c++'],
  [hasUvHeader, 'libuv1-dev', 'libuv-devel'],
  // Linked in statically (FUSE over io_uring), so the prebuilt addon does not need it.
  [hasLiburingArchive, 'liburing-dev', 'liburing-devel'],
];

// What the tests run as real users would: syscalls from Python, fio's verify jobs, sqlite3, git
// and make workloads, and the docs site's browser test (Chromium via playwright-core); and
// clang-format, which npm run lint checks the native code with.
const testRequirements = [
  [() => existsSync('/usr/bin/python3'), 'python3', 'python3'],
  [() => has('fio'), 'fio', 'fio'],
  [() => has('sqlite3'), 'sqlite3', 'sqlite'],
  [() => has('git'), 'git', 'git'],
  [() => has('make'), 'make', 'make'],
  [() => has('gcc'), 'gcc', 'gcc'],
  [() => has('setpriv') && has('losetup'), 'util-linux mount', 'util-linux'],
  [() => has('chromium'), 'chromium', 'chromium'],
  [() => has('clang-format'), 'clang-format', 'clang-tools-extra'],
];

function ensureSystemPackages(requirements) {
  const missing = requirements.filter(([ok]) => !ok());
  if (missing.length === 0) return;
  const debian = missing.flatMap(([, deb]) => deb.split(' '));
  const isRoot = process.getuid?.() === 0;
  if (isRoot && has('apt-get')) {
    say(`installing system packages: ${debian.join(' ')}`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...debian], { stdio: 'inherit', env });
    const still = requirements.filter(([ok]) => !ok()).flatMap(([, deb]) => deb.split(' '));
    if (still.length === 0) return;
    debian.splice(0, debian.length, ...still);
  }
  const fedora = missing.map(([, , rpm]) => rpm);
  console.error(
    `\nfusekit needs system packages that are missing: ${debian.join(', ')}.\n` +
      `Install them, then run the command again:\n` +
      `  Debian/Ubuntu: sudo apt-get install -y ${debian.join(' ')}\n` +
      `  Fedora:        sudo dnf install -y ${fedora.join(' ')}\n`,
  );
  process.exit(1);
}

function ensureDependencies() {
  const lock = join(root, 'package-lock.json');
  const installed = join(root, 'node_modules', '.package-lock.json');
  const stale = !existsSync(installed) || statSync(installed).mtimeMs < statSync(lock).mtimeMs;
  if (!stale) return;
  say('installing npm dependencies (npm ci)');
  execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
}

function buildAll() {
  say('building (turbo run build)');
  execFileSync(join(root, 'node_modules', '.bin', 'turbo'), ['run', 'build', '--output-logs=errors-only'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1' },
  });
}

if (!existsSync('/dev/fuse')) say('warning: /dev/fuse is missing; mounts will fail (modprobe fuse?)');
ensureSystemPackages(forTests ? [...requirements, ...testRequirements] : requirements);
ensureDependencies();
if (build) buildAll();
