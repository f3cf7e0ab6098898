// The workloads, each run by a child process (statloop or fio) against one peer's mount.
import { join } from 'node:path';
import { run } from './proc.mjs';

/** stat()/fstat() round trips per second, from drivers/statloop.c. */
export const STAT_WORKLOADS = [
  { id: 'stat-pinned', label: 'stat() pinned', mode: 'stat', pinned: true },
  { id: 'fstat-pinned', label: 'fstat() pinned', mode: 'fstat', pinned: true },
  { id: 'stat', label: 'stat() unpinned', mode: 'stat', pinned: false },
  { id: 'fstat', label: 'fstat() unpinned', mode: 'fstat', pinned: false },
].map((w) => ({ ...w, kind: 'stat', unit: 'calls/s' }));

/** fio reads with O_DIRECT (and direct_io opens), libaio, at queue depth 1 and 16. */
export const FIO_WORKLOADS = [
  ['randread', '4k', 'IOPS'],
  ['read', '128k', 'MiB/s'],
  ['read', '1m', 'MiB/s'],
].flatMap(([rw, bs, unit]) =>
  [1, 16].map((iodepth) => ({
    id: `${rw}-${bs}-qd${iodepth}`,
    label: `${rw === 'randread' ? 'random' : 'sequential'} ${bs.toUpperCase().replace('K', ' KiB').replace('M', ' MiB')} read, QD ${iodepth}`,
    kind: 'fio',
    rw,
    bs,
    iodepth,
    unit,
    pinned: false,
  })),
);

export function pinnedVariant(w) {
  return { ...w, id: `${w.id}-pinned`, label: `${w.label}, pinned`, pinned: true };
}

/** taskset (pinned to CPU 0) and nice, both exec their command: the pid stays the driver's. */
function wrap(argv, pinned, nice) {
  const pin = pinned ? ['taskset', '-c', '0'] : [];
  return nice === undefined ? [...pin, ...argv] : ['nice', '-n', String(nice), ...pin, ...argv];
}

/** Runs one stat workload; resolves { value, ops, seconds, totalOps (with the warm-up) } or throws. */
export async function runStat(w, { statloop, mountpoint, seconds, nice }) {
  const path = join(mountpoint, 'data');
  const [cmd, ...args] = wrap([statloop, w.mode, path, String(seconds)], w.pinned, nice);
  const r = await run(cmd, args, { timeoutMs: seconds * 1200 + 20_000 });
  if (r.timedOut) throw new Error(`statloop timed out after ${seconds * 1.2 + 20} s`);
  if (r.code !== 0) throw new Error(`statloop failed: ${(r.stderr || r.stdout).trim()}`);
  const [ops, elapsed, rate, warm] = r.stdout.trim().split(/\s+/).map(Number);
  return { value: rate, ops, seconds: elapsed, totalOps: ops + warm };
}

/** Runs one fio job; resolves { value (IOPS or MiB/s), ops, seconds, iops, mibps, clatUs } or throws. */
export async function runFio(w, { mountpoint, runtime, ramp, nice }) {
  const argv = [
    'fio',
    '--name=bench',
    `--filename=${join(mountpoint, 'data')}`,
    '--readonly',
    `--rw=${w.rw}`,
    `--bs=${w.bs}`,
    `--iodepth=${w.iodepth}`,
    '--ioengine=libaio',
    '--direct=1',
    '--size=1g',
    `--runtime=${Math.round(runtime * 1000)}ms`,
    '--time_based',
    `--ramp_time=${Math.round(ramp * 1000)}ms`,
    '--invalidate=0',
    '--norandommap',
    '--randrepeat=0',
    '--output-format=json',
  ];
  const [cmd, ...args] = wrap(argv, w.pinned, nice);
  const r = await run(cmd, args, { timeoutMs: (runtime + ramp) * 1000 + 30_000 });
  if (r.timedOut) throw new Error(`fio timed out after ${runtime + ramp + 30} s`);
  const start = r.stdout.indexOf('{');
  let job;
  try {
    job = JSON.parse(r.stdout.slice(start)).jobs[0];
  } catch {
    throw new Error(`fio failed (exit ${r.code}): ${(r.stderr || r.stdout).trim().slice(-600)}`);
  }
  if (r.code !== 0 || job.error) throw new Error(`fio failed (exit ${r.code}, error ${job.error}): ${r.stderr.trim().slice(-600)}`);
  const read = job.read;
  const iops = read.iops;
  const mibps = read.bw_bytes / 2 ** 20;
  return {
    value: w.unit === 'IOPS' ? iops : mibps,
    ops: read.total_ios,
    seconds: read.runtime / 1000,
    iops,
    mibps,
    clatUs: (read.clat_ns?.mean ?? NaN) / 1000,
  };
}
