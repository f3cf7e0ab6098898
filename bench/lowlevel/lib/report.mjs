// Medians, ratios, targets, and the table (terminal + markdown) and JSON written to bench/results/.
import { PEER_NAMES } from './peers.mjs';

const median = (xs) => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Relative half-range of the samples (a rough noise figure). */
const spread = (xs) => {
  const s = xs.filter(Number.isFinite);
  if (s.length < 2) return NaN;
  return (Math.max(...s) - Math.min(...s)) / 2 / median(s);
};

/** The pinned targets of issue 3, item 10. */
const TARGETS = [
  { workloads: ['stat-pinned', 'fstat-pinned'], vs: 'c', min: 2 / 3, text: '≥ 2/3 of C' },
  { workloads: ['stat-pinned', 'fstat-pinned'], vs: 'fuse-native', min: 1.5, text: '≥ 1.5x fuse-native' },
  { workloads: ['stat-pinned', 'fstat-pinned'], vs: 'pyfuse3', min: 3, text: '≥ 3x pyfuse3' },
  { workloads: ['randread-4k-qd16'], vs: 'fuse-native', min: 5, text: '≥ 5x fuse-native 4 KiB IOPS at QD 16' },
];

export function summarize(results) {
  const medians = {},
    ratios = {},
    spreads = {},
    cpu = {},
    best = {},
    bestRatios = {};
  for (const w of results.workloads) {
    medians[w.id] = {};
    spreads[w.id] = {};
    ratios[w.id] = {};
    cpu[w.id] = {};
    best[w.id] = {};
    bestRatios[w.id] = {};
    for (const p of PEER_NAMES) {
      const samples = results.samples[w.id]?.[p] ?? [];
      medians[w.id][p] = median(samples.map((s) => s.value));
      best[w.id][p] = samples.length > 0 ? Math.max(...samples.map((s) => s.value)) : NaN;
      spreads[w.id][p] = spread(samples.map((s) => s.value));
      cpu[w.id][p] = median(samples.map((s) => s.cpuUsPerOp));
    }
    for (const p of PEER_NAMES) {
      if (p !== 'fusekit') ratios[w.id][p] = medians[w.id].fusekit / medians[w.id][p];
      if (p !== 'fusekit') bestRatios[w.id][p] = best[w.id].fusekit / best[w.id][p];
    }
  }
  const targets = [];
  for (const t of TARGETS) {
    for (const id of t.workloads) {
      if (!results.workloads.some((w) => w.id === id)) continue;
      const ratio = ratios[id]?.[t.vs];
      // The same comparison by CPU time per call (peer's ÷ fusekit's): what each server could
      // answer per CPU-second, far less sensitive to other work on the machine than calls/s.
      const byCpu = cpu[id]?.[t.vs] / cpu[id]?.fusekit;
      targets.push({
        workload: id,
        vs: t.vs,
        target: t.text,
        min: t.min,
        ratio,
        pass: Number.isFinite(ratio) ? ratio >= t.min : null,
        cpuRatio: Number.isFinite(byCpu) ? byCpu : null,
        cpuPass: Number.isFinite(byCpu) ? byCpu >= t.min : null,
      });
    }
  }
  return { medians, spreads, ratios, best, bestRatios, cpuUsPerOp: cpu, targets };
}

const fmt = (v, unit) => {
  if (!Number.isFinite(v)) return '–';
  if (unit === 'MiB/s') return v >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(1);
  return Math.round(v).toLocaleString('en-US');
};
const fmtRatio = (r) => (Number.isFinite(r) ? `${r.toFixed(2)}x` : '–');
const fmtSpread = (s) => (Number.isFinite(s) ? `±${(s * 100).toFixed(0)}%` : '');

