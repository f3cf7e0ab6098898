// The trivial filesystem both peers serve: /data (depth 1) and /d1/d2/…/d19/data (depth 20).
// Directories' attributes and every name may be cached for an hour, the files' attributes not at
// all: each stat() of a file is exactly one GETATTR request, whatever its depth.
export const DEPTH = 20;
export const LONG = 3600;

export const paths = { 1: '/data', [DEPTH]: `${Array.from({ length: DEPTH - 1 }, (_, i) => `/d${i + 1}`).join('')}/data` };

const dir = { mode: 0o40755, nlink: 2, size: 4096, attrTimeout: LONG };
const file = { mode: 0o100444, nlink: 1, size: 4096, attrTimeout: 0 };

/** Every node: path, parent path, name, attributes (without ino). */
export function nodes() {
  const out = [{ path: '/', parent: undefined, name: '', attr: dir }];
  out.push({ path: '/data', parent: '/', name: 'data', attr: file });
  let parent = '/';
  for (let i = 1; i < DEPTH; i++) {
    const path = `${parent === '/' ? '' : parent}/d${i}`;
    out.push({ path, parent, name: `d${i}`, attr: dir });
    parent = path;
  }
  out.push({ path: `${parent}/data`, parent, name: 'data', attr: file });
  return out;
}
