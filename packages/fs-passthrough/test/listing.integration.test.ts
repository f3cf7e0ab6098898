// Native listings through the kernel: large directories over many READDIR requests, on a tmpfs
// source (the host's cookies go to the kernel as they are) and an ext4 one (hash cookies past
// 2^52, through the open directory's table), with host calls on the JS thread and on the pool;
// d_type, inode numbers and non-UTF-8 names as the host lists them; telldir/seekdir and
// rewinddir; names coming and going during a listing; readdirplus attributes; hidden names and
// useIno through the library.
import { mkdtemp, rm, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { makeMountpoint, sh, spawnFs, withMount } from '@fusekit/test-harness';
import { startPassthroughFs } from './cli-path.js';

const PY = '/usr/bin/python3';
const TIMEOUT = 120_000;

/** Runs `body` with fusekit-passthrough over `source` (a fresh tmpfs if undefined, or a directory on the disk of tmpdir). */
async function withPassthrough(
  source: 'tmpfs' | 'disk',
  args: string[],
  body: (mp: string, src: string, output: () => string) => Promise<void>,
): Promise<void> {
  const disk = source === 'disk' ? await mkdtemp(join(tmpdir(), 'fusekit-pt-disk-')) : undefined;
  try {
    await withMount(
      (mp) => startPassthroughFs(mp, args, disk),
      (mp, fs) => body(mp, fs.source, () => fs.output()),
    );
  } finally {
    if (disk !== undefined) await rm(disk, { recursive: true, force: true });
  }
}

/** Makes `count` files (and a few directories, symlinks and non-UTF-8 names) in `dir` on the host. */
function populate(dir: string, count: number): Promise<string> {
  return sh(`${PY} -c '
import os, sys
d = sys.argv[1].encode()
for i in range(${count}): open(d + b"/file-%05d-%s" % (i, b"x" * (i % 50)), "wb").close()
for i in range(20): os.mkdir(d + b"/dir-%02d" % i); os.symlink(b"t", d + b"/link-%02d" % i)
for n in [b"bad\\xff\\xfe", b"latin1-caf\\xe9", b"\\x01ctl"]: open(d + b"/" + n, "wb").close()
' "${dir}"`);
}

/** What python's scandir sees in `dir`: each name (hex) with d_type's answers and d_ino, sorted. */
const SCAN = `${PY} -c '
import os, sys
print(sorted((e.name.hex(), e.is_dir(follow_symlinks=False), e.is_symlink(), e.inode()) for e in os.scandir(sys.argv[1].encode())))
'`;

describe('native listings through the kernel', () => {
  for (const source of ['tmpfs', 'disk'] as const) {
    for (const calls of ['--sync-calls', '--pool-calls']) {
      it(
        `lists 10,000 names over many requests with the host's d_type and inode numbers (${source}, ${calls})`,
        async () => {
          await withPassthrough(source, [calls], async (mp, src) => {
            await populate(src, 10_000);
            const host = await sh(`${SCAN} "${src}"`);
            expect(host.length).toBeGreaterThan(10_000 * 20);
            expect(await sh(`${SCAN} "${mp}"`)).toBe(host);
            expect(await sh(`ls -f "${mp}" | wc -l`)).toBe(`${10_000 + 40 + 3 + 2}\n`);
          });
        },
        TIMEOUT,
      );
    }

    it(
      `lands telldir/seekdir across requests where the host does, and rewinddir sees new names (${source})`,
      async () => {
        await withPassthrough(source, [], async (mp, src) => {
          await populate(src, 5000);
          const walk = (dir: string) =>
            sh(`perl -e '
opendir(my $d, $ARGV[0]) or die; my @a;
readdir($d) for 1..3000; my $t = telldir($d);
push @a, scalar readdir($d) for 1..1000; my $first = join(",", @a); @a = ();
readdir($d) for 1..500; seekdir($d, $t);
push @a, scalar readdir($d) for 1..1000; print $first eq join(",", @a) ? "same\\n" : "differs\\n";
my $n = 0; rewinddir($d); open(my $f, ">", "$ARGV[1]/zz-new") or die; close($f);
while (defined(my $e = readdir($d))) { $n++ } print "$n\\n";
' "${dir}" "${src}"`);
          const before = await walk(src);
          await sh(`rm "${src}/zz-new"`);
          expect(await walk(mp)).toBe(before);
          expect(before).toBe(`same\n${5000 + 40 + 3 + 2 + 1}\n`);
        });
      },
      TIMEOUT,
    );

    it(
      `lists each name that stays exactly once while names come and go during a listing (${source})`,
      async () => {
        await withPassthrough(source, [], async (mp, src) => {
          await sh(`${PY} -c '
import os, sys
mnt, src = sys.argv[1], sys.argv[2]
for i in range(4000): open("%s/k%04d" % (src, i), "w").close()
seen = []
with os.scandir(mnt) as it:
    for n, e in enumerate(it):
        seen.append(e.name)
        if n % 5 == 0:
            open("%s/new%04d" % (mnt if n % 2 else src, n), "w").close()
            try: os.unlink("%s/k%04d" % (src if n % 2 else mnt, 3999 - n))
            except FileNotFoundError: pass
gone = set("k%04d" % (3999 - n) for n in range(0, 4000, 5))
stay = set("k%04d" % i for i in range(4000)) - gone
assert len(seen) == len(set(seen)), "repeats"
assert stay <= set(seen), "skipped"
' "${mp}" "${src}"`);
        });
      },
      TIMEOUT,
    );
  }

  it(
    'answers readdirplus with the attributes ls -l shows, sparing the lookups',
    async () => {
      await withPassthrough('tmpfs', ['--trace'], async (mp, src, output) => {
        await sh(`cd "${src}" && mkdir d && cd d && for i in $(seq 20); do echo $i > f$i; done && mkdir sub && ln -s f1 l && mkfifo p`);
        await sh(`chown 1000:1000 "${src}/d/f3"; chmod 4755 "${src}/d/f4"; touch -d '2001-02-03 04:05:06.123456789' "${src}/d/f5"`);
        const ls = (dir: string) => sh(`ls -lin --time-style=full-iso "${dir}/d"`);
        const host = await ls(src);
        const before = output().length;
        expect(await ls(mp)).toBe(host);
        const requests = output().slice(before);
        expect(requests).toMatch(/op=readdirplus/);
        // One READDIRPLUS answered every name: ls looked none up.
        expect(requests.match(/op=lookup .*path="\/d\/\w+"/g) ?? []).toEqual([]);
        // 10,000 names: ls -l through the mount as on the host (readdirplus, then lookups).
        await populate(src, 10_000);
        expect(await sh(`ls -ln --time-style=full-iso "${mp}" | md5sum`)).toBe(await sh(`ls -ln --time-style=full-iso "${src}" | md5sum`));
      });
    },
    TIMEOUT,
  );

  /** Mounts PassthroughFs from the library with `options`, in a child process. */
  const library = async (mp: string, src: string, options: string) => {
    const index = fileURLToPath(new URL('../dist/index.js', import.meta.url));
    const code = `import { createPassthroughFs } from ${JSON.stringify(index)};
const session = await createPassthroughFs(process.argv[1]).mount(process.argv[2], ${options});
process.on('SIGTERM', () => session.close());`;
    return { ...(await spawnFs(process.execPath, ['--input-type=module', '-e', code, src, mp], mp)), source: src };
  };

  it(
    'leaves out the names of open files hidden by hideOnUnlink, in every request of a large listing',
    async () => {
      const src = await mkdtemp(join(tmpdir(), 'fusekit-pt-hide-'));
      const mp = await makeMountpoint('fusekit-pt-');
      const fs = await library(mp, src, '{ hideOnUnlink: true }');
      try {
        await populate(src, 3000);
        const out =
          await sh(`cd "${mp}" && exec 3<file-00010-xxxxxxxxxx 4<file-02999-${'x'.repeat(2999 % 50)} && rm file-00010-xxxxxxxxxx file-02999-${'x'.repeat(2999 % 50)} &&
          ls -a "${src}" | grep -c fuse_hidden; ls -a | { grep -c fuse_hidden || true; }; ls -f | wc -l; echo open`);
        expect(out).toBe(`2\n0\n${3000 - 2 + 40 + 3 + 2}\nopen\n`);
      } finally {
        await fs.close();
        await rmdir(mp).catch(() => undefined);
        await rm(src, { recursive: true, force: true });
      }
    },
    TIMEOUT,
  );

  it(
    'lists FUSE_UNKNOWN_INO without useIno in readdir, as libfuse does, and node ids in readdirplus',
    async () => {
      const src = await mkdtemp(join(tmpdir(), 'fusekit-pt-noino-'));
      const mp = await makeMountpoint('fusekit-pt-');
      const fs = await library(mp, src, '{ useIno: false }');
      try {
        await populate(src, 500);
        // The first request is a readdirplus (node ids), the later ones readdir.
        const inos = await sh(`${PY} -c '
import os, sys
mnt, src = sys.argv[1], sys.argv[2]
host = set(e.inode() for e in os.scandir(src))
listed = set(e.inode() for e in os.scandir(mnt))
print(4294967295 in listed, len(listed & host), all(i < 1000 for i in listed - {4294967295}))
' "${mp}" "${src}"`);
        expect(inos).toBe('True 0 True\n');
        const hostIno = await sh(`stat -c %i "${src}/dir-01"`);
        expect(await sh(`stat -c %i "${mp}/dir-01"`)).not.toBe(hostIno);
        expect(await sh(`ls -f "${mp}" | wc -l`)).toBe(`${500 + 40 + 3 + 2}\n`);
      } finally {
        await fs.close();
        await rmdir(mp).catch(() => undefined);
        await rm(src, { recursive: true, force: true });
      }
    },
    TIMEOUT,
  );
});
