#!/usr/bin/env node
// Generates the reference parts of the site from the code, so they cannot drift from it:
// - src/api: the API reference, from the packages' TSDoc (TypeDoc with typedoc-plugin-markdown
//   and its VitePress theme, then a few touches the plugins cannot do);
// - src/api/cli/<command>.txt: the `--help` text of each package's command, as it prints it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Application, TSConfigReader, TypeDocReader } from 'typedoc';

const docs = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(docs, 'src', 'api');
process.chdir(docs);

// The order a reader meets the packages in: the binding first, then what is built on it.
const order = ['lowlevel', 'highlevel', 'fs-memory', 'fs-passthrough'];
const summary = {
  lowlevel: 'the faithful, inode-based binding of `fuse_lowlevel.h`: `mount`, `Session`, `Operations`, replies and notify calls.',
  highlevel: 'the path-based, `node:fs`-like layer: a `FileSystem` of path methods, with the inode bookkeeping done for you.',
  'fs-memory': 'a complete in-memory POSIX filesystem, as a library and the `fusekit-memory` command.',
  'fs-passthrough': 'mirrors a host directory, as a library and the `fusekit-passthrough` command.',
};

rmSync(out, { recursive: true, force: true });
const app = await Application.bootstrapWithPlugins({ options: join(docs, 'typedoc.json') }, [new TypeDocReader(), new TSConfigReader()]);
const project = await app.convert();
if (project === undefined || app.logger.hasErrors()) {
  console.error('api: TypeDoc could not convert the packages');
  process.exit(1);
}
await app.generateOutputs(project);
if (app.logger.hasErrors()) process.exit(1);

// Package READMEs become module pages, and their repository-relative links (a sibling package's
// folder, a benchmark script) mean nothing on the site: TypeDoc copies such targets into _media.
// Keep only pictures there, and turn every relative link that does not reach a page of the site
// into plain text, so that no README can break the build.
const walk = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
const media = join(out, '_media');
if (existsSync(media)) {
  for (const file of walk(media)) if (!/\.(png|jpe?g|gif|svg|webp)$/i.test(file)) rmSync(file);
  if (walk(media).length === 0) rmSync(media, { recursive: true });
}
const reaches = (from, target) => {
  const path = resolve(dirname(from), decodeURI(target.split('#')[0]));
  if (target.split('#')[0] === '') return true;
  if (path.startsWith(media)) return existsSync(path) && statSync(path).isFile();
  return (existsSync(path) && statSync(path).isFile()) || existsSync(`${path}.md`) || existsSync(join(path, 'index.md'));
};
let unlinked = 0;
for (const file of walk(out).filter((f) => f.endsWith('.md'))) {
  const text = readFileSync(file, 'utf8');
  const fixed = text.replace(/(!?)\[([^\]]*)\]\(([^)\s]+)\)/g, (link, bang, label, target) => {
    if (/^([a-z][a-z0-9+.-]*:|\/|#)/i.test(target) || reaches(file, target)) return link;
    unlinked++;
    return bang === '' ? label : '';
  });
  if (fixed !== text) writeFileSync(file, fixed);
}
if (unlinked > 0) console.warn(`api: ${unlinked} link(s) in the packages' docs lead outside the site and were left as text`);

// A package that exports nothing yet still gets a page that says so (and links stay valid).
for (const name of order) {
  const index = join(out, name, 'index.md');
  if (!existsSync(index)) {
    writeFileSync(index, `# @fusekit/${name}\n`);
  }
  const text = readFileSync(index, 'utf8');
  const body = text.replace(/^# .*\n/, '').trim();
  // The package's own @packageDocumentation, when it has one, says it best; else a summary line.
  const documented = body !== '' && !body.startsWith('#');
  const lead = documented ? '' : `\`@fusekit/${name}\`: ${summary[name]}\n\n`;
  const rest =
    body === ''
      ? '::: info Nothing exported yet\nThis package is being written; its reference appears here as soon as it exports something.\n:::\n'
      : `${body}\n`;
  writeFileSync(index, `# @fusekit/${name}\n\n${lead}${rest}`);
}

// The landing page of the reference: what is in it and how it is made.
const packages = order.map((name) => `- [\`@fusekit/${name}\`](./${name}/) — ${summary[name]}`).join('\n');
writeFileSync(
  join(out, 'index.md'),
  `# API reference

Generated from the packages' TSDoc by TypeDoc at every build of this site, so it always matches the code.
Guides explain the ideas; this reference lists every export with its exact signature.

${packages}
`,
);

// The sidebar in reading order, with a package that exports nothing shown as a plain link.
const sidebarFile = join(out, 'typedoc-sidebar.json');
const sidebar = JSON.parse(readFileSync(sidebarFile, 'utf8'));
const rank = (item) => order.findIndex((n) => item.link?.includes(`/api/${n}/`));
sidebar.sort((a, b) => rank(a) - rank(b));
for (const name of order) {
  if (!sidebar.some((item) => rank(item) === order.indexOf(name))) sidebar.push({ text: `@fusekit/${name}`, link: `/api/${name}/` });
}
writeFileSync(sidebarFile, `${JSON.stringify(sidebar, null, 2)}\n`);
// Mark the reference's pages: for the theme's API-table styles, and no edit link (they are generated).
for (const file of walk(out).filter((f) => f.endsWith('.md'))) {
  const text = readFileSync(file, 'utf8');
  if (!text.startsWith('---\n')) writeFileSync(file, `---\npageClass: api-page\neditLink: false\n---\n\n${text}`);
}

// The commands' own help, run from their built packages (turbo builds them before the docs).
const commands = { 'fs-memory': 'fusekit-memory', 'fs-passthrough': 'fusekit-passthrough' };
mkdirSync(join(out, 'cli'), { recursive: true });
for (const [name, command] of Object.entries(commands)) {
  const pkgDir = resolve(docs, '..', '..', 'packages', name);
  const bin = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')).bin?.[command];
  let help = `${command} is not available yet: @fusekit/${name} is being written.\n`;
  if (bin !== undefined && existsSync(join(pkgDir, bin))) {
    const run = spawnSync(process.execPath, [join(pkgDir, bin), '--help'], { encoding: 'utf8', timeout: 20_000 });
    if (run.status === 0 && run.stdout.trim() !== '') help = run.stdout;
    else console.warn(`api: ${command} --help failed (${run.status ?? run.signal}): ${run.stderr}`);
  } else {
    console.warn(`api: ${command} is not built; its help text is a placeholder`);
  }
  writeFileSync(join(out, 'cli', `${command}.txt`), help);
}

console.log(`api: reference for ${order.length} packages written to ${out} (${readdirSync(out).length} entries)`);
