// Sizes as people write them on command lines: 512M, 2g, 1.5GiB, 25% (of RAM, as tmpfs).
import { totalmem } from 'node:os';

const UNITS: Record<string, number> = { '': 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 };

/** Parses `N[kKmMgGtT][iB|B]` or `N%` (of total RAM) into a number; undefined if malformed. */
export function parseSize(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*(?:([kmgt]?)(?:i?b)?|(%))$/i.exec(text.trim());
  if (m === null) return undefined;
  const value = Number(m[1]);
  const bytes = m[3] !== undefined ? (totalmem() * value) / 100 : value * UNITS[(m[2] ?? '').toLowerCase()]!;
  return Number.isSafeInteger(Math.floor(bytes)) ? Math.floor(bytes) : undefined;
}
