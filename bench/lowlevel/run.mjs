#!/usr/bin/env node
// fusekit's low-level benchmark: the per-request overhead of @fusekit/lowlevel, side by side
// with a C libfuse 3 filesystem, a fuse-native one and a pyfuse3 one, all serving the same
// trivial filesystem. See README.md next to this file.
//
//   node bench/lowlevel/run.mjs [--quick] [options]      (node bench/lowlevel/run.mjs --help)
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, release, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Peer, PEER_NAMES, peerDefinitions } from './lib/peers.mjs';
import { cpuSeconds, running, runSync, setAffinity } from './lib/proc.mjs';
import { markdown, summarize } from './lib/report.mjs';
import { setup } from './lib/setup.mjs';
import { FIO_WORKLOADS, pinnedVariant, runFio, runStat, STAT_WORKLOADS } from './lib/workloads.mjs';

const benchDir = dirname(fileURLToPath(import.meta.url));
const TMP_PREFIX = 'fusekit-llbench-';
const root = resolve(benchDir, '..', '..');

const HELP = `usage: node bench/lowlevel/run.mjs [options]

Measures stat()/fstat() round trips and fio direct reads against four filesystems serving the
same data: C (libfuse 3 low-level), fuse-native, pyfuse3 and @fusekit/lowlevel.

  --quick              smoke run: 1 repeat, 0.5 s stat loops, 1 s fio jobs
  --repeats N          samples per workload and peer (default 7; medians are reported)
  --seconds S          duration of each stat/fstat loop (default 1.5)
  --fio-runtime S      duration of each fio job (default 1.5, plus a 0.25 s ramp)
  --peers LIST         comma-separated subset of: ${PEER_NAMES.join(',')}
  --baseline DIR       also measure fusekit as built in another checkout (the baseline peer), e.g. a
                       git worktree of an earlier commit after npm ci && npm run build there
  --no-fio             skip the fio workloads
  --fio-pinned         also run the fio workloads pinned to CPU 0
  --no-install         do not install missing system or npm packages
  --build              rebuild fusekit (node scripts/setup.mjs) before measuring
  --nice=N             run the filesystems and drivers at this nice level (e.g. --nice=-5 as root, to
                       be less disturbed by other work on a shared machine); default: inherited
  --out DIR            where results go (default bench/results)
  -h, --help           this text
`;

let opts;
try {
  ({ values: opts } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      repeats: { type: 'string' },
      seconds: { type: 'string' },
      'fio-runtime': { type: 'string' },
      peers: { type: 'string' },
      baseline: { type: 'string' },
      'no-fio': { type: 'boolean', default: false },
      'fio-pinned': { type: 'boolean', default: false },
      'no-install': { type: 'boolean', default: false },
      build: { type: 'boolean', default: false },
      nice: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }));
} catch (error) {
  console.error(`bench: ${error.message}\n\n${HELP}`);
  process.exit(2);
}
if (opts.help) {
  process.stdout.write(HELP);
  process.exit(0);
}

const positive = (v, name) => {
  const n = Number(v);
  if (!(n > 0)) {
    console.error(`bench: --${name} must be a positive number`);
    process.exit(2);
  }
  return n;
};
// Many short samples, interleaved, make medians robust against other work on the machine.
const repeats = Math.round(opts.repeats ? positive(opts.repeats, 'repeats') : opts.quick ? 1 : 7);
const statSeconds = opts.seconds ? positive(opts.seconds, 'seconds') : opts.quick ? 0.5 : 1.5;
const fioRuntime = opts['fio-runtime'] ? positive(opts['fio-runtime'], 'fio-runtime') : opts.quick ? 1 : 1.5;
const fioRamp = opts.quick ? 0 : 0.25;
const baseline = opts.baseline === undefined ? undefined : resolve(opts.baseline);
const wanted = opts.peers
  ? opts.peers
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
  : PEER_NAMES.filter((p) => p !== 'baseline' || baseline);
