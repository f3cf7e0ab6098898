// Real programs at work in fusekit-memory, each checked byte for byte against the same run on tmpfs.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sh, withMount } from '@fusekit/test-harness';
import { startMemoryFs } from './cli-path.js';
import { withTmpfs } from './oracle.js';

const repo = fileURLToPath(new URL('../../..', import.meta.url));
const timeoutMs = 170_000;

/** Runs `script` with $D set to a directory in fusekit-memory, then in tmpfs; returns both outputs. */
async function onBoth(script: string, args: string[] = []): Promise<[string, string]> {
  let memory = '';
  let tmpfs = '';
  await withMount(
    (mp) => startMemoryFs(mp, args),
    async (mp) => {
      memory = await sh(script, { env: { ...process.env, D: mp }, timeoutMs });
    },
    { timeoutMs },
  );
  await withTmpfs(async (dir) => {
    tmpfs = await sh(script, { env: { ...process.env, D: dir }, timeoutMs });
  });
  return [memory, tmpfs];
}

// Lists every entry with type, mode, size, link count, target and content hash: the tree, exactly.
const MANIFEST = `(cd "$D/$1" && find . -printf '%y %m %s %n %l %p\\n' | sort && find . -type f -print0 | sort -z | xargs -0 -r sha256sum)`;

describe('real workloads, compared with tmpfs', () => {
  it(
    'untars a source tree, then lists, hashes and removes it',
    async () => {
      const [memory, tmpfs] = await onBoth(`
      manifest() { ${MANIFEST}; }
      tar -C "${repo}/node_modules" -cf "$D/src.tar" typescript vite @types/node
      mkdir "$D/tree" && tar -C "$D/tree" -xf "$D/src.tar"
      manifest tree
      du -s --apparent-size "$D/tree" | cut -f1
      rm -rf "$D/tree" && ls -A "$D"
    `);
      expect(memory.split('\n').length).toBeGreaterThan(500);
      expect(memory).toBe(tmpfs);
    },
    timeoutMs * 2,
  );

  it(
    'makes a git repository and commits to it',
    async () => {
      const [memory, tmpfs] = await onBoth(`
      export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@e GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@e
      export GIT_AUTHOR_DATE='2020-01-01T00:00:00Z' GIT_COMMITTER_DATE='2020-01-01T00:00:00Z' HOME="$D"
      cd "$D" && git init -q -b main repo && cd repo
      cp -r "${repo}/node_modules/vite/dist" src && ln -s src link && chmod +x src/node/cli.js 2>/dev/null || true
      git add -A && git commit -q -m first && git rev-parse HEAD
      echo change >> src/change.txt && git rm -q -r src/client 2>/dev/null || true
      git add -A && git commit -q -m second && git rev-parse HEAD
      git gc -q && git fsck --strict && git status --porcelain && git log --oneline | wc -l
    `);
      expect(memory).toMatch(/^[0-9a-f]{40}\n[0-9a-f]{40}\n/);
      expect(memory).toBe(tmpfs);
    },
    timeoutMs * 2,
  );

  it(
    'builds and rebuilds a C program with make',
    async () => {
      const [memory, tmpfs] = await onBoth(`
      cd "$D" && mkdir prog && cd prog
      printf '#include <stdio.h>\\n#include "msg.h"\\nint main(void) { puts(MSG); return 0; }\\n' > main.c
      printf '#define MSG "hello from make"\\n' > msg.h
      printf 'prog: main.o\\n\\tcc -o prog main.o\\nmain.o: main.c msg.h\\n\\tcc -c main.c\\n' > Makefile
      make -s && ./prog && make -q && echo up-to-date
      sleep 0.01 && printf '#define MSG "rebuilt"\\n' > msg.h
      make -q || echo stale; make -s && ./prog
    `);
      expect(memory).toBe('hello from make\nup-to-date\nstale\nrebuilt\n');
      expect(memory).toBe(tmpfs);
    },
    timeoutMs * 2,
  );

  it(
    'runs sqlite3 in WAL and rollback modes',
    async () => {
      const [memory, tmpfs] = await onBoth(`
      cd "$D"
      for mode in wal delete; do
        sqlite3 db-$mode "PRAGMA journal_mode=$mode;" > /dev/null
        sqlite3 db-$mode "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT, b BLOB);
          WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 20000)
          INSERT INTO t SELECT i, hex(i*7919 % 10007), zeroblob(i % 300) FROM n;
          DELETE FROM t WHERE id % 3 = 0; UPDATE t SET v = v || 'x' WHERE id % 5 = 0; VACUUM;"
        sqlite3 db-$mode "PRAGMA integrity_check; SELECT count(*), sum(length(v)), sum(length(b)) FROM t;"
        sqlite3 db-$mode .dump | sha256sum
      done
    `);
      expect(memory).toMatch(/^ok\n/);
      expect(memory).toBe(tmpfs);
    },
    timeoutMs * 2,
  );

  it(
    'survives a Node program doing random I/O with fsync',
    async () => {
      const program = `
      const fs = require('node:fs');
      let seed = 42; const rand = (n) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
      const fd = fs.openSync(process.env.D + '/random.bin', 'w+');
      for (let i = 0; i < 3000; i++) {
        const len = 1 + rand(20000), pos = rand(3 << 20);
        fs.writeSync(fd, Buffer.alloc(len, rand(256)), 0, len, pos);
        if (i % 100 === 0) { fs.fsyncSync(fd); fs.ftruncateSync(fd, rand(4 << 20)); }
      }
      fs.fsyncSync(fd); fs.closeSync(fd);
    `;
      const [memory, tmpfs] = await onBoth(
        `node -e "${program.replace(/"/g, '\\"')}" && sha256sum < "$D/random.bin" && stat -c %s "$D/random.bin"`,
      );
      expect(memory).toBe(tmpfs);
    },
    timeoutMs * 2,
  );
});

describe('data integrity with fio --verify', () => {
  it('verifies sequential and random writes, buffered and direct', async () => {
    await withMount(
      (mp) => startMemoryFs(mp),
      async (mp) => {
        const common = `--directory="${mp}" --size=64M --verify=crc32c --verify_fatal=1 --do_verify=1 --verify_state_save=0 --group_reporting`;
        const out = await sh(
          `
        fio --name=seq ${common} --rw=write --bs=1M --ioengine=psync --output-format=terse
        fio --name=rand ${common} --rw=randwrite --bs=4k --ioengine=psync --output-format=terse
        fio --name=direct ${common} --rw=randwrite --bs=64k --direct=1 --ioengine=libaio --iodepth=16 --output-format=terse
        fio --name=mixed ${common} --rw=randrw --bs=16k --ioengine=libaio --iodepth=8 --verify_backlog=64 --output-format=terse
      `,
          { timeoutMs: 170_000 },
        );
        // terse v3: field 5 is the error count of the job.
        const errors = out
          .trim()
          .split('\n')
          .map((line) => line.split(';')[4]);
        expect(errors).toEqual(['0', '0', '0', '0']);
      },
      { timeoutMs: 180_000 },
    );
  }, 200_000);
});
