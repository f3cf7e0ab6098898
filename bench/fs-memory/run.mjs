#!/usr/bin/env node
// The fs-memory benchmark: the same workloads on kernel tmpfs (the native limit), libfuse's C
// passthrough_ll over a tmpfs directory (the cost of FUSE itself) and fusekit-memory, in one run.
// Reports medians and ratios. See README.md next to this file. Run as root (mounts tmpfs,
// drops caches).
//
//   node bench/fs-memory/run.mjs [--quick] [--repeats N] [--targets tmpfs,passthrough_ll,fusekit-memory,memfd]
//                                [--workloads sequential,metadata,tree] [--no-drop-caches]
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { installSystemPackages } from '../lowlevel/lib/setup.mjs';

const benchDir = dirname(fileURLToPath(import.meta.url));
const root = resolve(benchDir, '..', '..');
const { values: opts } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    repeats: { type: 'string' },
    targets: { type: 'string' },
    workloads: { type: 'string' },
    'no-drop-caches': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (opts.help) {
  console.log(
    'usage: node bench/fs-memory/run.mjs [--quick] [--repeats N]\n' +
      '                                [--targets tmpfs,passthrough_ll,fusekit-memory,fusekit-memory-uring,memfd]\n' +
      '                                [--workloads sequential,metadata,tree] [--no-drop-caches]',
  );
  process.exit(0);
}
const repeats = Number(opts.repeats ?? (opts.quick ? 1 : 3));
const fileSize = opts.quick ? '128m' : '512m';
const randSeconds = opts.quick ? 2 : 5;
const metaCount = 10_000;
// Also: fusekit-memory-uring, the same CLI over FUSE over io_uring (-o io_uring; needs the fuse
// module's enable_uring on), and memfd; name them with --targets.
const TARGETS = ['tmpfs', 'passthrough_ll', 'fusekit-memory'];
const targets = opts.targets ? opts.targets.split(',') : TARGETS;
const log = (line) => console.log(`[bench] ${line}`);
const work = mkdtempSync(join(tmpdir(), 'fusekit-fsmem-bench-'));

