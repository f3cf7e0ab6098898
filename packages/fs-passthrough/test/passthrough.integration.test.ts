// What only a passthrough can get wrong: the mount and the host directory are the same files,
// seen from both sides (names as bytes, owners, timestamps, inodes, and changes made on the
// host behind the mount's back, per cache mode).
import { describe, expect, it } from 'vitest';
import { sh, withMount } from '@fusekit/test-harness';
import { startPassthroughFs } from './cli-path.js';

const PY = '/usr/bin/python3';

describe('fusekit-passthrough and its host directory', () => {
  it('round-trips names that are not UTF-8, both ways', async () => {
    await withMount(
      (mp) => startPassthroughFs(mp),
      async (mp, fs) => {
        const out = await sh(`${PY} -c '
import os, sys
mnt, src = sys.argv[1].encode(), sys.argv[2].encode()
names = [b"bad\\xff\\xfe", b"latin1-caf\\xe9", b"\\x01ctl", b"emoji-\\xf0\\x9f\\x98\\x80"]
for n in names: open(mnt + b"/" + n, "wb").write(n)
os.mkdir(src + b"/host-\\xc0\\xaf"); open(src + b"/host-\\xc0\\xaf/\\xfe", "wb").write(b"h")
print(sorted(os.listdir(src)) == sorted(os.listdir(mnt)))
print(all(open(src + b"/" + n, "rb").read() == n for n in names))
print(open(mnt + b"/host-\\xc0\\xaf/\\xfe", "rb").read())
os.rename(mnt + b"/bad\\xff\\xfe", mnt + b"/host-\\xc0\\xaf/moved\\xff")
print(sorted(os.listdir(src + b"/host-\\xc0\\xaf")))
' "${mp}" "${fs.source}"`);
        expect(out).toBe("True\nTrue\nb'h'\n[b'moved\\xff', b'\\xfe']\n");
      },
    );
  });

  it('gives new files to the user who made them, with the same inode, links and nanosecond times', async () => {
    await withMount(
      (mp) => startPassthroughFs(mp),
      async (mp, fs) => {
        await sh(`mkdir -m 777 "${mp}/shared"`);
        await sh(
          `setpriv --reuid 1000 --regid 1000 --clear-groups sh -c 'cd "${mp}/shared" && echo x > f && mkdir d && ln -s f l && mkfifo p && ln f h'`,
        );
        const owners = (dir: string) => sh(`cd "${dir}/shared" && stat -c '%n %u %g %a %h' f d l p h`);
        expect(await owners(fs.source)).toBe(
          'f 1000 1000 644 2\nd 1000 1000 755 2\nl 1000 1000 777 1\np 1000 1000 644 1\nh 1000 1000 644 2\n',
        );
        expect(await owners(mp)).toBe(await owners(fs.source));
        await sh(`touch -h -d '2001-02-03 04:05:06.123456789' "${mp}/shared/f" "${mp}/shared/l"`);
        const times = (dir: string) => sh(`stat -c '%x %y' "${dir}/shared/f" "${dir}/shared/l"`);
        expect(await times(fs.source)).toContain('2001-02-03 04:05:06.123456789');
        expect(await times(mp)).toBe(await times(fs.source));
        // Hard links are one file through the mount too.
        expect(await sh(`stat -c %i "${mp}/shared/f" "${mp}/shared/h" | uniq | wc -l`)).toBe('1\n');
      },
    );
  });

  it('keeps an open file working after it is unlinked on the host side or through the mount', async () => {
    await withMount(
      (mp) => startPassthroughFs(mp),
      async (mp, fs) => {
        const out = await sh(`${PY} -c '
import os, sys
mnt, src = sys.argv[1], sys.argv[2]
for victim, name in ((src, "/on-host"), (mnt, "/through-mount")):
    open(mnt + name, "w").write("before")
    fd = os.open(mnt + name, os.O_RDWR)
    os.unlink(victim + name)
    os.pwrite(fd, b"-after", 6)
    print(os.pread(fd, 100, 0), os.fstat(fd).st_size, os.path.exists(src + name))
    os.close(fd)
' "${mp}" "${fs.source}"`);
        expect(out).toBe("b'before-after' 12 False\nb'before-after' 12 False\n");
      },
    );
  });

  it('serves extended attributes of the host files, or none with --no-xattr', async () => {
    const script = (mp: string, source: string) => `${PY} -c '
import os, sys
mnt, src = sys.argv[1], sys.argv[2]
open(mnt + "/f", "w").close()
try:
    os.setxattr(mnt + "/f", "user.k", b"v"); print(os.getxattr(src + "/f", "user.k"), os.listxattr(mnt + "/f"))
except OSError as e:
    print(os.strerror(e.errno))
' "${mp}" "${source}"`;
    await withMount(
      (mp) => startPassthroughFs(mp),
      async (mp, fs) => {
        expect(await sh(script(mp, fs.source))).toBe("b'v' ['user.k']\n");
      },
    );
    await withMount(
      (mp) => startPassthroughFs(mp, ['--no-xattr']),
      async (mp, fs) => {
        expect(await sh(script(mp, fs.source))).toBe('Operation not supported\n');
      },
    );
  });

  it('--cache=never: host-side changes show at once, even through an open file', async () => {
    await withMount(
      (mp) => startPassthroughFs(mp, ['--cache=never']),
      async (mp, fs) => {
        const out = await sh(`
        echo one > "${fs.source}/f"; exec 3< "${mp}/f"; cat <&3
        echo second-version > "${fs.source}/f"; cat "${mp}/f"; stat -c %s "${mp}/f"
        touch "${fs.source}/new"; ls "${mp}"; rm "${fs.source}/new"; ls "${mp}"
      `);
        expect(out).toBe('one\nsecond-version\n15\nf\nnew\nf\n');
      },
    );
  });

  it('--cache=auto: host-side changes show once the 1 s attribute timeout passes', async () => {
    await withMount(
      (mp) => startPassthroughFs(mp, ['--cache=auto']),
      async (mp, fs) => {
        const out = await sh(`
        echo one > "${fs.source}/f"; cat "${mp}/f"
        echo second-version > "${fs.source}/f"; sleep 1.5; cat "${mp}/f"; stat -c %s "${mp}/f"
        touch "${fs.source}/new"; ls "${mp}"
      `);
        expect(out).toBe('one\nsecond-version\n15\nf\nnew\n');
      },
    );
  });

  // Data and attributes may stay cached for a day (how long the kernel keeps them is its
  // call); names that did not exist are never remembered, so new host files always show.
  it('--cache=always: new host names show', async () => {
    await withMount(
      (mp) => startPassthroughFs(mp, ['--cache=always']),
      async (mp, fs) => {
        const out = await sh(`
        echo one > "${fs.source}/f"; cat "${mp}/f"; ls "${mp}/new" 2>/dev/null || echo absent
        touch "${fs.source}/new"; ls "${mp}"
      `);
        expect(out).toBe('one\nabsent\nf\nnew\n');
      },
    );
  });
});
