#!/usr/bin/env node
// bench/highlevel: the per-request overhead of @fusekit/highlevel over @fusekit/lowlevel.
// Both peers serve the same trivial tree (tree.mjs), each in its own process; a small C loop
// stats a file at depth 1 and at depth 20 through each, alternating, in one run. Everything
// runs pinned to CPU 0 (one request = a pair of context switches, no cross-CPU wake-ups).
//
// usage: node bench/highlevel/run.mjs [--repeats 5] [--seconds 3] [--no-build] [--unpinned]
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEPTH, paths } from './tree.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '../..');
const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? Number(args[i + 1]) : fallback;
};
if (flag('--help')) {
  console.log('usage: node bench/highlevel/run.mjs [--repeats 5] [--seconds 3] [--no-build] [--unpinned]');
  process.exit(0);
}
const repeats = option('--repeats', 5);
const seconds = option('--seconds', 3);
const pinned = !flag('--unpinned');
const TARGET = { 1: 0.25, [DEPTH]: 0.4 }; // at most this much slower than lowlevel

if (!flag('--no-build')) {
  execFileSync('npx', ['turbo', 'run', 'build', '--filter=@fusekit/highlevel', '--output-logs=errors-only'], {
    cwd: repo,
    stdio: 'inherit',
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
  });
}
const buildDir = join(here, 'build');
mkdirSync(buildDir, { recursive: true });
const statloop = join(buildDir, 'statloop');
execFileSync('cc', ['-O2', '-Wall', '-Werror', '-o', statloop, join(here, 'statloop.c')], { stdio: 'inherit' });

const peers = {};
const cleanup = () => {
  for (const p of Object.values(peers)) {
    p.child.stdin.end();
    try {
      execFileSync('umount', ['-l', p.mountpoint], { stdio: 'ignore' });
    } catch {
      /* already gone */
    }
  }
};
process.on('SIGINT', () => {
  cleanup();
  process.exit(130);
});

async function start(name) {
  const mountpoint = mkdtempSync(join(tmpdir(), `fusekit-bench-hl-${name}-`));
  const child = spawn(process.execPath, [join(here, `peer-${name}.mjs`), mountpoint], { stdio: ['pipe', 'pipe', 'inherit'] });
  peers[name] = { child, mountpoint };
  await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d) => {
      out += d;
      if (out.includes('ready')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`peer ${name} exited (${code}) before mounting`)));
  });
  if (pinned) execFileSync('taskset', ['-a', '-p', '-c', '0', String(child.pid)], { stdio: 'ignore' });
  return peers[name];
}

// CPU seconds the peer process has used (all threads), from /proc: robust to other load on the
// machine, unlike rates, so the report gives the filesystem's CPU time per call too.
const TICK = 1 / Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK; // utime, stime
}

/** Runs the stat loop; returns calls/s and the peer's CPU µs per call. */
function statRate(peer, depth, secs) {
  const cmd = pinned
    ? ['taskset', ['-c', '0', statloop, peer.mountpoint + paths[depth], String(secs)]]
    : [statloop, [peer.mountpoint + paths[depth], String(secs)]];
  const cpu0 = cpuSeconds(peer.child.pid);
  const rate = Number(execFileSync(cmd[0], cmd[1], { encoding: 'utf8', timeout: (secs + 30) * 1000 }).trim());
  const cpu = cpuSeconds(peer.child.pid) - cpu0;
  return { rate, cpuPerCall: (cpu / (rate * secs)) * 1e6 };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

try {
  const names = ['lowlevel', 'highlevel'];
  for (const name of names) await start(name);
  const samples = {};
  const cpu = {};
  for (const name of names)
    for (const depth of [1, DEPTH]) {
      samples[`${name}/${depth}`] = [];
      cpu[`${name}/${depth}`] = [];
      statRate(peers[name], depth, 0.5); // warm up: names cached, code hot
    }
  for (let r = 0; r < repeats; r++) {
    for (const depth of [1, DEPTH]) {
      // Alternate which peer goes first, so drift in the machine's state hits both alike.
      for (const name of r % 2 ? [...names].reverse() : names) {
        const { rate, cpuPerCall } = statRate(peers[name], depth, seconds);
        samples[`${name}/${depth}`].push(rate);
        cpu[`${name}/${depth}`].push(cpuPerCall);
        process.stderr.write(`  repeat ${r + 1}/${repeats} depth ${depth} ${name}: ${rate} stat/s, ${cpuPerCall.toFixed(2)} µs CPU/call\n`);
      }
    }
  }
  const rows = [1, DEPTH].map((depth) => {
    const ll = median(samples[`lowlevel/${depth}`]);
    const hl = median(samples[`highlevel/${depth}`]);
    const slower = 1 - hl / ll;
    const cpuLl = median(cpu[`lowlevel/${depth}`]);
    const cpuHl = median(cpu[`highlevel/${depth}`]);
    return {
      depth,
      lowlevel: ll,
      highlevel: hl,
      ratio: hl / ll,
      slower,
      target: TARGET[depth],
      met: slower <= TARGET[depth],
      cpuLl,
      cpuHl,
    };
  });
  const pct = (x) => `${(x * 100).toFixed(1)}%`;
  const md = [
    `# bench/highlevel — ${new Date().toISOString()}`,
    '',
    `stat() round trips/s, median of ${repeats} × ${seconds} s, ${pinned ? 'pinned to CPU 0' : 'unpinned'}; one GETATTR per stat.`,
    '',
    '| depth | lowlevel stat/s | highlevel stat/s | highlevel/lowlevel | slower by | target | met | CPU µs/call lowlevel | highlevel |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | :---: | ---: | ---: |',
    ...rows.map(
      (r) =>
        `| ${r.depth} | ${r.lowlevel.toFixed(0)} | ${r.highlevel.toFixed(0)} | ${r.ratio.toFixed(3)} | ${pct(r.slower)} | ≤ ${pct(r.target)} | ${r.met ? 'yes' : 'NO'} | ${r.cpuLl.toFixed(2)} | ${r.cpuHl.toFixed(2)} |`,
    ),
    '',
    `Load average at the end: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')} (other load makes rates noisy; CPU per call less so).`,
    '',
  ].join('\n');
  console.log(md);
  const results = join(repo, 'bench/results');
  mkdirSync(results, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const json = JSON.stringify({ date: new Date().toISOString(), repeats, seconds, pinned, samples, cpu, rows }, null, 2);
  for (const base of [`highlevel-${stamp}`, 'highlevel-latest']) {
    writeFileSync(join(results, `${base}.json`), json);
    writeFileSync(join(results, `${base}.md`), md);
  }
} finally {
  cleanup();
  await Promise.all(
    Object.values(peers).map(
      (p) =>
        new Promise((resolve) => {
          if (p.child.exitCode !== null) return resolve();
          const timer = setTimeout(() => p.child.kill('SIGKILL'), 10_000);
          p.child.on('exit', () => {
            clearTimeout(timer);
            resolve();
          });
        }),
    ),
  );
  for (const p of Object.values(peers)) rmdirSync(p.mountpoint);
}