// ---- set-up: tools compiled once, the tree generated once
function need(cmd, pkg) {
  if (spawnSync('sh', ['-c', `command -v ${cmd}`]).status !== 0) throw new Error(`bench needs ${cmd} (apt-get install ${pkg})`);
}
installSystemPackages(new Set(['fio']), log);
need('fio', 'fio');
need('cc', 'gcc');
const cli = join(root, 'packages', 'fs-memory', 'dist', 'cli.js');
if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build first`);
const meta = join(work, 'meta');
execFileSync('cc', ['-O2', '-o', meta, join(benchDir, 'meta.c')]);
const passthrough = join(work, 'passthrough_ll');
const example = '/usr/share/doc/libfuse3-dev/examples/passthrough_ll.c';
const fuseFlags = execFileSync('pkg-config', ['fuse3', '--cflags', '--libs'], { encoding: 'utf8' }).trim().split(/\s+/);
execFileSync('cc', ['-O2', '-w', '-o', passthrough, example, ...fuseFlags]);
const tarball = join(tmpdir(), 'fusekit-bench-tree-v1.tar');
if (!existsSync(tarball)) makeTree(tarball);

// A deterministic ~10k-file, ~90 MiB tree: 20 × 10 directories of 50 files (mostly small, one
// in ten large) and 500 symlinks, as tar -x sees in a source tree with some assets.
function makeTree(out) {
  log('generating the tree tarball (once)');
  let seed = 12345;
  const rand = (n) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const dir = join(work, 'tree-src');
  const block = Buffer.alloc(1 << 17);
  for (let i = 0; i < block.length; i++) block[i] = rand(256);
  for (let a = 0; a < 20; a++) {
    for (let b = 0; b < 10; b++) {
      const d = join(dir, `dir${a}`, `sub${b}`);
      mkdirSync(d, { recursive: true });
      for (let f = 0; f < 50; f++) {
        const size = rand(10) === 0 ? 20_000 + rand(90_000) : rand(6000);
        const start = rand(block.length - size);
        writeFileSync(join(d, `file${f}.dat`), block.subarray(start, start + size));
      }
      for (let l = 0; l < 2; l++) symlinkSync(`../sub${(b + 1) % 10}/file${l}.dat`, join(d, `link${l}`));
    }
  }
  for (let l = 0; l < 100; l++) symlinkSync(`dir${l % 20}/sub${l % 10}`, join(dir, `shortcut${l}`));
  execFileSync('tar', ['-C', dir, '-cf', out, '.']);
  rmSync(dir, { recursive: true, force: true });
}

// ---- targets: each mounts at `dir` and serves until stopped
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const isMounted = (dir) =>
  readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .some((l) => l.split(' ')[4] === dir);
async function waitMounted(dir) {
  for (let i = 0; i < 200 && !isMounted(dir); i++) await sleep(25);
  if (!isMounted(dir)) throw new Error(`${dir} did not mount`);
}

async function start(target, dir) {
  if (target === 'tmpfs') {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4g', 'bench-tmpfs', dir]);
    return () => execFileSync('umount', [dir]);
  }
  let child;
  if (target === 'passthrough_ll') {
    const backing = join(work, 'backing');
    mkdirSync(backing, { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4g', 'bench-backing', backing]);
    child = spawn(passthrough, ['-f', '-o', `source=${backing}`, dir], { stdio: 'inherit' });
    await waitMounted(dir);
    return async () => {
      await stopChild(child, dir);
      execFileSync('umount', [backing]);
    };
  }
  // memfd: issue 20's experiment, file data in shmem files the kernel reads and writes itself.
  const command = target === 'memfd' ? join(benchDir, 'memfd-fs.mjs') : cli;
  const uring = target === 'fusekit-memory-uring' ? ['-o', 'io_uring'] : [];
  child = spawn(process.execPath, [command, dir, ...uring], { stdio: ['ignore', 'ignore', 'inherit'] });
  await waitMounted(dir);
  return () => stopChild(child, dir);
}

async function stopChild(child, dir) {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(10_000)]);
  if (isMounted(dir)) spawnSync('fusermount3', ['-u', '-z', dir]);
}

// ---- workloads: each returns { metric: value }
// --no-drop-caches: only fio's own invalidation of its file, where a wedged mount blocks drop_caches.
const dropCaches = () => opts['no-drop-caches'] || writeFileSync('/proc/sys/vm/drop_caches', '3');

function fio(dir, name, args) {
  const out = execFileSync(
    'fio',
    [`--name=${name}`, `--directory=${dir}`, '--filename=data', `--size=${fileSize}`, '--output-format=json', ...args],
    { encoding: 'utf8', maxBuffer: 1 << 26 },
  );
  const job = JSON.parse(out.slice(out.indexOf('{'))).jobs[0];
  return job;
}
const mibs = (side) => side.bw_bytes / 2 ** 20;

function sequential(dir) {
  const r = {};
  for (const direct of [0, 1]) {
    const kind = direct ? 'direct' : 'buffered';
    rmSync(join(dir, 'data'), { force: true });
    r[`seq write ${kind} (MiB/s)`] = mibs(
      fio(dir, 'w', ['--rw=write', '--bs=1m', '--ioengine=psync', `--direct=${direct}`, '--end_fsync=1']).write,
    );
    dropCaches();
    r[`seq read ${kind} (MiB/s)`] = mibs(fio(dir, 'r', ['--rw=read', '--bs=1m', '--ioengine=psync', `--direct=${direct}`]).read);
  }
  for (const depth of [1, 16]) {
    r[`rand read 4k QD${depth} (IOPS)`] = fio(dir, 'rr', [
      '--rw=randread',
      '--bs=4k',
      '--ioengine=libaio',
      '--direct=1',
      `--iodepth=${depth}`,
      '--time_based',
      `--runtime=${randSeconds}`,
    ]).read.iops;
  }
  rmSync(join(dir, 'data'), { force: true });
  return r;
}

function metadata(dir) {
  const d = join(dir, 'meta');
  mkdirSync(d);
  const t = JSON.parse(execFileSync(meta, [d, String(metaCount)], { encoding: 'utf8' }));
  rmSync(d, { recursive: true });
  const r = {};
  for (const [phase, seconds] of Object.entries(t)) r[`${phase} 10k files (ops/s)`] = metaCount / seconds;
  return r;
}

function timed(cmd, args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed`);
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

