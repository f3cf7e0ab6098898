// Real programs at work in fusekit-passthrough, each checked byte for byte against the same
// run on a plain tmpfs, and the host directory checked against what the mount showed.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sh, withMount } from '@fusekit/test-harness';
import { makeTmpfs, startPassthroughFs } from './cli-path.js';

const repo = fileURLToPath(new URL('../../..', import.meta.url));
const timeoutMs = 170_000;

// Lists every entry with type, mode, size, link count, target and content hash: the tree, exactly.
const MANIFEST = `(cd "$1" && find . -printf '%y %m %s %n %l %p\\n' | sort && find . -type f -print0 | sort -z | xargs -0 -r sha256sum)`;

/**
 * Runs `script` with $D set to the mount (then to a tmpfs); returns both outputs, and the
 * manifest of the host directory behind the mount next to the mount's own.
 */
async function onBoth(script: string, args: string[] = []): Promise<{ mount: string; tmpfs: string; host: string; seen: string }> {
  const result = { mount: '', tmpfs: '', host: '', seen: '' };
  await withMount(
    (mp) => startPassthroughFs(mp, args),
    async (mp, fs) => {
      result.mount = await sh(script, { env: { ...process.env, D: mp }, timeoutMs });
      result.seen = await sh(`manifest() { ${MANIFEST}; }; manifest "${mp}"`, { timeoutMs });
      result.host = await sh(`manifest() { ${MANIFEST}; }; manifest "${fs.source}"`, { timeoutMs });
    },
    { timeoutMs },
  );
  const tmpfs = await makeTmpfs('fusekit-pt-oracle-');
  try {
    result.tmpfs = await sh(script, { env: { ...process.env, D: tmpfs.dir }, timeoutMs });
  } finally {
    await tmpfs.close();
  }
  return result;
}

describe('real workloads, compared with tmpfs', () => {
  for (const args of [[], ['--passthrough=off'], ['--cache=never'], ['--cache=always', '--writeback']]) {
    it(
      `untars a source tree, then lists, hashes and removes it (${args.join(' ') || 'defaults'})`,
      async () => {
        const r = await onBoth(
          `
        manifest() { ${MANIFEST}; }
        tar -C "${repo}/node_modules" -cf "$D/src.tar" typescript vite @types/node
        mkdir "$D/tree" && tar -C "$D/tree" -xf "$D/src.tar"
        manifest "$D/tree"
        du -s --apparent-size "$D/tree" | cut -f1
        cp -a "$D/tree/vite" "$D/copy" && rm -rf "$D/tree" && ls -A "$D"
      `,
          args,
        );
        expect(r.mount.split('\n').length).toBeGreaterThan(500);
        expect(r.mount).toBe(r.tmpfs);
        expect(r.host).toBe(r.seen);
      },
      timeoutMs * 2,
    );
  }

  it(
    'makes a git repository and commits to it',
    async () => {
      const r = await onBoth(`
      export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@e GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@e
      export GIT_AUTHOR_DATE='2020-01-01T00:00:00Z' GIT_COMMITTER_DATE='2020-01-01T00:00:00Z' HOME="$D"
      cd "$D" && git init -q -b main repo && cd repo
      cp -r "${repo}/node_modules/vite/dist" src && ln -s src link && chmod +x src/node/cli.js 2>/dev/null || true
      git add -A && git commit -q -m first && git rev-parse HEAD
      echo change >> src/change.txt && git rm -q -r src/client 2>/dev/null || true
      git add -A && git commit -q -m second && git rev-parse HEAD
      git gc -q && git fsck --strict && git status --porcelain && git log --oneline | wc -l
    `);
      expect(r.mount).toMatch(/^[0-9a-f]{40}\n[0-9a-f]{40}\n/);
      expect(r.mount).toBe(r.tmpfs);
      expect(r.host).toBe(r.seen);
    },
    timeoutMs * 2,
  );

  it(
    'builds and rebuilds a C program with make',
    async () => {
      const r = await onBoth(`
      cd "$D"
      printf '#include <stdio.h>\\n#include "msg.h"\\nint main(void) { puts(MSG); return 0; }\\n' > main.c
      printf '#define MSG "hello from make"\\n' > msg.h
      printf 'prog: main.o\\n\\tcc -o prog main.o\\nmain.o: main.c msg.h\\n\\tcc -c main.c\\n' > Makefile
      make -s && ./prog && make -q && echo up-to-date
      sleep 0.01 && printf '#define MSG "rebuilt"\\n' > msg.h
      make -q || echo stale; make -s && ./prog
    `);
      expect(r.mount).toBe('hello from make\nup-to-date\nstale\nrebuilt\n');
      expect(r.mount).toBe(r.tmpfs);
      expect(r.host).toBe(r.seen);
    },
    timeoutMs * 2,
  );
});

describe('data integrity with fio --verify', () => {
  for (const args of [[], ['--passthrough=off'], ['--cache=never'], ['--cache=always', '--writeback']]) {
    it(`verifies sequential and random writes, buffered and direct (${args.join(' ') || 'defaults'})`, async () => {
      await withMount(
        (mp) => startPassthroughFs(mp, args),
        async (mp, fs) => {
          const common = `--size=64M --verify=crc32c --verify_fatal=1 --do_verify=1 --group_reporting --output-format=terse`;
          const out = await sh(
            `
          cd "$(mktemp -d)"
          fio --name=seq --directory="${mp}" ${common} --rw=write --bs=1M --ioengine=psync
          fio --name=rand --directory="${mp}" ${common} --rw=randwrite --bs=4k --ioengine=psync
          fio --name=direct --directory="${mp}" ${common} --rw=randwrite --bs=64k --direct=1 --ioengine=libaio --iodepth=16
          fio --name=mixed --directory="${mp}" ${common} --rw=randrw --bs=16k --ioengine=libaio --iodepth=8 --verify_backlog=64
          sync "${mp}"
        `,
            { timeoutMs: 170_000 },
          );
          // terse v3: field 5 is the error count of the job.
          const errors = out
            .trim()
            .split('\n')
            .map((line) => line.split(';')[4]);
          expect(errors).toEqual(['0', '0', '0', '0']);
          // What fio wrote through the mount is what the host files hold.
          const sums = (dir: string) => sh(`cd "${dir}" && sha256sum $(ls | sort)`, { timeoutMs: 60_000 });
          expect(await sums(mp)).toBe(await sums(fs.source));
        },
        { timeoutMs: 180_000 },
      );
    }, 200_000);
  }
});
