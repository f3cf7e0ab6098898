// The Python side of a case: helpers that make one syscall each and record its result, or its
// errno name, in a list printed as JSON at exit. Python reaches every syscall the suite needs
// (xattrs, mknod, fallocate, SEEK_DATA, copy_file_range; renameat2 through libc) with errno intact.
export const PYTHON = '/usr/bin/python3';

// biome-ignore lint/complexity/noUselessStringRaw: Python source; raw, so a backslash added to it reaches Python as written
export const PRELUDE = String.raw`
import os, sys, json, errno, stat as S, time, ctypes, fcntl, mmap, zlib
out = []
_libc = ctypes.CDLL(None, use_errno=True)

def _norm(v):
    if isinstance(v, os.stat_result):
        return {'type': oct(S.S_IFMT(v.st_mode)), 'mode': oct(S.S_IMODE(v.st_mode)), 'nlink': v.st_nlink,
                'uid': v.st_uid, 'gid': v.st_gid, 'size': v.st_size, 'blocks': v.st_blocks, 'rdev': v.st_rdev}
    if isinstance(v, bytes):
        # Long contents are summarized: a difference still shows, without flooding the report.
        return v.decode('latin1') if len(v) <= 64 else '%d bytes, crc %08x' % (len(v), zlib.crc32(v))
    if isinstance(v, (list, tuple)): return [_norm(x) for x in v]
    return v

def rec(label, f, *a, **k):
    try:
        v = f(*a, **k)
        out.append([label, _norm(v)])
        return v
    except OSError as e:
        out.append([label, errno.errorcode.get(e.errno, str(e.errno))])
        return None

def note(label, v): out.append([label, _norm(v)])

def _short(x):
    r = repr(x)
    return r if len(r) <= 40 else r[:30] + '..%d' % len(r)

def _op(name, f):
    return lambda *a, **k: rec(name + ' ' + ' '.join(_short(x) for x in a), f, *a, **k)

def _check(r):
    if r != 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))
    return r

def _renameat2(a, b, flags):
    return _check(_libc.renameat2(-100, os.fsencode(a), -100, os.fsencode(b), ctypes.c_uint(flags)))

def _fallocate(fd, mode, off, length):
    return _check(_libc.fallocate(fd, mode, ctypes.c_long(off), ctypes.c_long(length)))

def _cat(p):
    with open(p, 'rb') as f: return f.read()

def _put(p, data, mode='wb'):
    with open(p, mode) as f: f.write(data)

def _flock_other(path, op):
    # flock locks conflict between open file descriptions, even within one process.
    fd = os.open(path, os.O_RDONLY)
    try: fcntl.flock(fd, op)
    finally: os.close(fd)

def _lockf_child(fd, cmd, start=0, length=0):
    # POSIX locks only conflict between processes: try the lock from a child.
    pid = os.fork()
    if pid == 0:
        try:
            fcntl.lockf(fd, cmd, length, start)
            os._exit(0)
        except OSError as e:
            os._exit(e.errno)
    code = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
    if code != 0: raise OSError(code, os.strerror(code))

def _linkat_fd(fd, path):
    # Names an O_TMPFILE file: linkat from /proc/self/fd/N with AT_SYMLINK_FOLLOW (os.link would not follow).
    return _check(_libc.linkat(-100, ('/proc/self/fd/%d' % fd).encode(), -100, os.fsencode(path), 0x400))

def _statx(p):
    # statx(2) for STATX_BASIC_STATS | STATX_BTIME: the mask answered, btime and ctime in ns.
    buf = ctypes.create_string_buffer(256)
    _check(_libc.statx(-100, os.fsencode(p), 0, ctypes.c_uint(0xfff), buf))
    ns = lambda at: int.from_bytes(buf.raw[at:at + 8], 'little', signed=True) * 10**9 + int.from_bytes(buf.raw[at + 8:at + 12], 'little')
    return int.from_bytes(buf.raw[0:4], 'little'), ns(80), ns(96)

mkdir = _op('mkdir', os.mkdir); rmdir = _op('rmdir', os.rmdir); unlink = _op('unlink', os.unlink)
rename = _op('rename', os.rename); renameat2 = _op('renameat2', _renameat2); link = _op('link', os.link)
symlink = _op('symlink', os.symlink); readlink = _op('readlink', os.readlink)
stat = _op('stat', os.stat); lstat = _op('lstat', lambda p: os.stat(p, follow_symlinks=False))
chmod = _op('chmod', os.chmod); chown = _op('chown', os.chown)
lchown = _op('lchown', lambda p, u, g: os.chown(p, u, g, follow_symlinks=False))
truncate = _op('truncate', os.truncate); mknod = _op('mknod', os.mknod); mkfifo = _op('mkfifo', os.mkfifo)
utime = _op('utime', os.utime); access = _op('access', os.access)
listdir = _op('listdir', lambda p='.': sorted(os.listdir(p)))
setxattr = _op('setxattr', os.setxattr); getxattr = _op('getxattr', os.getxattr)
lsetxattr = _op('lsetxattr', lambda p, n, v, f=0: os.setxattr(p, n, v, f, follow_symlinks=False))
listxattr = _op('listxattr', lambda p: sorted(os.listxattr(p))); removexattr = _op('removexattr', os.removexattr)
open_ = _op('open', os.open); close = _op('close', os.close); read = _op('read', os.read)
write = _op('write', os.write); pread = _op('pread', os.pread); pwrite = _op('pwrite', os.pwrite)
lseek = _op('lseek', os.lseek); ftruncate = _op('ftruncate', os.ftruncate); fstat = _op('fstat', os.fstat)
fsync = _op('fsync', os.fsync); fchmod = _op('fchmod', os.fchmod)
posix_fallocate = _op('posix_fallocate', os.posix_fallocate); fallocate = _op('fallocate', _fallocate)
copy_file_range = _op('copy_file_range', os.copy_file_range); linkat_fd = _op('linkat_fd', _linkat_fd)
cat = _op('cat', _cat); put = _op('put', _put)
flock = _op('flock', fcntl.flock); flock_other = _op('flock_other', _flock_other)
lockf = _op('lockf', lambda fd, cmd, start=0, length=0: fcntl.lockf(fd, cmd, length, start))
lockf_child = _op('lockf_child', _lockf_child)
namemax = _op('namemax', lambda p='.': os.statvfs(p).f_namemax)

_births = {}
def birth(label, p):
    # Whether statx answers a birth time, whether it is no later than ctime, and whether it stayed
    # put since the last birth() of the same label: values differ between filesystems, this does not.
    m, b, c = _statx(p)
    prev = _births.get(label)
    note('birth ' + label, [bool(m & 0x800), b <= c, 'first' if prev is None else 'same' if b == prev else 'moved'])
    _births[label] = b

def tick(): time.sleep(0.02)
_stamps = {}
def stamp(*paths):
    for p in paths:
        st = os.stat(p, follow_symlinks=False); _stamps[p] = (st.st_atime_ns, st.st_mtime_ns, st.st_ctime_ns)
def changed(*paths):
    # Which of atime/mtime/ctime moved since stamp(): values differ between filesystems, this does not.
    for p in paths:
        before = _stamps[p]
        st = os.stat(p, follow_symlinks=False); now = (st.st_atime_ns, st.st_mtime_ns, st.st_ctime_ns)
        note('changed ' + p, ''.join(c for c, x, y in zip('amc', before, now) if x != y) or '-')
        _stamps[p] = now
def times(p):
    st = os.stat(p, follow_symlinks=False); note('times ' + p, [st.st_atime_ns, st.st_mtime_ns])

import atexit
atexit.register(lambda: sys.stdout.write(json.dumps(out)))
`;