function table(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

/** The markdown report (also printed to the terminal). */
export function markdown(results, summary) {
  const peers = PEER_NAMES;
  const present = peers.filter((p) => results.peers[p]?.ok);
  const out = [];
  out.push(`# fusekit low-level binding: per-request overhead`);
  out.push('');
  out.push(
    `${results.meta.finishedAt} · ${results.meta.mode} · ${results.meta.repeats} repeats (medians) · ` +
      `stat ${results.meta.statSeconds} s, fio ${results.meta.fioRuntime} s (+${results.meta.fioRamp} s ramp) per sample` +
      `${results.meta.nice === null ? '' : ` · nice ${results.meta.nice}`}`,
  );
  out.push(`${results.meta.cpu} (${results.meta.cpus} CPUs) · kernel ${results.meta.kernel} · ${results.meta.fusekitCommit}`);
  out.push('');
  const header = ['workload', 'unit', ...peers, ...peers.filter((p) => p !== 'fusekit').map((p) => `fusekit/${p === 'c' ? 'C' : p}`)];
  const rows = results.workloads.map((w) => [
    w.label,
    w.unit,
    ...peers.map((p) => `${fmt(summary.medians[w.id][p], w.unit)}`),
    ...peers.filter((p) => p !== 'fusekit').map((p) => fmtRatio(summary.ratios[w.id][p])),
  ]);
  out.push(table(header, rows));
  out.push('');
  out.push('Pinned: the filesystem process (all threads) and the driver share CPU 0 (`taskset`). Unpinned: the scheduler decides.');
  out.push(
    'stat() of a path costs LOOKUP + GETATTR with zero timeouts (the kernel may skip GETATTR within one jiffy of the LOOKUP); fstat() costs GETATTR.',
  );
  out.push('');

  const statIds = results.workloads.filter((w) => w.kind === 'stat');
  if (statIds.length > 0) {
    out.push(
      "Filesystem process CPU time per call (µs, user + system, all threads; median), and fusekit's as a multiple of each peer's (lower is better):",
    );
    out.push('');
    const others = peers.filter((p) => p !== 'fusekit');
    out.push(
      table(
        ['workload', ...peers, ...others.map((p) => `x${p === 'c' ? 'C' : p}`)],
        statIds.map((w) => {
          const c = summary.cpuUsPerOp[w.id];
          return [
            w.label,
            ...peers.map((p) => (Number.isFinite(c[p]) ? c[p].toFixed(2) : '–')),
            ...others.map((p) => fmtRatio(c.fusekit / c[p])),
          ];
        }),
      ),
    );
    out.push('');
  }

  if (summary.targets.length > 0) {
    out.push('Targets (issue 3, item 10):');
    out.push('');
    const verdict = (pass) => (pass === null || pass === undefined ? 'n/a' : pass ? 'PASS' : 'FAIL');
    out.push(
      table(
        ['workload', 'target', 'fusekit ratio (medians)', 'result', 'by CPU per call', 'result '],
        summary.targets.map((t) => [
          t.workload,
          t.target,
          fmtRatio(t.ratio),
          verdict(t.pass),
          fmtRatio(t.cpuRatio ?? NaN),
          verdict(t.cpuPass),
        ]),
      ),
    );
    out.push('');
    out.push(
      '"By CPU per call": the peer\'s CPU time per call divided by fusekit\'s, i.e. how many more calls fusekit answers per CPU-second.',
    );
    out.push('');
  }

  if (results.meta.repeats > 1) {
    out.push(
      `Best of ${results.meta.repeats} (other work on the machine only ever slows a sample down, so the best is the least disturbed):`,
    );
    out.push('');
    out.push(
      table(
        header,
        results.workloads.map((w) => [
          w.label,
          w.unit,
          ...peers.map((p) => `${fmt(summary.best[w.id][p], w.unit)}`),
          ...peers.filter((p) => p !== 'fusekit').map((p) => fmtRatio(summary.bestRatios[w.id][p])),
        ]),
      ),
    );
    out.push('');
    out.push('Noise (half the range of the samples, relative to the median):');
    out.push('');
    out.push(
      table(
        ['workload', ...present],
        results.workloads.map((w) => [w.label, ...present.map((p) => fmtSpread(summary.spreads[w.id][p]) || '–')]),
      ),
    );
    out.push('');
  }

  out.push('Peers:');
  out.push('');
  for (const p of peers) {
    const info = results.peers[p];
    if (!info) continue;
    out.push(`- ${p}: ${info.label} — ${info.ok ? info.version : `SKIPPED: ${info.reason}`}`);
  }
  const notes = results.meta.notes ?? [];
  if (notes.length > 0) {
    out.push('');
    out.push('Notes:');
    out.push('');
    for (const n of notes) out.push(`- ${n}`);
  }
  if (results.errors.length > 0) {
    out.push('');
    out.push('Errors:');
    out.push('');
    for (const e of results.errors) out.push(`- ${e}`);
  }
  out.push('');
  out.push(`Command: \`${results.meta.command}\``);
  return `${out.join('\n')}\n`;
}
