#!/usr/bin/env node
// bench/highlevel: the per-request overhead of @fusekit/highlevel over @fusekit/lowlevel.
// Both peers serve the same trivial tree (tree.mjs), each in its own process; a small C loop
// stats a file at depth 1 and at depth 20 through each, alternating, in one run. Everything
// runs pinned to CPU 0 (one request = a pair of context switches, no cross-CPU wake-ups).
//
// usage: node bench/highlevel/run.mjs [--repeats 5] [--seconds 3] [--no-build] [--unpinned]
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmdirSync, writeFileSync } from 'node:fs';
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
const TARGET = { 1: 0.25, [DEPTH]: 0.40 }; // at most this much slower than lowlevel

if (!flag('--no-build')) {
  execFileSync('npx', ['turbo', 'run', 'build', '--filter=@fusekit/highlevel', '--output-logs=errors-only'], { cwd: repo, stdio: 'inherit', env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' } });
}
const buildDir = join(here, 'build');
mkdirSync(buildDir, { recursive: true });
const statloop = join(buildDir, 'statloop');
execFileSync('cc', ['-O2', '-Wall', '-Werror', '-o', statloop, join(here, 'statloop.c')], { stdio: 'inherit' });

const peers = {};
const cleanup = () => {
  for (const p of Object.values(peers)) {
    p.child.stdin.end();
    try { execFileSync('umount', ['-l', p.mountpoint], { stdio: 'ignore' }); } catch { /* already gone */ }
  }
};
process.on('SIGINT', () => { cleanup(); process.exit(130); });

async function start(name) {
  const mountpoint = mkdtempSync(join(tmpdir(), `fusekit-bench-hl-${name}-`));
  const child = spawn(process.execPath, [join(here, `peer-${name}.mjs`), mountpoint], { stdio: ['pipe', 'pipe', 'inherit'] });
  peers[name] = { child, mountpoint };
  await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d) => { out += d; if (out.includes('ready')) resolve(); });
    child.on('exit', (code) => reject(new Error(`peer ${name} exited (${code}) before mounting`)));
  });
  if (pinned) execFileSync('taskset', ['-a', '-p', '-c', '0', String(child.pid)], { stdio: 'ignore' });
  return peers[name];
}

function statRate(mountpoint, depth, secs) {
  const cmd = pinned ? ['taskset', ['-c', '0', statloop, mountpoint + paths[depth], String(secs)]] : [statloop, [mountpoint + paths[depth], String(secs)]];
  return Number(execFileSync(cmd[0], cmd[1], { encoding: 'utf8', timeout: (secs + 30) * 1000 }).trim());
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

try {
  const names = ['lowlevel', 'highlevel'];
  for (const name of names) await start(name);
  const samples = {};
  for (const name of names) for (const depth of [1, DEPTH]) {
    samples[`${name}/${depth}`] = [];
    statRate(peers[name].mountpoint, depth, 0.5); // warm up: names cached, code hot
  }
  for (let r = 0; r < repeats; r++) {
    for (const depth of [1, DEPTH]) {
      // Alternate which peer goes first, so drift in the machine's state hits both alike.
      for (const name of r % 2 ? [...names].reverse() : names) {
        const rate = statRate(peers[name].mountpoint, depth, seconds);
        samples[`${name}/${depth}`].push(rate);
        process.stderr.write(`  repeat ${r + 1}/${repeats} depth ${depth} ${name}: ${rate} stat/s\n`);
      }
    }
  }
  const rows = [1, DEPTH].map((depth) => {
    const ll = median(samples[`lowlevel/${depth}`]);
    const hl = median(samples[`highlevel/${depth}`]);
    const slower = 1 - hl / ll;
    return { depth, lowlevel: ll, highlevel: hl, ratio: hl / ll, slower, target: TARGET[depth], met: slower <= TARGET[depth] };
  });
  const pct = (x) => `${(x * 100).toFixed(1)}%`;
  const md = [
    `# bench/highlevel — ${new Date().toISOString()}`,
    '',
    `stat() round trips/s, median of ${repeats} × ${seconds} s, ${pinned ? 'pinned to CPU 0' : 'unpinned'}; one GETATTR per stat.`,
    '',
    '| depth | lowlevel | highlevel | highlevel/lowlevel | slower by | target | met |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | :---: |',
    ...rows.map((r) => `| ${r.depth} | ${r.lowlevel.toFixed(0)} | ${r.highlevel.toFixed(0)} | ${r.ratio.toFixed(3)} | ${pct(r.slower)} | ≤ ${pct(r.target)} | ${r.met ? 'yes' : 'NO'} |`),
    '',
  ].join('\n');
  console.log(md);
  const results = join(repo, 'bench/results');
  mkdirSync(results, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const json = JSON.stringify({ date: new Date().toISOString(), repeats, seconds, pinned, samples, rows }, null, 2);
  for (const base of [`highlevel-${stamp}`, 'highlevel-latest']) {
    writeFileSync(join(results, `${base}.json`), json);
    writeFileSync(join(results, `${base}.md`), md);
  }
} finally {
  cleanup();
  await Promise.all(Object.values(peers).map((p) => new Promise((resolve) => {
    if (p.child.exitCode !== null) return resolve();
    const timer = setTimeout(() => p.child.kill('SIGKILL'), 10_000);
    p.child.on('exit', () => { clearTimeout(timer); resolve(); });
  })));
  for (const p of Object.values(peers)) rmdirSync(p.mountpoint);
}
