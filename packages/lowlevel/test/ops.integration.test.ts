// Every operation, reply and notify of the binding, driven through the kernel by real syscalls
// from child processes. Test titles carry [op:name] tags; coverage.test.ts checks that every
// member of fuse_lowlevel_ops has at least one.
import { describe, expect, it } from 'vitest';
import { sh } from '@fusekit/test-harness';
import { constants } from '../src/index.js';
import { MemFs } from './fixtures/memfs.js';
import { py, useMount } from './helpers.js';

describe('entries', () => {
  let fs: MemFs;
  const m = useMount(() => (fs = new MemFs()));

  it('[op:mkdir] [op:lookup] [op:getattr] [op:opendir] [op:readdirplus] [op:releasedir] creates and lists directories', async () => {
    await sh(`mkdir -m 750 ${m.mountpoint}/d && mkdir ${m.mountpoint}/d/sub && touch ${m.mountpoint}/d/f`);
    expect(await sh(`ls -a ${m.mountpoint}/d`)).toBe('.\n..\nf\nsub\n');
    expect(await sh(`stat -c '%a %F %h' ${m.mountpoint}/d`)).toBe('750 directory 3\n');
    expect(fs.calls.some((c) => c.startsWith('readdirplus'))).toBe(true);
    expect(fs.calls).toContain('releasedir 2 fh=7');
  });

  it('[op:create] [op:write] [op:flush] [op:release] [op:open] [op:read] writes and reads back a file', async () => {
    await sh(`printf 'hello world' > ${m.mountpoint}/a.txt`);
    expect(await sh(`cat ${m.mountpoint}/a.txt`)).toBe('hello world');
    const ino = fs.lookupPath('a.txt')!.attr.ino;
    expect(fs.calls).toContain(`create a.txt 1`);
    expect(fs.calls).toContain(`flush ${ino} fh=${ino * 10}`);
    expect(fs.calls).toContain(`release ${ino} fh=${ino * 10}`);
    expect(fs.calls).toContain(`read ${ino} fh=${ino * 10}`);
  });

  it('[op:mknod] creates a fifo and a character device node', async () => {
    await sh(`mkfifo ${m.mountpoint}/fifo && mknod ${m.mountpoint}/null c 1 3`);
    expect(await sh(`stat -c '%F' ${m.mountpoint}/fifo`)).toBe('fifo\n');
    expect(await sh(`stat -c '%F %t %T' ${m.mountpoint}/null`)).toBe('character special file 1 3\n');
  });

  it('[op:symlink] [op:readlink] makes and reads symlinks', async () => {
    await sh(`ln -s a.txt ${m.mountpoint}/link`);
    expect(await sh(`readlink ${m.mountpoint}/link`)).toBe('a.txt\n');
    expect(await sh(`cat ${m.mountpoint}/link`)).toBe('hello world');
  });

  it('[op:link] makes hard links', async () => {
    await sh(`ln ${m.mountpoint}/a.txt ${m.mountpoint}/hard`);
    expect(await sh(`stat -c '%h %i' ${m.mountpoint}/hard`)).toBe(await sh(`stat -c '%h %i' ${m.mountpoint}/a.txt`));
    expect(await sh(`stat -c '%h' ${m.mountpoint}/hard`)).toBe('2\n');
  });

  it('[op:rename] renames, with RENAME_NOREPLACE and RENAME_EXCHANGE', async () => {
    await sh(`echo 1 > ${m.mountpoint}/r1 && echo 2 > ${m.mountpoint}/r2 && mv ${m.mountpoint}/r1 ${m.mountpoint}/d/r1`);
    expect(await sh(`cat ${m.mountpoint}/d/r1`)).toBe('1\n');
    const renameat2 = (a: string, b: string, flags: number) =>
      py(`
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
r = libc.renameat2(-100, b"${a}", -100, b"${b}", ${flags})
print("ok" if r == 0 else os.strerror(ctypes.get_errno()))`);
    expect(await renameat2(`${m.mountpoint}/d/r1`, `${m.mountpoint}/r2`, 1)).toBe('File exists');
    expect(await renameat2(`${m.mountpoint}/d/r1`, `${m.mountpoint}/r2`, 2)).toBe('ok');
    expect(await sh(`cat ${m.mountpoint}/r2 ${m.mountpoint}/d/r1`)).toBe('1\n2\n');
  });

  it('[op:setattr] chmod, chown, truncate and utimens with nanoseconds and UTIME_NOW', async () => {
    const f = `${m.mountpoint}/attrs`;
    await sh(`echo abcdef > ${f} && chmod 640 ${f} && chown 1234:5678 ${f} && truncate -s 3 ${f}`);
    await sh(`touch -m -d '2001-02-03 04:05:06.123456789 UTC' ${f} && touch -a ${f}`);
    expect(await sh(`stat -c '%a %u %g %s %y' ${f}`)).toBe('640 1234 5678 3 2001-02-03 04:05:06.123456789 +0000\n');
    const ino = fs.lookupPath('attrs')!.attr.ino;
    expect(fs.calls).toContain(`setattr ${ino} mode fh=undefined`);
    expect(fs.calls.some((c) => c.startsWith(`setattr ${ino} atimeNs`))).toBe(true);
  });

  it('[op:setattr] ftruncate passes the file handle', async () => {
    await py(`
import os
fd = os.open("${m.mountpoint}/attrs", os.O_RDWR)
os.ftruncate(fd, 1)
os.close(fd)`);
    const ino = fs.lookupPath('attrs')!.attr.ino;
    expect(fs.calls).toContain(`setattr ${ino} size fh=${ino * 10}`);
  });

  it('[op:unlink] [op:rmdir] removes files and directories with the right errors', async () => {
    await sh(`mkdir ${m.mountpoint}/gone && touch ${m.mountpoint}/gone/x`);
    await expect(sh(`rmdir ${m.mountpoint}/gone`)).rejects.toThrow(/not empty/);
    await sh(`rm ${m.mountpoint}/gone/x && rmdir ${m.mountpoint}/gone`);
    await expect(sh(`stat ${m.mountpoint}/gone`)).rejects.toThrow(/No such file/);
    await expect(sh(`rm ${m.mountpoint}/d`)).rejects.toThrow(/Is a directory/);
  });

  it('[op:statfs] reports filesystem statistics', async () => {
    expect(await sh(`stat -f -c '%S %b %f %a %c %d %l' ${m.mountpoint}`)).toBe('4096 1000 600 500 100 90 255\n');
  });

  it('[op:tmpfile] opens an unnamed file with O_TMPFILE, which linkat from /proc/self/fd names', async () => {
    const out = await py(`
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
fd = os.open("${m.mountpoint}/d", os.O_TMPFILE | os.O_RDWR, 0o640)
os.write(fd, b"unnamed")
r = [os.fstat(fd).st_nlink, "named" in os.listdir("${m.mountpoint}/d")]
r.append(libc.linkat(-100, f"/proc/self/fd/{fd}".encode(), -100, b"${m.mountpoint}/d/named", 0x400))
r.append(os.fstat(fd).st_nlink)
os.close(fd)
print(r, open("${m.mountpoint}/d/named").read())`);
    expect(out).toBe('[0, False, 0, 1] unnamed');
    expect(fs.calls).toContain('tmpfile 2 640 2');
  });

  it('[op:statx] answers statx with the birth time', async () => {
    expect(await sh(`stat -c '%W %.9W' ${m.mountpoint}/a.txt`)).toBe('1600000000 1600000000.123456789\n');
    const ino = fs.lookupPath('a.txt')!.attr.ino;
    const call = fs.calls.find((c) => c.startsWith(`statx ${ino} `))!;
    expect(call).toBeDefined();
    const [, , flags, mask, fh] = call.split(' ');
    expect([flags, Number(mask) & constants.STATX_BTIME!, fh]).toEqual(['0', constants.STATX_BTIME, 'fh=undefined']);
  });

  it('[op:fsync] [op:fsyncdir] syncs files and directories', async () => {
    await py(`
import os
fd = os.open("${m.mountpoint}/a.txt", os.O_RDWR); os.fsync(fd); os.fdatasync(fd); os.close(fd)
d = os.open("${m.mountpoint}/d", os.O_RDONLY); os.fsync(d); os.close(d)`);
    const ino = fs.lookupPath('a.txt')!.attr.ino;
    expect(fs.calls).toContain(`fsync ${ino} false`);
    expect(fs.calls).toContain(`fsync ${ino} true`);
    expect(fs.calls).toContain(`fsyncdir 2 false`);
  });

  it('[op:setxattr] [op:getxattr] [op:listxattr] [op:removexattr] handles xattrs, size probes and ERANGE', async () => {
    const f = `${m.mountpoint}/a.txt`;
    const out = await py(`
import os
f = "${f}"
os.setxattr(f, "user.one", b"value-1")
os.setxattr(f, "user.two", b"")
r = [os.getxattr(f, "user.one").decode(), sorted(os.listxattr(f))]
try: os.setxattr(f, "user.one", b"x", os.XATTR_CREATE)
except OSError as e: r.append(e.strerror)
try: os.getxattr(f, "user.nope")
except OSError as e: r.append(e.strerror)
os.removexattr(f, "user.two")
r.append(sorted(os.listxattr(f)))
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
buf = ctypes.create_string_buffer(3)
r.append([libc.getxattr(f.encode(), b"user.one", None, 0), libc.getxattr(f.encode(), b"user.one", buf, 3), os.strerror(ctypes.get_errno())])
print(r)`);
    expect(out).toBe(
      `['value-1', ['user.one', 'user.two'], 'File exists', 'No data available', ['user.one'], [7, -1, 'Numerical result out of range']]`,
    );
  });

  it('[op:forget] [op:forget_multi] receives forgets when the kernel drops its inodes', async () => {
    await sh(`for i in $(seq 1 20); do touch ${m.mountpoint}/d/many$i; done; ls -l ${m.mountpoint}/d > /dev/null`);
    await sh(`rm -f ${m.mountpoint}/d/many*; echo 2 > /proc/sys/vm/drop_caches`);
    const deadline = Date.now() + 5000;
    while (fs.forgotten.size === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(fs.forgotten.size).toBeGreaterThan(0);
    for (const [ino] of fs.forgotten) {
      const n = fs.nodes.get(ino);
      if (n !== undefined) expect(n.lookups).toBeGreaterThanOrEqual(0);
    }
  });
});

describe('data paths', () => {
  let fs: MemFs;
  const m = useMount(() => (fs = new MemFs()));

  it('[op:read] answers with iov parts and with direct_io', async () => {
    await sh(
      `printf 'abcdefgh' > ${m.mountpoint}/iov && setfattr -n user.iov -v 1 ${m.mountpoint}/iov 2>/dev/null || python3 -c 'import os; os.setxattr("${m.mountpoint}/iov", "user.iov", b"1")'`,
    );
    expect(await sh(`cat ${m.mountpoint}/iov`)).toBe('abcdefgh');
    await sh(
      `printf '0123456789' > ${m.mountpoint}/dio && python3 -c 'import os; os.setxattr("${m.mountpoint}/dio", "user.direct_io", b"1")'`,
    );
    expect(await sh(`dd if=${m.mountpoint}/dio bs=4 skip=1 count=1 status=none`)).toBe('4567');
  });

  it('[op:fallocate] [op:copy_file_range] [op:lseek] allocates, copies ranges, seeks data and holes', async () => {
    const out = await py(`
import os
a = os.open("${m.mountpoint}/src", os.O_RDWR | os.O_CREAT, 0o644)
os.write(a, b"0123456789")
b = os.open("${m.mountpoint}/dst", os.O_RDWR | os.O_CREAT, 0o644)
os.posix_fallocate(b, 0, 4)
n = os.copy_file_range(a, b, 6, 2, 0)
os.lseek(b, 0, os.SEEK_SET)
print(n, os.read(b, 100), os.lseek(a, 2, os.SEEK_DATA), os.lseek(a, 2, os.SEEK_HOLE))`);
    expect(out).toBe(`6 b'234567' 2 10`);
    expect(fs.calls.some((c) => c.startsWith('fallocate'))).toBe(true);
    expect(fs.calls.filter((c) => c.startsWith('lseek'))).toHaveLength(2);
    const [a, b] = [fs.lookupPath('src')!.attr.ino, fs.lookupPath('dst')!.attr.ino];
    expect(fs.calls).toContain(`copyFileRange ${a} 2 fh=${a * 10} ${b} 0 fh=${b * 10} 6 0`);
  });

  it('[op:getlk] [op:setlk] [op:flock] serves POSIX and BSD locks', async () => {
    const out = await py(`
import fcntl, os, struct
fd = os.open("${m.mountpoint}/src", os.O_RDWR)
fcntl.lockf(fd, fcntl.LOCK_EX, 5, 2)
pid = os.fork()
if pid == 0:
    fd2 = os.open("${m.mountpoint}/src", os.O_RDWR)
    res = fcntl.fcntl(fd2, fcntl.F_GETLK, struct.pack("hhqqi", fcntl.F_WRLCK, 0, 0, 0, 0))
    t, w, s, l, p = struct.unpack("hhqqi", res)
    os.write(1, f"{t == fcntl.F_WRLCK} {s} {l}".encode())
    os._exit(0)
os.waitpid(pid, 0)
fcntl.flock(fd, fcntl.LOCK_SH)
fcntl.lockf(fd, fcntl.LOCK_UN, 5, 2)`);
    expect(out).toBe('True 2 5');
    expect(fs.calls).toContain('setlk 1 2 6');
    expect(fs.calls.some((c) => c.startsWith('flock'))).toBe(true);
  });

  it('[op:ioctl] answers restricted ioctls with data', async () => {
    const out = await py(`
import fcntl, os, array
fd = os.open("${m.mountpoint}/src", os.O_RDONLY)
# _IOR('F', 1, 8): 8 bytes out
cmd = (2 << 30) | (8 << 16) | (ord('F') << 8) | 1
buf = bytearray(8)
r = fcntl.ioctl(fd, cmd, buf, True)
print(r, buf.hex())`);
    expect(out).toBe(`42 abababababababab`);
    const ino = fs.lookupPath('src')!.attr.ino;
    expect(fs.lastIoctl).toMatchObject({ ino, fh: ino * 10, cmd: 0x80084601, arg: expect.any(BigInt), flags: 0, outBufsz: 8 });
    expect(fs.lastIoctl?.inBuf).toHaveLength(0);
  });

  it('[op:poll] answers poll and keeps the handle for notify', async () => {
    const out = await py(`
import select, os
fd = os.open("${m.mountpoint}/src", os.O_RDONLY)
p = select.poll(); p.register(fd, select.POLLIN)
print(p.poll(1000))`);
    expect(out).toMatch(/\[\(\d+, 1\)\]/);
    fs.pollHandle?.notify();
    fs.pollHandle?.release();
  });

  it('[op:retrieve_reply] stores into and retrieves from the kernel page cache', async () => {
    await sh(`printf 'XXXXXXXX' > ${m.mountpoint}/cached`);
    const ino = fs.lookupPath('cached')!.attr.ino;
    await m.session.notifyStore(ino, 0, Buffer.from('stored!!'));
    const back = await m.session.notifyRetrieve(ino, 0, 8);
    expect(back.toString()).toBe('stored!!');
  });
});

describe('without tmpfile and statx', () => {
  // Own properties shadow the fixture's methods: the handlers are not implemented.
  const m = useMount(() => Object.defineProperties(new MemFs(), { tmpfile: { value: undefined }, statx: { value: undefined } }));

  it('[op:tmpfile] O_TMPFILE fails with EOPNOTSUPP, and create still works', async () => {
    const out = await py(`
import os
try: os.open("${m.mountpoint}", os.O_TMPFILE | os.O_RDWR, 0o600)
except OSError as e: print(e.strerror)
open("${m.mountpoint}/created", "w").write("x")
print(open("${m.mountpoint}/created").read())`);
    expect(out).toBe('Operation not supported\nx');
  });

  it('[op:statx] the birth time is unknown, and stat still works through getattr', async () => {
    await sh(`touch ${m.mountpoint}/plain`);
    expect(await sh(`stat -c '%W %s' ${m.mountpoint}/plain`)).toBe('0 0\n');
  });
});
