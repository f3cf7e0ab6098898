#!/usr/bin/env node
// The README's main job: mount fs-memory (an in-memory filesystem, like tmpfs) at ./mnt through its
// CLI, serve it in the foreground, unmount on Ctrl-C.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'packages', 'fs-memory', 'dist', 'cli.js');
const mountpoint = resolve(process.argv[2] ?? 'mnt');
mkdirSync(mountpoint, { recursive: true });

const child = spawn(process.execPath, [cli, mountpoint, ...process.argv.slice(3)], { stdio: ['ignore', 'pipe', 'inherit'] });
let announced = false;
child.stdout.setEncoding('utf8').on('data', (text) => {
  if (!announced && text.includes('serving')) {
    announced = true;
    console.log(`Mounted an empty in-memory filesystem (fusekit-memory) at ${mountpoint}. Try:
  cd ${mountpoint}
  echo hello > hello.txt && cat hello.txt && ls -l
  tar -C ${mountpoint} -xf <some.tar> && du -sh ${mountpoint}
  df -h ${mountpoint}
Everything lives in memory and is gone once unmounted.
Stop with Ctrl-C (or: fusermount3 -u ${mountpoint}).`);
  } else if (!text.includes('unmounted')) {
    process.stdout.write(text);
  }
});
// Ctrl-C reaches the child through the terminal's process group; a plain kill of this script is passed on.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
child.on('exit', (code) => {
  if (announced) console.log('Unmounted.');
  process.exit(code ?? 1);
});