for (const p of wanted) {
  if (!PEER_NAMES.includes(p)) {
    console.error(`bench: unknown peer ${p} (known: ${PEER_NAMES.join(', ')})`);
    process.exit(2);
  }
}
if (wanted.includes('baseline') && !baseline) {
  console.error('bench: the baseline peer needs --baseline DIR');
  process.exit(2);
}
const nice = opts.nice === undefined ? undefined : Number(opts.nice);
if (nice !== undefined && !(Number.isInteger(nice) && nice >= -20 && nice <= 19)) {
  console.error('bench: --nice must be an integer from -20 to 19');
  process.exit(2);
}
const outDir = resolve(opts.out ?? join(root, 'bench', 'results'));
const log = (line) => console.log(`[bench] ${line}`);

// One run at a time: two would disturb each other's figures (and mountpoints).
const lockPath = join(tmpdir(), `${TMP_PREFIX}lock`);
for (let attempt = 0; ; attempt++) {
  try {
    writeFileSync(lockPath, String(process.pid), { flag: 'wx' });
    break;
  } catch (error) {
    if (error.code !== 'EEXIST' || attempt > 0) throw error;
    const owner = Number(readFileSync(lockPath, 'utf8'));
    let alive = false;
    try {
      process.kill(owner, 0);
      alive = owner > 0;
    } catch {
      /* gone */
    }
    if (alive) {
      console.error(`bench: another bench/lowlevel run (pid ${owner}) is in progress (${lockPath})`);
      process.exit(1);
    }
    unlinkSync(lockPath); // left by a run that was killed
  }
}
process.on('exit', () => {
  try {
    unlinkSync(lockPath);
  } catch {
    /* gone */
  }
});

// ---------------------------------------------------------------------------------------------
// Set-up: everything is installed and built before the first mount.
let env;
try {
  env = setup({ root, benchDir, wanted: new Set(wanted), install: !opts['no-install'], build: opts.build, baseline, log });
} catch (error) {
  console.error(`bench: ${error.message}`);
  process.exit(1);
}
const defs = peerDefinitions(benchDir, env.binaries, baseline);

// Mountpoint folders of an earlier run that was killed outright (its peers unmounted themselves).
for (const name of readdirSync(tmpdir()).filter((n) => n.startsWith(TMP_PREFIX) && n !== `${TMP_PREFIX}lock`)) {
  const dir = join(tmpdir(), name);
  if (readFileSync('/proc/mounts', 'utf8').includes(` ${dir}/`)) continue;
  try {
    for (const sub of readdirSync(dir)) if (PEER_NAMES.includes(sub)) rmdirSync(join(dir, sub));
    rmdirSync(dir);
  } catch {
    /* not ours, or not empty: leave it */
  }
}
const workDir = mkdtempSync(join(tmpdir(), TMP_PREFIX));
const peers = [];
let cleaned = false;

function cleanupSync() {
  if (cleaned) return;
  cleaned = true;
  for (const child of running) {
    try {
      child.kill('SIGKILL');
    } catch {
      /* gone */
    }
  }
  for (const peer of peers) peer.stopSync();
  // rmdir only: never recurse into what might still be a mount.
  for (const peer of peers) {
    try {
      rmdirSync(peer.mountpoint);
    } catch {
      /* still mounted? */
    }
  }
  try {
    rmdirSync(workDir);
  } catch {
    /* left for the next run */
  }
}

let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    console.error(`\n[bench] ${signal}: unmounting and stopping the filesystems`);
    cleanupSync();
    process.exit(130);
  });
}
process.on('exit', cleanupSync);

