// The built site, for the tests: the output of the docs' own `build` (which `npm test` runs through
// turbo before the tests), rebuilt here when any of its inputs is newer, and served the way a
// static host would serve it.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';
import { docsDir } from './compile.js';

export const distDir = join(docsDir, '.vitepress', 'dist');
const repoRoot = resolve(docsDir, '..', '..');

function newest(path: string): number {
  if (!existsSync(path)) return 0;
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  return readdirSync(path).reduce(
    (max, name) => (name === 'api' && path.endsWith('src') ? max : Math.max(max, newest(join(path, name)))),
    info.mtimeMs,
  );
}

/** The built site's directory; builds it first (`npm run build`: api + vitepress) when it is stale. */
export function buildSite(): string {
  const built = existsSync(join(distDir, 'index.html')) ? statSync(join(distDir, 'index.html')).mtimeMs : 0;
  const inputs = [
    join(docsDir, 'src'),
    join(docsDir, 'examples'),
    join(docsDir, '.vitepress', 'config.mts'),
    join(docsDir, '.vitepress', 'theme'),
    join(docsDir, 'scripts'),
    join(docsDir, 'typedoc.json'),
    ...['lowlevel', 'highlevel', 'fs-memory', 'fs-passthrough'].map((p) => join(repoRoot, 'packages', p, 'src')),
  ];
  if (built === 0 || inputs.some((input) => newest(input) > built)) {
    execFileSync('npm', ['run', 'build'], { cwd: docsDir, stdio: ['ignore', 'inherit', 'inherit'], timeout: 540_000 });
  }
  if (!existsSync(join(distDir, 'index.html'))) throw new Error(`the build left no ${distDir}/index.html`);
  return distDir;
}

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain',
};

/** Maps a URL path to a file of the site as a static host does (`/a/` → a/index.html, `/a` → a.html). */
export function fileFor(urlPath: string): string | undefined {
  const path = normalize(decodeURIComponent(urlPath)).replace(/^(\.\.[/\\])+/, '');
  const candidates = path.endsWith('/') ? [join(path, 'index.html')] : [path, `${path}.html`, join(path, 'index.html')];
  for (const candidate of candidates) {
    const file = join(distDir, candidate);
    if (file.startsWith(distDir) && existsSync(file) && statSync(file).isFile()) return file;
  }
  return undefined;
}

/** Serves the built site on a free loopback port; close() stops it. */
export async function serveSite(): Promise<{ url: string; close(): Promise<void>; server: Server }> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const file = fileFor(url.pathname);
    if (file === undefined) {
      res.writeHead(404, { 'content-type': types['.html']! });
      res.end(readFileSync(join(distDir, '404.html')));
      return;
    }
    res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    server,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
