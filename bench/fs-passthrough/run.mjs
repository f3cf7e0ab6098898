#!/usr/bin/env node
// bench/fs-passthrough: fusekit-passthrough side by side with the host directory itself (a
// tmpfs: the native limit), libfuse's C passthrough_ll (at its defaults, and with
// writeback,cache=always) and a fuse-native passthrough, on the same workloads in one run.
// This process only starts the filesystems and runs drivers (fio, python, tar) in children: it
// never touches a mount itself. See README.md.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { installSystemPackages } from '../lowlevel/lib/setup.mjs';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const REPO = join(HERE, '../..');
const CLI = join(REPO, 'packages/fs-passthrough/dist/cli.js');
const EXAMPLES = '/usr/share/doc/libfuse3-dev/examples';

const { values: opts } = parseArgs({
  options: {
    repeats: { type: 'string', default: '3' },
    size: { type: 'string', default: '512' },
    files: { type: 'string', default: '10000' },
    runtime: { type: 'string', default: '5' },
    peers: { type: 'string' },
    workloads: { type: 'string' },
    baseline: { type: 'string' },
    quick: { type: 'boolean' },
    'no-drop-caches': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (opts.help) {
  console.log(`Usage: node bench/fs-passthrough/run.mjs [--repeats 3] [--size 512 (MiB)] [--files 10000]
       [--runtime 5 (s, random reads)] [--peers host,c,c-fast,fuse-native,fusekit,fusekit-off,fusekit-fast,fusekit-tuned]
       [--workloads sequential,metadata,listing,tree] [--quick] [--no-drop-caches]
       [--baseline <other checkout>/packages/fs-passthrough/dist/cli.js (adds the peer fusekit-baseline)]`);
  process.exit(0);
}
const repeats = opts.quick ? 1 : Number(opts.repeats);
const sizeMiB = opts.quick ? 128 : Number(opts.size);
const files = opts.quick ? 2000 : Number(opts.files);
const runtime = opts.quick ? 2 : Number(opts.runtime);

// ---- processes and mounts -----------------------------------------------------------------

const sh = (cmd, args, options = {}) => {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 600_000, killSignal: 'SIGKILL', ...options });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}): ${r.stderr || r.error || ''}`);
  return r.stdout;
};
const isMounted = (dir) =>
  readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .some((l) => l.split(' ')[4] === dir);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function unmount(dir) {
  if (!isMounted(dir)) return;
  spawnSync('fusermount3', ['-u', dir], { timeout: 10_000 });
  if (isMounted(dir)) spawnSync('umount', ['-l', dir], { timeout: 10_000 });
}

// ---- one bench at a time: this one's lock, and bench/lowlevel's respected -------------------

const pidAlive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const lockOwner = (path) => {
  try {
    return Number(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
};
const LOCK = join(tmpdir(), 'fusekit-ptbench-lock');
for (const other of [LOCK, join(tmpdir(), 'fusekit-llbench-lock')]) {
  for (let owner = lockOwner(other), said = false; owner !== undefined && pidAlive(owner); owner = lockOwner(other)) {
    if (!said) console.error(`waiting for the bench run holding ${other} (pid ${owner}) to finish...`);
    said = true;
    await sleep(10_000);
  }
}
writeFileSync(LOCK, String(process.pid));

// ---- the set-up: a tmpfs for every source, passthrough_ll compiled, fuse-native installed ----

const work = mkdtempSync(join(tmpdir(), 'fusekit-ptbench-'));
const sources = join(work, 'src');
mkdirSync(sources);
sh('mount', ['-t', 'tmpfs', '-o', 'size=6g,mode=0755', 'fusekit-ptbench', sources]);
const live = new Set();

function cleanup() {
  if (lockOwner(LOCK) === process.pid) rmSync(LOCK, { force: true });
  for (const peer of live) peer.stop();
  unmount(sources);
  if (isMounted(sources)) spawnSync('umount', ['-l', sources]);
  rmSync(work, { recursive: true, force: true });
}
process.on('exit', cleanup);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => process.exit(130));

function buildPassthroughLl() {
  const out = join(HERE, 'build', 'passthrough_ll');
  if (existsSync(out)) return out;
  mkdirSync(join(HERE, 'build'), { recursive: true });
  const flags = sh('pkg-config', ['fuse3', '--cflags', '--libs']).trim().split(/\s+/);
  sh('cc', ['-O2', '-Wall', '-I', EXAMPLES, join(EXAMPLES, 'passthrough_ll.c'), '-o', out, ...flags]);
  return out;
}

function fuseNativeReady() {
  const dir = join(HERE, 'peers', 'fuse-native');
  if (!existsSync(join(dir, 'node_modules', 'fuse-native'))) {
    const r = spawnSync('npm', ['ci', '--no-workspaces', '--no-audit', '--no-fund'], { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) return `npm ci failed: ${r.stderr}`;
  }
  const probe = spawnSync(process.execPath, ['-e', "require('fuse-native')"], { cwd: dir, encoding: 'utf8' });
  return probe.status === 0 ? true : `fuse-native does not load (apt-get install libfuse2): ${probe.stderr.split('\n')[0]}`;
}

installSystemPackages(new Set(['fio', ...(opts.peers?.split(',') ?? ['fuse-native'])]), (line) => console.error(line));
const PASSTHROUGH_LL = buildPassthroughLl();
const version = {
  libfuse: sh('pkg-config', ['--modversion', 'fuse3']).trim(),
  kernel: sh('uname', ['-r']).trim(),
  node: process.version,
  fio: sh('fio', ['--version']).trim(),
};

/** The filesystems: how each mirrors its source directory at its mountpoint. */
const PEERS = {
  host: { label: 'host tmpfs directory (no FUSE)' },
  c: {
    label: `C passthrough_ll (libfuse ${version.libfuse}, defaults: cache=auto, multi-threaded)`,
    command: (src, mnt) => [PASSTHROUGH_LL, ['-f', '-o', `source=${src},auto_unmount,fsname=ptbench-c`, mnt]],
  },
  'c-fast': {
    label: 'C passthrough_ll -o writeback,cache=always',
    command: (src, mnt) => [PASSTHROUGH_LL, ['-f', '-o', `source=${src},auto_unmount,fsname=ptbench-c-fast,writeback,cache=always`, mnt]],
  },
  'fuse-native': {
    label: 'fuse-native 2.2.6 passthrough over node:fs (libfuse 2)',
    ready: fuseNativeReady,
    command: (src, mnt) => [process.execPath, [join(HERE, 'peers', 'fuse-native', 'passthrough.cjs'), src, mnt]],
  },
  fusekit: {
    label: 'fusekit-passthrough (defaults: --cache=auto, kernel passthrough where the kernel and root allow it)',
    command: (src, mnt) => [process.execPath, [CLI, src, mnt]],
  },
  'fusekit-off': {
    label: 'fusekit-passthrough --passthrough=off (every read and write served by fusekit)',
    command: (src, mnt) => [process.execPath, [CLI, src, mnt, '--passthrough=off']],
  },
  'fusekit-fast': {
    label: 'fusekit-passthrough --cache=always --writeback',
    command: (src, mnt) => [process.execPath, [CLI, src, mnt, '--cache=always', '--writeback']],
  },
  ...(opts.baseline !== undefined && {
    'fusekit-baseline': {
      label: `fusekit-passthrough of another checkout (${opts.baseline}), at its defaults`,
      command: (src, mnt) => [process.execPath, [opts.baseline, src, mnt]],
    },
  }),
  'fusekit-tuned': {
    label: 'fusekit-passthrough --cache=always --writeback --no-xattr --sync-calls (xattrs off like passthrough_ll)',
    command: (src, mnt) => [process.execPath, [CLI, src, mnt, '--cache=always', '--writeback', '--no-xattr', '--sync-calls']],
  },
};

class Peer {
  constructor(name) {
    this.name = name;
    this.def = PEERS[name];
    this.source = join(sources, name);
    mkdirSync(this.source);
    this.dir = this.def.command === undefined ? this.source : join(work, `mnt-${name}`);
  }

  async start() {
    if (this.def.command === undefined) return;
    mkdirSync(this.dir, { recursive: true });
    const [cmd, args] = this.def.command(this.source, this.dir);
    this.proc = spawn(cmd, args, { stdio: ['pipe', 'ignore', 'pipe'] });
    this.proc.stdin.on('error', () => {});
    let err = '';
    this.proc.stderr.on('data', (d) => {
      err = (err + d).slice(-4000);
    });
    live.add(this);
    for (let i = 0; i < 200 && !isMounted(this.dir); i++) {
      if (this.proc.exitCode !== null) throw new Error(`${this.name} exited: ${err}`);
      await sleep(50);
    }
    if (!isMounted(this.dir)) throw new Error(`${this.name} did not mount: ${err}`);
  }

  stop() {
    if (this.def.command === undefined) return;
    unmount(this.dir);
    this.proc?.kill('SIGTERM');
    live.delete(this);
  }
}

// ---- workloads: each returns { metric: value } with higher = better, except seconds ----------

// --no-drop-caches: only fio's own invalidation of the file (fadvise DONTNEED, its default), for
// a machine where a wedged mount blocks sync and drop_caches machine-wide.
const dropCaches = (dir) => {
  if (opts['no-drop-caches']) return void sh('sync', ['-f', dir]);
  sh('sync', []);
  writeFileSync('/proc/sys/vm/drop_caches', '3');
};

function fio(cwd, args) {
  const out = sh('fio', ['--output-format=json', '--group_reporting', ...args], { cwd });
  return JSON.parse(out.slice(out.indexOf('{'))).jobs[0];
}
const MiBps = (side) => side.bw_bytes / 2 ** 20;

const WORKLOADS = {
  sequential(dir, cwd) {
    const common = ['--name=seq', '--bs=1M', `--size=${sizeMiB}M`, '--ioengine=psync'];
    const r = {};
    r['seq write buffered MiB/s'] = MiBps(fio(cwd, [...common, `--filename=${dir}/seq`, '--rw=write', '--end_fsync=1']).write);
    dropCaches(dir);
    r['seq read buffered MiB/s'] = MiBps(fio(cwd, [...common, `--filename=${dir}/seq`, '--rw=read']).read);
    r['seq write direct MiB/s'] = MiBps(fio(cwd, [...common, `--filename=${dir}/seqd`, '--rw=write', '--direct=1']).write);
    dropCaches(dir);
    r['seq read direct MiB/s'] = MiBps(fio(cwd, [...common, `--filename=${dir}/seqd`, '--rw=read', '--direct=1']).read);
    const random = [
      '--name=rand',
      '--bs=4k',
      `--size=${sizeMiB}M`,
      `--filename=${dir}/seq`,
      '--rw=randread',
      '--direct=1',
      '--time_based',
      `--runtime=${runtime}`,
      '--randrepeat=0',
    ];
    r['4k randread QD1 IOPS'] = fio(cwd, [...random, '--ioengine=psync']).read.iops;
    r['4k randread QD16 IOPS'] = fio(cwd, [...random, '--ioengine=libaio', '--iodepth=16']).read.iops;
    sh('rm', ['-f', `${dir}/seq`, `${dir}/seqd`]);
    return r;
  },
  metadata(dir, cwd) {
    const rates = JSON.parse(sh('/usr/bin/python3', [join(HERE, 'drivers/metadata.py'), `${dir}/meta`, String(files)], { cwd }));
    return Object.fromEntries(Object.entries(rates).map(([k, v]) => [`${k} files/s`, v]));
  },
  listing(dir, cwd, source) {
    const rates = JSON.parse(sh('/usr/bin/python3', [join(HERE, 'drivers/listing.py'), dir, source, String(files)], { cwd }));
    return Object.fromEntries(Object.entries(rates).map(([k, v]) => [`${k} names/s`, v]));
  },
  tree(dir, cwd) {
    const r = {};
    const timed = (name, cmd) => {
      const start = process.hrtime.bigint();
      sh('sh', ['-c', cmd], { cwd });
      r[`${name} s`] = Number(process.hrtime.bigint() - start) / 1e9;
    };
    timed('tree extract', `mkdir "${dir}/t" && tar -C "${dir}/t" -xf "${TREE}"`);
    timed('tree find', `find "${dir}/t" | wc -l > /dev/null`);
    timed('tree du', `du -s "${dir}/t" > /dev/null`);
    timed('tree rm -rf', `rm -rf "${dir}/t"`);
    return r;
  },
};

// ---- the run --------------------------------------------------------------------------------

const TREE = join(work, 'tree.tar');
sh('/usr/bin/python3', [join(HERE, 'drivers/make-tree.py'), TREE]);

const names = (opts.peers?.split(',') ?? Object.keys(PEERS)).filter((n) => {
  if (!(n in PEERS)) throw new Error(`unknown peer ${n}`);
  const ok = PEERS[n].ready?.() ?? true;
  if (ok !== true) console.error(`skipping ${n}: ${ok}`);
  return ok === true;
});
const samples = {}; // peer → metric → values
const failures = [];

// A peer that does not come up (say, a workspace package being rebuilt right then) gets a second try.
async function startWithRetry(peer) {
  try {
    await peer.start();
  } catch {
    peer.stop();
    await sleep(5000);
    await peer.start();
  }
}
const cwd = mkdtempSync(join(work, 'cwd-'));
console.log(`bench/fs-passthrough: ${repeats} repeat(s), ${sizeMiB} MiB files, ${files} files, peers ${names.join(', ')}`);
for (let rep = 0; rep < repeats; rep++) {
  for (const [w, workload] of Object.entries(WORKLOADS).filter(([w]) => opts.workloads?.split(',').includes(w) ?? true)) {
    // A rotating order spreads slow drifts of the machine over every peer.
    const order = names.map((_, i) => names[(i + rep) % names.length]);
    for (const name of order) {
      const peer = new Peer(name);
      try {
        await startWithRetry(peer);
        const result = workload(peer.dir, cwd, peer.source);
        for (const [metric, value] of Object.entries(result)) ((samples[name] ??= {})[metric] ??= []).push(value);
        process.stdout.write(
          `  rep ${rep + 1} ${w} ${name}: ${Object.values(result)
            .map((v) => v.toFixed(v < 10 ? 2 : 0))
            .join(' ')}\n`,
        );
      } catch (error) {
        failures.push(`rep ${rep + 1} ${w} ${name}: ${error.message.split('\n')[0]}`);
        console.error(`  rep ${rep + 1} ${w} ${name}: FAILED, sample skipped: ${error.message}`);
      } finally {
        peer.stop();
        rmSync(peer.source, { recursive: true, force: true });
      }
    }
  }
}

// ---- report ---------------------------------------------------------------------------------

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const metrics = Object.keys(samples[names[0]] ?? {});
const fmt = (v) => (v === undefined ? '–' : v >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(2));
const ratio = (a, b, lowerIsBetter) => (a === undefined || b === undefined ? '–' : (lowerIsBetter ? b / a : a / b).toFixed(2));
const pairs = [
  ['fusekit', 'host'],
  ['fusekit-off', 'host'],
  ['fusekit', 'fusekit-off'],
  ['fusekit', 'c'],
  ['fusekit-fast', 'c-fast'],
  ['fusekit-tuned', 'c-fast'],
  ['fusekit', 'fuse-native'],
  ['fusekit', 'fusekit-baseline'],
  ['fusekit-off', 'c'],
  ['fusekit-off', 'fusekit-baseline'],
  ['fusekit-baseline', 'c'],
].filter(([a, b]) => names.includes(a) && names.includes(b));
const lines = [
  `| workload | ${names.join(' | ')} | ${pairs.map(([a, b]) => `${a} / ${b}`).join(' | ')} |`,
  `| --- | ${names.map(() => '---:').join(' | ')} | ${pairs.map(() => '---:').join(' | ')} |`,
];
const medians = {};
for (const metric of metrics) {
  const m = Object.fromEntries(names.map((n) => [n, samples[n]?.[metric] ? median(samples[n][metric]) : undefined]));
  medians[metric] = m;
  const lower = metric.endsWith(' s');
  lines.push(`| ${metric} | ${names.map((n) => fmt(m[n])).join(' | ')} | ${pairs.map(([a, b]) => ratio(m[a], m[b], lower)).join(' | ')} |`);
}
const report = [
  `# bench/fs-passthrough — ${new Date().toISOString()}`,
  '',
  `Medians of ${repeats} repeat(s); ${sizeMiB} MiB files, ${files} files, random reads ${runtime} s. Ratios are speed ratios`,
  '(for times in seconds: the inverse of the time ratio), so above 1 means the first is faster.',
  `Machine: ${sh('nproc', []).trim()} CPUs, kernel ${version.kernel}, node ${version.node}, ${version.fio}.`,
  '',
  ...names.map((n) => `- \`${n}\`: ${PEERS[n].label}`),
  '',
  ...lines,
  '',
  ...(failures.length > 0 ? ['Skipped samples:', '', ...failures.map((f) => `- ${f}`), ''] : []),
].join('\n');
console.log(`\n${report}`);
const results = join(REPO, 'bench/results');
mkdirSync(results, { recursive: true });
writeFileSync(join(results, 'fs-passthrough-latest.md'), report);
writeFileSync(
  join(results, 'fs-passthrough-latest.json'),
  JSON.stringify({ version, repeats, sizeMiB, files, runtime, samples, medians }, null, 2),
);