const results = {
  meta: {
    mode: opts.quick ? 'quick' : 'full',
    repeats,
    statSeconds,
    fioRuntime,
    fioRamp,
    nice: nice ?? null,
    startedAt: new Date().toISOString(),
    command: `node ${process.argv
      .slice(1)
      .map((a) => a.replace(`${root}/`, ''))
      .join(' ')}`,
    kernel: release(),
    cpus: availableParallelism(),
    cpu: cpus()[0]?.model ?? '?',
    node: process.version,
    loadavgStart: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
    fusekitCommit: (() => {
      const head = runSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root }).stdout?.trim() || '?';
      const dirty = (runSync('git', ['status', '--porcelain', '--', 'packages/lowlevel'], { cwd: root }).stdout ?? '').trim() !== '';
      return `fusekit ${head}${dirty ? ' + uncommitted changes in packages/lowlevel' : ''}`;
    })(),
    notes: [...env.notes],
  },
  peers: {},
  workloads: [],
  samples: {},
  errors: [],
};

// ---------------------------------------------------------------------------------------------
// The measurements. Every peer is mounted for the whole run; each repetition visits every
// workload and, within it, every peer in a rotating order, so that slow drifts of the machine
// (other load, thermal) spread over all peers instead of biasing one.
async function measure(peer, w) {
  const before = cpuSeconds(peer.pid);
  const r =
    w.kind === 'stat'
      ? await runStat(w, { statloop: env.binaries.statloop, mountpoint: peer.mountpoint, seconds: statSeconds, nice })
      : await runFio(w, { mountpoint: peer.mountpoint, runtime: fioRuntime, ramp: fioRamp, nice });
  const cpu = cpuSeconds(peer.pid) - before;
  // fio's ramp runs requests it does not count; stat loops report their warm-up calls too.
  return { ...r, cpuUsPerOp: w.kind === 'stat' && r.totalOps > 0 ? (cpu * 1e6) / r.totalOps : NaN };
}

const fmtValue = (v, unit) => (unit === 'MiB/s' ? `${v.toFixed(0)} MiB/s` : `${Math.round(v).toLocaleString('en-US')} ${unit}`);

async function phase(workloads, cpusList, live) {
  if (workloads.length === 0 || live.length === 0) return;
  for (const peer of live) {
    try {
      setAffinity(peer.pid, cpusList);
    } catch (error) {
      results.errors.push(`${peer.name}: ${error.message}`);
    }
  }
  for (let rep = 0; rep < repeats; rep++) {
    for (const w of workloads) {
      for (let i = 0; i < live.length; i++) {
        if (interrupted) return;
        const peer = live[(i + rep) % live.length];
        if (!peer.alive) continue;
        try {
          const r = await measure(peer, w);
          ((results.samples[w.id] ??= {})[peer.name] ??= []).push(r);
          log(`[${rep + 1}/${repeats}] ${w.label.padEnd(34)} ${peer.name.padEnd(11)} ${fmtValue(r.value, w.unit)}`);
        } catch (error) {
          const msg = `${w.id} on ${peer.name}: ${error.message}${peer.alive ? '' : ` (the filesystem exited: ${peer.output.trim().slice(-400)})`}`;
          results.errors.push(msg);
          log(`error: ${msg}`);
        }
      }
    }
  }
}