function tree(dir) {
  const d = join(dir, 'tree');
  mkdirSync(d);
  return {
    'tree extract (s)': timed('tar', ['-C', d, '-xf', tarball]),
    'tree find (s)': timed('find', [d]),
    'tree du (s)': timed('du', ['-s', d]),
    'tree rm -rf (s)': timed('rm', ['-rf', d]),
  };
}

// ---- the run
const WORKLOADS = { sequential, metadata, tree };
const samples = {}; // samples[metric][target] = number[]
for (let i = 0; i < repeats; i++) {
  for (const target of targets) {
    const dir = join(work, `mnt-${target}`);
    mkdirSync(dir, { recursive: true });
    log(`repeat ${i + 1}/${repeats}: ${target}`);
    const stop = await start(target, dir);
    try {
      const results = Object.entries(WORKLOADS)
        .filter(([name]) => opts.workloads?.split(',').includes(name) ?? true)
        .map(([, run]) => run(dir));
      for (const [metric, value] of Object.entries(Object.assign({}, ...results))) {
        ((samples[metric] ??= {})[target] ??= []).push(value);
      }
    } finally {
      await stop();
    }
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const memfd = targets.includes('memfd');
const uringCol = targets.includes('fusekit-memory-uring');
const fmt = (v) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
const lines = [
  `# fs-memory benchmark (${new Date().toISOString()})`,
  '',
  `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Linux ${release()}, Node ${process.version}; medians of ${repeats}; file ${fileSize}, random reads ${randSeconds} s.`,
  'Ratios: fusekit-memory ÷ the other (for times, the other ÷ fusekit-memory), so 1.00 means as fast and higher is better.',
  '',
  `| workload | ${targets.join(' | ')} | vs tmpfs | vs passthrough_ll |${memfd ? ' memfd vs tmpfs | memfd vs fusekit-memory |' : ''}${uringCol ? ' io_uring vs /dev/fuse |' : ''}`,
  `| --- | ${targets.map(() => '---:').join(' | ')} | ---: | ---: |${memfd ? ' ---: | ---: |' : ''}${uringCol ? ' ---: |' : ''}`,
];
const results = {};
for (const [metric, byTarget] of Object.entries(samples)) {
  const m = Object.fromEntries(Object.entries(byTarget).map(([t, xs]) => [t, median(xs)]));
  results[metric] = m;
  const lowerIsBetter = metric.endsWith('(s)');
  const ratio = (other, of = 'fusekit-memory') => {
    const a = m[of],
      b = m[other];
    return a === undefined || b === undefined ? '' : (lowerIsBetter ? b / a : a / b).toFixed(2);
  };
  const memfdRatios = memfd ? ` ${ratio('tmpfs', 'memfd')} | ${ratio('fusekit-memory', 'memfd')} |` : '';
  const uringRatio = uringCol ? ` ${ratio('fusekit-memory', 'fusekit-memory-uring')} |` : '';
  lines.push(
    `| ${metric} | ${targets.map((t) => fmt(m[t])).join(' | ')} | ${ratio('tmpfs')} | ${ratio('passthrough_ll')} |${memfdRatios}${uringRatio}`,
  );
}
const report = `${lines.join('\n')}\n`;
console.log(`\n${report}`);
const outDir = join(benchDir, 'results');
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'latest.md'), report);
writeFileSync(join(outDir, 'latest.json'), `${JSON.stringify({ repeats, fileSize, samples, medians: results }, null, 2)}\n`);
rmSync(work, { recursive: true, force: true });
