// A registry for the @fusekit scope that serves packed tarballs as npm's registry serves published
// packages. npm is pointed at it with --@fusekit:registry=<url>; every other package comes from the
// usual registry, so an install here is exactly a user's install after a release.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename } from 'node:path';

export interface Registry {
  url: string;
  close(): Promise<void>;
}

export async function serveTarballs(tarballs: readonly string[]): Promise<Registry> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const packuments = new Map<string, object>();
  const files = new Map<string, Buffer>();
  for (const tarball of tarballs) {
    const data = readFileSync(tarball);
    const manifest = JSON.parse(execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' })) as {
      name: string;
      version: string;
    };
    files.set(basename(tarball), data);
    const dist = {
      tarball: `${url}-/${basename(tarball)}`,
      integrity: `sha512-${createHash('sha512').update(data).digest('base64')}`,
      shasum: createHash('sha1').update(data).digest('hex'),
    };
    packuments.set(manifest.name, {
      name: manifest.name,
      'dist-tags': { latest: manifest.version },
      versions: { [manifest.version]: { ...manifest, dist } },
    });
  }
  server.on('request', (request, response) => {
    const path = decodeURIComponent(request.url ?? '/').slice(1);
    const file = path.startsWith('-/') ? files.get(path.slice(2)) : undefined;
    const packument = packuments.get(path);
    if (file !== undefined) response.writeHead(200, { 'content-type': 'application/octet-stream' }).end(file);
    else if (packument !== undefined) response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(packument));
    else response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
  });
  return { url, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