let exitCode = 0;
try {
  for (const name of wanted) {
    const info = env.peers[name];
    results.peers[name] = { label: defs[name].label, ok: info.ok, reason: info.reason };
    if (!info.ok) continue;
    const mountpoint = join(workDir, name);
    mkdirSync(mountpoint);
    const peer = new Peer(name, defs[name], mountpoint, nice);
    peers.push(peer);
    log(`starting ${name}`);
    try {
      await peer.start({ statloop: env.binaries.statloop });
      results.peers[name].version = defs[name].version();
    } catch (error) {
      results.peers[name] = { ...results.peers[name], ok: false, reason: `could not start: ${error.message}` };
      log(`skipping ${name}: could not start: ${error.message}`);
      await peer.stop();
    }
  }
  const live = () => peers.filter((p) => results.peers[p.name].ok && p.alive);
  const allCpus = `0-${availableParallelism() - 1}`;
  const fio = env.fio.ok && !opts['no-fio'] ? FIO_WORKLOADS : [];
  if (!env.fio.ok) results.meta.notes.push(`fio workloads skipped: ${env.fio.reason}`);
  const pinned = [...STAT_WORKLOADS.filter((w) => w.pinned), ...(opts['fio-pinned'] ? fio.map(pinnedVariant) : [])];
  const unpinned = [...STAT_WORKLOADS.filter((w) => !w.pinned), ...fio];
  results.workloads = [...pinned, ...unpinned].map(({ id, label, unit, kind, pinned: p }) => ({ id, label, unit, kind, pinned: p }));
  // Unmeasured warm-up: JIT compilers (V8) and caches get going before the first sample.
  for (const peer of live()) {
    for (const w of STAT_WORKLOADS.filter((x) => !x.pinned)) {
      await runStat(w, { statloop: env.binaries.statloop, mountpoint: peer.mountpoint, seconds: opts.quick ? 0.2 : 0.5, nice }).catch(
        (error) => log(`warm-up of ${peer.name} failed: ${error.message}`),
      );
    }
  }
  await phase(pinned, '0', live());
  await phase(unpinned, allCpus, live());
  for (const peer of peers) {
    if (results.peers[peer.name].ok && !peer.alive)
      results.errors.push(`${peer.name} exited during the run: ${peer.output.trim().slice(-400)}`);
    if (/error|warn/i.test(peer.output))
      results.meta.notes.push(`${peer.name} printed: ${peer.output.trim().slice(-400).replace(/\n/g, ' ⏎ ')}`);
  }
} catch (error) {
  results.errors.push(`run failed: ${error.stack ?? error}`);
  exitCode = 1;
} finally {
  for (const peer of peers) {
    const steps = await peer.stop();
    // fuse-native does not notice an unmount by itself (its libfuse loop runs on its own thread): SIGTERM is routine.
    if (steps.some((s) => !/^(fusermount3 -u: ok|SIGTERM)$/.test(s))) results.meta.notes.push(`${peer.name} shutdown: ${steps.join(', ')}`);
  }
  const stale = peers.map((p) => p.mountpoint).filter((m) => readFileSync('/proc/mounts', 'utf8').includes(` ${m} `));
  if (stale.length > 0) results.errors.push(`still mounted after cleanup: ${stale.join(', ')}`);
  cleanupSync();
}

if (interrupted) process.exit(130);
results.meta.finishedAt = new Date().toISOString();
results.meta.loadavgEnd = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
results.meta.notes.push(
  `load average ${results.meta.loadavgStart} at start, ${results.meta.loadavgEnd} at the end (other work on the machine adds noise)`,
);
if (
  Number(results.meta.loadavgStart.split(' ')[0]) > results.meta.cpus ||
  Number(results.meta.loadavgEnd.split(' ')[0]) > results.meta.cpus
) {
  results.meta.notes.push(
    `the machine was busy (load above ${results.meta.cpus}, its CPU count): calls/s and MiB/s are noisy, see the noise table; CPU time per call is the robust comparison`,
  );
}
const summary = summarize(results);
const report = markdown(results, summary);
console.log(`\n${report}`);
mkdirSync(outDir, { recursive: true });
const stamp = results.meta.startedAt.replace(/[:.]/g, '-');
const json = JSON.stringify({ ...results, summary }, (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2);
for (const name of [`lowlevel-${stamp}`, 'lowlevel-latest']) {
  writeFileSync(join(outDir, `${name}.json`), `${json}\n`);
  writeFileSync(join(outDir, `${name}.md`), report);
}
log(`wrote ${join(outDir, `lowlevel-${stamp}.{json,md}`)} (and lowlevel-latest.*)`);
if (results.errors.length > 0) exitCode = 1;
process.exit(exitCode);
