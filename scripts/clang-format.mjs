#!/usr/bin/env node
// clang-format over the native code (packages/*/native), with the repository's .clang-format.
//   node scripts/clang-format.mjs --check   fails, naming the files, if any is not formatted
//   node scripts/clang-format.mjs --write   formats them in place
import { execFileSync, spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const write = process.argv.includes('--write');

const version = spawnSync('clang-format', ['--version'], { encoding: 'utf8' });
if (version.error) {
  console.error(
    'clang-format is missing: `npm test` installs it (node scripts/setup.mjs --test), or\n' +
      '  Debian/Ubuntu: sudo apt-get install -y clang-format\n' +
      '  Fedora:        sudo dnf install -y clang-tools-extra',
  );
  process.exit(1);
}

// Tracked files and new ones not ignored, so that work not yet committed is checked too.
const files = execFileSync(
  'git',
  ['ls-files', '-z', '--cached', '--others', '--exclude-standard', '--', 'packages/*/native/*.cc', 'packages/*/native/*.h'],
  { cwd: root, encoding: 'utf8' },
)
  .split('\0')
  .filter((file) => file !== '');

const args = write ? ['-i', ...files] : ['--dry-run', '--Werror', ...files];
const result = spawnSync('clang-format', args, { cwd: root, encoding: 'utf8' });
if (result.status !== 0) {
  const unformatted = [...new Set([...result.stderr.matchAll(/^(\S+?):\d+:\d+: error/gm)].map((m) => m[1]))];
  if (unformatted.length > 0) {
    console.error(`clang-format (${version.stdout.trim()}): not formatted (npm run format rewrites them):`);
    for (const file of unformatted) console.error(`  ${file}`);
  } else {
    process.stderr.write(result.stderr);
  }
  process.exit(1);
}
console.log(`clang-format: ${files.length} files ${write ? 'formatted' : 'formatted correctly'}`);
