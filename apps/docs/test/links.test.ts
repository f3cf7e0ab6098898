// Every internal link and anchor of the built site leads somewhere, and the site loads nothing
// from other hosts (fonts, scripts and styles are all in the build).
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildSite, distDir, fileFor } from './site.js';

const walk = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));

const decode = (s: string) =>
  s
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'");

let pages: string[] = [];
const ids = new Map<string, Set<string>>();

function idsOf(file: string): Set<string> {
  let set = ids.get(file);
  if (set === undefined) {
    set = new Set([...readFileSync(file, 'utf8').matchAll(/\sid="([^"]*)"/g)].map((m) => decode(m[1]!)));
    ids.set(file, set);
  }
  return set;
}

beforeAll(() => {
  buildSite();
  pages = walk(distDir).filter((f) => f.endsWith('.html'));
}, 600_000);

describe('the built site', () => {
  it('has the home page, every guide and the API reference of every package', () => {
    const rel = pages.map((p) => relative(distDir, p));
    for (const page of [
      'index.html',
      'guide/getting-started.html',
      'guide/choosing-a-layer.html',
      'guide/concepts.html',
      'guide/mount-options.html',
      'guide/passthrough.html',
      'guide/tmpfile-statx.html',
      'guide/migrating-from-fuse-native.html',
      'guide/migrating-from-pyfuse3.html',
      'guide/performance.html',
      'guide/io-uring.html',
      'guide/troubleshooting.html',
      'guide/cli.html',
      'api/index.html',
      'api/lowlevel/index.html',
      'api/highlevel/index.html',
      'api/fs-memory/index.html',
      'api/fs-passthrough/index.html',
      'api/lowlevel/functions/mount.html',
      'api/lowlevel/classes/Session.html',
      'api/lowlevel/interfaces/Operations.html',
    ])
      expect(rel).toContain(page);
  });

  it('shows every included code sample (no missing file or region)', () => {
    const missing = pages.filter((p) => /Code snippet path not found|Invalid code snippet option/.test(readFileSync(p, 'utf8')));
    expect(missing.map((p) => relative(distDir, p))).toEqual([]);
  });

  it('has no broken internal links or anchors', () => {
    const broken: string[] = [];
    let checked = 0;
    for (const page of pages) {
      const html = readFileSync(page, 'utf8');
      const base = new URL(`http://site/${relative(distDir, page)}`);
      for (const m of html.matchAll(/<a\s[^>]*?href="([^"]*)"/g)) {
        const href = decode(m[1]!);
        if (/^(?:[a-z][a-z0-9+.-]*:|\/\/)/i.test(href)) continue; // another site, mailto: …
        const url = new URL(href, base);
        checked++;
        const target = fileFor(url.pathname);
        if (target === undefined) {
          broken.push(`${relative(distDir, page)}: ${href} (no such page)`);
          continue;
        }
        const anchor = decodeURIComponent(url.hash.slice(1));
        if (anchor !== '' && !idsOf(target).has(anchor)) broken.push(`${relative(distDir, page)}: ${href} (no #${anchor})`);
      }
    }
    expect(broken).toEqual([]);
    expect(checked).toBeGreaterThan(200);
  });

  it('loads nothing from other hosts: no external scripts, styles, fonts or images', () => {
    const external: string[] = [];
    for (const page of pages) {
      const html = readFileSync(page, 'utf8');
      for (const m of html.matchAll(/<(script|link|img|iframe|source)\s[^>]*?(?:src|href)="([^"]*)"/g)) {
        if (/^(?:https?:)?\/\//i.test(m[2]!)) external.push(`${relative(distDir, page)}: <${m[1]}> ${m[2]}`);
      }
    }
    for (const file of walk(join(distDir, 'assets')).filter((f) => f.endsWith('.css'))) {
      for (const m of readFileSync(file, 'utf8').matchAll(/(?:url\(|@import\s+)["']?((?:https?:)?\/\/[^"')\s]+)/g)) {
        external.push(`${relative(distDir, file)}: ${m[1]}`);
      }
    }
    expect(external).toEqual([]);
  });
});
